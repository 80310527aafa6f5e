#pragma once
// The two-party strategies (docs/design.md §5): neurosurgeon, dads, cic, ccied. Each has its algorithm
// (exposed for tests and benchmarks) and its plan maker (for the registry).
#include <vector>

#include "edgepart/plan/plan.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "strategy/mincut/max_flow.hpp"
#include "strategy/two_party.hpp"

namespace edgepart::strategy {

// --- neurosurgeon (Kang et al., ASPLOS 2017) ---------------------------------------------------
struct ChainCut {
  int cut = -1;              // layers 0..cut on the device (-1: all on the server)
  double latency_s = 0;      // T(cut)
};
// The best cut point of chain_cut_points (ties: the earliest). With `request`, splits that
// exceed a device's memory_mb are skipped; cut == -2 when none fits.
ChainCut neurosurgeon_best(const two_party::Problem& problem, const PlanRequest* request = nullptr);
plan::Plan make_neurosurgeon_plan(const PlanRequest& request, const JsonCursor& options);

// --- dads (Hu et al., INFOCOM 2019) -------------------------------------------------------------
// The flow network of docs/design.md §5 on groups of layers (group[v] in 0..groups-1; identity for DADS,
// contracted for CIC). Vertices: 0 = e (device side, source), 1 = c (server side, sink), 2 = the
// model input, 3 + g = group g, then one auxiliary vertex per tensor with several consumer groups.
struct CutNetwork {
  int vertices = 0;
  std::vector<mincut::FlowEdge> edges;
};
CutNetwork dads_network(const two_party::Problem& problem, const std::vector<int>& group, int groups);
CutNetwork dads_network(const two_party::Problem& problem);  // one group per layer

struct DadsResult {
  two_party::Split on_server;
  double latency_s = 0;    // split_latency_s of the split (evaluated independently of the flow)
  double cut_value = 0;    // the max-flow value (equal to latency_s up to rounding)
};
DadsResult dads_solve(const two_party::Problem& problem);
DadsResult dads_solve(const two_party::Problem& problem, const std::vector<int>& group, int groups);
plan::Plan make_dads_plan(const PlanRequest& request, const JsonCursor& options);

// --- cic (Yang et al., IJCNN 2022) --------------------------------------------------------------
// Exact compression: group[v] for every layer; layers in one group are on the same side in some
// optimal split at every bandwidth (see cic.cpp for the dominance rule).
std::vector<int> cic_compress(const two_party::Problem& problem, int& groups);

// The offline table: the splits optimal for some uplink rate, with their bands. Entry i is used
// for rates in [lower_mbps[i], lower_mbps[i+1]) (the last up to infinity); lower_mbps[0] == 0.
struct CicTable {
  std::vector<double> lower_mbps;          // ascending
  std::vector<two_party::Split> splits;
  std::vector<two_party::Line> lines;      // latency of entry i at rate B: lines[i].at(1 / B)
  int groups = 0;                          // vertices of the compressed graph (layers before)
  int min_cuts = 0;                        // max-flow runs of the hull search
};
CicTable cic_build(const two_party::Problem& problem, bool compress = true);
// The online decision: the index of the entry for `rate_mbps` (binary search).
int cic_decide(const CicTable& table, double rate_mbps);
plan::Plan make_cic_plan(const PlanRequest& request, const JsonCursor& options);

// --- ccied (Hu et al., HPCC 2020) ---------------------------------------------------------------
struct CciedOptions {
  double hit_rate = 0;        // probability that the lookup finds a similar cached input
  double prune_ratio = 0;     // fraction of the split tensor's elements zeroed
  int64_t index_bytes = 4;    // bytes of one element index in the sparse encoding (int32)
  int64_t cache_capacity = 100;  // entries of the LRU cache
};
struct CciedChoice {
  int cut = -1;
  double t_hit_s = 0, t_miss_s = 0, expected_s = 0;
  double sent_bytes = 0, lookup_flops = 0, cache_bytes = 0;
  bool cached = false;        // false for the all-local split (no cache)
};
// Bytes of a tensor of `elements` elements with prune_ratio of them zeroed (see ccied.cpp).
double ccied_sent_bytes(int64_t elements, int64_t dtype_bytes, const CciedOptions& options);
CciedChoice ccied_evaluate(const PlanRequest& request, const two_party::Problem& problem,
                           const CciedOptions& options, const two_party::ChainCutCosts& cut);
// The same for cut point `cut` of chain_cut_points (O(layers)).
CciedChoice ccied_evaluate(const PlanRequest& request, const two_party::Problem& problem,
                           const CciedOptions& options, int cut);
plan::Plan make_ccied_plan(const PlanRequest& request, const JsonCursor& options);

}  // namespace edgepart::strategy
