// Shapes and costs of every layer, through each op's spec (src/ops/): the spec infers the output
// shape and counts MACs, FLOPs and parameters; here they are chained in layer order and summed.
#include "edgepart/cost/analysis.hpp"

#include "edgepart/util/checked_math.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::cost {

using namespace model;

std::vector<Shape> infer_shapes(const ModelGraph& graph) { return analyze(graph).shapes; }

ModelAnalysis analyze(const ModelGraph& graph) {
  ModelAnalysis a;
  a.input = graph.input;
  a.shapes.reserve(graph.size());
  a.layers.reserve(graph.size());
  for (size_t n = 0; n < graph.size(); ++n) {
    const Layer& layer = graph.layers[n];
    const ops::LayerRef ref = layer.ref(graph.file);
    try {
      const ops::OpSpec& spec = ops::op_spec(layer.kind);
      const ops::InputShapes in = a.inputs_of(layer);
      Shape out = spec.infer_shape(ref, in);
      out.elements();  // the element count itself must fit 64 bits
      LayerCost cost = spec.cost(ref, in, out);
      cost.output_bytes = checked_mul(out.elements(), graph.dtype_bytes);
      a.shapes.push_back(out);
      a.layers.push_back(cost);
      a.total_macs = checked_add(a.total_macs, cost.macs);
      a.total_flops = checked_add(a.total_flops, cost.flops);
      a.total_params = checked_add(a.total_params, cost.params);
    } catch (const OverflowError&) {
      ref.fail("sizes overflow 64-bit arithmetic");
    }
  }
  return a;
}

}  // namespace edgepart::cost
