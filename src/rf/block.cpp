#include "edgepart/rf/block.hpp"

#include <algorithm>
#include <map>

#include "edgepart/util/checked_math.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::rf {

using namespace model;

const Region& BlockRegions::output(LayerIndex l) const {
  EDGEPART_ASSERT(contains(l), "layer " + std::to_string(l) + " is outside the block");
  return outputs[static_cast<size_t>(l - first)];
}

const std::vector<Region>& BlockRegions::input(LayerIndex l) const {
  EDGEPART_ASSERT(contains(l), "layer " + std::to_string(l) + " is outside the block");
  return inputs[static_cast<size_t>(l - first)];
}

Region BlockRegions::input_of(LayerIndex producer) const {
  for (const auto& b : block_inputs)
    if (b.producer == producer) return b.region;
  return Region::empty_region();
}

RegionCost region_cost(const cost::ModelAnalysis& analysis, LayerIndex layer, const Region& region) {
  const Shape& s = analysis.shapes.at(static_cast<size_t>(layer));
  const cost::LayerCost& c = analysis.layers.at(static_cast<size_t>(layer));
  int64_t full = Region::whole(s).area();
  int64_t area = region.clip(s).area();
  // Every cost of cost::analyze is (per-pixel cost) x H x W, so the division is exact.
  EDGEPART_ASSERT(c.macs % full == 0 && c.flops % full == 0, "layer cost is not per output pixel");
  return RegionCost{checked_mul(c.macs / full, area), checked_mul(c.flops / full, area)};
}

BlockRegions propagate_block(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex first,
                             LayerIndex last, const std::vector<Requirement>& required, Halo halo) {
  EDGEPART_ASSERT(0 <= first && first <= last && static_cast<size_t>(last) < graph.size(),
                  "bad block " + std::to_string(first) + ".." + std::to_string(last));
  BlockRegions br;
  br.first = first;
  br.last = last;
  auto n = static_cast<size_t>(last - first + 1);
  br.outputs.assign(n, Region::empty_region());
  br.inputs.assign(n, {});
  br.macs.assign(n, 0);
  br.flops.assign(n, 0);
  for (const Requirement& r : required) {
    EDGEPART_ASSERT(br.contains(r.layer), "requirement outside the block");
    auto& o = br.outputs[static_cast<size_t>(r.layer - first)];
    o = o.hull(r.region.clip(analysis.shapes[static_cast<size_t>(r.layer)]));
  }
  std::map<LayerIndex, Region> outside;
  // Layers are stored in topological order, so descending index is a reverse topological order:
  // when layer l is reached, every consumer of l inside the block has already added its needs.
  for (LayerIndex l = last; l >= first; --l) {
    auto idx = static_cast<size_t>(l - first);
    const Layer& layer = graph.layer(l);
    std::vector<Region> reads = input_regions(graph, analysis, l, br.outputs[idx], halo);
    for (size_t k = 0; k < layer.inputs.size(); ++k) {
      LayerIndex p = layer.inputs[k];
      if (p >= first) {
        auto& o = br.outputs[static_cast<size_t>(p - first)];
        o = o.hull(reads[k]);
      } else if (!reads[k].empty()) {
        auto [it, inserted] = outside.try_emplace(p, reads[k]);
        if (!inserted) it->second = it->second.hull(reads[k]);
      }
    }
    br.inputs[idx] = std::move(reads);
    RegionCost c = region_cost(analysis, l, br.outputs[idx]);
    br.macs[idx] = c.macs;
    br.flops[idx] = c.flops;
    br.total_macs = checked_add(br.total_macs, c.macs);
    br.total_flops = checked_add(br.total_flops, c.flops);
  }
  for (const auto& [p, r] : outside) br.block_inputs.push_back(BlockInput{p, r});
  return br;
}

BlockRegions propagate_block(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex first,
                             LayerIndex last, const Region& of_last, Halo halo) {
  return propagate_block(graph, analysis, first, last, {Requirement{last, of_last}}, halo);
}

