#pragma once
// A model as `edgepart inspect --format json` shows it (docs/design.md §8): per layer its name,
// op, inputs, output shape, MACs, FLOPs, parameters, output bytes and receptive field; the totals.
// Shared by the CLI and the Python module's Model.inspect().
#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/graph.hpp"
#include "edgepart/util/json_read.hpp"

namespace edgepart::pipeline {

Json inspect_json(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis);

}  // namespace edgepart::pipeline
