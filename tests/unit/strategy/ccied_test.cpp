// CCIED: the sparse-encoding bytes, the split chosen by expected latency, and the plan's
// miss-path prediction, worked out by hand on a tiny chain.
#include <gtest/gtest.h>

#include "edgepart/util/error.hpp"
#include "strategy/two_party_strategies.hpp"
#include "unit/strategy/two_party_fixture.hpp"

namespace edgepart::strategy {
namespace {

TEST(Ccied, SentBytes) {
  CciedOptions o;
  // No pruning: dense, 1000 x 4 B.
  EXPECT_DOUBLE_EQ(ccied_sent_bytes(1000, 4, o), 4000);
  // 75 % zeroed: 250 kept x (4 + 4) B = 2000 B < 4000 B dense.
  o.prune_ratio = 0.75;
  EXPECT_DOUBLE_EQ(ccied_sent_bytes(1000, 4, o), 2000);
  // 30 % zeroed: sparse 700 x 8 = 5600 B > dense 4000 B: dense is sent.
  o.prune_ratio = 0.3;
  EXPECT_DOUBLE_EQ(ccied_sent_bytes(1000, 4, o), 4000);
  // floor(0.5 * 7) = 3 zeroed, 4 kept x (4 + 2) = 24 B < 28 B.
  o.prune_ratio = 0.5;
  o.index_bytes = 2;
  EXPECT_DOUBLE_EQ(ccied_sent_bytes(7, 4, o), 24);
}

// The tiny chain of dads_test.cpp: t_dev 13.824, 0.256, 0.064, 0, 1.28 ms (device 1e6 FLOP/s),
// t_srv a tenth; 1 Mbit/s, no latency.
const char* kTinyModel = R"({"format": "edgepart.model", "version": 1, "name": "tiny", "source": "test",
  "input": [3, 8, 8],
  "layers": [
    {"name": "conv", "op": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
    {"name": "relu", "op": "relu"},
    {"name": "pool", "op": "maxpool2d", "kernel": 2},
    {"name": "flat", "op": "flatten"},
    {"name": "fc", "op": "linear", "out_features": 10}]})";

TEST(Ccied, TinyChainByHand) {
  std::vector<InputError> errors;
  const model::ModelGraph g = model::model_from_json(Json::parse(kTinyModel), "tiny.json", errors);
  ASSERT_TRUE(errors.empty());
  const cost::ModelAnalysis a = cost::analyze(g);
  scenario::Cluster c = test::pi_and_server(1.0, 0);
  c.devices[0].speed_gflops = 0.001;
  c.devices[1].speed_gflops = 0.01;
  scenario::Workload w;
  w.cache_hit_rate = 0.5;
  const timing::CostModel costs(g, a, c);
  const PlanRequest r{g, a, c, w, costs};
  // Options: 75 % pruning, 10 cache entries, hit rate from the workload (0.5).
  const Json opts = Json{{"prune_ratio", 0.75}, {"cache_capacity", 10}};
  // Split before conv (the input is the key): 192 elements, 144 zeroed, 48 kept -> 48 x 8 = 384 B
  // (3.072 ms); lookup 3 x 48 x 10 = 1440 FLOPs = 1.44 ms on the device. T_hit = 1.44 ms;
  // T_miss = 1.44 + 3.072 + 1.5424 (server layers) + 0.32 (result) = 6.3744 ms;
  // expected 0.5 x 1.44 + 0.5 x 6.3744 = 3.9072 ms. Other splits: T_hit alone is over 14 ms
  // (the device runs conv, 13.824 ms), local is 15.424 ms.
  const plan::Plan p = make_ccied_plan(r, JsonCursor(opts, "t"));
  EXPECT_NEAR(p.predicted.latency_s, 6.3744e-3, 1e-12);  // the miss path
  EXPECT_FALSE(p.lossless);
  const auto& tasks = p.variants.at(0).tasks;
  ASSERT_GE(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].kind, plan::TaskKind::cache_lookup);
  EXPECT_EQ(tasks[0].device, 0);
  EXPECT_DOUBLE_EQ(tasks[0].hit_probability, 0.5);
  EXPECT_DOUBLE_EQ(scenario::total_flops(tasks[0].flops), 1440);
  EXPECT_EQ(tasks[1].kind, plan::TaskKind::transfer);
  EXPECT_DOUBLE_EQ(tasks[1].bytes, 384);
  EXPECT_TRUE(tasks[1].compressed);
  EXPECT_EQ(p.options.at("cache_capacity").get<int64_t>(), 10);
  EXPECT_DOUBLE_EQ(p.options.at("hit_rate").get<double>(), 0.5);
  bool noted = false;
  for (const auto& n : p.notes) noted |= n.find("expected latency 0.0039072") != std::string::npos;
  EXPECT_TRUE(noted) << p.notes.back();

