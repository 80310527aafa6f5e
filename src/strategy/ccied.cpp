// ccied (Hu, Bai, Wang, Liu, Wang, "CCIED: Cache-aided Collaborative Intelligence between Edge
// Devices", HPCC 2020). Two devices split the model once (a neurosurgeon-style scan of the cut
// points); the output of the split layer is the key of a cache of (intermediate feature, label)
// pairs of recent inputs, since inputs at the edge are often similar. A hit returns the cached
// label without the remaining layers; a miss sends the split layer's output, pruned, to the
// second device, which finishes the inference, and the (feature, label) pair enters an LRU cache
// of `cache_capacity` entries.
//
// Where the lookup runs: the paper's abstract has "when a similar input already exists in the
// cache, the device does not need to perform the remaining calculations"; docs/design.md §5 has "a miss
// sends the split layer's output", so the lookup happens before the transfer, on the source
// device, where the key is computed. A hit therefore saves the transfer, the server's layers and
// the result return.
//
// Costs (ours; the paper's text gives no formulas):
//  - pruning zeroes floor(prune_ratio * n) of the n elements of the split tensor (the paper prunes
//    the split layer's weights, "almost no loss of precision"). Sent bytes: dense n * dtype_bytes
//    when prune_ratio = 0; otherwise the smaller of the dense size and the sparse encoding
//    kept * (dtype_bytes + index_bytes) (value plus flat element index per kept element).
//  - lookup: a nearest-neighbour search over the cache comparing the kept elements with every
//    entry: 3 FLOPs per element per entry (subtract, multiply, accumulate of a squared Euclidean
//    distance), op kind "cache_lookup" on the device; the cache holds cache_capacity encoded
//    features on the device (memory).
//  - T_hit = device layers + lookup; T_miss = T_hit + t_up(sent bytes) + server layers + result
//    return. The split minimises the expected latency p T_hit + (1 - p) T_miss, p the hit rate
//    (option hit_rate, else the workload's cache_hit_rate, else 0). The all-local split (no cache,
//    nothing to save) is a candidate too.
//  - A split at the model input is plain offloading: the paper caches and prunes an intermediate
//    feature (the split layer's output, computed on the device), so with no layer on the device
//    there is no feature to key the cache with and no split layer to prune. Comparing raw images
//    and dropping 90 % of their pixels is not CCIED (it gave VGG-16 a 7.57x "speedup"): the input
//    goes to the server whole, lossless, and the plan says so.
// The plan's predicted latency (the timing model) is the miss path; the expected latency is in a
// note; the simulator draws hits with the task's hit_probability (and models the LRU itself).
#include <cmath>
#include <limits>
#include <sstream>

#include "edgepart/sim/prediction.hpp"
#include "edgepart/util/error.hpp"
#include "strategy/two_party_strategies.hpp"

