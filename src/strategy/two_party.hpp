#pragma once
// The two-party split problem shared by neurosurgeon, dads, cic and ccied (docs/design.md §5): the model
// runs partly on the source device and partly on one server. A split is a set of layers on the
// server; the device side (the model input and the other layers) must be closed under
// predecessors, so every tensor crosses the link at most once, from the device to the server.
//
// Cost model (docs/design.md §3, §5; the "sum of times" of Neurosurgeon and DADS: sequential execution,
// no overlap of compute and transfer):
//   T(split) = sum_{v on device} t_dev(v) + sum_{v on server} t_srv(v)
//            + sum_{tensors p produced on the device and read on the server} t_up(p)
//            + t_down(output)  when the last layer (the model output) runs on the server.
// t_dev, t_srv: the layer's time from timing::CostModel plus the task overhead (one task per
// layer, so a per-task overhead is paid per layer); t_up(p), t_down: Cluster::transfer_time_s (latency + bytes*8/rate).
// The result return t_down is part of every two-party strategy: the request is done when the
// source has the output. The plans built here chain all tasks in this order (device layers,
// uplink transfers, server layers, result return), so the timing model reproduces T exactly.
#include <optional>
#include <string>
#include <vector>

#include "edgepart/plan/plan.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "strategy/plan_builder.hpp"

namespace edgepart::strategy::two_party {

// Producer index of the model input in Problem's per-tensor vectors is 0; layer i is i + 1.
inline int tensor_of_layer(int layer) { return layer + 1; }
inline constexpr int kInputTensor = 0;

struct Problem {
  int device = 0;   // cluster index of the source device
  int server = 1;   // cluster index of the server
  int layers = 0;
  std::vector<double> t_device_s, t_server_s;       // per layer (one task overhead each)
  // The all-local split runs as one task (build_variant), so it pays the device's task overhead
  // once: (layers - 1) x this less than the sum of t_device_s (all_local_saving_s).
  double device_overhead_s = 0;
  std::vector<std::vector<int>> inputs;             // per layer: producer tensors (deduplicated)
  std::vector<std::vector<int>> consumers;          // per tensor: consuming layers (ascending, dedup.)
  std::vector<double> tensor_bytes;                 // per tensor: bytes when sent
  std::vector<double> t_up_s;                       // per tensor: transfer device -> server
  double t_down_s = 0;                              // output server -> device
  // The link at the planning rate (for re-pricing transfers at another rate: CIC).
  double up_rate_mbps = 0, up_latency_s = 0;
  double down_rate_mbps = 0, down_latency_s = 0;

