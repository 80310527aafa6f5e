// The many-device strategies (local, dpfp, modnn, ftp, fdsp) against independent oracles:
// DPFP against brute force over every block partition (each evaluated with the timing model, not
// with the DP's formulas), DPFP against its own restrictions on every zoo CNN, one-device DPFP
// against local, and the facts docs/design.md §5 states (coarser blocks at lower bandwidth,
// DPFP below MoDNN on VGG-16, FTP's overlap, FDSP's exact MACs), plus invariants of every plan.
#include <gtest/gtest.h>

#include <cstdlib>

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <deque>
#include <map>
#include <random>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/sim/prediction.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/util/error.hpp"
#include "strategy/plan_builder.hpp"
#include "strategy/spatial.hpp"

using namespace edgepart;
using namespace edgepart::strategy;
using model::LayerIndex;

namespace {

struct Fixture {
  model::ModelGraph graph;
  cost::ModelAnalysis analysis;
  scenario::Cluster cluster;
  scenario::Workload workload;
  mutable std::deque<timing::CostModel> costs;  // one per request (a request refers to its cost model)
  PlanRequest request() const { return PlanRequest{graph, analysis, cluster, workload, costs.emplace_back(graph, analysis, cluster)}; }
};

scenario::Cluster make_cluster(const std::vector<double>& speeds, double mbps, scenario::NetworkKind kind = scenario::NetworkKind::shared,
                               scenario::Sharing sharing = scenario::Sharing::fifo, double latency_s = 0.001) {
  scenario::Cluster c;
  for (size_t i = 0; i < speeds.size(); ++i) {
    scenario::Device d;
    d.name = "d" + std::to_string(i);
    d.speed_gflops = speeds[i];
    d.is_source = i == 0;
    c.devices.push_back(d);
  }
  c.network.kind = kind;
  c.network.sharing = sharing;
  c.network.bandwidth_mbps = mbps;
  c.network.latency_s = latency_s;
  return c;
}

model::ModelGraph zoo(const std::string& name) { return model::load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/" + name + ".json"); }

// A seeded random chain of at most `max_layers` layers: convolutions (kernel 1/3/5, stride 1/2),
// poolings and activations, sometimes ending in a global pool + flatten + linear head.
model::ModelGraph random_chain(std::mt19937& rng, int max_layers) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  model::ModelGraph g;
  g.name = "chain";
  g.input = model::Shape::chw(pick(1, 4), pick(12, 40), pick(8, 20));
  int64_t h = g.input.h, w = g.input.w;
  const bool head = pick(0, 1) == 1;
  const int body = std::max(1, pick(2, max_layers) - (head ? 3 : 0));
  for (int i = 0; i < body; ++i) {
    model::Layer l;
    l.name = "l" + std::to_string(i);
    l.inputs = {i == 0 ? model::kModelInput : i - 1};
    int kind = pick(0, 5);
    if (kind <= 2 || h < 4 || w < 4) {
      model::Conv2dAttrs a;
      a.out_channels = pick(4, 24);
      int64_t k = std::vector<int64_t>{1, 3, 3, 5}[static_cast<size_t>(pick(0, 3))];
      a.kernel = {k, k};
      int64_t s = (h >= 8 && w >= 8 && pick(0, 3) == 0) ? 2 : 1;
      a.stride = {s, s};
      a.padding = {k / 2, k / 2, k / 2, k / 2};
      l.kind = model::OpKind::conv2d;
      l.attrs = a;
      h = (h + 2 * (k / 2) - k) / s + 1;
      w = (w + 2 * (k / 2) - k) / s + 1;
    } else if (kind == 3) {
      model::Pool2dAttrs a;
      a.kernel = {2, 2};
      a.stride = {2, 2};
      l.kind = model::OpKind::maxpool2d;
      l.attrs = a;
      h /= 2;
      w /= 2;
    } else {
      l.kind = model::OpKind::relu;
    }
    g.layers.push_back(l);
  }
  if (head) {
    auto n = static_cast<LayerIndex>(g.layers.size());
    model::Layer gap{"gap", model::OpKind::adaptive_avgpool2d, model::AdaptivePoolAttrs{{1, 1}}, {n - 1}, ""};
    model::Layer flat{"flat", model::OpKind::flatten, model::NoAttrs{}, {n}, ""};
    model::Layer fc{"fc", model::OpKind::linear, model::LinearAttrs{10, true}, {n + 1}, ""};
    g.layers.push_back(gap);
    g.layers.push_back(flat);
    g.layers.push_back(fc);
  }
  return g;
}

// Brute force over every DPFP layout for the given participants: every set of block ends, every
// tail device; each layout's latency from the timing model on its built plan.
double brute_force(const PlanRequest& r, const std::vector<int>& parts, DpfpLayout* best_layout = nullptr) {
  std::vector<LayerIndex> pos = dpfp_positions(r);
  double best = std::numeric_limits<double>::infinity();
  const size_t k = pos.size();
  for (uint32_t mask = 0; mask < (1u << k); ++mask) {
    DpfpLayout l;
    l.participants = parts;
    for (size_t i = 0; i < k; ++i)
      if (mask & (1u << i)) l.ends.push_back(pos[i]);
    const bool tail_empty = !l.ends.empty() && l.ends.back() == r.graph.output();
    for (int g = 0; g < r.cluster.size(); ++g) {
      if (tail_empty && g != r.cluster.source) continue;
      l.tail_device = g;
      double lat = dpfp_build(r, l).predicted.latency_s;
      if (lat < best) {
        best = lat;
        if (best_layout) *best_layout = l;
      }
    }
  }
  return best;
}

double rel(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

}  // namespace

// A symmetric per-pair override between d0 and d1.
scenario::LinkSpec d0_d1_link(double mbps, double latency_s) {
  scenario::LinkSpec link;
  link.from = "d0";
  link.to = "d1";
  link.bandwidth_mbps = mbps;
  link.latency_s = latency_s;
  link.symmetric = true;
  return link;
}

TEST(Dpfp, EqualsBruteForceOnRandomChains) {
  std::mt19937 rng(20221216);
  const scenario::NetworkKind kinds[] = {scenario::NetworkKind::shared, scenario::NetworkKind::switched};
  int multi_block = 0, distributed = 0;  // how often the optimum is non-trivial
  for (int trial = 0; trial < 40; ++trial) {
    Fixture f;
    f.graph = random_chain(rng, trial < 4 ? 12 : 9);
    f.analysis = cost::analyze(f.graph);
    const int n = 1 + trial % 4;
    // Slow devices (2-50 MFLOPS) and short latencies, so that splitting these small chains pays
    // off in many trials and the oracle checks non-trivial partitions.
    std::vector<double> speeds;
    for (int i = 0; i < n; ++i) speeds.push_back(std::uniform_real_distribution<double>(0.002, 0.05)(rng));
    const double mbps = std::pow(10.0, std::uniform_real_distribution<double>(0, 3)(rng));
    const auto sharing = trial % 3 == 2 ? scenario::Sharing::fair : scenario::Sharing::fifo;
    f.cluster = make_cluster(speeds, mbps, kinds[trial % 2], sharing, trial % 5 == 0 ? 0 : 1e-4);
    if (trial % 4 == 1) f.cluster.devices[0].task_overhead_s = 0.003;
    if (n >= 2 && trial % 3 == 1) {
      // A per-pair override: the source's link to d1 is slower and longer (non-uniform network).
      f.cluster.network.links.push_back(d0_d1_link(mbps / 3, 0.0005));
    }
    PlanRequest r = f.request();
    std::vector<int> parts(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) parts[static_cast<size_t>(i)] = i;
    DpfpResult dp = dpfp_optimise(r, parts);
    ASSERT_TRUE(dp.feasible);
    DpfpLayout oracle_layout;
    const double oracle = brute_force(r, parts, &oracle_layout);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + std::to_string(f.graph.size()) + " layers, " + std::to_string(n) +
                 " devices, " + std::to_string(mbps) + " Mbit/s");
    EXPECT_LT(rel(dp.latency_s, oracle), 1e-9) << dp.latency_s << " vs brute force " << oracle;
    // The DP's own figure is the timing model's on the plan it describes.
    EXPECT_LT(rel(dpfp_build(r, dp.layout).predicted.latency_s, dp.latency_s), 1e-9);
    multi_block += oracle_layout.ends.size() >= 2;
    distributed += !oracle_layout.ends.empty() && n >= 2;
  }
  // The oracle must have exercised the interesting cases, not only "everything local".
  EXPECT_GE(multi_block, 5);
  EXPECT_GE(distributed, 5);
  std::printf("optimum with >= 2 blocks in %d trials, distributed on >= 2 devices in %d\n", multi_block, distributed);
}

