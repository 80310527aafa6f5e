// DADS and Neurosurgeon: the min cut against brute-force enumeration of predecessor-closed splits
// on seeded random DAGs, DADS against Neurosurgeon's scan on chains, hand-computed splits of a tiny
// model, and plans whose timing-model latency equals the analytic optimum.
#include <gtest/gtest.h>

#include "edgepart/sim/prediction.hpp"
#include "edgepart/util/error.hpp"
#include "strategy/two_party_strategies.hpp"
#include "unit/strategy/two_party_fixture.hpp"

namespace edgepart::strategy {
namespace {

using two_party::Problem;
using two_party::Split;

uint32_t mask_of(const Split& s) {
  uint32_t m = 0;
  for (size_t v = 0; v < s.size(); ++v)
    if (s[v]) m |= 1u << v;
  return m;
}

TEST(Dads, EqualsBruteForceOverPredecessorClosedSplitsOnRandomDags) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 400; ++trial) {
    const int n = test::uniform_int(rng, 1, 14);
    const double rate = std::pow(10.0, test::uniform(rng, -1, 3));
    const double latency = trial % 2 == 0 ? 0.0 : 0.003;
    const Problem pb = test::random_problem(rng, n, false, rate, latency);
    const double expected = test::brute_best(pb);
    const DadsResult r = dads_solve(pb);
    EXPECT_NEAR(r.latency_s, expected, 1e-9 * expected) << "trial " << trial << " n " << n;
    EXPECT_NEAR(r.cut_value, expected, 1e-9 * expected) << "trial " << trial;
    // The split itself is closed and has that latency in the independent evaluation.
    EXPECT_NEAR(test::brute_latency(pb, mask_of(r.on_server)), expected, 1e-9 * expected) << "trial " << trial;
  }
}

TEST(Dads, EqualsNeurosurgeonOnRandomChains) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = test::uniform_int(rng, 1, 40);
    const Problem pb = test::random_problem(rng, n, true, std::pow(10.0, test::uniform(rng, -1, 3)), 0.001);
    const ChainCut ns = neurosurgeon_best(pb);
    EXPECT_EQ(static_cast<int>(two_party::chain_cut_points(pb).size()), n + 1);  // every j of a chain
    EXPECT_NEAR(dads_solve(pb).latency_s, ns.latency_s, 1e-9 * ns.latency_s) << "trial " << trial;
    if (n <= 14) {
      EXPECT_NEAR(ns.latency_s, test::brute_best(pb), 1e-9 * ns.latency_s);
    }
  }
}

struct Planned {
  plan::Plan plan;
  double analytic_s;
};

PlanRequest request_for(const test::ZooModel& m, const scenario::Cluster& c, const scenario::Workload& w) {
  return PlanRequest{m.graph, m.analysis, c, w, test::kept_costs(m.graph, m.analysis, c)};
}

TEST(Dads, EqualsNeurosurgeonOnZooChainsAndPlansPredictTheOptimum) {
  const scenario::Workload w;
  for (const char* name : {"vgg16", "alexnet"}) {
    const auto& m = test::zoo(name);
    for (double rate : {0.1, 1.0, 5.85, 18.88, 100.0, 1000.0, 10000.0}) {
      const scenario::Cluster c = test::pi_and_server(rate);
      const PlanRequest r = request_for(m, c, w);
      const Problem pb = two_party::make_problem(r, 1);
      const double ns = neurosurgeon_best(pb).latency_s;
      const double dads = dads_solve(pb).latency_s;
      EXPECT_NEAR(dads, ns, 1e-9 * ns) << name << " at " << rate;
      // The plans' timing-model latency is the analytic optimum.
      const Json empty = Json::object();
      const JsonCursor none(empty, "test");
      EXPECT_NEAR(make_dads_plan(r, none).predicted.latency_s, dads, 1e-9 * dads) << name << " at " << rate;
      EXPECT_NEAR(make_neurosurgeon_plan(r, none).predicted.latency_s, ns, 1e-9 * ns) << name << " at " << rate;
    }
  }
}

