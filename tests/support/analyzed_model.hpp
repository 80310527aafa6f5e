#pragma once
// Test helper: a model from JSON text together with its cost analysis (shapes, costs), for test
// binaries that link the cost module (rf, exec).
#include <string>

#include "edgepart/cost/analysis.hpp"
#include "support/model_text.hpp"

namespace edgepart::testing {

struct Built {
  model::ModelGraph graph;
  cost::ModelAnalysis analysis;
};

// `input` is "[C,H,W]" text, `layers` the JSON array body (see model_json).
inline Built build(const std::string& input, const std::string& layers) {
  Built b{model_from_text(model_json(input, layers)), {}};
  b.analysis = cost::analyze(b.graph);
  return b;
}

}  // namespace edgepart::testing