TEST(Dpfp, NeverAboveEachLayerOrOneBlockOnTheZoo) {
  for (const char* name : {"alexnet", "vgg16", "resnet18", "resnet50", "googlenet", "mobilenet_v2", "squeezenet1_1", "densenet121",
                           "yolov2_tiny", "yolov2"}) {
    SCOPED_TRACE(name);
    Fixture f;
    f.graph = zoo(name);
    f.analysis = cost::analyze(f.graph);
    f.cluster = make_cluster({20, 30, 25, 20}, 100);
    PlanRequest r = f.request();
    auto latency = [&](const char* partition) {
      return make_plan("dpfp", r, Json{{"partition", partition}, {"device_search", false}}).predicted.latency_s;
    };
    const double dp = latency("dp"), each = latency("each"), one = latency("one");
    EXPECT_LE(dp, each * (1 + 1e-12));
    EXPECT_LE(dp, one * (1 + 1e-12));
    // The DP's analytic figure equals the timing model's on the built plan.
    DpfpResult res = dpfp_optimise(r, {0, 1, 2, 3});
    EXPECT_LT(rel(res.latency_s, dp), 1e-9);
  }
}

TEST(Dpfp, OneDeviceEqualsLocal) {
  for (const char* name : {"vgg16", "resnet18", "googlenet"}) {
    Fixture f;
    f.graph = zoo(name);
    f.analysis = cost::analyze(f.graph);
    f.cluster = make_cluster({12.5}, 100);
    PlanRequest r = f.request();
    const double local = make_plan("local", r, Json::object()).predicted.latency_s;
    // local: one task of every FLOP at 12.5 GFLOPS.
    EXPECT_LT(rel(local, static_cast<double>(f.analysis.total_flops) / 12.5e9), 1e-12) << name;
    EXPECT_LT(rel(make_plan("dpfp", r, Json::object()).predicted.latency_s, local), 1e-9) << name;
  }
}

