#pragma once
// Backward mapping of regions through one layer (docs/design.md §4): to compute region R of a layer's
// output, which region of each of its inputs is read. Results are clipped to each input's map, so
// rows outside the map are the layer's own padding (which is why segmented execution is lossless).
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/ops/steps.hpp"
#include "edgepart/rf/region.hpp"

namespace edgepart::rf {

using ops::AxisStep;
using ops::Halo;
using ops::InputStep;
using ops::adaptive_input;
using ops::window_cell_input;
using ops::window_input;

// The steps of each input of `layer`, in input order.
std::vector<InputStep> backward_steps(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis,
                                      model::LayerIndex layer, Halo halo = Halo::exact);

// The region of each input of `layer` (in input order) read to compute `out` of its output.
// `out` is clipped to the layer's output map first; an empty `out` reads nothing.
std::vector<Region> input_regions(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis,
                                  model::LayerIndex layer, const Region& out, Halo halo = Halo::exact);

}  // namespace edgepart::rf