TEST(Dads, PlanOnDagsPredictsTheCutValue) {
  const scenario::Workload w;
  for (const char* name : {"resnet18", "googlenet", "densenet121"}) {
    const auto& m = test::zoo(name);
    for (double rate : {0.5, 10.0, 200.0}) {
      const scenario::Cluster c = test::pi_and_server(rate);
      const PlanRequest r = request_for(m, c, w);
      const DadsResult d = dads_solve(two_party::make_problem(r, 1));
      const plan::Plan p = make_dads_plan(r, JsonCursor(Json::object(), "test"));
      // The cut value prices one task per layer; the all-local split runs as one task (its
      // latency_s counts one overhead), which is what the plan is timed with.
      EXPECT_NEAR(p.predicted.latency_s, d.latency_s, 1e-9 * d.latency_s) << name << " at " << rate;
      ASSERT_EQ(p.variants.size(), 1u);
      // Every layer is computed exactly once, on the side the cut says.
      std::vector<int> computed(m.graph.size(), 0);
      for (const auto& t : p.variants[0].tasks) {
        if (t.kind != plan::TaskKind::compute) continue;
        const auto& st = p.variants[0].stages.at(static_cast<size_t>(t.stage));
        for (int l = st.first_layer; l <= st.last_layer; ++l)
          if (t.name == "model/device" || t.name == m.graph.layer(l).name + (t.device == 0 ? "/device" : "/server")) {
            ++computed[static_cast<size_t>(l)];
            EXPECT_EQ(t.device == 1, static_cast<bool>(d.on_server[static_cast<size_t>(l)])) << t.name;
          }
      }
      for (size_t l = 0; l < computed.size(); ++l) EXPECT_EQ(computed[l], 1) << m.graph.layers[l].name;
      // Round trip of the plan's JSON.
      EXPECT_EQ(plan::plan_from_json(plan::plan_to_json(p), "test"), p);
    }
  }
}

// A tiny chain whose splits are worked out by hand.
//   input [3,8,8]  768 B
//   conv 3x3 pad 1 -> [4,8,8]: MACs 8*8*4*3*3*3 = 6912, FLOPs 13824, 1024 B
//   relu: 256 FLOPs, 1024 B; maxpool 2 -> [4,4,4]: 64 FLOPs, 256 B; flatten: 0 FLOPs, 256 B
//   linear 64 -> 10: FLOPs 2*640 = 1280, 40 B
// Device 0.001 GFLOP/s (1e6 FLOP/s), server 0.01 GFLOP/s; no link latency.
// t_dev: 13.824, 0.256, 0.064, 0, 1.28 ms (sum 15.424 ms); t_srv: a tenth (sum 1.5424 ms).
const char* kTinyModel = R"({"format": "edgepart.model", "version": 1, "name": "tiny", "source": "test",
  "input": [3, 8, 8],
  "layers": [
    {"name": "conv", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
    {"name": "relu", "op": "relu"},
    {"name": "pool", "op": "maxpool2d", "kernel": 2},
    {"name": "flat", "op": "flatten"},
    {"name": "fc", "op": "linear", "out_features": 10}]})";

struct Tiny {
  model::ModelGraph graph;
  cost::ModelAnalysis analysis;
  scenario::Cluster cluster;
  scenario::Workload workload;
  explicit Tiny(double rate_mbps) {
    std::vector<InputError> errors;
    graph = model::model_from_json(Json::parse(kTinyModel), "tiny.json", errors);
    EXPECT_TRUE(errors.empty());
    analysis = cost::analyze(graph);
    cluster = test::pi_and_server(rate_mbps, 0);
    cluster.devices[0].speed_gflops = 0.001;
    cluster.devices[1].speed_gflops = 0.01;
  }
  PlanRequest request() const { return PlanRequest{graph, analysis, cluster, workload, test::kept_costs(graph, analysis, cluster)}; }
};

TEST(Neurosurgeon, TinyChainByHand) {
  // At 1 Mbit/s: input 768 B = 6.144 ms, conv/relu 8.192 ms, pool/flat 2.048 ms, result 40 B =
  // 0.32 ms. T(-1) = 6.144 + 1.5424 + 0.32 = 8.0064 ms; T(0) = 13.824 + 8.192 + 0.16 + 0.32 =
  // 22.496; T(2) = 14.144 + 2.048 + 0.128 + 0.32 = 16.64; local 15.424. Best: all on the server.
  {
    Tiny t(1.0);
    const PlanRequest r = t.request();
    const Problem pb = two_party::make_problem(r, 1);
    EXPECT_NEAR(two_party::split_latency_s(pb, two_party::split_after(pb, 0)), 22.496e-3, 1e-12);
    EXPECT_NEAR(two_party::split_latency_s(pb, two_party::split_after(pb, 2)), 16.64e-3, 1e-12);
    const ChainCut best = neurosurgeon_best(pb);
    EXPECT_EQ(best.cut, -1);
    EXPECT_NEAR(best.latency_s, 8.0064e-3, 1e-12);
    const plan::Plan p = make_neurosurgeon_plan(r, JsonCursor(Json::object(), "t"));
    EXPECT_NEAR(p.predicted.latency_s, 8.0064e-3, 1e-12);
    EXPECT_NEAR(make_dads_plan(r, JsonCursor(Json::object(), "t")).predicted.latency_s, 8.0064e-3, 1e-12);
    // Tasks: input up, five server layers, result back.
    ASSERT_EQ(p.variants[0].tasks.size(), 7u);
    EXPECT_EQ(p.variants[0].tasks.front().kind, plan::TaskKind::transfer);
    EXPECT_DOUBLE_EQ(p.variants[0].tasks.front().bytes, 768);
    EXPECT_DOUBLE_EQ(p.variants[0].tasks.back().bytes, 40);
    EXPECT_EQ(p.variants[0].tasks.back().to, 0);
  }
  // At 0.4 Mbit/s: T(-1) = 15.36 + 1.5424 + 0.8 = 17.7024 ms > local 15.424 ms; T(2) = 14.144 +
  // 5.12 + 0.128 + 0.8 = 20.192. Best: all local, no transfer.
  {
    Tiny t(0.4);
    const PlanRequest r = t.request();
    const ChainCut best = neurosurgeon_best(two_party::make_problem(r, 1));
    EXPECT_EQ(best.cut, 4);
    EXPECT_NEAR(best.latency_s, 15.424e-3, 1e-12);
    const plan::Plan p = make_dads_plan(r, JsonCursor(Json::object(), "t"));
    EXPECT_NEAR(p.predicted.latency_s, 15.424e-3, 1e-12);
    for (const auto& task : p.variants[0].tasks) EXPECT_NE(task.kind, plan::TaskKind::transfer);
  }
}

