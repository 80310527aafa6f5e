// CIC: its offline table decides the DADS optimum at every uplink rate. The reference is a fresh
// DADS min cut on a cluster built at that rate (no shared code path with the hull search beyond
// the max-flow adapter, which has its own brute-force test).
#include <gtest/gtest.h>

#include "edgepart/sim/prediction.hpp"
#include "strategy/two_party_strategies.hpp"
#include "unit/strategy/two_party_fixture.hpp"

namespace edgepart::strategy {
namespace {

using two_party::Problem;

// 1,000 rates log-spaced from 0.1 to 10,000 Mbit/s.
std::vector<double> log_rates() {
  std::vector<double> r;
  for (int i = 0; i < 1000; ++i) r.push_back(0.1 * std::pow(10.0, 5.0 * i / 999.0));
  return r;
}

void expect_cic_equals_dads(const char* name, double latency_s) {
  const auto& m = test::zoo(name);
  const scenario::Workload w;
  const scenario::Cluster planning = test::pi_and_server(100, latency_s);
  const PlanRequest r0{m.graph, m.analysis, planning, w};
  const CicTable table = cic_build(two_party::make_problem(r0, 1));
  ASSERT_GE(table.splits.size(), 1u);
  EXPECT_EQ(table.lower_mbps.front(), 0.0);
  for (size_t i = 1; i < table.lower_mbps.size(); ++i) EXPECT_LT(table.lower_mbps[i - 1], table.lower_mbps[i]);
  int mismatches = 0;
  for (double rate : log_rates()) {
    const scenario::Cluster c = test::pi_and_server(rate, latency_s);
    const PlanRequest r{m.graph, m.analysis, c, w};
    const Problem pb = two_party::make_problem(r, 1);
    const double dads = dads_solve(pb).latency_s;
    const int k = cic_decide(table, rate);
    ASSERT_GE(k, 0);
    const double cic = two_party::split_latency_s(pb, table.splits[static_cast<size_t>(k)]);
    if (std::abs(cic - dads) > 1e-9 * dads) ++mismatches;
    EXPECT_NEAR(cic, dads, 1e-9 * dads) << name << " at " << rate << " Mbit/s (entry " << k << ")";
    // The table's line is the latency at that rate.
    EXPECT_NEAR(table.lines[static_cast<size_t>(k)].at(1 / rate), dads, 1e-9 * dads) << name << " at " << rate;
  }
  EXPECT_EQ(mismatches, 0) << name;
}

TEST(Cic, EqualsDadsAtThousandRatesResnet18) { expect_cic_equals_dads("resnet18", 0.002); }
TEST(Cic, EqualsDadsAtThousandRatesGooglenet) { expect_cic_equals_dads("googlenet", 0.002); }
TEST(Cic, EqualsDadsAtThousandRatesDensenet121) { expect_cic_equals_dads("densenet121", 0.002); }
// Without link latency the compression also merges multi-input layers (concatenations).
TEST(Cic, EqualsDadsAtThousandRatesDensenet121NoLatency) { expect_cic_equals_dads("densenet121", 0); }

// The zoo's own costs give small hulls (2-3 entries: with a much faster server, intermediate
// tensors are rarely worth sending). To exercise the hull search on the real DAG topologies,
// the same graphs with seeded random per-layer times and tensor sizes, against DADS at 1,000 rates.
TEST(Cic, EqualsDadsOnZooTopologiesWithRandomCosts) {
  size_t largest = 0;
  // mobilenet_v2: identity-shortcut blocks whose chains start with a channel-expanding 1x1
  // convolution, where compression rule 2 applies.
  for (const char* name : {"resnet18", "googlenet", "densenet121", "mobilenet_v2"}) {
    const auto& m = test::zoo(name);
    const scenario::Workload w;
    const scenario::Cluster c = test::pi_and_server(100, 0.002);
    const PlanRequest r{m.graph, m.analysis, c, w};
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      Problem pb = two_party::make_problem(r, 1);
      std::mt19937_64 rng(seed);
      for (int v = 0; v < pb.layers; ++v) {
        pb.t_device_s[static_cast<size_t>(v)] *= std::pow(10.0, test::uniform(rng, -1.5, 1.5));
        pb.t_server_s[static_cast<size_t>(v)] = pb.t_device_s[static_cast<size_t>(v)] * std::pow(10.0, test::uniform(rng, -2, 0.2));
      }
      for (auto& b : pb.tensor_bytes) b = std::floor(b * std::pow(10.0, test::uniform(rng, -2, 0)));
      pb = two_party::at_uplink_rate(pb, 100);  // re-price the transfers of the new sizes
      const CicTable table = cic_build(pb);
      largest = std::max(largest, table.splits.size());
      for (int i = 0; i < 1000; ++i) {
        const double rate = 0.001 * std::pow(10.0, 7.0 * i / 999.0);  // 0.001 .. 10,000 Mbit/s
        const Problem at = two_party::at_uplink_rate(pb, rate);
        const double dads = dads_solve(at).latency_s;
        const int k = cic_decide(table, rate);
        ASSERT_NEAR(two_party::split_latency_s(at, table.splits[static_cast<size_t>(k)]), dads, 1e-9 * dads)
            << name << " seed " << seed << " at " << rate;
      }
    }
  }
  EXPECT_GE(largest, 5u);  // the test did meet hulls with several intermediate splits
}

// An asymmetric link: the downlink (result return) at a tenth of the uplink's rate and with its own
// latency (yolov2's large output makes the return matter).
// CIC scales the downlink with the uplink (ratio from the planning rate); DADS at each rate gets a
// cluster with exactly that pair of rates.
TEST(Cic, EqualsDadsOnAnAsymmetricLink) {
  const scenario::Workload w;
  auto cluster_at = [](double up_mbps) {
    scenario::Cluster c = test::pi_and_server(up_mbps, 0.002);
    c.devices[1].speed_gflops = 30;
    scenario::LinkSpec down;
    down.from = "server";
    down.to = "pi";
    down.bandwidth_mbps = up_mbps / 10;
    down.latency_s = 0.001;
    c.network.links.push_back(down);
    return c;
  };
  for (const char* name : {"alexnet", "resnet18", "yolov2"}) {
    const auto& m = test::zoo(name);
    const scenario::Cluster planning = cluster_at(50);
    const CicTable table = cic_build(two_party::make_problem(PlanRequest{m.graph, m.analysis, planning, w}, 1));
    for (int i = 0; i < 1000; ++i) {
      const double rate = 0.1 * std::pow(10.0, 5.0 * i / 999.0);
      const scenario::Cluster c = cluster_at(rate);
      const Problem pb = two_party::make_problem(PlanRequest{m.graph, m.analysis, c, w}, 1);
      ASSERT_DOUBLE_EQ(pb.down_rate_mbps, rate / 10);
      const double dads = dads_solve(pb).latency_s;
      const double cic = two_party::split_latency_s(pb, table.splits[static_cast<size_t>(cic_decide(table, rate))]);
      ASSERT_NEAR(cic, dads, 1e-9 * dads) << name << " at " << rate;
    }
  }
}

TEST(Cic, CompressionIsExactOnRandomDags) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    const int n = test::uniform_int(rng, 1, 14);
    const Problem pb = test::random_problem(rng, n, trial % 3 == 0, 10, trial % 2 == 0 ? 0.0 : 0.002);
    const CicTable table = cic_build(pb, true);
    for (double rate : {0.1, 0.7, 3.0, 20.0, 150.0, 1000.0, 9000.0}) {
      const Problem at = two_party::at_uplink_rate(pb, rate);
      const double best = test::brute_best(at);
      const int k = cic_decide(table, rate);
      EXPECT_NEAR(two_party::split_latency_s(at, table.splits[static_cast<size_t>(k)]), best, 1e-9 * best)
          << "trial " << trial << " at " << rate;
    }
  }
}

