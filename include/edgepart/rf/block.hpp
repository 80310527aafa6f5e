#pragma once
// Back-propagation of regions through a fused block of a DAG (docs/design.md §4), and the work one device
// (or tile) does in it. A block is the layers first..last by index. Walking them in reverse
// topological order, a layer's required output region is the hull of what its consumers inside
// the block need (plus what is asked of it directly); the block's input requirement is, per tensor
// made outside the block, the hull of what the block's layers read of it.
//
// Typical use, "to compute region R of layer `last`'s output, what is needed?":
//   BlockRegions br = propagate_block(graph, analysis, first, last, R);
//   br.output(l)            region of layer l's output computed (empty: l is not needed)
//   br.block_inputs         every outside tensor read, with its region (the input region)
//   br.macs, br.flops       the cost of exactly those regions, halo recomputation included
#include <optional>
#include <span>
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/rf/backward.hpp"
#include "edgepart/rf/region.hpp"

namespace edgepart::rf {

using model::LayerIndex;

// A tensor produced outside the block (a layer before `first`, or model::kModelInput) and the
// region of it the block reads.
struct BlockInput {
  LayerIndex producer = model::kModelInput;
  Region region;
  bool operator==(const BlockInput&) const = default;
};

// A region of a layer's output that must be computed.
struct Requirement {
  LayerIndex layer = 0;
  Region region;
};

struct BlockRegions {
  LayerIndex first = 0, last = -1;
  std::vector<Region> outputs;              // [l - first]: output region of layer l computed
  std::vector<std::vector<Region>> inputs;  // [l - first][k]: region of l's k-th input it reads
  std::vector<BlockInput> block_inputs;     // ascending producer (model input first)
  std::vector<int64_t> macs, flops;         // [l - first]: for exactly outputs[l - first]
  int64_t total_macs = 0, total_flops = 0;

  bool contains(LayerIndex l) const { return first <= l && l <= last; }
  const Region& output(LayerIndex l) const;
  const std::vector<Region>& input(LayerIndex l) const;
  // The region of an outside tensor the block reads (empty when it reads none of it).
  Region input_of(LayerIndex producer) const;
};

// Regions for the requirements (each a layer in [first, last]; several may name the same layer).
// Requirements are clipped to the layer's map.
BlockRegions propagate_block(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex first,
                             LayerIndex last, const std::vector<Requirement>& required, Halo halo = Halo::exact);
// The common case: region `of_last` of layer `last`'s output.
BlockRegions propagate_block(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex first,
                             LayerIndex last, const Region& of_last, Halo halo = Halo::exact);

// The regions of a block, as propagate_block computes them, for many requests of the same block
// (a planner's tiles and candidate cuts): the layers' backward steps are worked out once, and
// each request maps regions with no allocation (DeepThings' preform_ftp does the same per tile).
// Only the computed output region of each layer; propagate_block adds inputs and costs.
class CompiledBlock {
public:
  CompiledBlock(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex first, LayerIndex last,
                Halo halo = Halo::exact);
  LayerIndex first() const { return first_; }
  LayerIndex last() const { return last_; }
  size_t size() const { return static_cast<size_t>(last_ - first_ + 1); }
  // outputs[l - first] = the region of layer l's output computed for `of_last` of layer last's
  // output (clipped to its map); equal to propagate_block(...).outputs. `outputs.size()` must be
  // size(). With `inputs` (size: outside_producers().size()), also the region of each tensor made
  // outside the block that it reads, in outside_producers() order (propagate_block's
  // block_inputs, empty regions included).
  void propagate(const Region& of_last, std::span<Region> outputs, std::span<Region> inputs = {}) const;
  // The tensors made outside the block that its layers read, ascending (the model input first).
  const std::vector<LayerIndex>& outside_producers() const { return outside_; }

private:
  struct Edge {
    int32_t producer;  // in-block: producer - first; outside: -1 - (index in outside_)
    InputStep step;
  };
  LayerIndex first_ = 0, last_ = -1;
  model::Shape last_shape_;
  std::vector<Edge> edges_;            // per layer from last down to first, its inputs
  std::vector<uint32_t> edge_begin_;   // [last - l]: first edge of layer l; size() + 1 entries
  std::vector<LayerIndex> outside_;
};

// Layers of [first, last] whose output is read by a layer after `last` or is the model output.
std::vector<LayerIndex> block_outputs(const model::ModelGraph& graph, LayerIndex first, LayerIndex last);

// The cost of computing `region` of a layer's output: the layer's MACs and FLOPs scaled by
// region area / full map area. Exact for every op whose cost is per output element (conv,
// pooling, element-wise; docs/design.md §3); layers with a flat output are one 1x1 "pixel".
struct RegionCost {
  int64_t macs = 0, flops = 0;
};
RegionCost region_cost(const cost::ModelAnalysis& analysis, LayerIndex layer, const Region& region);

// True when, after layer `j`, the only value still needed is layer j's output: no layer after j
// reads the model input or a layer before j (a single-tensor cut point of the DAG).
bool is_single_tensor_cut(const model::ModelGraph& graph, LayerIndex j);

// The longest spatial prefix of the model, [0, last]: it ends before the first layer that needs
// a whole map (global pooling to 1x1, flatten, linear, or any flat tensor) and at a single-tensor
// cut. nullopt when no such prefix exists (the first layer is already global).
std::optional<LayerIndex> spatial_prefix_end(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis);

}  // namespace edgepart::rf
