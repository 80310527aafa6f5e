#include "strategy/two_party.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "edgepart/util/error.hpp"

namespace edgepart::strategy::two_party {

namespace {

constexpr double kBitsPerByte = 8;
constexpr double kBitsPerMegabit = 1e6;  // docs/design.md §3: rates in Mbit/s, 1 Mbit = 1e6 bits

// The FLOPs, weights and activations of one layer, through the shared plan builder helpers
// (strategy/plan_builder.hpp), so that every strategy counts them alike.
plan::FlopsByOp layer_work(const PlanRequest& request, int layer) { return range_flops(request, layer, layer); }

double layer_weight_bytes(const PlanRequest& request, int layer) { return weight_bytes(request, layer, layer); }

// Live activations while a layer runs: its inputs and its output.
double layer_activation_bytes(const PlanRequest& request, int layer) {
  double bytes = tensor_bytes(request, layer);
  for (model::LayerIndex in : request.graph.layer(layer).inputs) bytes += tensor_bytes(request, in);
  return bytes;
}

}  // namespace

Problem make_problem(const PlanRequest& request, int server) {
  const auto& g = request.graph;
  const auto& cluster = request.cluster;
  Problem pb;
  pb.device = cluster.source;
  pb.server = server;
  pb.layers = static_cast<int>(g.size());
  EDGEPART_ASSERT(pb.layers >= 1, "two_party: empty model");
  EDGEPART_ASSERT(server != pb.device, "two_party: the server is the source");
  const size_t n = static_cast<size_t>(pb.layers);
  pb.t_device_s.resize(n);
  pb.t_server_s.resize(n);
  pb.inputs.resize(n);
  pb.consumers.assign(n + 1, {});
  pb.tensor_bytes.resize(n + 1);
  pb.t_up_s.resize(n + 1);
  for (int v = 0; v < pb.layers; ++v) {
    // One task per layer (build_variant): the task's time, overhead included.
    const timing::CostModel& costs = request.costs;
    pb.t_device_s[static_cast<size_t>(v)] = costs.task_overhead_s(pb.device) + costs.whole_layer_time_s(pb.device, v);
    pb.t_server_s[static_cast<size_t>(v)] = costs.task_overhead_s(server) + costs.whole_layer_time_s(server, v);
    auto& ins = pb.inputs[static_cast<size_t>(v)];
    for (model::LayerIndex p : g.layer(v).inputs) ins.push_back(tensor_of_layer(p));
    std::sort(ins.begin(), ins.end());
    ins.erase(std::unique(ins.begin(), ins.end()), ins.end());
    for (int t : ins) pb.consumers[static_cast<size_t>(t)].push_back(v);  // v ascending: stays sorted
  }
  for (int t = 0; t <= pb.layers; ++t) {
    pb.tensor_bytes[static_cast<size_t>(t)] = tensor_bytes(request, t - 1);  // t - 1: kModelInput for t = 0
    pb.t_up_s[static_cast<size_t>(t)] = cluster.transfer_time_s(pb.device, server, pb.tensor_bytes[static_cast<size_t>(t)]);
  }
  pb.t_down_s = cluster.transfer_time_s(server, pb.device, pb.tensor_bytes[static_cast<size_t>(tensor_of_layer(pb.output()))]);
  pb.device_overhead_s = request.costs.task_overhead_s(pb.device);
  pb.up_rate_mbps = cluster.rate_mbps(pb.device, server);
  pb.up_latency_s = cluster.fixed_transfer_s(pb.device, server);
  pb.down_rate_mbps = cluster.rate_mbps(server, pb.device);
  pb.down_latency_s = cluster.fixed_transfer_s(server, pb.device);
  return pb;
}

Problem at_uplink_rate(const Problem& problem, double rate_mbps) {
  EDGEPART_ASSERT(rate_mbps > 0, "at_uplink_rate: rate must be > 0");
  Problem pb = problem;
  const double down_mbps = rate_mbps * (problem.down_rate_mbps / problem.up_rate_mbps);
  pb.up_rate_mbps = rate_mbps;
  pb.down_rate_mbps = down_mbps;
  for (size_t t = 0; t < pb.t_up_s.size(); ++t)
    pb.t_up_s[t] = pb.up_latency_s + pb.tensor_bytes[t] * kBitsPerByte / (rate_mbps * kBitsPerMegabit);
  pb.t_down_s = pb.down_latency_s +
                pb.tensor_bytes[static_cast<size_t>(tensor_of_layer(pb.output()))] * kBitsPerByte / (down_mbps * kBitsPerMegabit);
  return pb;
}

int choose_server(const PlanRequest& request, const JsonCursor& options) {
  const auto& cluster = request.cluster;
  if (cluster.size() < 2)
    throw InputError(options.file(), "/devices", "a two-party strategy needs a second device (a server)");
  auto named = options.find("server");
  if (named && named->as_string() != "fastest") {
    const std::string name = named->as_string();
    for (int d = 0; d < cluster.size(); ++d) {
      if (cluster.devices[static_cast<size_t>(d)].name != name) continue;
      if (d == cluster.source) named->fail("'" + name + "' is the source device; the server must be another device");
      return d;
    }
    std::string valid;
    for (const auto& dev : cluster.devices) valid += (valid.empty() ? "" : ", ") + dev.name;
    named->fail("unknown device '" + name + "' (devices: " + valid + ")");
  }
  for (int d : cluster.by_speed())
    if (d != cluster.source) return d;
  throw InternalError("choose_server: no device other than the source");
}

bool is_valid_split(const Problem& problem, const Split& on_server) {
  if (on_server.size() != static_cast<size_t>(problem.layers)) return false;
  for (int v = 0; v < problem.layers; ++v) {
    if (on_server[static_cast<size_t>(v)]) continue;
    for (int t : problem.inputs[static_cast<size_t>(v)])
      if (t != kInputTensor && on_server[static_cast<size_t>(t - 1)]) return false;
  }
  return true;
}

std::vector<int> crossing_tensors(const Problem& problem, const Split& on_server) {
  std::vector<int> out;
  for (int t = 0; t <= problem.layers; ++t) {
    if (t != kInputTensor && on_server[static_cast<size_t>(t - 1)]) continue;  // produced on the server
    for (int c : problem.consumers[static_cast<size_t>(t)]) {
      if (on_server[static_cast<size_t>(c)]) {
        out.push_back(t);
        break;
      }
    }
  }
  return out;
}

double all_local_saving_s(const Problem& problem, const Split& on_server) {
  const bool all_local = std::none_of(on_server.begin(), on_server.end(), [](bool srv) { return srv; });
  return all_local ? static_cast<double>(problem.layers - 1) * problem.device_overhead_s : 0.0;
}

double split_latency_s(const Problem& problem, const Split& on_server) {
  EDGEPART_ASSERT(is_valid_split(problem, on_server), "split_latency_s: invalid split");
  double t = -all_local_saving_s(problem, on_server);
  for (int v = 0; v < problem.layers; ++v)
    t += on_server[static_cast<size_t>(v)] ? problem.t_server_s[static_cast<size_t>(v)] : problem.t_device_s[static_cast<size_t>(v)];
  for (int p : crossing_tensors(problem, on_server)) t += problem.t_up_s[static_cast<size_t>(p)];
  if (on_server[static_cast<size_t>(problem.output())]) t += problem.t_down_s;
  return t;
}

Line split_line(const Problem& problem, const Split& on_server) {
  Line line;
  line.a = -all_local_saving_s(problem, on_server);
  for (int v = 0; v < problem.layers; ++v)
    line.a += on_server[static_cast<size_t>(v)] ? problem.t_server_s[static_cast<size_t>(v)] : problem.t_device_s[static_cast<size_t>(v)];
  for (int p : crossing_tensors(problem, on_server)) {
    line.a += problem.up_latency_s;
    line.d += problem.tensor_bytes[static_cast<size_t>(p)] * kBitsPerByte / kBitsPerMegabit;
  }
  if (on_server[static_cast<size_t>(problem.output())]) {
    line.a += problem.down_latency_s;
    const double ratio = problem.down_rate_mbps / problem.up_rate_mbps;
    line.d += problem.tensor_bytes[static_cast<size_t>(tensor_of_layer(problem.output()))] * kBitsPerByte /
              kBitsPerMegabit / ratio;
  }
  return line;
}

MemoryNeed memory_need(const PlanRequest& request, const Split& on_server) {
  MemoryNeed need;
  double device_peak = 0, server_peak = 0;
  for (int v = 0; v < static_cast<int>(request.graph.size()); ++v) {
    const double weights = layer_weight_bytes(request, v);
    const double act = layer_activation_bytes(request, v);
    if (on_server[static_cast<size_t>(v)]) {
      need.server_bytes += weights;
      server_peak = std::max(server_peak, act);
    } else {
      need.device_bytes += weights;
      device_peak = std::max(device_peak, act);
    }
  }
  need.device_bytes += device_peak;
  need.server_bytes += server_peak;
  return need;
}

std::optional<std::string> split_memory_problem(const PlanRequest& request, const Problem& problem,
                                                const Split& on_server) {
  return memory_problem(request, problem, memory_need(request, on_server));
}

std::optional<std::string> memory_problem(const PlanRequest& request, const Problem& problem, const MemoryNeed& need) {
  auto check = [&](int d, double bytes) -> std::optional<std::string> {
    const auto& dev = request.cluster.devices.at(static_cast<size_t>(d));
    if (!dev.memory_mb || bytes <= *dev.memory_mb * kBytesPerMb) return std::nullopt;
    std::ostringstream os;
    os << "device '" << dev.name << "' would need " << bytes / kBytesPerMb << " MB (memory_mb "
       << *dev.memory_mb << ")";
    return os.str();
  };
  if (auto m = check(problem.device, need.device_bytes)) return m;
  return check(problem.server, need.server_bytes);
}

void build_variant(PlanBuilder& builder, const Problem& problem, const Split& on_server,
                   const std::optional<CacheSpec>& cache) {
  EDGEPART_ASSERT(is_valid_split(problem, on_server), "build_variant: invalid split");
  const PlanRequest& request = builder.request();
  const auto& g = request.graph;

  // Stages: maximal runs of consecutive layers on the same side, each whole on one device.
  std::vector<plan::Stage> stages;
  std::vector<int> stage_of(static_cast<size_t>(problem.layers), -1);
  for (int v = 0; v < problem.layers; ++v) {
    const bool srv = on_server[static_cast<size_t>(v)];
    if (stages.empty() || on_server[static_cast<size_t>(stages.back().last_layer)] != srv) {
      plan::Stage st;
      st.first_layer = st.last_layer = v;
      st.split = "none";
      plan::DeviceRegion region;
      region.device = srv ? problem.server : problem.device;
      const rf::Region in = whole(request, g.layer(v).inputs.front());
      region.input_rows = span(in.rows);
      region.input_cols = span(in.cols);
      st.regions.push_back(region);
      stages.push_back(st);
    }
    plan::Stage& st = stages.back();
    st.last_layer = v;
    const rf::Region out = whole(request, v);
    st.regions.front().rows.push_back(span(out.rows));
    st.regions.front().cols.push_back(span(out.cols));
    stage_of[static_cast<size_t>(v)] = static_cast<int>(stages.size()) - 1;
  }
  std::vector<int> stage_id;
  for (auto& st : stages) stage_id.push_back(builder.add_stage(std::move(st)));

  // Tasks, chained (each waits for the previous one): the sum-of-times model of the header.
  std::vector<int> last;
  auto add_compute = [&](int v, int device) {
    const int id = builder.compute(device, layer_work(request, v), last,
                                   g.layer(v).name + (device == problem.device ? "/device" : "/server"),
                                   stage_id[static_cast<size_t>(stage_of[static_cast<size_t>(v)])],
                                   layer_activation_bytes(request, v), layer_weight_bytes(request, v));
    builder.variant().tasks.at(static_cast<size_t>(id)).layers = plan::Span{v, v};  // one task per layer
    last = {id};
  };
  auto tensor_name = [&g](int t) { return t == kInputTensor ? std::string("input") : g.layer(t - 1).name; };

  const bool all_local = std::none_of(on_server.begin(), on_server.end(), [](bool srv) { return srv; });
  if (all_local) {
    // Nothing crosses the link, so nothing needs the layers as separate tasks: the whole model is
    // one task, as `local` runs it (one task overhead, not one per layer: CIC's all-local
    // variant paid 39 extra overheads on VGG-16, 19.5 ms above `local`). Live activations: the
    // largest input + output pair of a layer (layers run one at a time).
    double act = 0;
    for (int v = 0; v < problem.layers; ++v) act = std::max(act, layer_activation_bytes(request, v));
    builder.compute(problem.device, range_flops(request, 0, problem.layers - 1), {}, "model/device", stage_id.front(), act,
                    weight_bytes(request, 0, problem.layers - 1));
    return;
  }
  for (int v = 0; v < problem.layers; ++v)
    if (!on_server[static_cast<size_t>(v)]) add_compute(v, problem.device);
  const std::vector<int> crossing = crossing_tensors(problem, on_server);
  if (cache) {
    EDGEPART_ASSERT(crossing.size() == 1, "build_variant: a cache needs exactly one crossing tensor");
    plan::FlopsByOp lookup;
    lookup["cache_lookup"] = cache->lookup_flops;
    // The builder has no cache_lookup call: add it as a compute task, then turn it into one. Its
    // memory is the cache itself (counted as this task's live bytes).
    const int id = builder.compute(problem.device, lookup, last, tensor_name(crossing.front()) + "/cache_lookup", -1,
                                   cache->cache_bytes, 0);
    plan::Task& t = builder.variant().tasks.at(static_cast<size_t>(id));
    t.kind = plan::TaskKind::cache_lookup;
    t.hit_probability = cache->hit_probability;
    last = {id};
  }
  for (int p : crossing) {
    const double dense = problem.tensor_bytes[static_cast<size_t>(p)];
    const double bytes = cache ? cache->sent_bytes : dense;
    last = builder.transfer(problem.device, problem.server, bytes, piece(request, p - 1), last, tensor_name(p) + "/up", -1,
                            bytes != dense);
  }
  for (int v = 0; v < problem.layers; ++v)
    if (on_server[static_cast<size_t>(v)]) add_compute(v, problem.server);
  if (on_server[static_cast<size_t>(problem.output())])
    last = builder.transfer(problem.server, problem.device,
                            problem.tensor_bytes[static_cast<size_t>(tensor_of_layer(problem.output()))],
                            piece(request, problem.output()), last,
                            g.layer(problem.output()).name + "/result");
}

std::string describe_split(const PlanRequest& request, const Problem& problem, const Split& on_server) {
  int on_dev = 0;
  for (bool s : on_server) on_dev += s ? 0 : 1;
  std::ostringstream os;
  os << on_dev << " layer(s) on " << request.cluster.devices.at(static_cast<size_t>(problem.device)).name << ", "
     << (problem.layers - on_dev) << " on " << request.cluster.devices.at(static_cast<size_t>(problem.server)).name;
  const std::vector<int> crossing = crossing_tensors(problem, on_server);
  if (!crossing.empty()) {
    os << "; sends";
    for (int t : crossing)
      os << " " << (t == kInputTensor ? std::string("input") : request.graph.layer(t - 1).name) << " ("
         << problem.tensor_bytes[static_cast<size_t>(t)] << " bytes)";
  }
  return os.str();
}

std::vector<int> chain_cut_points(const Problem& problem) {
  // live[j + 1]: tensors produced at or before j (the input at -1) and read after j.
  const int n = problem.layers;
  std::vector<int> diff(static_cast<size_t>(n) + 2, 0);
  for (int t = 0; t <= n; ++t) {
    const auto& cons = problem.consumers[static_cast<size_t>(t)];
    if (cons.empty()) continue;
    const int produced_at = t - 1;  // position in layer order, -1 for the input
    diff[static_cast<size_t>(produced_at + 1)] += 1;
    diff[static_cast<size_t>(cons.back() + 1)] -= 1;
  }
  std::vector<int> points;
  int live = 0;
  for (int j = -1; j < n; ++j) {
    live += diff[static_cast<size_t>(j + 1)];
    if (live <= 1) points.push_back(j);
  }
  return points;
}

std::vector<ChainCutCosts> chain_cut_costs(const Problem& problem, const PlanRequest* request) {
  const int n = problem.layers;
  const auto at = [](int i) { return static_cast<size_t>(i); };
  // Suffix sums from the last layer back: server_after[j + 1] = t_server_s over layers > j;
  // likewise the server side's weights and largest activation (weights are whole bytes, so their
  // sums are exact in any order).
  std::vector<double> server_after(at(n) + 1, 0), server_weights(at(n) + 1, 0), server_peak(at(n) + 1, 0);
  for (int v = n - 1; v >= 0; --v) {
    server_after[at(v)] = problem.t_server_s[at(v)] + server_after[at(v + 1)];
    if (!request) continue;
    server_weights[at(v)] = layer_weight_bytes(*request, v) + server_weights[at(v + 1)];
    server_peak[at(v)] = std::max(layer_activation_bytes(*request, v), server_peak[at(v + 1)]);
  }
  // The live tensors after each position, as in chain_cut_points; at a cut point at most one is
  // live, and the running sum of live tensor ids then names it.
  std::vector<int> born(at(n) + 1, 0), dies(at(n) + 1, 0);  // count change at position j + 1
  std::vector<int64_t> born_id(at(n) + 1, 0), dies_id(at(n) + 1, 0);
  for (int t = 0; t <= n; ++t) {
    const auto& cons = problem.consumers[at(t)];
    if (cons.empty()) continue;
    born[at(t)] += 1, born_id[at(t)] += t;  // produced at position t - 1
    dies[at(cons.back() + 1)] += 1, dies_id[at(cons.back() + 1)] += t;
  }
  std::vector<ChainCutCosts> out;
  double device_s = 0, device_weights = 0, device_peak = 0;
  int live = 0;
  int64_t live_ids = 0;
  for (int j = -1; j < n; ++j) {
    if (j >= 0) {
      device_s += problem.t_device_s[at(j)];
      if (request) {
        device_weights += layer_weight_bytes(*request, j);
        device_peak = std::max(device_peak, layer_activation_bytes(*request, j));
      }
    }
    live += born[at(j + 1)] - dies[at(j + 1)];
    live_ids += born_id[at(j + 1)] - dies_id[at(j + 1)];
    if (live > 1) continue;
    ChainCutCosts c;
    c.cut = j;
    // The all-local cut is one task: one overhead, not one per layer (all_local_saving_s).
    c.device_s = j == n - 1 ? device_s - static_cast<double>(n - 1) * problem.device_overhead_s : device_s;
    c.server_s = server_after[at(j + 1)];
    c.crossing = live == 1 && j < n - 1 ? static_cast<int>(live_ids) : -1;
    c.memory.device_bytes = device_weights + device_peak;
    c.memory.server_bytes = server_weights[at(j + 1)] + server_peak[at(j + 1)];
    out.push_back(c);
  }
  return out;
}

Split split_after(const Problem& problem, int j) {
  Split s(static_cast<size_t>(problem.layers));
  for (int v = 0; v < problem.layers; ++v) s[static_cast<size_t>(v)] = v > j;
  return s;
}

bool applicable(const PlanRequest& request, std::string& why) {
  if (request.cluster.size() >= 2) return true;
  why = "needs a second device (a server)";
  return false;
}

}  // namespace edgepart::strategy::two_party
