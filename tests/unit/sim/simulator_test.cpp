// The simulator: hand-computed timelines, the timing model as an independent oracle on random
// plans and on every strategy's plans, determinism, stream independence, failures, cache hits.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "support/exp_integral.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/sim/prediction.hpp"
#include "support/reference_scheduler.hpp"
#include "edgepart/sim/simulator.hpp"
#include "edgepart/strategy/strategy.hpp"

namespace edgepart::sim {
namespace {

using plan::Task;
using plan::TaskKind;

scenario::Device device(const std::string& name, double gflops, bool source = false) {
  scenario::Device d;
  d.name = name;
  d.speed_gflops = gflops;
  d.is_source = source;
  return d;
}

scenario::Scenario two_devices() {
  scenario::Scenario s;
  s.file = "test.json";
  s.devices = {device("pi", 10, true), device("es", 40)};
  s.network.bandwidth_mbps = 100;
  s.network.latency_s = 0.001;
  s.workload.requests = 1;
  return s;
}

Task compute(int id, int dev, double gflop, std::vector<int> deps) {
  Task t;
  t.id = id;
  t.kind = TaskKind::compute;
  t.name = "c" + std::to_string(id);
  t.device = dev;
  t.flops["conv2d"] = gflop * 1e9;
  t.deps = std::move(deps);
  return t;
}

Task transfer(int id, int from, int to, double bytes, std::vector<int> deps) {
  Task t;
  t.id = id;
  t.kind = TaskKind::transfer;
  t.name = "x" + std::to_string(id);
  t.from = from;
  t.to = to;
  t.bytes = bytes;
  t.deps = std::move(deps);
  return t;
}

Task pull(int id, std::vector<int> pool, double gflop, int in_from, double in_bytes, int out_to, double out_bytes,
          std::vector<int> deps) {
  Task t = compute(id, -1, gflop, std::move(deps));
  t.dispatch = plan::Dispatch::pull;
  t.pool_devices = std::move(pool);
  t.in_from = in_from;
  t.in_bytes = in_bytes;
  t.out_to = out_to;
  t.out_bytes = out_bytes;
  return t;
}

plan::Plan make_plan(const scenario::Scenario& s, std::vector<Task> tasks) {
  plan::Plan p;
  p.strategy = "test";
  for (const auto& d : s.devices) p.devices.push_back(d.name);
  p.source = s.source();
  plan::Variant v;
  v.tasks = std::move(tasks);
  p.variants.push_back(std::move(v));
  return p;
}

// The hand-written plans here are tied to no model or region: the cost model times their tasks
// from their FLOPs (timing::CostModel::flops_time_s), so an empty model will do.
const model::ModelGraph kNoModel;
const cost::ModelAnalysis kNoAnalysis;

SimResult run_with(const scenario::Scenario& s, const plan::Plan& p, const timing::CostModel& costs, uint64_t seed = 1,
                   int64_t requests = -1) {
  SimOptions o;
  o.seed = seed;
  o.requests = requests;
  o.keep_requests = true;
  return simulate(s, p, costs, o);
}

SimResult run(const scenario::Scenario& s, const plan::Plan& p, uint64_t seed = 1, int64_t requests = -1) {
  return run_with(s, p, timing::CostModel(kNoModel, kNoAnalysis, scenario::make_cluster(s)), seed, requests);
}

TEST(Simulator, HandComputedChain) {
  // pi computes 2 GFLOP at 10 GFLOPS = 0.2 s; sends 1e6 bytes: 1 ms + 8e6 bits / 100e6 bit/s =
  // 0.081 s; es computes 4 GFLOP at 40 GFLOPS = 0.1 s. Latency 0.2 + 0.081 + 0.1 = 0.381 s.
  auto s = two_devices();
  auto p = make_plan(s, {compute(0, 0, 2, {}), transfer(1, 0, 1, 1e6, {0}), compute(2, 1, 4, {1})});
  auto r = run(s, p);
  ASSERT_EQ(r.requests.size(), 1u);
  EXPECT_FALSE(r.requests[0].failed);
  EXPECT_NEAR(r.requests[0].latency_s(), 0.381, 1e-12);
  EXPECT_NEAR(r.devices[0].busy_s, 0.2, 1e-12);
  EXPECT_NEAR(r.devices[1].busy_s, 0.1, 1e-12);
  ASSERT_EQ(r.links.size(), 1u);
  EXPECT_EQ(r.links[0].bytes, 1e6);
}

TEST(Simulator, MessageOverheadIsAddedToEveryTransferOnce) {
  // HandComputedChain with a 4 ms per-message overhead: 0.381 + 0.004 = 0.385 s. A transfer
  // between a device and itself moves nothing and pays nothing.
  auto s = two_devices();
  s.network.message_overhead_s = 0.004;
  auto p = make_plan(s, {compute(0, 0, 2, {}), transfer(1, 0, 1, 1e6, {0}), compute(2, 1, 4, {1})});
  EXPECT_NEAR(run(s, p).requests[0].latency_s(), 0.385, 1e-12);
  auto self = make_plan(s, {compute(0, 0, 2, {}), transfer(1, 0, 0, 1e6, {0}), compute(2, 0, 4, {1})});
  EXPECT_NEAR(run(s, self).requests[0].latency_s(), 0.2 + 0.4, 1e-12);
}

TEST(Simulator, SwitchedFairSharesTheSendersUplink) {
  // src sends 1e6 bytes to a and 0.5e6 bytes to b at once, 100 Mbit/s, no latency; a then computes
  // 1 GFLOP at 20 GFLOPS (0.05 s). Hand arithmetic:
  //  fifo (one transfer per uplink at a time, in id order): src->a ends 0.08 s, a ends 0.13 s;
  //    src->b runs 0.08-0.12 s. Latency 0.13 s.
  //  fair (the two flows share src's uplink): both at 50 Mbit/s until src->b ends at
  //    0.5e6 * 8 / 50e6 = 0.08 s; src->a then has 0.5e6 bytes left at 100 Mbit/s: ends 0.12 s;
  //    a ends 0.17 s. Latency 0.17 s.
  scenario::Scenario s = two_devices();
  s.devices = {device("src", 10, true), device("a", 20), device("b", 20)};
  s.network.kind = scenario::NetworkKind::switched;
  s.network.latency_s = 0;
  auto p = make_plan(s, {transfer(0, 0, 1, 1e6, {}), transfer(1, 0, 2, 0.5e6, {}), compute(2, 1, 1, {0}),
                         compute(3, 2, 0, {1})});
  EXPECT_NEAR(run(s, p).requests[0].latency_s(), 0.13, 1e-12);
  s.network.sharing = scenario::Sharing::fair;
  EXPECT_NEAR(run(s, p).requests[0].latency_s(), 0.17, 1e-12);
  // Two senders into one receiver share its downlink: a->b and src->b of 1e6 bytes each both
  // run at 50 Mbit/s and end at 0.16 s; src's other flow to a (alone on a's downlink, but
  // sharing src's uplink with src->b) also runs at 50 Mbit/s: 0.5e6 bytes end at 0.08 s.
  auto gather = make_plan(s, {transfer(0, 1, 2, 1e6, {}), transfer(1, 0, 2, 1e6, {}), transfer(2, 0, 1, 0.5e6, {}),
                              compute(3, 2, 0, {0, 1}), compute(4, 1, 1, {2})});
  // a computes 0.05 s after 0.08 s: 0.13 s; b's end 0.16 s is the latency.
  EXPECT_NEAR(run(s, gather).requests[0].latency_s(), 0.16, 1e-12);
}

TEST(Simulator, SharedMediumSerialisesAndFairSharesRate) {
  // Two 1e6-byte transfers from pi to es ready at 0; no latency.
  auto s = two_devices();
  s.network.latency_s = 0;
  auto p = make_plan(s, {transfer(0, 0, 1, 1e6, {}), transfer(1, 0, 1, 1e6, {})});
  // FIFO: 0.08 s each, one after the other: 0.16 s.
  EXPECT_NEAR(run(s, p).requests[0].latency_s(), 0.16, 1e-12);
  // Fair: both at 50 Mbit/s, both end at 0.16 s as well (same total work, equal shares).
  s.network.sharing = scenario::Sharing::fair;
  EXPECT_NEAR(run(s, p).requests[0].latency_s(), 0.16, 1e-12);
  // Fair with unequal sizes 1e6 and 0.5e6 bytes: both at 50 Mbit/s until the small one is done
  // at 4e6 bits / 50e6 = 0.08 s; the big one has 4e6 bits left at 100 Mbit/s: 0.04 s -> 0.12 s.
  p.variants[0].tasks[1].bytes = 0.5e6;
  EXPECT_NEAR(run(s, p).requests[0].latency_s(), 0.12, 1e-12);
  // Switched: pi's uplink is shared by both: 0.08 + 0.04 = 0.12 s too; transfers pi->es and
  // es->pi use different links and overlap: max(0.08, 0.04) = 0.08 s.
  s.network.kind = scenario::NetworkKind::switched;
  EXPECT_NEAR(run(s, p).requests[0].latency_s(), 0.12, 1e-12);
  p.variants[0].tasks[1].from = 1;
  p.variants[0].tasks[1].to = 0;
  EXPECT_NEAR(run(s, p).requests[0].latency_s(), 0.08, 1e-12);
}

// Random plans: the reference list scheduler (tests/support/reference_scheduler.cpp, written separately)
// is the oracle for one request on constant channels.
plan::Plan random_plan(const scenario::Scenario& s, uint64_t& x) {
  auto next = [&x](int n) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;  // MMIX LCG
    return static_cast<int>((x >> 33) % static_cast<uint64_t>(n));
  };
  const int nd = static_cast<int>(s.devices.size());
  const int n = 3 + next(25);
  std::vector<Task> tasks;
  for (int i = 0; i < n; ++i) {
    std::vector<int> deps;
    for (int k = 0; k < 2 && i > 0; ++k) {
      int d = next(i);
      if (std::find(deps.begin(), deps.end(), d) == deps.end()) deps.push_back(d);
    }
    if (i > 0 && next(4) == 0) deps.clear();
    std::sort(deps.begin(), deps.end());
    int kind = next(3);
    double gflop = 0.1 * (1 + next(20));
    double bytes = 1e4 * next(200);
    if (kind == 0) {
      tasks.push_back(compute(i, next(nd), gflop, deps));
    } else if (kind == 1) {
      tasks.push_back(transfer(i, next(nd), next(nd), bytes, deps));
    } else {
      std::vector<int> pool;
      for (int d = 0; d < nd; ++d)
        if (next(3) != 0) pool.push_back(d);
      if (pool.empty()) pool.push_back(next(nd));
      int in_from = next(nd + 1) - 1, out_to = next(nd + 1) - 1;
      tasks.push_back(pull(i, pool, gflop, in_from, in_from >= 0 ? bytes : 0, out_to, out_to >= 0 ? bytes / 2 : 0, deps));
    }
  }
  return make_plan(s, std::move(tasks));
}

TEST(Simulator, OneRequestEqualsAnIndependentListSchedulerOnRandomPlans) {
  uint64_t x = 2024;
  int checked = 0;
  for (int kind = 0; kind < 3; ++kind) {
    scenario::Scenario s;
    s.file = "test.json";
    s.devices = {device("src", 5, true), device("a", 20), device("b", 30), device("c", 12.5)};
    s.devices[2].task_overhead_s = 0.002;
    s.devices[3].efficiency["conv2d"] = 0.7;
    s.network.bandwidth_mbps = 80;
    s.network.latency_s = 0.0015;
    s.network.kind = kind == 2 ? scenario::NetworkKind::switched : scenario::NetworkKind::shared;
    s.network.sharing = kind == 1 ? scenario::Sharing::fair : scenario::Sharing::fifo;
    scenario::LinkSpec fast;
    fast.from = "src";
    fast.to = "b";
    fast.bandwidth_mbps = 300;
    fast.latency_s = 0.0005;
    fast.symmetric = true;
    s.network.links.push_back(fast);
    auto cluster = scenario::make_cluster(s);
    const timing::CostModel costs(kNoModel, kNoAnalysis, cluster);
    for (int trial = 0; trial < 150; ++trial) {
      auto p = random_plan(s, x);
      double expected = edgepart::testing::reference_schedule(p.variants[0], cluster, costs).latency_s;
      auto r = run(s, p);
      ASSERT_FALSE(r.requests[0].failed);
      ASSERT_NEAR(r.requests[0].latency_s(), expected, 1e-9 * std::max(expected, 1e-9))
          << "network kind " << kind << " trial " << trial;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 450);
}

// Every strategy x zoo model: one request on constant channels = the plan's predicted latency.
TEST(Simulator, OneRequestEqualsPredictionForEveryStrategyAndZooModel) {
  namespace fs = std::filesystem;
  std::vector<std::string> models;
  for (const auto& e : fs::directory_iterator(fs::path(EDGEPART_SOURCE_DIR) / "models"))
    if (e.path().extension() == ".json") models.push_back(e.path().string());
  std::sort(models.begin(), models.end());
  ASSERT_FALSE(models.empty());
  scenario::Scenario s;
  s.file = "test.json";
  s.devices = {device("src", 5, true), device("es0", 40), device("es1", 30), device("es2", 20)};
  s.network.bandwidth_mbps = 100;
  s.network.latency_s = 0.001;
  s.network.message_overhead_s = 0.0005;  // every planner must charge it as the simulator does
  s.workload.cache_hit_rate = 0.0;  // CCIED: the prediction is the miss path
  auto cluster = scenario::make_cluster(s);
  int compared = 0;
  for (const auto& path : models) {
    auto g = model::load_model(path);
    auto a = cost::analyze(g);
    const timing::CostModel costs(g, a, cluster);
    strategy::PlanRequest req{g, a, cluster, s.workload, costs};
    for (const auto& info : strategy::strategy_table()) {
      std::string why;
      if (!info.applicable(req, why)) continue;
      plan::Plan p;
      try {
        p = strategy::make_plan(std::string(info.name), req, Json::object());
      } catch (const std::exception& e) {
        ADD_FAILURE() << info.name << " on " << path << ": " << e.what();
        continue;
      }
      auto r = run_with(s, p, costs);
      ASSERT_EQ(r.requests.size(), 1u);
      double expected = p.predicted.latency_s;
      EXPECT_FALSE(r.requests[0].failed) << info.name << " " << path;
      EXPECT_NEAR(r.requests[0].latency_s(), expected, 1e-9 * expected) << info.name << " on " << path;
      ++compared;
    }
  }
  EXPECT_GT(compared, 0);
  std::printf("compared %d (strategy, model) pairs\n", compared);
}

TEST(Simulator, ClosedLoopAndPeriodicArrivals) {
  // One device, one 0.1 s task per request. Closed loop, concurrency 1: requests back to back,
  // each 0.1 s; the run ends at 5 x 0.1 = 0.5 s.
  auto s = two_devices();
  s.workload.requests = 5;
  auto p = make_plan(s, {compute(0, 0, 1, {})});
  auto r = run(s, p);
  ASSERT_EQ(r.requests.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(r.requests[static_cast<size_t>(i)].arrival_s, 0.1 * i, 1e-12);
    EXPECT_NEAR(r.requests[static_cast<size_t>(i)].latency_s(), 0.1, 1e-12);
  }
  // Concurrency 2: two requests share the FIFO device: latencies 0.1, 0.2, then each new request
  // arrives when one finishes and waits for the other: 0.2 ...
  s.workload.concurrency = 2;
  r = run(s, p);
  EXPECT_NEAR(r.requests[0].latency_s(), 0.1, 1e-12);
  EXPECT_NEAR(r.requests[1].latency_s(), 0.2, 1e-12);
  EXPECT_NEAR(r.requests[2].latency_s(), 0.2, 1e-12);
  EXPECT_NEAR(r.stats.end_s, 0.5, 1e-9);
  // Periodic every 0.25 s: no queueing; arrivals 0, 0.25, ...
  s.workload.arrival = scenario::Arrival::periodic;
  s.workload.period_s = 0.25;
  r = run(s, p);
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(r.requests[static_cast<size_t>(i)].arrival_s, 0.25 * i, 1e-12);
    EXPECT_NEAR(r.requests[static_cast<size_t>(i)].latency_s(), 0.1, 1e-12);
  }
}

scenario::Scenario fading(int extra_devices) {
  scenario::Scenario s = two_devices();
  for (int i = 0; i < extra_devices; ++i) s.devices.push_back(device("extra" + std::to_string(i), 15));
  scenario::RayleighChannel ray;
  ray.snr_db = 10;
  ray.coherence_ms = 5;
  s.network.channel = ray;
  s.workload.requests = 200;
  s.workload.arrival = scenario::Arrival::poisson;
  s.workload.rate_rps = 3;
  return s;
}

std::vector<double> latencies(const SimResult& r) {
  std::vector<double> out;
  for (const auto& q : r.requests) out.push_back(q.latency_s());
  return out;
}

TEST(Simulator, SameSeedSameResultOtherSeedOtherOnFading) {
  auto s = fading(0);
  auto p = make_plan(s, {compute(0, 0, 0.5, {}), transfer(1, 0, 1, 2e6, {0}), compute(2, 1, 4, {1})});
  auto a = latencies(run(s, p, 7)), b = latencies(run(s, p, 7)), c = latencies(run(s, p, 8));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Simulator, AddingADeviceKeepsTheDrawsOfExistingLinks) {
  // The plan uses only pi and es; a third (and fourth) device joins the scenario unused. The
  // pi->es channel stream is named after the link, so every latency is the same.
  auto p2 = make_plan(fading(0), {compute(0, 0, 0.5, {}), transfer(1, 0, 1, 2e6, {0}), compute(2, 1, 4, {1})});
  auto s3 = fading(2);
  auto p3 = p2;
  p3.devices = {"pi", "es", "extra0", "extra1"};
  EXPECT_EQ(latencies(run(fading(0), p2, 3)), latencies(run(s3, p3, 3)));
}

// docs/design.md §6's exact check, through the whole engine: one transfer of S bits over a Rayleigh link
// (a B = 20 MHz channel at mean SNR snr: the link's bandwidth is its ergodic capacity
// B E[log2(1 + snr g)], so the block rate is B log2(1 + snr g)) that starts at a block boundary
// and whose block lasts longer than tau is done within tau with probability
// exp(-(2^(S/(B tau)) - 1)/snr). Each seed is one draw (the link's stream is named after the
// link, so a new seed is a new first block).
TEST(Simulator, RayleighSingleTransferWithinTauMatchesClosedForm) {
  struct Case {
    double s_mbit, tau_s, snr_db;
  };
  const Case cases[] = {{1.0, 0.02, 20}, {4.0, 0.1, 10}, {2.0, 0.25, 0}};
  const int n = 100000;
  for (const auto& c : cases) {
    scenario::Scenario s = two_devices();
    s.network.kind = scenario::NetworkKind::switched;
    s.network.latency_s = 0;
    scenario::RayleighChannel ray;
    ray.snr_db = c.snr_db;
    ray.coherence_ms = 1000;  // > tau
    s.network.channel = ray;
    s.network.bandwidth_mbps = 20 * testing::rayleigh_capacity_per_hz(std::pow(10.0, c.snr_db / 10));
    auto p = make_plan(s, {transfer(0, 0, 1, c.s_mbit * 1e6 / 8, {})});
    int done = 0;
    for (int seed = 1; seed <= n; ++seed) done += run(s, p, static_cast<uint64_t>(seed)).requests[0].latency_s() <= c.tau_s;
    double snr = std::pow(10.0, c.snr_db / 10);
    double expected = std::exp(-(std::pow(2.0, c.s_mbit / (20 * c.tau_s)) - 1) / snr);
    // The 95 % Wilson interval (z = 1.96); fixed seeds make the outcome deterministic.
    double k = done, z = 1.959963984540054, z2 = z * z, ph = k / n;
    double centre = (ph + z2 / (2.0 * n)) / (1 + z2 / n);
    double half = z * std::sqrt(ph * (1 - ph) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
    EXPECT_NEAR(expected, centre, half) << "S=" << c.s_mbit << " Mbit, tau=" << c.tau_s << " s: " << ph;
  }
}

// A link's bandwidth and its channel are one thing: the Rayleigh fading scales the bandwidth, so
// with the same seed (the same block gains) a transfer inside one block takes exactly 10 times
// longer at 10 Mbit/s than at 100 Mbit/s: (latency - 1 ms) scales by 100/10.
TEST(Simulator, FadingScalesTheLinkBandwidth) {
  scenario::Scenario s = two_devices();
  s.network.kind = scenario::NetworkKind::switched;
  scenario::RayleighChannel ray;
  ray.snr_db = 20;
  ray.coherence_ms = 1e6;  // one block for the whole transfer
  s.network.channel = ray;
  auto p = make_plan(s, {transfer(0, 0, 1, 1e5, {})});
  for (uint64_t seed : {1, 2, 3}) {
    s.network.bandwidth_mbps = 100;
    const double fast = run(s, p, seed).requests[0].latency_s() - 0.001;
    s.network.bandwidth_mbps = 10;
    const double slow = run(s, p, seed).requests[0].latency_s() - 0.001;
    EXPECT_NEAR(slow, 10 * fast, 1e-8) << seed;  // event times are whole nanoseconds
  }
}

// A link override with its own bandwidth and no channel of its own inherits the network's
// Gilbert-Elliott channel as factors of its own bandwidth (20 x 1 or 20 x 0.1 Mbit/s), not the
// network's 100 / 10 Mbit/s: 1e5 bytes = 0.8 Mbit take 40 ms or 400 ms, plus the 1 ms latency.
TEST(Simulator, LinkOverrideScalesTheInheritedChannel) {
  scenario::Scenario s = two_devices();
  s.network.kind = scenario::NetworkKind::switched;
  scenario::GilbertElliottChannel ge;
  ge.good_factor = 1.0;
  ge.bad_factor = 0.1;
  ge.step_ms = 1e6;  // no state change during the transfer
  s.network.channel = ge;
  scenario::LinkSpec l;
  l.from = "pi";
  l.to = "es";
  l.bandwidth_mbps = 20;
  l.latency_s = 0.001;
  l.channel = ge;  // what the loader copies into an override without a channel
  s.network.links.push_back(l);
  auto p = make_plan(s, {transfer(0, 0, 1, 1e5, {})});
  int good = 0, bad = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    const double lat = run(s, p, seed).requests[0].latency_s();
    good += std::fabs(lat - 0.041) < 1e-8;
    bad += std::fabs(lat - 0.401) < 1e-8;
  }
  EXPECT_EQ(good + bad, 40);
  EXPECT_GT(good, 0);
  EXPECT_GT(bad, 0);
}

TEST(Simulator, FailedDevicePullFinishesStaticCountsFailures) {
  // Three servers; es2 fails at 0.15 s and never recovers.
  scenario::Scenario s;
  s.file = "test.json";
  s.devices = {device("src", 5, true), device("es0", 20), device("es1", 20), device("es2", 20)};
  s.devices[3].speed_profile = {scenario::SpeedChange{0.15, 0.0}};
  s.network.bandwidth_mbps = 200;
  s.workload.requests = 20;
  s.workload.concurrency = 2;
  // Pull: 6 tiles of 1 GFLOP (0.05 s on a server) with input from and output to the source.
  std::vector<Task> tasks;
  for (int i = 0; i < 6; ++i) tasks.push_back(pull(i, {1, 2, 3}, 1, 0, 1e5, 0, 1e4, {}));
  auto pp = make_plan(s, tasks);
  auto r = run(s, pp);
  int failed = 0;
  for (const auto& q : r.requests) failed += q.failed;
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(r.requests.size(), 20u);
  // Static: one task per server, es2 included: every request still needing es2 at or after
  // 0.15 s fails; earlier ones succeed.
  std::vector<Task> st;
  for (int d = 1; d <= 3; ++d) {
    st.push_back(transfer(2 * (d - 1), 0, d, 1e5, {}));
    st.push_back(compute(2 * (d - 1) + 1, d, 1, {2 * (d - 1)}));
  }
  auto ps = make_plan(s, st);
  r = run(s, ps);
  failed = 0;
  int ok = 0;
  for (const auto& q : r.requests) {
    failed += q.failed;
    if (!q.failed) {
      ++ok;
      EXPECT_LE(q.done_s, 0.15 + 1e-12);
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_EQ(failed + ok, 20);
  EXPECT_GT(failed, 0);
}

TEST(Simulator, FluidTransferFollowsATraceChannel) {
  // Trace: 10 Mbit/s on [0, 1 s), 50 Mbit/s on [1, 2 s), looping. 2.5e6 bytes = 20 Mbit from t = 0
  // with no latency: 10 Mbit in the first second, the other 10 Mbit at 50 Mbit/s take 0.2 s:
  // done at 1.2 s. With 1 ms latency the bits start at 0.001 s: 9.99 Mbit by 1 s, 10.01 Mbit
  // left at 50 Mbit/s = 0.2002 s: 1.2002 s.
  auto s = two_devices();
  s.network.latency_s = 0;
  scenario::TraceChannel tr;
  tr.points = std::make_shared<const scenario::TracePoints>(scenario::TracePoints{{0.0, 10.0}, {1.0, 50.0}, {2.0, 10.0}});
  s.network.channel = tr;
  auto p = make_plan(s, {transfer(0, 0, 1, 2.5e6, {})});
  EXPECT_NEAR(run(s, p).requests[0].latency_s(), 1.2, 1e-9);
  s.network.latency_s = 0.001;
  EXPECT_NEAR(run(s, p).requests[0].latency_s(), 1.2002, 1e-9);
  // Fair sharing of the same trace by two equal transfers of 1.25e6 bytes (10 Mbit each): 5 Mbit/s
  // each until 1 s (5 Mbit moved), then 25 Mbit/s each for the other 5 Mbit: 0.2 s -> 1.2 s.
  s.network.latency_s = 0;
  s.network.sharing = scenario::Sharing::fair;
  auto two = make_plan(s, {transfer(0, 0, 1, 1.25e6, {}), transfer(1, 0, 1, 1.25e6, {})});
  EXPECT_NEAR(run(s, two).requests[0].latency_s(), 1.2, 1e-9);
}

TEST(Simulator, SeveralSourcesRunThePlanFromTheirOwnDevice) {
  // The plan computes 2 GFLOP on its source. Requests from pi (10 GFLOPS) take 0.2 s; requests
  // from es (40 GFLOPS) run with the roles swapped: 0.05 s. 4 requests, 2 per source.
  auto s = two_devices();
  s.workload.requests = 4;
  s.workload.sources = {"pi", "es"};
  auto p = make_plan(s, {compute(0, 0, 2, {})});
  auto r = run(s, p);
  ASSERT_EQ(r.requests.size(), 4u);
  int from_pi = 0, from_es = 0;
  for (const auto& q : r.requests) {
    if (q.source == 0) {
      ++from_pi;
      EXPECT_NEAR(q.latency_s(), 0.2, 1e-12);
    } else {
      ++from_es;
      EXPECT_NEAR(q.latency_s(), 0.05, 1e-12);
    }
  }
  EXPECT_EQ(from_pi, 2);
  EXPECT_EQ(from_es, 2);
}

TEST(Simulator, RequestsThatCanNeverFinishAreCountedFailed) {
  // Pull tiles may only run on es, which fails at 0.05 s: the first request (a 0.1 s tile) and
  // every later one can never finish. Closed loop: all 3 requests are issued and all fail.
  auto s = two_devices();
  s.workload.requests = 3;
  s.devices[1].speed_profile = {scenario::SpeedChange{0.05, 0.0}};
  auto p = make_plan(s, {pull(0, {1}, 4, -1, 0, -1, 0, {})});
  auto r = run(s, p);
  ASSERT_EQ(r.requests.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.requests[i].id, static_cast<int64_t>(i));
    EXPECT_TRUE(r.requests[i].failed) << i;
  }
}

TEST(Simulator, SlowDownStretchesTheRestOfARunningTask) {
  // 2 GFLOP on a 10 GFLOPS device takes 0.2 s; at 0.1 s it slows to half speed: half the work is
  // left and takes 0.1 / 0.5 = 0.2 s more: done at 0.3 s.
  auto s = two_devices();
  s.devices[0].speed_profile = {scenario::SpeedChange{0.1, 0.5}};
  auto p = make_plan(s, {compute(0, 0, 2, {})});
  EXPECT_NEAR(run(s, p).requests[0].latency_s(), 0.3, 1e-12);
}

TEST(Simulator, SpeedFactorDividesTheWorkNotTheOverhead) {
  // 2 GFLOP on 10 GFLOPS plus a 50 ms task overhead: 0.25 s. At 0.1 s (0.4 of the task done) the
  // device slows to half speed: the task now takes 0.05 + 0.2 / 0.5 = 0.45 s, of which 0.6 is
  // left: 0.27 s more, done at 0.37 s (0.4 s if the overhead were slowed down too).
  auto s = two_devices();
  s.devices[0].task_overhead_s = 0.05;
  s.devices[0].speed_profile = {scenario::SpeedChange{0.1, 0.5}};
  auto p = make_plan(s, {compute(0, 0, 2, {})});
  EXPECT_NEAR(run(s, p).requests[0].latency_s(), 0.37, 1e-12);
}

TEST(Simulator, CacheHitSkipsDependants) {
  // Lookup on pi (0.1 GFLOP: 0.01 s), then 0.2 s of compute. Hit rate 1: 0.01 s; 0: 0.21 s.
  auto s = two_devices();
  Task look = compute(0, 0, 0.1, {});
  look.kind = TaskKind::cache_lookup;
  auto p = make_plan(s, {look, compute(1, 0, 2, {0})});
  s.workload.cache_hit_rate = 1.0;
  auto r = run(s, p);
  EXPECT_NEAR(r.requests[0].latency_s(), 0.01, 1e-12);
  EXPECT_TRUE(r.requests[0].cache_hit);
  s.workload.cache_hit_rate = 0.0;
  EXPECT_NEAR(run(s, p).requests[0].latency_s(), 0.21, 1e-12);
}

// CIC's two variants on two devices: below 50 Mbit/s all on the source (variant 0), above it
// offloaded (1e5 bytes up, then the 2 GFLOP on the server: variant 1).
plan::Plan cic_plan(const scenario::Scenario& s) {
  auto p = make_plan(s, {compute(0, 0, 2, {})});
  plan::Variant off;
  off.min_rate_mbps = 50;
  off.tasks = {transfer(0, 0, 1, 1e5, {}), compute(1, 1, 2, {0})};
  p.variants[0].max_rate_mbps = 50;
  p.variants.push_back(off);
  return p;
}

TEST(Simulator, CicVariantFollowsTheUplinkRate) {
  // Two variants: below 50 Mbit/s local (variant 0), above offload (variant 1). The pi->es link
  // override is 100 Mbit/s constant -> variant 1.
  auto s = two_devices();
  auto p = cic_plan(s);
  auto r = run(s, p);
  EXPECT_EQ(r.requests[0].variant, 1);
  s.network.bandwidth_mbps = 10;
  r = run(s, p);
  EXPECT_EQ(r.requests[0].variant, 0);
}

// CIC decides on a rate the source can know: the throughput of its last transfer to the server
// while under 1 s old, else the planning rate; never the channel's instantaneous rate. The link
// is planned at 100 Mbit/s but carries 10 (a one-point trace). Closed loop, one client:
//  r0 at 0: nothing measured -> 100 -> offload: 1 ms + 1e5 B at 10 Mbit/s (80 ms) = 0.081 s,
//     then 2 GFLOP on es (40 GFLOP/s) 0.05 s: done at 0.131; measured 10 Mbit/s at 0.081.
//  r1..r5 at 0.131, 0.331, ..., 0.931 (measurement 0.05 .. 0.85 s old) -> 10 -> local, 0.2 s each
//     (2 GFLOP at 10 GFLOP/s).
//  r6 at 1.131: the measurement is 1.05 s old -> planning rate -> offload again.
TEST(Simulator, CicDecidesOnTheMeasuredThroughputNotTheChannel) {
  auto s = two_devices();
  scenario::TraceChannel tr;
  tr.points = std::make_shared<const scenario::TracePoints>(scenario::TracePoints{{0.0, 10.0}});
  s.network.channel = tr;
  auto p = cic_plan(s);
  p.rate_peer = 1;
  auto r = run(s, p, 1, 7);
  const std::vector<int> want = {1, 0, 0, 0, 0, 0, 1};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(r.requests[i].variant, want[i]) << "request " << i;
  EXPECT_NEAR(r.requests[0].latency_s(), 0.131, 1e-9);
  EXPECT_NEAR(r.requests[1].arrival_s, 0.131, 1e-9);
  EXPECT_NEAR(r.requests[6].arrival_s, 1.131, 1e-9);
}

}  // namespace
}  // namespace edgepart::sim
