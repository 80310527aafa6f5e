// The backward mapping of regions through one layer: each op's spec (src/ops/) says how it reads
// its inputs (OpSpec::backward); here the steps are applied.
#include "edgepart/rf/backward.hpp"

namespace edgepart::rf {

using namespace model;

std::vector<InputStep> backward_steps(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex layer,
                                      Halo halo) {
  const Layer& l = graph.layer(layer);
  std::vector<InputStep> steps(l.inputs.size());
  ops::op_spec(l.kind).backward(l.ref(graph.file), analysis.inputs_of(l), analysis.shapes[static_cast<size_t>(layer)],
                                halo, steps);
  return steps;
}

std::vector<Region> input_regions(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex layer,
                                  const Region& requested, Halo halo) {
  const Region out = requested.clip(analysis.shapes.at(static_cast<size_t>(layer)));
  std::vector<InputStep> steps = backward_steps(graph, analysis, layer, halo);
  std::vector<Region> result(steps.size());
  if (out.empty()) return result;
  for (size_t k = 0; k < steps.size(); ++k) result[k] = steps[k].apply(out);
  return result;
}

}  // namespace edgepart::rf
