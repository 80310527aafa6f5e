#pragma once
// One layer of the reference executor, computed for a region of its output from (possibly
// cropped) inputs. The same code runs whole layers (every crop the whole map) and segmented parts
// (crops offset into the map), so the only difference between the two is which pixels are present.
#include <vector>

#include "edgepart/exec/tensor.hpp"
#include "edgepart/exec/weights.hpp"

namespace edgepart::exec {

using ops::InputView;  // ops/tensor.hpp

// Region `out` (clipped to the output map, non-empty) of layer `layer`'s output, as a tensor of
// out.rows x out.cols pixels.
Tensor compute_layer(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, model::LayerIndex layer,
                     const LayerParams& params, const std::vector<InputView>& inputs, const rf::Region& out);

}  // namespace edgepart::exec