  int output() const { return layers - 1; }
};

// The problem for `request` with the given server (cluster index).
Problem make_problem(const PlanRequest& request, int server);

// The same problem with the uplink at `rate_mbps` and the downlink scaled by the same factor
// (down/up as at the planning rate; equal on a symmetric network), latencies unchanged.
Problem at_uplink_rate(const Problem& problem, double rate_mbps);

// The server: the option `server` (a device name, not the source) or, when absent or "fastest",
// the fastest other device (ties: lowest index). `options` is the strategy's option object; InputError naming the pointer
// when the name is unknown or the source itself.
int choose_server(const PlanRequest& request, const JsonCursor& options);

// A split: on_server[v] for every layer.
using Split = std::vector<bool>;

// True when the device side is closed under predecessors (no server layer feeds a device layer).
bool is_valid_split(const Problem& problem, const Split& on_server);

// What the all-local split saves by running as one task (build_variant): the device's task
// overhead for every layer but one. split_latency_s and split_line include it.
double all_local_saving_s(const Problem& problem, const Split& on_server);
// T(split) as above. The split must be valid.
double split_latency_s(const Problem& problem, const Split& on_server);

// The tensors that cross the link for this split, ascending (kInputTensor first).
std::vector<int> crossing_tensors(const Problem& problem, const Split& on_server);

// T(split) = a + d / B as a line in x = 1 / B (B the uplink rate in Mbit/s, downlink scaled with
// it): `a` collects compute and latencies, `d` the megabits sent (downlink megabits divided by
// the down/up rate ratio).
struct Line {
  double a = 0, d = 0;
  double at(double x) const { return a + d * x; }
};
Line split_line(const Problem& problem, const Split& on_server);

// Memory a side needs (bytes): the weights of its layers (params x dtype_bytes) plus the largest
// input + output activation of one of its layers (layers run one at a time); the formula of
// PlanBuilder::finish for the tasks build_variant makes, computed without building a plan so that
// the scans can skip splits that do not fit. 0 for an empty side.
struct MemoryNeed {
  double device_bytes = 0, server_bytes = 0;
};
MemoryNeed memory_need(const PlanRequest& request, const Split& on_server);
// When a side needs more than its device's memory_mb, a message saying so; otherwise empty.
std::optional<std::string> split_memory_problem(const PlanRequest& request, const Problem& problem,
                                                const Split& on_server);

// What a strategy adds to the plain split when building the plan variant (CCIED).
struct CacheSpec {
  double hit_probability = 0;
  double lookup_flops = 0;        // FLOPs of one lookup, on the device
  double cache_bytes = 0;         // memory of the cache on the device
  double sent_bytes = 0;          // bytes of the (pruned, encoded) split tensor
};

// Adds a split's stages and tasks to the builder's current variant: stages are the runs of
// consecutive layers on one side (split "none"); tasks are chained (device layers, [cache lookup],
// uplink transfers, server layers, result return). With `cache`, a cache_lookup task on the device
// follows the device layers, and the single crossing tensor is sent with cache->sent_bytes.
void build_variant(PlanBuilder& builder, const Problem& problem, const Split& on_server,
                   const std::optional<CacheSpec>& cache = std::nullopt);

// Description of a split for plan notes: "7 layer(s) on pi, 12 on server; sends pool2 (401408
// bytes)".
std::string describe_split(const PlanRequest& request, const Problem& problem, const Split& on_server);

// Neurosurgeon's candidate splits: cut points j of the layer order (layers 0..j on the device,
// -1 = everything on the server, layers-1 = everything local) where at most one tensor is live.
std::vector<int> chain_cut_points(const Problem& problem);
Split split_after(const Problem& problem, int j);

// A chain cut point with what the scans need, for all of them in one O(layers) pass instead of
// O(layers) per cut (a 100,000-layer chain: 0.1 s instead of minutes).
struct ChainCutCosts {
  int cut = -1;             // layers 0..cut on the device
  double device_s = 0;      // sum of t_device_s over layers 0..cut, in layer order
  double server_s = 0;      // sum of t_server_s over the layers after cut, from the last one back
  int crossing = -1;        // the one tensor sent (kInputTensor for cut -1); -1 when all is local
  MemoryNeed memory;        // memory_need(request, split_after(problem, cut)); 0 without a request

  bool all_local(const Problem& problem) const { return cut == problem.output(); }
  // T(cut): split_latency_s(problem, split_after(problem, cut)) summed in another order, so equal
  // up to rounding (the unit tests compare them).
  double latency_s(const Problem& problem) const {
    double t = device_s + server_s;
    if (crossing >= 0) t += problem.t_up_s[static_cast<size_t>(crossing)];
    if (!all_local(problem)) t += problem.t_down_s;
    return t;
  }
};
std::vector<ChainCutCosts> chain_cut_costs(const Problem& problem, const PlanRequest* request = nullptr);
// split_memory_problem for a side's needs computed elsewhere.
std::optional<std::string> memory_problem(const PlanRequest& request, const Problem& problem, const MemoryNeed& need);

// The applicability check shared by the four: at least two devices.
bool applicable(const PlanRequest& request, std::string& why);

}  // namespace edgepart::strategy::two_party