TEST(Dpfp, BlocksGetCoarserAsBandwidthFalls) {
  Fixture f;
  f.graph = zoo("vgg16");
  f.analysis = cost::analyze(f.graph);
  size_t previous = SIZE_MAX;
  for (double mbps : {10000.0, 1000.0, 300.0, 100.0, 30.0, 10.0, 3.0, 1.0}) {
    f.cluster = make_cluster({20, 20, 20, 20}, mbps);
    DpfpResult res = dpfp_optimise(f.request(), {0, 1, 2, 3});
    EXPECT_LE(res.layout.ends.size(), previous) << mbps << " Mbit/s";
    previous = res.layout.ends.size();
  }
  EXPECT_EQ(previous, 0u);  // at 1 Mbit/s nothing is worth sending: the model stays local
}

TEST(Dpfp, BelowModnnOnVgg16AtEveryBandwidth) {
  Fixture f;
  f.graph = zoo("vgg16");
  f.analysis = cost::analyze(f.graph);
  for (double mbps : {1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0}) {
    f.cluster = make_cluster({20, 20, 20, 20}, mbps);
    PlanRequest r = f.request();
    const double dpfp = make_plan("dpfp", r, Json::object()).predicted.latency_s;
    const double modnn = make_plan("modnn", r, Json::object()).predicted.latency_s;
    EXPECT_LT(dpfp, modnn) << mbps << " Mbit/s";
  }
}

