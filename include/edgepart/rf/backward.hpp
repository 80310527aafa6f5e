#pragma once
// Backward mapping of regions through one layer (DESIGN §4): to compute region R of a layer's
// output, which region of each of its inputs is read. Results are clipped to each input's map, so
// rows outside the map are the layer's own padding (which is why segmented execution is lossless).
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/rf/region.hpp"

namespace edgepart::rf {

// How a window reads its input.
//  exact: everything the window touches (the halo): output [u,v] needs
//         [s*u - p_begin, s*v - p_begin + d(k-1)].
//  none:  only the stride cell of each output pixel, [s*u, s*v + s - 1]: the tile is treated as an
//         image of its own with zero padding at its borders (ADCNN's fully decomposable spatial
//         partition, FDSP; approximate). Non-window ops map alike in both modes.
enum class Halo { exact, none };

// One axis of a sliding window (conv, pooling) in exact mode, clipped to [0, in_size-1].
Interval window_input(const Interval& out, int64_t kernel, int64_t stride, int64_t dilation,
                      int64_t pad_begin, int64_t in_size);
// One axis of a sliding window in Halo::none mode, clipped to [0, in_size-1].
Interval window_cell_input(const Interval& out, int64_t stride, int64_t in_size);
// One axis of PyTorch's adaptive pooling: output i reads [floor(i*in/out), ceil((i+1)*in/out) - 1].
Interval adaptive_input(const Interval& out, int64_t in_size, int64_t out_size);

// The region of each input of `layer` (in input order) read to compute `out` of its output.
// `out` is clipped to the layer's output map first; an empty `out` reads nothing.
std::vector<Region> input_regions(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis,
                                  model::LayerIndex layer, const Region& out, Halo halo = Halo::exact);

}  // namespace edgepart::rf
