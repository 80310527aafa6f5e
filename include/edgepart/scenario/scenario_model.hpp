#pragma once
// The model a scenario names (its "model" key).
#include "edgepart/model/graph.hpp"
#include "edgepart/scenario/scenario.hpp"

namespace edgepart::scenario {

// Loads the scenario's model. A model file that is not there is the scenario's error, reported at
// its /model with the path it resolved to; errors inside the model file name that file.
model::ModelGraph load_scenario_model(const Scenario& scenario);

}  // namespace edgepart::scenario