  const two_party::Problem pb = two_party::make_problem(r, 1);
  CciedOptions o;
  o.hit_rate = 0.5;
  o.prune_ratio = 0.75;
  o.cache_capacity = 10;
  const CciedChoice first = ccied_evaluate(r, pb, o, -1);
  EXPECT_NEAR(first.t_hit_s, 1.44e-3, 1e-12);
  EXPECT_NEAR(first.t_miss_s, 6.3744e-3, 1e-12);
  EXPECT_NEAR(first.expected_s, 3.9072e-3, 1e-12);
  // Split after pool: 64 elements, 48 zeroed, 16 kept -> 128 B (1.024 ms); lookup 480 FLOPs =
  // 0.48 ms. T_hit = 14.144 + 0.48 = 14.624 ms; T_miss = 14.624 + 1.024 + 0.128 + 0.32 = 16.096 ms.
  const CciedChoice pool = ccied_evaluate(r, pb, o, 2);
  EXPECT_NEAR(pool.t_hit_s, 14.624e-3, 1e-12);
  EXPECT_NEAR(pool.t_miss_s, 16.096e-3, 1e-12);
}

TEST(Ccied, OptionsAreStrict) {
  std::vector<InputError> errors;
  const model::ModelGraph g = model::model_from_json(Json::parse(kTinyModel), "tiny.json", errors);
  const cost::ModelAnalysis a = cost::analyze(g);
  const scenario::Cluster c = test::pi_and_server(1.0, 0);
  const scenario::Workload w;
  const timing::CostModel costs(g, a, c);
  const PlanRequest r{g, a, c, w, costs};
  EXPECT_THROW(make_ccied_plan(r, JsonCursor(Json{{"prune", 0.5}}, "t")), InputError);
  EXPECT_THROW(make_ccied_plan(r, JsonCursor(Json{{"prune_ratio", 1.0}}, "t")), InputError);
  EXPECT_THROW(make_ccied_plan(r, JsonCursor(Json{{"hit_rate", 1.5}}, "t")), InputError);
  EXPECT_THROW(make_ccied_plan(r, JsonCursor(Json{{"cache_capacity", 0}}, "t")), InputError);
  // The option hit_rate wins over the workload's cache_hit_rate.
  scenario::Workload measured;
  measured.cache_hit_rate = 0.5;
  const timing::CostModel costs_rm(g, a, c);
  const PlanRequest rm{g, a, c, measured, costs_rm};
  const plan::Plan q = make_ccied_plan(rm, JsonCursor(Json{{"hit_rate", 0.25}}, "t"));
  EXPECT_DOUBLE_EQ(q.options.at("hit_rate").get<double>(), 0.25);
  for (const auto& t : q.variants.at(0).tasks)
    if (t.kind == plan::TaskKind::cache_lookup) {
      EXPECT_DOUBLE_EQ(t.hit_probability, 0.25);
    }
  // Defaults are written into the plan.
  const plan::Plan p = make_ccied_plan(r, JsonCursor(Json::object(), "t"));
  EXPECT_EQ(p.options, (Json{{"cache_capacity", 100}, {"hit_rate", 0.0}, {"index_bytes", 4}, {"prune_ratio", 0.0},
                             {"server", "server"}}));
}

}  // namespace
}  // namespace edgepart::strategy
