#include "edgepart/exec/executor.hpp"

#include <algorithm>

#include "edgepart/util/error.hpp"

namespace edgepart::exec {

using namespace model;
using rf::Region;

Executor::Executor(const ModelGraph& graph, const cost::ModelAnalysis& analysis, uint64_t seed)
    : Executor(graph, analysis, seed, {}) {}

Executor::Executor(const ModelGraph& graph, const cost::ModelAnalysis& analysis, uint64_t seed,
                   std::vector<LayerParams> given)
    : graph_(graph), analysis_(analysis), seed_(seed), params_(std::move(given)) {
  EDGEPART_ASSERT(analysis.shapes.size() == graph.size(), "analysis does not match the graph");
  EDGEPART_ASSERT(params_.empty() || params_.size() == graph.size(), "given parameters do not match the graph");
  params_.resize(graph.size());
  last_use_.assign(graph.size(), -1);
  for (size_t i = 0; i < graph.size(); ++i) {
    auto l = static_cast<LayerIndex>(i);
    LayerParams& own = params_[i];
    if (own.weight.empty() && own.scale.empty()) own = make_params(graph, analysis, l, seed);
    const std::string misfit = params_misfit(graph, analysis, l, own);
    EDGEPART_ASSERT(misfit.empty(), "given parameters do not fit: " + misfit);
    for (LayerIndex p : graph.layers[i].inputs)
      if (p != kModelInput) last_use_[static_cast<size_t>(p)] = l;
  }
  if (!graph.layers.empty()) last_use_.back() = static_cast<LayerIndex>(graph.size());  // the output is kept
}

Tensor Executor::random_input(const Shape& shape, uint64_t seed) {
  Tensor t = Tensor::of_shape(shape);
  UniformStream(seed, "input", "data").fill(t.data, -1.0f, 1.0f);
  return t;
}

Tensor Executor::compute(LayerIndex layer, const std::vector<InputView>& inputs, const Region& out) const {
  return compute_layer(graph_, analysis_, layer, params(layer), inputs, out);
}

namespace {

InputView whole_view(const Tensor& t, const Shape& s) { return InputView{&t, Region::whole(s), Region::whole(s)}; }

}  // namespace

Tensor Executor::run(const Tensor& input) const { return run_segmented(input, {}); }

void Executor::check_blocks(const std::vector<BlockAssignment>& blocks) const {
  std::vector<int> owner(graph_.size(), -1);
  for (size_t b = 0; b < blocks.size(); ++b) {
    const auto& blk = blocks[b];
    std::string name = "block " + std::to_string(blk.first) + ":" + std::to_string(blk.last);
    if (blk.first < 0 || blk.first > blk.last || static_cast<size_t>(blk.last) >= graph_.size())
      throw InputError(graph_.file, "", name + " is not a layer range of the model");
    if (blk.parts.empty()) throw InputError(graph_.file, "", name + " has no parts");
    for (LayerIndex l = blk.first; l <= blk.last; ++l) {
      if (owner[static_cast<size_t>(l)] >= 0) throw InputError(graph_.file, "", name + " overlaps another block");
      owner[static_cast<size_t>(l)] = static_cast<int>(b);
    }
    for (LayerIndex o : rf::block_outputs(graph_, blk.first, blk.last))
      if (o != blk.last)
        throw InputError(graph_.file, "", name + ": " + graph_.describe(o) +
                                              " is read after the block; only the block's last layer may be");
  }
}

Tensor Executor::run_block(const BlockAssignment& block, const Tensor& input, const std::vector<Tensor>& values) const {
  const Shape& out_shape = analysis_.shapes[static_cast<size_t>(block.last)];
  Tensor stitched = Tensor::of_shape(out_shape);
  std::vector<char> covered(static_cast<size_t>(out_shape.h * out_shape.w), 0);
  auto full_value = [&](LayerIndex p) -> const Tensor& { return p == kModelInput ? input : values[static_cast<size_t>(p)]; };
  for (const PartAssignment& part : block.parts) {
    Region target = part.region.clip(out_shape);
    if (target.empty()) continue;
    rf::BlockRegions br = rf::propagate_block(graph_, analysis_, block.first, block.last, target, block.halo);
    // The part's inputs: the regions of the outside tensors it reads, cropped from their full values.
    std::vector<std::pair<LayerIndex, Tensor>> outside;
    for (const rf::BlockInput& bi : br.block_inputs) outside.emplace_back(bi.producer, crop(full_value(bi.producer), bi.region));
    auto n = static_cast<size_t>(block.last - block.first + 1);
    std::vector<Tensor> local(n);
    for (LayerIndex l = block.first; l <= block.last; ++l) {
      const Region& out = br.output(l);
      if (out.empty()) continue;
      std::vector<InputView> views;
      for (LayerIndex p : graph_.layer(l).inputs) {
        InputView v;
        if (p >= block.first) {
          v.tensor = &local[static_cast<size_t>(p - block.first)];
          v.crop = br.output(p);
        } else {
          auto it = std::find_if(outside.begin(), outside.end(), [p](const auto& e) { return e.first == p; });
          EDGEPART_ASSERT(it != outside.end(), "block input missing");
          v.tensor = &it->second;
          v.crop = br.input_of(p);
        }
        // Exact: padding only at the true map border. FDSP: the part is an image of its own.
        v.valid = block.halo == rf::Halo::exact ? Region::whole(analysis_.shape_of(p)) : v.crop;
        views.push_back(v);
      }
      local[static_cast<size_t>(l - block.first)] = compute(l, views, out);
      // Free the part's tensors whose consumers inside the block are done.
      for (LayerIndex p : graph_.layer(l).inputs)
        if (p >= block.first && last_use_[static_cast<size_t>(p)] == l) local[static_cast<size_t>(p - block.first)] = Tensor();
    }
    const Tensor& result = local.back();
    EDGEPART_ASSERT(br.output(block.last) == target, "block output region differs from the part's region");
    paste(stitched, result, target);
    for (int64_t y = target.rows.begin; y <= target.rows.end; ++y)
      for (int64_t x = target.cols.begin; x <= target.cols.end; ++x) covered[static_cast<size_t>(y * out_shape.w + x)] = 1;
  }
  if (std::find(covered.begin(), covered.end(), 0) != covered.end())
    throw InputError(graph_.file, "", "the parts of block " + std::to_string(block.first) + ":" +
                                          std::to_string(block.last) + " do not cover its output map");
  return stitched;
}

Tensor Executor::run_segmented(const Tensor& input, const std::vector<BlockAssignment>& blocks) const {
  check_blocks(blocks);
  EDGEPART_ASSERT(input.c == graph_.input.c && input.h == graph_.input.h && input.w == graph_.input.w,
                  "input tensor does not match the model input");
  std::vector<const BlockAssignment*> starting(graph_.size(), nullptr);
  for (const auto& b : blocks) starting[static_cast<size_t>(b.first)] = &b;
  std::vector<Tensor> values(graph_.size());
  auto release_done = [&](LayerIndex done) {
    for (size_t p = 0; p < graph_.size(); ++p)
      if (last_use_[p] >= 0 && last_use_[p] <= done && static_cast<LayerIndex>(p) <= done) values[p] = Tensor();
  };
  for (LayerIndex l = 0; static_cast<size_t>(l) < graph_.size();) {
    if (const BlockAssignment* b = starting[static_cast<size_t>(l)]) {
      values[static_cast<size_t>(b->last)] = run_block(*b, input, values);
      release_done(b->last);
      l = b->last + 1;
      continue;
    }
    std::vector<InputView> views;
    for (LayerIndex p : graph_.layer(l).inputs)
      views.push_back(whole_view(p == kModelInput ? input : values[static_cast<size_t>(p)], analysis_.shape_of(p)));
    values[static_cast<size_t>(l)] = compute(l, views, Region::whole(analysis_.shapes[static_cast<size_t>(l)]));
    release_done(l);
    ++l;
  }
  return std::move(values.back());
}

}  // namespace edgepart::exec
