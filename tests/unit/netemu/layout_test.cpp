// Shaping rules of docs/netemu.md as data (no root needed): burst and queue sizing, the classes
// of switched and shared networks, and the ip/tc commands built from them.
#include <gtest/gtest.h>

#include <algorithm>

#include "edgepart/scenario/cluster.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/util/error.hpp"
#include "netemu/commands.hpp"
#include "netemu/layout.hpp"

using namespace edgepart;
using namespace edgepart::netemu;

namespace {

scenario::Scenario make_scenario(const std::string& kind, const std::string& links) {
  const Json doc = Json::parse(R"({"format": "edgepart.scenario", "version": 1, "name": "t", "model": "m.json",
    "devices": [{"name": "cam\nera; rm -rf /", "role": "source", "speed_gflops": 10},
                {"name": "b", "speed_gflops": 10}, {"name": "c", "speed_gflops": 10}],
    "network": {"kind": ")" + kind + R"(", "bandwidth_mbps": 20, "latency_ms": 5, "links": )" + links + "}}");
  return scenario::scenario_from_json(doc, "t.json");
}

bool has_argv(const std::vector<std::vector<std::string>>& cmds, const std::vector<std::string>& want) {
  return std::find(cmds.begin(), cmds.end(), want) != cmds.end();
}

}  // namespace

TEST(NetemuLayout, BurstIsOneMillisecondAtTheRateButAtLeastTwoFrames) {
  // 20 Mbit/s: 20e6 * 1e-3 / 8 = 2,500 bytes < 2 * 1,514 = 3,028.
  EXPECT_EQ(burst_bytes(20'000'000), 3028);
  // 100 Mbit/s: 12,500 bytes; 1 Gbit/s: 125,000 bytes.
  EXPECT_EQ(burst_bytes(100'000'000), 12500);
  EXPECT_EQ(burst_bytes(1'000'000'000), 125000);
}

TEST(NetemuLayout, QueueIsHundredMillisecondsPlusTheDelayLine) {
  // 20 Mbit/s: 0.1 s * 20e6 / (8 * 1514) = 165.1 -> 166 packets; no delay.
  EXPECT_EQ(queue_packets(20'000'000, 0), 166);
  // + 5 ms in flight: 0.005 * 20e6 / 12112 = 8.26 -> 9.
  EXPECT_EQ(queue_packets(20'000'000, 0.005), 175);
  // 1 Mbit/s: 100 ms is 8.3 packets, the floor of 64 applies.
  EXPECT_EQ(queue_packets(1'000'000, 0), 64);
}

TEST(NetemuLayout, SwitchedShapesEveryUplinkAndDownlinkWithPairOverrides) {
  // a -> c overridden at 50 Mbit/s and 1 ms; the rest at 20 Mbit/s and 5 ms.
  const Layout l = layout_network(
      make_scenario("switched", R"([{"from": "cam\nera; rm -rf /", "to": "c", "bandwidth_mbps": 50, "latency_ms": 1}])"),
      "ep7n0");
  EXPECT_FALSE(l.shared);
  EXPECT_EQ(l.hub_ns, "ep7n0-hub");
  EXPECT_EQ(l.device_ns, (std::vector<std::string>{"ep7n0-d0", "ep7n0-d1", "ep7n0-d2"}));
  EXPECT_EQ(l.address, (std::vector<std::string>{"10.77.0.1", "10.77.0.2", "10.77.0.3"}));
  ASSERT_EQ(l.shapers.size(), 6u);  // uplink and downlink of each of 3 devices
  const Shaper& up_a = l.shapers[0];
  EXPECT_EQ(up_a.ns, "ep7n0-d0");
  EXPECT_EQ(up_a.dev, "eth0");
  EXPECT_EQ(up_a.ceiling_bps, 50'000'000);
  ASSERT_EQ(up_a.classes.size(), 2u);
  EXPECT_EQ(up_a.classes[0].rate_bps, 20'000'000);  // default
  EXPECT_DOUBLE_EQ(up_a.classes[0].delay_s, 0.005);
  EXPECT_EQ(up_a.classes[1].match_dst, "10.77.0.3");
  EXPECT_EQ(up_a.classes[1].minor, 0x100 + 2);
  EXPECT_EQ(up_a.classes[1].rate_bps, 50'000'000);
  EXPECT_DOUBLE_EQ(up_a.classes[1].delay_s, 0.001);
  // c's downlink (port p2 of the bridge): traffic from a at 50, no delay (latency is on the uplink).
  const Shaper& down_c = l.shapers[5];
  EXPECT_EQ(down_c.ns, "ep7n0-hub");
  EXPECT_EQ(down_c.dev, "p2");
  ASSERT_EQ(down_c.classes.size(), 2u);
  EXPECT_EQ(down_c.classes[1].match_src, "10.77.0.1");
  EXPECT_EQ(down_c.classes[1].rate_bps, 50'000'000);
  EXPECT_EQ(down_c.classes[1].delay_s, 0);
  // b has no override either way: one class each.
  EXPECT_EQ(l.shapers[2].classes.size(), 1u);
  EXPECT_EQ(l.shapers[3].classes.size(), 1u);
  EXPECT_EQ(l.shapers[3].ceiling_bps, 20'000'000);
}

TEST(NetemuLayout, SharedIsOneMediumWithAClassPerOverriddenPair) {
  const Layout l = layout_network(
      make_scenario("shared", R"([{"from": "b", "to": "c", "bandwidth_mbps": 10, "symmetric": true}])"), "x1");
  EXPECT_TRUE(l.shared);
  ASSERT_EQ(l.shapers.size(), 1u);
  const Shaper& medium = l.shapers[0];
  EXPECT_EQ(medium.ns, "x1-hub");
  EXPECT_EQ(medium.dev, "ifb0");
  EXPECT_EQ(medium.ceiling_bps, 20'000'000);
  ASSERT_EQ(medium.classes.size(), 3u);  // default, b -> c, c -> b
  EXPECT_EQ(medium.classes[1].match_src, "10.77.0.2");
  EXPECT_EQ(medium.classes[1].match_dst, "10.77.0.3");
  EXPECT_EQ(medium.classes[2].match_src, "10.77.0.3");
  EXPECT_EQ(medium.classes[2].match_dst, "10.77.0.2");
  EXPECT_EQ(medium.classes[2].rate_bps, 10'000'000);
  EXPECT_DOUBLE_EQ(medium.classes[2].delay_s, 0.005);  // the link keeps the network's latency
}

TEST(NetemuLayout, CommandsUseRatesInBitsAndNeverDeviceNames) {
  const Layout l = layout_network(make_scenario("switched", "[]"), "p");
  const auto cmds = build_commands(l, /*netem=*/true);
  EXPECT_TRUE(has_argv(cmds, {"ip", "netns", "add", "p-d0"}));
  EXPECT_TRUE(has_argv(cmds, {"ip", "-n", "p-hub", "link", "add", "p0", "type", "veth", "peer", "name", "eth0",
                              "netns", "p-d0"}));
  EXPECT_TRUE(has_argv(cmds, {"tc", "-n", "p-d1", "class", "add", "dev", "eth0", "parent", "1:1", "classid", "1:10",
                              "htb", "rate", "20000000bit", "ceil", "20000000bit", "burst", "3028", "cburst", "3028",
                              "quantum", "1514"}));
  // 5 ms on the uplink, as whole microseconds; 166 + 9 packets of queue.
  EXPECT_TRUE(has_argv(cmds, {"tc", "-n", "p-d1", "qdisc", "add", "dev", "eth0", "parent", "1:10", "netem", "delay",
                              "5000us", "limit", "175"}));
  EXPECT_TRUE(has_argv(cmds, {"tc", "-n", "p-hub", "qdisc", "add", "dev", "p1", "parent", "1:10", "pfifo", "limit",
                              "166"}));
  for (const auto& argv : cmds)
    for (const auto& arg : argv) EXPECT_EQ(arg.find("cam"), std::string::npos) << arg;
  // Without netem no delay line at all.
  for (const auto& argv : build_commands(l, false)) EXPECT_EQ(std::count(argv.begin(), argv.end(), "netem"), 0);
}

TEST(NetemuLayout, RefusesBadPrefixesAndRatesTcCannotExpress) {
  EXPECT_THROW(layout_network(make_scenario("switched", "[]"), ""), InputError);
  EXPECT_THROW(layout_network(make_scenario("switched", "[]"), "Ep1"), InputError);
  EXPECT_THROW(layout_network(make_scenario("switched", "[]"), "a-b"), InputError);
  EXPECT_THROW(layout_network(make_scenario("switched", "[]"), std::string(33, 'a')), InputError);
  try {
    layout_network(make_scenario("switched", R"([{"from": "b", "to": "c", "bandwidth_mbps": 0.0001}])"), "ok");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), "/network/links/0/bandwidth_mbps");
  }
}