TEST(Tiles, FtpOverlapsWhileFdspDoesNot) {
  Fixture f;
  f.graph = zoo("vgg16");
  f.analysis = cost::analyze(f.graph);
  f.cluster = make_cluster({20, 30, 25, 20}, 100);
  PlanRequest r = f.request();
  const double model_macs = static_cast<double>(f.analysis.total_macs);
  plan::Plan ftp = make_plan("ftp", r, Json{{"fused_layers", 8}, {"grid", Json::array({3, 3})}});
  EXPECT_GT(plan_macs(ftp.variants[0]), model_macs * 1.01);
  plan::Plan fdsp = make_plan("fdsp", r, Json::object());
  EXPECT_LT(rel(plan_macs(fdsp.variants[0]), model_macs), 1e-12);
  EXPECT_FALSE(fdsp.lossless);
  EXPECT_TRUE(ftp.lossless);
  // FDSP's outputs are quantised to 8 of 32 bits: a tile's out_bytes is a quarter of its map.
  const auto& t0 = fdsp.variants[0].tasks[0];
  EXPECT_TRUE(t0.compressed);
  const auto& reg = fdsp.variants[0].stages[0].regions[0];
  const auto& last_rows = reg.rows.back();
  const auto& last_cols = reg.cols.back();
  const double elems = 512.0 * static_cast<double>(last_rows.end - last_rows.begin + 1) * static_cast<double>(last_cols.end - last_cols.begin + 1);
  EXPECT_DOUBLE_EQ(t0.out_bytes, elems * 4 / 4);
}

