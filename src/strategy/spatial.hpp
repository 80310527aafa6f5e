#pragma once
// The strategies of this module that split one request among many devices (docs/design.md §5): local,
// dpfp, modnn, ftp, fdsp. The plan makers are the registry's entries; the DPFP internals are
// exposed for the oracle tests (brute force over block partitions) and the benchmarks.
#include <limits>
#include <string>
#include <vector>

#include "edgepart/plan/plan.hpp"
#include "edgepart/strategy/strategy.hpp"

namespace edgepart::strategy {

plan::Plan make_local_plan(const PlanRequest& request, const JsonCursor& options);
plan::Plan make_dpfp_plan(const PlanRequest& request, const JsonCursor& options);
plan::Plan make_modnn_plan(const PlanRequest& request, const JsonCursor& options);
plan::Plan make_ftp_plan(const PlanRequest& request, const JsonCursor& options);
plan::Plan make_fdsp_plan(const PlanRequest& request, const JsonCursor& options);

// The spatial strategies need at least two devices and a row-splittable first layer.
bool spatial_applicable(const PlanRequest& request, std::string& why);

// ---- DPFP internals ----

// The shape of a DPFP plan. Block ends are single-tensor cut points of the DAG inside the
// spatial prefix (dpfp_positions); the distributed part is blocks (-1, e0], (e0, e1], ...; the
// tail (the layers after the last block end, possibly none) runs on tail_device.
struct DpfpLayout {
  std::vector<int> participants;        // cluster indices, ascending
  std::vector<model::LayerIndex> ends;  // ascending block ends; empty: no distributed part
  int tail_device = 0;
  bool operator==(const DpfpLayout&) const = default;
};

// The layers that may end a distributed block: the cut points up to the end of the spatial prefix.
std::vector<model::LayerIndex> dpfp_positions(const PlanRequest& request);

// The plan of a layout; its predicted latency comes from the timing model.
plan::Plan dpfp_build(const PlanRequest& request, const DpfpLayout& layout, const Json& options = Json::object());

enum class DpfpPartition { dp, each, one };  // DP, every cut point a block end, a single block
struct DpfpResult {
  DpfpLayout layout;
  double latency_s = 0;  // the DP's own (analytic) evaluation
  bool feasible = false;
};
// The best layout over block partitions (DP over block ends, O(L^2 N)), where the distributed
// part stops, and the tail device, for a fixed set of participants. With `below_s`, only layouts
// strictly faster than it are looked for (the device search's incumbent: blocks that cannot beat
// it are pruned); none found: feasible = false.
DpfpResult dpfp_optimise(const PlanRequest& request, const std::vector<int>& participants,
                         DpfpPartition partition = DpfpPartition::dp,
                         double below_s = std::numeric_limits<double>::infinity());

// The participant sets the device search tries, in the order it tries them: every non-empty
// subset of the devices when there are at most dpfp_subset_search_max_devices() of them (the
// n-fastest prefixes first, then the rest by ascending bit mask), else only the n-fastest prefixes
// for n = 1..N. Each set is ascending.
std::vector<std::vector<int>> dpfp_device_sets(const PlanRequest& request);
// The fastest layout over participant sets `sets` (tried in order; a later set wins only when
// faster by more than a relative 1e-12); feasible = false when none fits.
DpfpResult dpfp_best_set(const PlanRequest& request, const std::vector<std::vector<int>>& sets,
                         DpfpPartition partition = DpfpPartition::dp);
// Above this many devices the search covers only the n-fastest prefixes (2^N - 1 subsets, each a
// DP, would take too long).
int dpfp_subset_search_max_devices();

}  // namespace edgepart::strategy