// The goodput factor is what payload gets of the wire: plans move data at bandwidth x factor,
// the emulator shapes the wire at the bandwidth itself.
TEST(NetemuLayout, TheWireIsShapedAtTheBandwidthNotTheGoodput) {
  Json doc = Json::parse(R"({"format": "edgepart.scenario", "version": 1, "name": "t", "model": "m.json",
    "devices": [{"name": "a", "role": "source", "speed_gflops": 10}, {"name": "b", "speed_gflops": 10}],
    "network": {"kind": "switched", "bandwidth_mbps": 20, "latency_ms": 5, "goodput_factor": 0.5,
                "links": [{"from": "a", "to": "b", "bandwidth_mbps": 50}]}})");
  const scenario::Scenario s = scenario::scenario_from_json(doc, "t.json");
  const Layout l = layout_network(s, "ep7n0");
  EXPECT_EQ(l.shapers[0].classes[0].rate_bps, 20'000'000);
  EXPECT_EQ(l.shapers[0].classes[1].rate_bps, 50'000'000);
  const scenario::Cluster c = scenario::make_cluster(s);
  EXPECT_EQ(c.wire_rate_mbps(0, 1), 50);
  EXPECT_EQ(c.rate_mbps(0, 1), 25);
  EXPECT_EQ(c.rate_mbps(1, 0), 10);
  // 1e6 bytes a -> b: 5 ms + 8e6 bits / 25e6 bit/s = 0.325 s.
  EXPECT_DOUBLE_EQ(c.transfer_time_s(0, 1, 1e6), 0.325);
  // Out of range: exit-2 errors at the key.
  doc["network"]["goodput_factor"] = 0;
  EXPECT_THROW(scenario::scenario_from_json(doc, "t.json"), InputError);
  doc["network"]["goodput_factor"] = 1.5;
  EXPECT_THROW(scenario::scenario_from_json(doc, "t.json"), InputError);
}