TEST(TwoParty, OptionsAreStrict) {
  Tiny t(1.0);
  const PlanRequest r = t.request();
  const Json bad = Json{{"sever", "server"}};
  try {
    make_dads_plan(r, JsonCursor(bad, "s.json", Json::json_pointer("/strategy/options")));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "s.json");
    EXPECT_NE(std::string(e.what()).find("sever"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/strategy/options"), std::string::npos) << e.what();
  }
  const Json unknown = Json{{"server", "nope"}};
  EXPECT_THROW(make_neurosurgeon_plan(r, JsonCursor(unknown, "s.json")), InputError);
  const Json self = Json{{"server", "pi"}};
  EXPECT_THROW(make_cic_plan(r, JsonCursor(self, "s.json")), InputError);
  const Json fastest = Json{{"server", "fastest"}};
  EXPECT_EQ(make_dads_plan(r, JsonCursor(fastest, "s.json")).options, (Json{{"server", "server"}}));
  const Json named = Json{{"server", "server"}};
  EXPECT_EQ(make_dads_plan(r, JsonCursor(named, "s.json")).options, named);
}

TEST(TwoParty, MemoryLimitIsRespectedOrRefused) {
  Tiny t(1.0);
  // The server holds 1 KiB: the fc weights (650 params x 4 B = 2600 B) do not fit there, so every
  // split running fc on the server is out; all local is the only one left.
  t.cluster.devices[1].memory_mb = 1.0 / 1024;
  const PlanRequest r = t.request();
  const plan::Plan p = make_neurosurgeon_plan(r, JsonCursor(Json::object(), "t"));
  EXPECT_NEAR(p.predicted.latency_s, 15.424e-3, 1e-12);
  // DADS's min cut (all on the server) does not fit: it says so.
  EXPECT_THROW(make_dads_plan(r, JsonCursor(Json::object(), "t")), InputError);
}

}  // namespace
// chain_cut_costs on random DAGs (no request: latency and crossing only) against the direct
// evaluation of each cut point's split: the tensor crossing is the one the split sends, and
// T(cut) agrees up to the rounding of the other summation order.
TEST(ChainCutCosts, RandomDagsAgreeWithTheDirectEvaluation) {
  std::mt19937_64 rng(20261122);
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 2 + static_cast<int>(rng() % 30);
    const Problem pb = test::random_problem(rng, n, false, 50, 0.001);
    const auto cuts = two_party::chain_cut_points(pb);
    const auto costs = two_party::chain_cut_costs(pb);
    ASSERT_EQ(costs.size(), cuts.size());
    for (size_t i = 0; i < cuts.size(); ++i) {
      ASSERT_EQ(costs[i].cut, cuts[i]);
      const two_party::Split s = two_party::split_after(pb, cuts[i]);
      const auto crossing = two_party::crossing_tensors(pb, s);
      EXPECT_EQ(costs[i].crossing, crossing.empty() ? -1 : crossing.front()) << "trial " << trial << " cut " << cuts[i];
      EXPECT_LE(crossing.size(), 1u);
      const double direct = two_party::split_latency_s(pb, s);
      EXPECT_NEAR(costs[i].latency_s(pb), direct, 1e-12 * direct) << "trial " << trial << " cut " << cuts[i];
    }
  }
}

}  // namespace edgepart::strategy
