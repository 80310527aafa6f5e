// CIC picks its variant by the rate of the link to ITS server. With a `server` option naming a
// device other than the fastest, the band must be read on the link source -> that server, both
// in the prediction and (through Plan::rate_peer) in the simulator.
#include <gtest/gtest.h>

#include <algorithm>

#include "edgepart/sim/prediction.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "unit/strategy/two_party_fixture.hpp"

namespace edgepart::strategy {
namespace {

TEST(CicRatePeer, BandIsReadOnTheLinkToTheChosenServer) {
  const auto& m = test::zoo("vgg16");
  scenario::Cluster c = test::pi_and_server(100, 0.002);  // pi (source, 3 GFLOPS), server (300)
  scenario::Device big;
  big.name = "big";
  big.speed_gflops = 3000;  // the fastest device, on the 100 Mbit/s default link
  c.devices.push_back(big);
  // The pi's link to "server" is a 0.13 Mbit/s uplink (DADS's slowest setting): VGG-16's
  // 602,112-byte input takes 37 s there, against 31 GFLOP / 3 GFLOPS = 10.3 s locally, so at
  // that rate the optimum keeps everything on the pi.
  scenario::LinkSpec slow;
  slow.from = "pi";
  slow.to = "server";
  slow.bandwidth_mbps = 0.13;
  slow.latency_s = 0.002;
  c.network.links.push_back(slow);
  const scenario::Workload w;
  const PlanRequest r{m.graph, m.analysis, c, w};
  plan::Plan p = make_plan("cic", r, Json{{"server", "server"}});
  ASSERT_GE(p.variants.size(), 2u) << "VGG-16 between a 3 and a 300 GFLOPS device has a local and an offload band";
  EXPECT_EQ(p.rate_peer, 1);
  // The prediction is the variant of the 0.13 Mbit/s band, which is the fastest of the variants
  // when each is timed on this cluster (predict times every variant on the real links).
  const plan::Variant& chosen = p.variant_for_rate(0.13);
  double best = p.variants.front().predicted.latency_s;
  for (const auto& v : p.variants) best = std::min(best, v.predicted.latency_s);
  EXPECT_DOUBLE_EQ(p.predicted.latency_s, chosen.predicted.latency_s);
  EXPECT_DOUBLE_EQ(p.predicted.latency_s, best);
  // And the rate peer survives the JSON round trip.
  EXPECT_EQ(plan::plan_from_json(plan::plan_to_json(p), "mem").rate_peer, 1);
}

}  // namespace
}  // namespace edgepart::strategy
