// One layer of the reference executor: each op's forward pass is in its spec (src/ops/).
#include "edgepart/exec/layer_ops.hpp"

#include "edgepart/util/error.hpp"

namespace edgepart::exec {

using namespace model;

Tensor compute_layer(const ModelGraph& g, const cost::ModelAnalysis& analysis, LayerIndex l, const LayerParams& p,
                     const std::vector<InputView>& inputs, const rf::Region& requested) {
  const Layer& layer = g.layer(l);
  const Shape& out_shape = analysis.shapes.at(static_cast<size_t>(l));
  const rf::Region out = requested.clip(out_shape);
  EDGEPART_ASSERT(!out.empty(), g.describe(l) + ": empty output region");
  EDGEPART_ASSERT(inputs.size() == layer.inputs.size(), g.describe(l) + ": wrong number of inputs");
  const ops::LayerRef ref = layer.ref(g.file);
  const ops::InputShapes in = analysis.inputs_of(layer);
  return ops::op_spec(layer.kind).forward(ops::ForwardCall{ref, in, out_shape, p, inputs, out});
}

}  // namespace edgepart::exec
