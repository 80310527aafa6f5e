// The scheduler (the simulator's engine for one request, sim::run_once; docs/design.md §3, docs/timing.md)
// against timelines computed by hand. Units chosen so
// that the arithmetic is exact: devices at 1 or 2 GFLOPS (1e9 FLOPs = 1 s at 1 GFLOPS), network at
// 8 Mbit/s (1e6 bytes = 1 s).
#include <gtest/gtest.h>

#include "edgepart/sim/prediction.hpp"
#include "edgepart/timing/cost_model.hpp"

using namespace edgepart;
using namespace edgepart::plan;
using scenario::Cluster;
using sim::Timeline;

namespace {

Cluster cluster(int n, scenario::NetworkKind kind, scenario::Sharing sharing = scenario::Sharing::fifo, double latency_s = 0) {
  Cluster c;
  for (int i = 0; i < n; ++i) {
    scenario::Device d;
    d.name = "d" + std::to_string(i);
    d.speed_gflops = 1;
    d.is_source = i == 0;
    c.devices.push_back(d);
  }
  c.network.kind = kind;
  c.network.sharing = sharing;
  c.network.bandwidth_mbps = 8;
  c.network.latency_s = latency_s;
  return c;
}

Task compute(int id, int device, double flops, std::vector<int> deps) {
  Task t;
  t.id = id;
  t.name = "c" + std::to_string(id);
  t.device = device;
  t.flops = {{"conv2d", flops}};
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

Task pull(int id, double flops, int in_from, double in_bytes, int out_to, double out_bytes, std::vector<int> pool) {
  Task t;
  t.id = id;
  t.name = "p" + std::to_string(id);
  t.dispatch = Dispatch::pull;
  t.pool_devices = std::move(pool);
  t.flops = {{"conv2d", flops}};
  t.in_from = in_from;
  t.in_bytes = in_bytes;
  t.out_to = out_to;
  t.out_bytes = out_bytes;
  return t;
}

// One request of `v` on `c`: the variant in a plan over the cluster's devices, source device 0.
// The tasks here are tied to no stage or region, so the cost model times them from their FLOPs
// (timing::CostModel::flops_time_s): no model is needed.
Timeline run_once(const Variant& v, const Cluster& c) {
  Plan p;
  for (const auto& d : c.devices) p.devices.push_back(d.name);
  p.variants.push_back(v);
  const model::ModelGraph g;
  const cost::ModelAnalysis a;
  return sim::run_once(p, 0, c, timing::CostModel(g, a, c));
}

}  // namespace

TEST(OneRequest, SharedFifoBreaksTiesByTaskId) {
  // c0 on d0 0..1; x1 (1 MB) and x2 (2 MB) both ready at 1: x1 first (lower id) 1..2, x2 2..4;
  // c3 on d1 2..3, c4 on d2 4..5.
  Variant v;
  v.tasks = {compute(0, 0, 1e9, {}), transfer(1, 0, 1, 1e6, {0}), transfer(2, 0, 2, 2e6, {0}), compute(3, 1, 1e9, {1}),
             compute(4, 2, 1e9, {2})};
  Timeline tl = run_once(v, cluster(3, scenario::NetworkKind::shared));
  EXPECT_DOUBLE_EQ(tl.tasks[1].start_s, 1);
  EXPECT_DOUBLE_EQ(tl.tasks[1].end_s, 2);
  EXPECT_DOUBLE_EQ(tl.tasks[2].start_s, 2);
  EXPECT_DOUBLE_EQ(tl.tasks[2].end_s, 4);
  EXPECT_DOUBLE_EQ(tl.tasks[3].end_s, 3);
  EXPECT_DOUBLE_EQ(tl.latency_s, 5);
  EXPECT_DOUBLE_EQ(tl.bytes_sent, 3e6);
}

TEST(OneRequest, SharedVersusSwitched) {
  // x0 d0->d1, x1 d2->d1, x2 d0->d2, 1 MB each, all ready at 0.
  // Shared: one at a time in id order: 0..1, 1..2, 2..3.
  // Switched: at 0 x0 starts (up0, down1); x1 waits for down1; x2 waits for up0. At 1 both
  // x1 (up2, down1) and x2 (up0, down2) start: 1..2. Latency 2.
  Variant v;
  v.tasks = {transfer(0, 0, 1, 1e6, {}), transfer(1, 2, 1, 1e6, {}), transfer(2, 0, 2, 1e6, {})};
  EXPECT_DOUBLE_EQ(run_once(v, cluster(3, scenario::NetworkKind::shared)).latency_s, 3);
  Timeline sw = run_once(v, cluster(3, scenario::NetworkKind::switched));
  EXPECT_DOUBLE_EQ(sw.latency_s, 2);
  EXPECT_DOUBLE_EQ(sw.tasks[1].start_s, 1);
  EXPECT_DOUBLE_EQ(sw.tasks[2].start_s, 1);
}

TEST(OneRequest, SwitchedTransferDoesNotHoldBackOthers) {
  // x0 d0->d1 (2 MB) 0..2 holds up0 and down1. x1 d0->d2 waits for up0 (2..3); x2 d2->d3 is free
  // to start at 0 although it comes after x1 (0..1).
  Variant v;
  v.tasks = {transfer(0, 0, 1, 2e6, {}), transfer(1, 0, 2, 1e6, {}), transfer(2, 2, 3, 1e6, {})};
  Timeline tl = run_once(v, cluster(4, scenario::NetworkKind::switched));
  EXPECT_DOUBLE_EQ(tl.tasks[1].start_s, 2);
  EXPECT_DOUBLE_EQ(tl.tasks[2].start_s, 0);
  EXPECT_DOUBLE_EQ(tl.latency_s, 3);
}

TEST(OneRequest, FairSharingSplitsTheRate) {
  // 1 MB and 2 MB start together at 8 Mbit/s shared fairly: 4 Mbit/s each until the first ends
  // at 8e6 bits / 4e6 = 2 s; the second has 16e6 - 8e6 bits left, alone at 8 Mbit/s: 1 s more.
  Variant v;
  v.tasks = {transfer(0, 0, 1, 1e6, {}), transfer(1, 0, 2, 2e6, {})};
  Timeline tl = run_once(v, cluster(3, scenario::NetworkKind::shared, scenario::Sharing::fair));
  EXPECT_DOUBLE_EQ(tl.tasks[0].end_s, 2);
  EXPECT_DOUBLE_EQ(tl.tasks[1].end_s, 3);
  // With 0.5 s latency, both wait 0.5 s first, then the same sharing: 2.5 and 3.5.
  tl = run_once(v, cluster(3, scenario::NetworkKind::shared, scenario::Sharing::fair, 0.5));
  EXPECT_DOUBLE_EQ(tl.tasks[0].end_s, 2.5);
  EXPECT_DOUBLE_EQ(tl.tasks[1].end_s, 3.5);
}

TEST(OneRequest, LatencyAddsToEveryTransferAndOccupiesTheMedium) {
  // Shared fifo with 0.25 s latency: each 1 MB transfer takes 1.25 s, one after the other.
  Variant v;
  v.tasks = {transfer(0, 0, 1, 1e6, {}), transfer(1, 1, 0, 1e6, {})};
  EXPECT_DOUBLE_EQ(run_once(v, cluster(2, scenario::NetworkKind::shared, scenario::Sharing::fifo, 0.25)).latency_s, 2.5);
}

TEST(OneRequest, DeviceRunsOneTaskAtATimeInReadyOrder) {
  // c0 (d0, 1 s) and c1 (d0, 2 s) ready at 0: c0 0..1, c1 1..3. c2 (d0) waits for x3, which is
  // ready at 0 too... c2 depends on c0 and becomes ready at 1, after c1 (ready at 0): c1 first.
  Variant v;
  v.tasks = {compute(0, 0, 1e9, {}), compute(1, 0, 2e9, {}), compute(2, 0, 1e9, {0})};
  Timeline tl = run_once(v, cluster(1, scenario::NetworkKind::shared));
  EXPECT_DOUBLE_EQ(tl.tasks[1].start_s, 1);
  EXPECT_DOUBLE_EQ(tl.tasks[2].start_s, 3);
  EXPECT_DOUBLE_EQ(tl.latency_s, 4);
}

TEST(OneRequest, SelfTransferTakesNoTime) {
  Variant v;
  v.tasks = {compute(0, 0, 1e9, {}), transfer(1, 0, 0, 5e6, {0}), compute(2, 0, 1e9, {1})};
  Timeline tl = run_once(v, cluster(1, scenario::NetworkKind::shared));
  EXPECT_DOUBLE_EQ(tl.latency_s, 2);
  EXPECT_DOUBLE_EQ(tl.bytes_sent, 0);
}

TEST(OneRequest, PullTasksGoToTheFirstIdleDevice) {
  // d0 (source, 1 GFLOPS) and d1 (2 GFLOPS); three tiles of 2e9 FLOPs, input 1 MB from d0,
  // output 0.5 MB to d0. At 0 both are idle (ties: lower index): d0 takes p0 (input local)
  // and computes 0..2; d1 takes p1: input 0..1, compute 1..2, output 2..2.5 (d1 free at 2).
  // At 2 d0 and d1 are both idle since 2: d0 (lower index) takes p2, computes 2..4.
  Variant v;
  v.tasks = {pull(0, 2e9, 0, 1e6, 0, 5e5, {0, 1}), pull(1, 2e9, 0, 1e6, 0, 5e5, {0, 1}), pull(2, 2e9, 0, 1e6, 0, 5e5, {0, 1})};
  Cluster c = cluster(2, scenario::NetworkKind::shared);
  c.devices[1].speed_gflops = 2;
  Timeline tl = run_once(v, c);
  EXPECT_EQ(tl.tasks[0].device, 0);
  EXPECT_EQ(tl.tasks[1].device, 1);
  EXPECT_EQ(tl.tasks[2].device, 0);
  EXPECT_DOUBLE_EQ(tl.tasks[1].end_s, 2.5);
  EXPECT_DOUBLE_EQ(tl.tasks[2].start_s, 2);
  EXPECT_DOUBLE_EQ(tl.latency_s, 4);
  EXPECT_DOUBLE_EQ(tl.bytes_sent, 1.5e6);
}

TEST(OneRequest, LongestIdleDeviceTakesThePullTask) {
  // c0 keeps d0 busy 0..1 while d1 is idle from 0. p1 is ready at 1 (after c0): d0 became idle
  // at 1, d1 at 0, so d1 takes it although d0 has the lower index.
  Variant v;
  v.tasks = {compute(0, 0, 1e9, {}), pull(1, 1e9, -1, 0, -1, 0, {0, 1})};
  v.tasks[1].deps = {0};
  Timeline tl = run_once(v, cluster(2, scenario::NetworkKind::shared));
  EXPECT_EQ(tl.tasks[1].device, 1);
  EXPECT_DOUBLE_EQ(tl.latency_s, 2);
}

TEST(OneRequest, PredictFillsThePlan) {
  Plan p;
  p.devices = {"d0", "d1"};
  Variant v;
  v.tasks = {compute(0, 0, 1e9, {}), transfer(1, 0, 1, 1e6, {0}), compute(2, 1, 1e9, {1})};
  p.variants.push_back(v);
  const Cluster c = cluster(2, scenario::NetworkKind::shared);
  const model::ModelGraph g;
  const cost::ModelAnalysis a;
  sim::predict(p, c, timing::CostModel(g, a, c));
  EXPECT_DOUBLE_EQ(p.predicted.latency_s, 3);
  EXPECT_DOUBLE_EQ(p.predicted.compute_s, 2);
  EXPECT_DOUBLE_EQ(p.predicted.transfer_s, 1);
  EXPECT_DOUBLE_EQ(p.predicted.bytes_sent, 1e6);
  EXPECT_EQ(p.variants[0].predicted, p.predicted);
}
