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
  // The input split is plain offloading (no feature to cache or prune): 192 elements x 4 B =
  // 768 B dense (6.144 ms at 1 Mbit/s), then 1.5424 ms of server layers (a tenth of 15.424) and
  // 0.32 ms for the 40-byte result: 8.0064 ms, hit or miss, lossless. The cached splits cost more:
  // after conv 256 elements, 64 kept -> lookup 3 x 64 x 10 = 1920 FLOPs = 1.92 ms, T_hit =
  // 13.824 + 1.92 > 8 ms; after pool (below) 15.36 ms expected; local is 15.424 ms.
  const plan::Plan p = make_ccied_plan(r, JsonCursor(opts, "t"));
  EXPECT_NEAR(p.predicted.latency_s, 8.0064e-3, 1e-12);
  EXPECT_TRUE(p.lossless);
  const auto& tasks = p.variants.at(0).tasks;
  ASSERT_GE(tasks.size(), 1u);
  for (const auto& t : tasks) EXPECT_NE(t.kind, plan::TaskKind::cache_lookup);
  EXPECT_EQ(tasks[0].kind, plan::TaskKind::transfer);
  EXPECT_DOUBLE_EQ(tasks[0].bytes, 768);
  EXPECT_FALSE(tasks[0].compressed);
  EXPECT_EQ(p.options.at("cache_capacity").get<int64_t>(), 10);
  EXPECT_DOUBLE_EQ(p.options.at("hit_rate").get<double>(), 0.5);
  bool noted = false;
  for (const auto& n : p.notes) noted |= n.find("plain offloading of the input (768 bytes, dense, lossless") != std::string::npos;
  EXPECT_TRUE(noted) << p.notes.back();

  const two_party::Problem pb = two_party::make_problem(r, 1);
  CciedOptions o;
  o.hit_rate = 0.5;
  o.prune_ratio = 0.75;
  o.cache_capacity = 10;
  const CciedChoice first = ccied_evaluate(r, pb, o, -1);
  EXPECT_FALSE(first.cached);
  EXPECT_DOUBLE_EQ(first.sent_bytes, 768);
  EXPECT_NEAR(first.t_hit_s, 8.0064e-3, 1e-12);
  EXPECT_NEAR(first.t_miss_s, 8.0064e-3, 1e-12);
  // Split after conv: 256 elements, 192 zeroed, 64 kept -> 64 x 8 = 512 B (4.096 ms); lookup
  // 1920 FLOPs = 1.92 ms. T_hit = 13.824 + 1.92 = 15.744 ms; T_miss = 15.744 + 4.096 + t_srv(relu
  // .. fc = 0.16 ms) + 0.32 = 20.32 ms.
  const CciedChoice conv = ccied_evaluate(r, pb, o, 0);
  EXPECT_TRUE(conv.cached);
  EXPECT_DOUBLE_EQ(conv.sent_bytes, 512);
  EXPECT_NEAR(conv.t_hit_s, 15.744e-3, 1e-12);
  EXPECT_NEAR(conv.t_miss_s, 20.32e-3, 1e-12);
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