// Invariants of every plan of every strategy of this module on a few models and clusters.
TEST(Plans, Invariants) {
  for (const char* name : {"vgg16", "resnet18", "googlenet", "yolov2_tiny"}) {
    Fixture f;
    f.graph = zoo(name);
    f.analysis = cost::analyze(f.graph);
    for (auto kind : {scenario::NetworkKind::shared, scenario::NetworkKind::switched}) {
      f.cluster = make_cluster({10, 40, 25, 15}, 50, kind);
      PlanRequest r = f.request();
      for (const char* strategy : {"local", "dpfp", "modnn", "ftp", "fdsp"}) {
        SCOPED_TRACE(std::string(name) + " " + strategy);
        plan::Plan p = make_plan(strategy, r, Json::object());
        const plan::Variant& v = p.variants.at(0);
        // Each output row of each stage's last layer is produced exactly once (tiles: each pixel);
        // FDSP computes every layer's map exactly once (no halo).
        for (const auto& s : v.stages) {
          const model::Shape& shape = f.analysis.shapes[static_cast<size_t>(s.last_layer)];
          const int64_t axis = s.split == "channels" ? shape.c : shape.h;
          for (LayerIndex l = s.first_layer; l <= s.last_layer; ++l) {
            if (l != s.last_layer && p.strategy != "fdsp") continue;
            const model::Shape& ls = f.analysis.shapes[static_cast<size_t>(l)];
            std::map<std::pair<int64_t, int64_t>, int> count;
            const int64_t rows = l == s.last_layer ? axis : ls.h;
            const int64_t cols = s.split == "tiles" ? ls.w : 1;
            for (const auto& reg : s.regions) {
              const auto& rs = reg.rows.at(static_cast<size_t>(l - s.first_layer));
              const auto& cs = reg.cols.at(static_cast<size_t>(l - s.first_layer));
              for (int64_t y = rs.begin; y <= rs.end; ++y)
                for (int64_t x = (s.split == "tiles" ? cs.begin : 0); x <= (s.split == "tiles" ? cs.end : 0); ++x) ++count[{y, x}];
            }
            EXPECT_EQ(static_cast<int64_t>(count.size()), rows * cols) << "stage " << s.first_layer << ".." << s.last_layer << " layer " << l;
            for (const auto& [px, n] : count) EXPECT_EQ(n, 1) << "row " << px.first << " col " << px.second;
          }
        }
        // Transfers add up: static plans send exactly their transfer tasks' bytes; pull plans
        // at most every tile's input and output.
        double static_bytes = 0, pull_bytes = 0;
        for (const auto& t : v.tasks) {
          if (t.kind == plan::TaskKind::transfer && t.from != t.to) static_bytes += t.bytes;
          if (t.dispatch == plan::Dispatch::pull) pull_bytes += t.in_bytes + t.out_bytes;
        }
        EXPECT_LE(v.predicted.bytes_sent, static_bytes + pull_bytes + 1e-6);
        if (pull_bytes == 0) {
          EXPECT_DOUBLE_EQ(v.predicted.bytes_sent, static_bytes);
        }
        EXPECT_GE(v.predicted.bytes_sent, static_bytes - 1e-6);
        // DPFP's exchanges carry exactly the rows each participant needs and does not hold: per
        // row stage, the transfer bytes equal, over its regions, the rows of input_rows outside
        // the device's own rows of the previous stage's output (all rows outside, for the first
        // stage, unless the device is the source), times the bytes of one input row.
        if (p.strategy == "dpfp") {
          for (size_t si = 0; si < v.stages.size(); ++si) {
            const auto& st = v.stages[si];
            if (st.split != "rows") continue;
            const LayerIndex in_layer = st.first_layer - 1;
            const model::Shape& in = f.analysis.shape_of(in_layer);
            const double row_bytes = static_cast<double>(in.c * in.w * 4);
            double expect = 0;
            for (const auto& reg : st.regions) {
              int64_t need = reg.input_rows.end - reg.input_rows.begin + 1;
              if (si == 0) {
                if (reg.device == p.source) need = 0;
              } else {
                for (const auto& prev : v.stages[si - 1].regions)
                  if (prev.device == reg.device) {
                    const auto& own = prev.rows.back();
                    int64_t lo = std::max(own.begin, reg.input_rows.begin), hi = std::min(own.end, reg.input_rows.end);
                    if (hi >= lo) need -= hi - lo + 1;
                  }
              }
              expect += static_cast<double>(need) * row_bytes;
            }
            double got = 0;
            for (const auto& t : v.tasks)
              if (t.kind == plan::TaskKind::transfer && t.stage == static_cast<int>(si)) got += t.bytes;
            EXPECT_DOUBLE_EQ(got, expect) << "stage " << si;
          }
        }
        // The plan file round-trips.
        EXPECT_EQ(plan::plan_from_json(Json::parse(plan::plan_to_json(p).dump()), ""), p);
        // No plan beats every device computing at once on its share of the FLOPs.
        EXPECT_GE(p.predicted.latency_s, static_cast<double>(f.analysis.total_flops) / (90e9) * (1 - 1e-12));
      }
    }
  }
}

TEST(Registry, UnknownStrategyListsTheValidOnes) {
  try {
    find_strategy("dpf");
    FAIL();
  } catch (const InputError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("unknown strategy 'dpf'; did you mean 'dpfp'?"), std::string::npos) << m;
    EXPECT_NE(m.find("local, dpfp, modnn, ftp, fdsp"), std::string::npos) << m;
  }
}

TEST(Registry, OptionsAreStrict) {
  Fixture f;
  f.graph = zoo("vgg16");
  f.analysis = cost::analyze(f.graph);
  f.cluster = make_cluster({20, 30}, 100);
  try {
    make_plan("dpfp", f.request(), Json{{"partition", "dp"}, {"devise_search", true}}, "s.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("s.json: /strategy/options/devise_search: unknown key 'devise_search'; did you mean 'device_search'?"),
              std::string::npos)
        << e.what();
  }
}