CompiledBlock::CompiledBlock(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex first,
                             LayerIndex last, Halo halo)
    : first_(first), last_(last), last_shape_(analysis.shapes.at(static_cast<size_t>(last))) {
  EDGEPART_ASSERT(0 <= first && first <= last && static_cast<size_t>(last) < graph.size(),
                  "bad block " + std::to_string(first) + ".." + std::to_string(last));
  edge_begin_.reserve(size() + 1);
  for (LayerIndex l = last; l >= first; --l) {
    edge_begin_.push_back(static_cast<uint32_t>(edges_.size()));
    const Layer& layer = graph.layer(l);
    std::vector<InputStep> steps = backward_steps(graph, analysis, l, halo);
    for (size_t k = 0; k < layer.inputs.size(); ++k)
      if (layer.inputs[k] >= first) edges_.push_back(Edge{static_cast<int32_t>(layer.inputs[k] - first), steps[k]});
  }
  edge_begin_.push_back(static_cast<uint32_t>(edges_.size()));
}

void CompiledBlock::propagate(const Region& of_last, std::span<Region> outputs) const {
  EDGEPART_ASSERT(outputs.size() == size(), "CompiledBlock::propagate: wrong output span");
  std::fill(outputs.begin(), outputs.end(), Region::empty_region());
  outputs.back() = of_last.clip(last_shape_);
  // Reverse topological order, as in propagate_block: a layer's region is final once reached.
  for (size_t i = 0; i < size(); ++i) {
    const Region& out = outputs[size() - 1 - i];
    if (out.empty()) continue;
    for (uint32_t e = edge_begin_[i]; e < edge_begin_[i + 1]; ++e) {
      Region& o = outputs[static_cast<size_t>(edges_[e].producer)];
      o = o.hull(edges_[e].step.apply(out));
    }
  }
}

std::vector<LayerIndex> block_outputs(const ModelGraph& graph, LayerIndex first, LayerIndex last) {
  std::vector<bool> read_after(graph.size(), false);
  for (size_t k = static_cast<size_t>(last) + 1; k < graph.size(); ++k)
    for (LayerIndex p : graph.layers[k].inputs)
      if (p != kModelInput) read_after[static_cast<size_t>(p)] = true;
  std::vector<LayerIndex> out;
  for (LayerIndex l = first; l <= last; ++l)
    if (read_after[static_cast<size_t>(l)] || l == graph.output()) out.push_back(l);
  return out;
}

bool is_single_tensor_cut(const ModelGraph& graph, LayerIndex j) {
  for (size_t k = static_cast<size_t>(j) + 1; k < graph.size(); ++k)
    for (LayerIndex p : graph.layers[k].inputs)
      if (p < j) return false;  // kModelInput (-1) is always < j
  return true;
}

std::optional<LayerIndex> spatial_prefix_end(const ModelGraph& graph, const cost::ModelAnalysis& analysis) {
  auto global = [&](size_t i) {
    const Layer& l = graph.layers[i];
    const Shape& s = analysis.shapes[i];
    if (s.flat || l.kind == OpKind::flatten || l.kind == OpKind::linear) return true;
    for (LayerIndex p : l.inputs)
      if (analysis.shape_of(p).flat) return true;
    if (l.kind == OpKind::adaptive_avgpool2d) {
      const Shape& x = analysis.shape_of(l.inputs[0]);
      return s.h == 1 && s.w == 1 && (x.h > 1 || x.w > 1);  // global pooling
    }
    return false;
  };
  size_t end = graph.size();  // first global layer
  for (size_t i = 0; i < graph.size(); ++i)
    if (global(i)) {
      end = i;
      break;
    }
  for (auto j = static_cast<LayerIndex>(end) - 1; j >= 0; --j)
    if (is_single_tensor_cut(graph, j)) return j;
  return std::nullopt;
}

}  // namespace edgepart::rf
