#pragma once
// A plan's distributed stages run on the reference executor (`edgepart verify --plan`, and the
// accuracy cost of approximate plans in the simulate and sweep reports: docs/experiments.md,
// docs/formats.md "Report").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "edgepart/exec/executor.hpp"
#include "edgepart/plan/plan.hpp"

namespace edgepart::exec {

struct PlanBlocks {
  std::vector<BlockAssignment> blocks;
  int64_t region_mismatches = 0;  // (part, layer) pairs whose plan region differs from rf's
  int64_t regions_checked = 0;
};

// The distributed stages ("rows", "tiles") of one variant of a plan as executor blocks; each part
// computes the last layer's region of its DeviceRegion (halo none for a plan that is not
// lossless). The plan's per-layer regions are compared with rf::propagate_block's (they must agree
// for a lossless plan); `file` names the plan in errors and warnings.
PlanBlocks plan_blocks(const plan::Plan& p, size_t variant, const model::ModelGraph& g, const cost::ModelAnalysis& a,
                       const std::string& file);

// How far the model's output with the variant's blocks segmented is from the whole run, on
// weights and an input drawn from `seed` (Executor).
Comparison plan_error(const plan::Plan& p, size_t variant, const model::ModelGraph& g, const cost::ModelAnalysis& a,
                      uint64_t seed);

// The accuracy cost of an approximate plan, as the reports show it: the executor's error, the
// largest over the plan's variants, on the weights of seed kAccuracySeed (`verify --plan`'s
// default, so the two agree). Executing costs about twice the model's FLOPs per variant; above
// limits::max_accuracy_gflop() it is not run and `measured` is false with the reason.
inline constexpr uint64_t kAccuracySeed = 1;
struct AccuracyCost {
  bool measured = false;
  Comparison error;         // when measured
  std::string not_measured;  // why not, otherwise
};
// None for a lossless plan.
std::optional<AccuracyCost> accuracy_cost(const plan::Plan& p, const model::ModelGraph& g, const cost::ModelAnalysis& a);

}  // namespace edgepart::exec