TEST(Memory, InfeasiblePlansAreRefused) {
  Fixture f;
  f.graph = zoo("vgg16");
  f.analysis = cost::analyze(f.graph);
  f.cluster = make_cluster({20, 30}, 100);
  f.cluster.devices[0].memory_mb = 64;  // VGG-16's weights alone are 528 MB
  EXPECT_THROW(make_plan("local", f.request(), Json::object()), InputError);
  // DPFP avoids the source: the tail (FC head, 471 MB of weights) must go to the other device.
  f.cluster.devices[1].memory_mb = 1024;
  plan::Plan p = make_plan("dpfp", f.request(), Json::object());
  EXPECT_FALSE(memory_problem(p, f.cluster).has_value());
  f.cluster.devices[1].memory_mb = 64;
  EXPECT_THROW(make_plan("dpfp", f.request(), Json::object()), InputError);
}

// ---- The device search (docs/strategies.md, dpfp): exact over every device subset ----

namespace {

// dpfp with its participants fixed to `set` (option `devices`): the timing model's latency of its plan.
double dpfp_on(const PlanRequest& r, const std::vector<int>& set, const char* partition = "dp") {
  Json names = Json::array();
  for (int d : set) names.push_back(r.cluster.devices[static_cast<size_t>(d)].name);
  return make_plan("dpfp", r, Json{{"devices", names}, {"partition", partition}}).predicted.latency_s;
}

// The oracle: every non-empty subset of the devices planned on its own, the minimum taken.
double best_over_subsets(const PlanRequest& r, const char* partition = "dp") {
  const int n = r.cluster.size();
  double best = std::numeric_limits<double>::infinity();
  for (uint32_t mask = 1; mask < (1u << n); ++mask) {
    std::vector<int> set;
    for (int d = 0; d < n; ++d)
      if (mask & (1u << d)) set.push_back(d);
    best = std::min(best, dpfp_on(r, set, partition));
  }
  return best;
}

}  // namespace

// The case of the review: the n-fastest search used to stop at n = 3 (1.3210 s; n = 4 gives
// 1.3511 s, n = 5 1.2032 s), above its own `partition: each` (1.2618 s).
TEST(DpfpSearch, ASearchOverTheWorkLimitIsRefusedNotRun) {
  // VGG-16 on 8 devices: P candidate block ends; the search tries 2^8 - 1 = 255 device sets with
  // 8 x 2^7 = 1,024 devices in all (every device is in half the subsets), so its bound is
  // P^2 x 1,024; without the search, one set of 8: P^2 x 8.
  Fixture f;
  f.graph = zoo("vgg16");
  f.analysis = cost::analyze(f.graph);
  f.cluster = make_cluster(std::vector<double>(8, 10.0), 100);
  const PlanRequest r = f.request();
  const auto p = static_cast<int64_t>(dpfp_positions(r).size());
  ::setenv("EDGEPART_MAX_DPFP_WORK", std::to_string(p * p * 8).c_str(), 1);
  EXPECT_NO_THROW(make_plan("dpfp", r, Json{{"device_search", false}}));
  try {
    make_plan("dpfp", r, Json::object());
    ADD_FAILURE() << "a search over the limit ran";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("1,024 devices in all"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("EDGEPART_MAX_DPFP_WORK"), std::string::npos) << e.what();
  }
  ::unsetenv("EDGEPART_MAX_DPFP_WORK");
  EXPECT_NO_THROW(make_plan("dpfp", r, Json::object()));
}