TEST(Cic, CompressionShrinksTheZooGraphs) {
  const scenario::Workload w;
  const scenario::Cluster c = test::pi_and_server(100, 0);
  for (const char* name : {"resnet18", "googlenet", "densenet121"}) {
    const auto& m = test::zoo(name);
    const PlanRequest r{m.graph, m.analysis, c, w};
    int groups = 0;
    cic_compress(two_party::make_problem(r, 1), groups);
    // Every relu/batch-norm after the layer that made its input is merged (equal bytes, server
    // faster), so at least a third of the vertices go.
    EXPECT_LT(groups, static_cast<int>(m.graph.size()) * 2 / 3) << name;
  }
}

TEST(Cic, PlanVariantsCoverTheRatesAndPredictTheOptimum) {
  const auto& m = test::zoo("googlenet");
  const scenario::Workload w;
  const scenario::Cluster planning = test::pi_and_server(20);
  const PlanRequest r0{m.graph, m.analysis, planning, w};
  const plan::Plan p = make_cic_plan(r0, JsonCursor(Json::object(), "t"));
  const CicTable table = cic_build(two_party::make_problem(r0, 1));
  ASSERT_EQ(p.variants.size(), table.splits.size());
  EXPECT_EQ(p.variants.front().min_rate_mbps, 0.0);
  EXPECT_TRUE(std::isinf(p.variants.back().max_rate_mbps));
  for (size_t i = 1; i < p.variants.size(); ++i)
    EXPECT_EQ(p.variants[i - 1].max_rate_mbps, p.variants[i].min_rate_mbps);
  for (double rate : {0.13, 1.1, 5.85, 18.88, 54.0, 300.0, 5000.0}) {
    const plan::Variant& v = p.variant_for_rate(rate);
    EXPECT_EQ(&v - p.variants.data(), cic_decide(table, rate)) << rate;
    // The variant, timed by the timing model on a cluster at that rate, has the DADS latency.
    const scenario::Cluster c = test::pi_and_server(rate);
    const PlanRequest r{m.graph, m.analysis, c, w};
    const double dads = dads_solve(two_party::make_problem(r, 1)).latency_s;
    EXPECT_NEAR(sim::run_once(p, static_cast<size_t>(&v - p.variants.data()), c).latency_s, dads, 1e-9 * dads) << rate;
  }
  EXPECT_EQ(plan::plan_from_json(plan::plan_to_json(p), "t"), p);
}

}  // namespace
}  // namespace edgepart::strategy
