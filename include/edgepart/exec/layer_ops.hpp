#pragma once
// One layer of the reference executor, computed for a region of its output from (possibly
// cropped) inputs. The same code runs whole layers (every crop the whole map) and segmented parts
// (crops offset into the map), so the only difference between the two is which pixels are present.
#include <vector>

#include "edgepart/exec/tensor.hpp"
#include "edgepart/exec/weights.hpp"

namespace edgepart::exec {

// An input of a layer as the executor sees it: `tensor` holds region `crop` of the input's map.
// Pixels outside `valid` read as the layer's padding (zero for conv, ignored by pooling).
//  - exact (lossless) execution: `valid` is the whole map, so padding is used only at the true map
//    border; every pixel inside the map that the layer reads must lie in `crop` (checked: a
//    violation is a bug in the region arithmetic and fails with InternalError);
//  - FDSP (ADCNN) execution: `valid` is the crop itself, so the crop border is padded like an
//    image border.
struct InputView {
  const Tensor* tensor = nullptr;
  rf::Region crop;
  rf::Region valid;
};

// Region `out` (clipped to the output map, non-empty) of layer `layer`'s output, as a tensor of
// out.rows x out.cols pixels.
Tensor compute_layer(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, model::LayerIndex layer,
                     const LayerParams& params, const std::vector<InputView>& inputs, const rf::Region& out);

}  // namespace edgepart::exec