namespace edgepart::strategy {

using namespace two_party;

namespace {
// FLOPs per compared element per cache entry: squared Euclidean distance (sub, mul, add).
constexpr double kLookupFlopsPerElement = 3;
}  // namespace

double ccied_sent_bytes(int64_t elements, int64_t dtype_bytes, const CciedOptions& options) {
  const double dense = static_cast<double>(elements) * static_cast<double>(dtype_bytes);
  if (options.prune_ratio <= 0) return dense;
  const int64_t zeroed = static_cast<int64_t>(std::floor(options.prune_ratio * static_cast<double>(elements)));
  const double kept = static_cast<double>(elements - zeroed);
  const double sparse = kept * static_cast<double>(dtype_bytes + options.index_bytes);
  return std::min(dense, sparse);
}

CciedChoice ccied_evaluate(const PlanRequest& request, const Problem& problem, const CciedOptions& options,
                           const ChainCutCosts& cut) {
  CciedChoice c;
  c.cut = cut.cut;
  const double t_dev = cut.device_s, t_srv = cut.server_s;
  if (cut.all_local(problem)) {  // all local: no cache
    c.t_hit_s = c.t_miss_s = c.expected_s = t_dev;
    return c;
  }
  EDGEPART_ASSERT(cut.crossing >= 0, "ccied: a cut point must have one live tensor");
  const int t = cut.crossing;
  if (t == kInputTensor) {  // plain offloading: no feature to cache or prune (file comment)
    c.sent_bytes = problem.tensor_bytes[static_cast<size_t>(t)];
    c.t_hit_s = c.t_miss_s = c.expected_s =
        t_dev + request.cluster.transfer_time_s(problem.device, problem.server, c.sent_bytes) + t_srv + problem.t_down_s;
    return c;
  }
  const int64_t dtype = request.graph.dtype_bytes;
  const int64_t elements = static_cast<int64_t>(std::llround(problem.tensor_bytes[static_cast<size_t>(t)])) / dtype;
  c.cached = true;
  c.sent_bytes = ccied_sent_bytes(elements, dtype, options);
  const double zeroed = options.prune_ratio > 0 ? std::floor(options.prune_ratio * static_cast<double>(elements)) : 0;
  c.lookup_flops = kLookupFlopsPerElement * (static_cast<double>(elements) - zeroed) *
                   static_cast<double>(options.cache_capacity);
  c.cache_bytes = c.sent_bytes * static_cast<double>(options.cache_capacity);
  plan::FlopsByOp lookup;
  lookup["cache_lookup"] = c.lookup_flops;
  const double t_lookup = request.costs.flops_time_s(problem.device, lookup);  // a task tied to no region
  c.t_hit_s = t_dev + t_lookup;
  // Not all local, so the output is on the server and returns.
  c.t_miss_s = c.t_hit_s + request.cluster.transfer_time_s(problem.device, problem.server, c.sent_bytes) + t_srv +
               problem.t_down_s;
  c.expected_s = options.hit_rate * c.t_hit_s + (1 - options.hit_rate) * c.t_miss_s;
  return c;
}

CciedChoice ccied_evaluate(const PlanRequest& request, const Problem& problem, const CciedOptions& options, int cut) {
  for (const ChainCutCosts& c : chain_cut_costs(problem, &request))
    if (c.cut == cut) return ccied_evaluate(request, problem, options, c);
  EDGEPART_ASSERT(false, "ccied: not a cut point");
  return {};
}

plan::Plan make_ccied_plan(const PlanRequest& request, const JsonCursor& options) {
  options.expect_object();
  options.no_unknown_keys({"cache_capacity", "hit_rate", "index_bytes", "prune_ratio", "server"});
  const int server = choose_server(request, options);
  CciedOptions o;
  o.hit_rate = request.workload.cache_hit_rate.value_or(0);
  if (auto h = options.find("hit_rate")) o.hit_rate = h->as_number_in(0, 1);
  if (auto r = options.find("prune_ratio")) o.prune_ratio = r->as_number_in(0, 1);
  if (o.prune_ratio >= 1) options.at("prune_ratio").fail("must be < 1 (1 would send nothing)");
  // int32 flat indices by default: enough for any activation tensor of the zoo (< 2^31 elements).
  if (auto b = options.find("index_bytes")) o.index_bytes = b->as_int_in(0, 8);
  if (auto c = options.find("cache_capacity")) o.cache_capacity = c->as_positive_int();

  const Problem problem = make_problem(request, server);
  CciedChoice best;
  best.cut = -2;
  best.expected_s = std::numeric_limits<double>::infinity();
  for (const ChainCutCosts& cut : chain_cut_costs(problem, &request)) {
    const CciedChoice c = ccied_evaluate(request, problem, o, cut);
    if (memory_problem(request, problem, cut.memory)) continue;
    const auto& dev = request.cluster.devices.at(static_cast<size_t>(problem.device));
    if (c.cached && dev.memory_mb && cut.memory.device_bytes + c.cache_bytes > *dev.memory_mb * 1024.0 * 1024.0)
      continue;
    if (c.expected_s < best.expected_s) best = c;
  }
  if (best.cut == -2)
    throw InputError(options.file(), "/devices",
                     "ccied: no split point (with its cache) fits the memory_mb of the devices");
  const Split split = split_after(problem, best.cut);

  Json normalised = Json::object();
  normalised["server"] = request.cluster.devices.at(static_cast<size_t>(server)).name;
  normalised["hit_rate"] = o.hit_rate;
  normalised["prune_ratio"] = o.prune_ratio;
  normalised["index_bytes"] = o.index_bytes;
  normalised["cache_capacity"] = o.cache_capacity;
  PlanBuilder b(request, "ccied", normalised);
  // Pruning changes the split layer and a hit returns the label of a similar input: not exact.
  b.plan().lossless = !best.cached || (o.prune_ratio == 0 && o.hit_rate == 0);
  std::optional<CacheSpec> cache;
  if (best.cached) cache = CacheSpec{o.hit_rate, best.lookup_flops, best.cache_bytes, best.sent_bytes};
  build_variant(b, problem, split, cache);
  b.note("split after " +
         (best.cut < 0 ? std::string("the input") : "layer '" + request.graph.layer(best.cut).name + "'") + ": " +
         describe_split(request, problem, split));
  std::ostringstream os;
  if (best.cached) {
    os << "expected latency " << best.expected_s << " s = " << o.hit_rate << " x hit " << best.t_hit_s
       << " s + " << (1 - o.hit_rate) << " x miss " << best.t_miss_s << " s (predicted: the miss path); the cache "
       << "is keyed by the split layer's output, of which a miss sends " << best.sent_bytes << " bytes"
       << (o.prune_ratio > 0 ? " after pruning " + std::to_string(static_cast<int>(std::lround(o.prune_ratio * 100))) +
                                   " % of its elements (sparse encoding)"
                             : std::string(" (dense)"));
  } else if (best.cut < 0) {
    os << "plain offloading of the input (" << best.sent_bytes << " bytes, dense, lossless; latency " << best.expected_s
       << " s): CCIED caches and prunes an intermediate feature, and at the input there is none";
  } else {
    os << "all local: no cache (latency " << best.expected_s << " s)";
  }
  b.note(os.str());
  return b.finish();
}

}  // namespace edgepart::strategy
