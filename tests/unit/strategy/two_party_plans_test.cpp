// Invariants of the two-party plans on every zoo model: each layer is computed exactly once, the
// transfers are the crossing tensors plus the result, the timing model's latency equals the
// independent evaluation of the split, plans validate and round-trip through JSON.
#include <gtest/gtest.h>

#include <set>

#include "edgepart/sim/prediction.hpp"
#include "edgepart/util/error.hpp"
#include "strategy/two_party_strategies.hpp"
#include "unit/strategy/two_party_fixture.hpp"

namespace edgepart::strategy {
namespace {

const char* kZoo[] = {"alexnet", "densenet121", "googlenet", "mobilenet_v2", "resnet18", "resnet50",
                      "squeezenet1_1", "vgg16", "yolov2", "yolov2_tiny"};

TEST(TwoPartyPlans, InvariantsOnEveryZooModel) {
  const scenario::Workload w;
  for (const char* name : kZoo) {
    const auto& m = test::zoo(name);
    for (double rate : {0.5, 20.0, 2000.0}) {
      // A slower server than usual (30x the Pi) so that intermediate splits show up too.
      scenario::Cluster c = test::pi_and_server(rate);
      c.devices[1].speed_gflops = 90;
      const timing::CostModel costs(m.graph, m.analysis, c);
      const PlanRequest r{m.graph, m.analysis, c, w, costs};
      const two_party::Problem pb = two_party::make_problem(r, 1);
      for (const char* strategy : {"neurosurgeon", "dads", "cic", "ccied"}) {
        const plan::Plan p = make_plan(strategy, r, Json::object(), "t");
        SCOPED_TRACE(std::string(strategy) + " on " + name + " at " + std::to_string(rate));
        EXPECT_NO_THROW(plan::validate_plan(p, "t"));
        EXPECT_EQ(plan::plan_from_json(plan::plan_to_json(p), "t"), p);
        EXPECT_EQ(p.model_hash, m.graph.content_hash());
        for (const plan::Variant& v : p.variants) {
          // Recover the split from the compute tasks: each layer once, on one side.
          two_party::Split on_server(m.graph.size(), false);
          std::vector<int> count(m.graph.size(), 0);
          double up_bytes = 0, down_bytes = 0;
          for (const plan::Task& t : v.tasks) {
            if (t.kind == plan::TaskKind::transfer) {
              (t.from == 0 ? up_bytes : down_bytes) += t.bytes;
              continue;
            }
            if (t.kind != plan::TaskKind::compute) continue;
            if (t.name == "model/device") {  // the all-local split: one task, every layer, on the source
              EXPECT_EQ(t.device, 0);
              EXPECT_EQ(v.tasks.size(), 1u);
              EXPECT_DOUBLE_EQ(scenario::total_flops(t.flops), static_cast<double>(m.analysis.total_flops));
              for (auto& k : count) ++k;
              continue;
            }
            const std::string layer = t.name.substr(0, t.name.rfind('/'));
            const auto idx = m.graph.find(layer);
            ASSERT_TRUE(idx.has_value()) << t.name;
            ++count[static_cast<size_t>(*idx)];
            on_server[static_cast<size_t>(*idx)] = t.device == 1;
            EXPECT_DOUBLE_EQ(scenario::total_flops(t.flops),
                             static_cast<double>(m.analysis.layers[static_cast<size_t>(*idx)].flops));
          }
          for (size_t l = 0; l < count.size(); ++l) ASSERT_EQ(count[l], 1) << m.graph.layers[l].name;
          ASSERT_TRUE(two_party::is_valid_split(pb, on_server));
          // Transfers add up: the crossing tensors up (ccied: pruned, so at most), the output down.
          double crossing = 0;
          for (int t : two_party::crossing_tensors(pb, on_server)) crossing += pb.tensor_bytes[static_cast<size_t>(t)];
          if (std::string(strategy) == "ccied") EXPECT_LE(up_bytes, crossing);
          else EXPECT_DOUBLE_EQ(up_bytes, crossing);
          EXPECT_DOUBLE_EQ(down_bytes, on_server.back() ? pb.tensor_bytes.back() : 0.0);
          // The timing model on this variant equals the split's latency (plus ccied's lookup,
          // already in its own tasks; check the others exactly).
          if (std::string(strategy) != "ccied") {
            const double t = two_party::split_latency_s(pb, on_server);
            EXPECT_NEAR(sim::run_once(p, static_cast<size_t>(&v - p.variants.data()), c, costs).latency_s, t, 1e-9 * t);
          }
          // Lower bound: the FLOPs at the fastest device's speed.
          EXPECT_GE(v.predicted.latency_s * (1 + 1e-12), m.analysis.total_flops / (90 * 1e9));
        }
        // DADS is never worse than neurosurgeon, and CIC equals DADS at the planning rate.
        if (std::string(strategy) == "dads") {
          EXPECT_LE(p.predicted.latency_s, neurosurgeon_best(pb).latency_s * (1 + 1e-9));
        }
        if (std::string(strategy) == "cic") {
          const double dads = dads_solve(pb).latency_s;
          EXPECT_NEAR(p.predicted.latency_s, dads, 1e-9 * dads);
        }
      }
    }
  }
}

TEST(TwoPartyPlans, NeedASecondDevice) {
  const auto& m = test::zoo("alexnet");
  scenario::Cluster c = test::pi_and_server(10);
  c.devices.pop_back();
  const scenario::Workload w;
  const timing::CostModel costs(m.graph, m.analysis, c);
  const PlanRequest r{m.graph, m.analysis, c, w, costs};
  for (const char* strategy : {"neurosurgeon", "dads", "cic", "ccied"}) {
    std::string why;
    EXPECT_FALSE(find_strategy(strategy).applicable(r, why)) << strategy;
    EXPECT_FALSE(why.empty());
    EXPECT_THROW(make_plan(strategy, r, Json::object(), "t"), InputError) << strategy;
  }
}

// chain_cut_costs (one pass for all cut points) against the direct evaluation of each cut's split:
// the same cut points, the same crossing tensor, memory needs exactly (whole bytes), latency up to
// the rounding of a different summation order.
TEST(TwoPartyPlans, ChainCutCostsEqualTheDirectEvaluationOfEachSplit) {
  const scenario::Workload w;
  for (const char* name : kZoo) {
    const auto& m = test::zoo(name);
    const scenario::Cluster c = test::pi_and_server(20.0);
    const timing::CostModel cost_model(m.graph, m.analysis, c);
    const PlanRequest r{m.graph, m.analysis, c, w, cost_model};
    const two_party::Problem pb = two_party::make_problem(r, 1);
    const std::vector<int> cuts = two_party::chain_cut_points(pb);
    const auto costs = two_party::chain_cut_costs(pb, &r);
    SCOPED_TRACE(name);
    ASSERT_EQ(costs.size(), cuts.size());
    for (size_t i = 0; i < cuts.size(); ++i) {
      const auto& k = costs[i];
      ASSERT_EQ(k.cut, cuts[i]);
      const two_party::Split s = two_party::split_after(pb, k.cut);
      const auto crossing = two_party::crossing_tensors(pb, s);
      if (k.cut == pb.output()) {
        EXPECT_TRUE(crossing.empty());
        EXPECT_EQ(k.crossing, -1);
      } else {
        ASSERT_EQ(crossing.size(), 1u) << k.cut;
        EXPECT_EQ(k.crossing, crossing[0]) << k.cut;
      }
      const double direct = two_party::split_latency_s(pb, s);
      EXPECT_NEAR(k.latency_s(pb), direct, 1e-12 * direct) << k.cut;
      const two_party::MemoryNeed need = two_party::memory_need(r, s);
      EXPECT_EQ(k.memory.device_bytes, need.device_bytes) << k.cut;
      EXPECT_EQ(k.memory.server_bytes, need.server_bytes) << k.cut;
    }
  }
}

}  // namespace
}  // namespace edgepart::strategy
