#pragma once
// The Eigen reference executor (docs/design.md §2, §4): runs a model on one image with random weights,
// whole, or with fused blocks segmented among devices: each part computed from its input region
// alone (padding only at the true map border), the parts stitched, the rest of the model whole.
// Its purpose is to show that the region arithmetic is lossless (and to measure the error of
// FDSP, which is not); it is a reference, not a fast runtime.
#include <cstdint>
#include <vector>

#include "edgepart/exec/layer_ops.hpp"
#include "edgepart/exec/tensor.hpp"
#include "edgepart/exec/weights.hpp"
#include "edgepart/rf/block.hpp"

namespace edgepart::exec {

// One device's (or tile's) share of a block: a region of the block's last layer's output.
struct PartAssignment {
  int device = 0;
  rf::Region region;
};

// A fused block [first, last] split into parts. Only `last` may be read after the block (checked).
//  halo exact: lossless (each part computes the exact regions rf::propagate_block gives);
//  halo none:  FDSP / ADCNN: each part is an image of its own, zero-padded at its borders.
// Exact parts must cover the output map (checked); overlapping parts compute the same values.
struct BlockAssignment {
  model::LayerIndex first = 0, last = 0;
  std::vector<PartAssignment> parts;
  rf::Halo halo = rf::Halo::exact;
};

class Executor {
public:
  // Draws every layer's parameters from `seed` (see weights.hpp). The graph and analysis must
  // outlive the executor.
  Executor(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, uint64_t seed);
  // With parameters given per layer (real weights, params_from_tensors): `given` is empty or has
  // one entry per layer; an entry left empty is drawn from the seed.
  Executor(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis, uint64_t seed,
           std::vector<LayerParams> given);

  // The model input drawn from the seed: U(-1, 1) per element.
  Tensor random_input() const { return random_input(graph_.input, seed_); }
  // An input of the given shape drawn from another seed (the runtime's per-request inputs).
  static Tensor random_input(const model::Shape& shape, uint64_t seed);

  // The model output, every layer computed whole.
  Tensor run(const Tensor& input) const;
  // The model output with the blocks (non-overlapping, any order) segmented.
  Tensor run_segmented(const Tensor& input, const std::vector<BlockAssignment>& blocks) const;

  // Region `out` of layer `layer`'s output from the given input views (used by both runs).
  Tensor compute(model::LayerIndex layer, const std::vector<InputView>& inputs, const rf::Region& out) const;

  const LayerParams& params(model::LayerIndex layer) const { return params_.at(static_cast<size_t>(layer)); }

private:
  // Checks the blocks (InputError when one is not closed, overlaps another or lacks parts).
  void check_blocks(const std::vector<BlockAssignment>& blocks) const;
  // The stitched output of `block.last`, from the full values of the tensors it reads.
  Tensor run_block(const BlockAssignment& block, const Tensor& input, const std::vector<Tensor>& values) const;

  const model::ModelGraph& graph_;
  const cost::ModelAnalysis& analysis_;
  uint64_t seed_;
  std::vector<LayerParams> params_;
  std::vector<model::LayerIndex> last_use_;  // the last layer reading each layer's output
};

}  // namespace edgepart::exec