TEST(DpfpSearch, Yolov2OnEightDevicesIsNeverAboveEachOneOrLocal) {
  Fixture f;
  f.graph = zoo("yolov2");
  f.analysis = cost::analyze(f.graph);
  f.cluster = make_cluster({20, 30, 25, 20, 15, 40, 10, 35}, 100, scenario::NetworkKind::switched, scenario::Sharing::fifo, 0.002);
  for (auto& d : f.cluster.devices) d.task_overhead_s = 0.0005;
  PlanRequest r = f.request();
  const double dp = make_plan("dpfp", r, Json::object()).predicted.latency_s;
  const double each = make_plan("dpfp", r, Json{{"partition", "each"}}).predicted.latency_s;
  const double one = make_plan("dpfp", r, Json{{"partition", "one"}}).predicted.latency_s;
  const double local = make_plan("local", r, Json::object()).predicted.latency_s;
  std::printf("yolov2 x 8: dpfp %.4f s, each %.4f s, one %.4f s, local %.4f s; 5 fastest %.4f s\n", dp, each, one, local,
              dpfp_on(r, {0, 1, 2, 5, 7}));
  EXPECT_LE(dp, each * (1 + 1e-12));
  EXPECT_LE(dp, one * (1 + 1e-12));
  EXPECT_LE(dp, local * (1 + 1e-12));
  // The prefix the old search never reached: the 5 fastest devices (40, 35, 30, 25 and the 20 of d0).
  EXPECT_LE(dp, dpfp_on(r, {0, 1, 2, 5, 7}) * (1 + 1e-12));
  EXPECT_LT(dp, 1.2618);  // the review's `each` figure
}

// The search equals the minimum over every device subset, each planned on its own and evaluated
// by the timing model, on random chains and clusters (heterogeneous speeds and overheads, shared
// and switched networks, a slow per-pair link), for the DP and its restrictions.
TEST(DpfpSearch, EqualsBruteForceOverDeviceSubsets) {
  std::mt19937 rng(20261202);
  const scenario::NetworkKind kinds[] = {scenario::NetworkKind::shared, scenario::NetworkKind::switched};
  int not_a_prefix = 0;  // how often the best subset is not an n-fastest prefix
  for (int trial = 0; trial < 24; ++trial) {
    Fixture f;
    f.graph = random_chain(rng, 8);
    f.analysis = cost::analyze(f.graph);
    const int n = 2 + trial % 4;
    std::vector<double> speeds;
    for (int i = 0; i < n; ++i) speeds.push_back(std::uniform_real_distribution<double>(0.002, 0.05)(rng));
    const double mbps = std::pow(10.0, std::uniform_real_distribution<double>(0, 3)(rng));
    f.cluster = make_cluster(speeds, mbps, kinds[trial % 2], trial % 3 == 2 ? scenario::Sharing::fair : scenario::Sharing::fifo, 1e-4);
    for (auto& d : f.cluster.devices) d.task_overhead_s = std::uniform_real_distribution<double>(0, 0.01)(rng);
    if (trial % 3 == 1) {
      f.cluster.network.links.push_back(d0_d1_link(mbps / 5, 0.002));
    }
    PlanRequest r = f.request();
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + std::to_string(n) + " devices, " + std::to_string(mbps) + " Mbit/s");
    for (const char* partition : {"dp", "each", "one"}) {
      const double searched = make_plan("dpfp", r, Json{{"partition", partition}}).predicted.latency_s;
      const double oracle = best_over_subsets(r, partition);
      EXPECT_LT(rel(searched, oracle), 1e-9) << partition << ": " << searched << " vs brute force " << oracle;
    }
    // Is the best subset an n-fastest prefix? (The case the old search could not reach otherwise.)
    double best_prefix = std::numeric_limits<double>::infinity();
    const std::vector<int> order = f.cluster.by_speed();
    for (size_t k = 1; k <= order.size(); ++k) {
      std::vector<int> set(order.begin(), order.begin() + static_cast<long>(k));
      std::sort(set.begin(), set.end());
      best_prefix = std::min(best_prefix, dpfp_on(r, set));
    }
    not_a_prefix += best_over_subsets(r) < best_prefix * (1 - 1e-9);
  }
  std::printf("best subset not an n-fastest prefix in %d of 24 trials\n", not_a_prefix);
  EXPECT_GE(not_a_prefix, 1);
}
