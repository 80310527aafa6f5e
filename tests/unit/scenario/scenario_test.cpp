// Scenario parsing (docs/design.md §7): strict keys, errors that name the JSON pointer, --set overrides.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "edgepart/scenario/cluster.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/util/error.hpp"

using namespace edgepart;
using namespace edgepart::scenario;

namespace {

Json base() {
  return Json::parse(R"({
    "format": "edgepart.scenario", "version": 1, "name": "t", "model": "../models/vgg16.json",
    "devices": [
      {"name": "a", "role": "source", "speed_gflops": 10},
      {"name": "b", "speed_gflops": 20, "efficiency": {"conv2d": 0.5}, "memory_mb": 512, "task_overhead_ms": 2}
    ],
    "network": {"kind": "switched", "bandwidth_mbps": 100, "latency_ms": 1,
                "links": [{"from": "a", "to": "b", "bandwidth_mbps": 10}]},
    "workload": {"requests": 5, "arrival": "poisson", "rate_rps": 2, "deadline_ms": 200},
    "strategy": {"name": "dpfp", "options": {"partition": "each"}},
    "seed": 7
  })");
}

// The error message of parsing `doc` (empty when it parses).
std::string error_of(const Json& doc) {
  try {
    scenario_from_json(doc, "s.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Scenario, ParsesEveryField) {
  Scenario s = scenario_from_json(base(), "dir/s.json");
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.model_path, "models/vgg16.json");  // "dir/../models/vgg16.json" normalised
  ASSERT_EQ(s.devices.size(), 2u);
  EXPECT_EQ(s.source(), 0);
  EXPECT_DOUBLE_EQ(s.devices[1].efficiency.at("conv2d"), 0.5);
  EXPECT_DOUBLE_EQ(s.devices[1].task_overhead_s, 0.002);
  EXPECT_EQ(s.devices[1].memory_mb, 512.0);
  EXPECT_EQ(s.network.kind, NetworkKind::switched);
  EXPECT_DOUBLE_EQ(s.network.latency_s, 0.001);
  EXPECT_EQ(s.workload.arrival, Arrival::poisson);
  EXPECT_DOUBLE_EQ(*s.workload.deadline_s, 0.2);
  EXPECT_EQ(s.strategy.options, Json::parse(R"({"partition": "each"})"));
  EXPECT_EQ(s.seed, 7u);
}

TEST(Scenario, ClusterFormulas) {
  Cluster c = make_cluster(scenario_from_json(base(), "s.json"));
  // Compute time is timing::CostModel's (tests/unit/timing/cost_model_test.cpp).
  // a -> b overridden at 10 Mbit/s: 1 ms + 1.25e6 * 8 / 10e6 = 1.001 s; b -> a at the default
  // 100 Mbit/s: 1 ms + 0.1 s.
  EXPECT_NEAR(c.transfer_time_s(0, 1, 1.25e6), 1.001, 1e-12);
  EXPECT_NEAR(c.transfer_time_s(1, 0, 1.25e6), 0.101, 1e-12);
  EXPECT_EQ(c.transfer_time_s(1, 1, 1e9), 0);
  EXPECT_EQ(c.by_speed(), (std::vector<int>{1, 0}));
}

TEST(Scenario, MessageOverheadIsPartOfEveryTransferButNotOfTheLinkLatency) {
  Json d = base();
  d["network"]["message_overhead_ms"] = 0.25;
  Cluster c = make_cluster(scenario_from_json(d, "s.json"));
  // ClusterFormulas' 1.001 s plus 0.25 ms; the link's own latency (what an emulator adds) stays 1 ms.
  EXPECT_NEAR(c.transfer_time_s(0, 1, 1.25e6), 1.00125, 1e-12);
  EXPECT_NEAR(c.fixed_transfer_s(1, 0), 0.00125, 1e-15);
  EXPECT_DOUBLE_EQ(c.latency_s(1, 0), 0.001);
  EXPECT_EQ(c.transfer_time_s(1, 1, 1e9), 0);
  d["network"]["message_overhead_ms"] = -1;
  EXPECT_NE(error_of(d).find("/network/message_overhead_ms:"), std::string::npos) << error_of(d);
}

TEST(Scenario, SymmetricLinkAppliesBothWays) {
  Json d = base();
  d["network"]["links"][0]["symmetric"] = true;
  Cluster c = make_cluster(scenario_from_json(d, "s.json"));
  EXPECT_EQ(c.rate_mbps(1, 0), 10);
}

TEST(Scenario, ErrorsNameThePointer) {
  Json d = base();
  d["network"]["bandwidth_mbps"] = -5;
  EXPECT_EQ(error_of(d), "s.json: /network/bandwidth_mbps: must be > 0 (got -5)");

  d = base();
  d["network"]["bandwith_mbps"] = 5;
  EXPECT_NE(error_of(d).find("/network/bandwith_mbps: unknown key 'bandwith_mbps'; did you mean 'bandwidth_mbps'?"), std::string::npos);

  d = base();
  d["network"]["links"][0]["to"] = "c";
  EXPECT_NE(error_of(d).find("/network/links/0/to: unknown device 'c'"), std::string::npos);

  d = base();
  d["workload"]["sources"] = Json::array({"a", "zz"});
  EXPECT_NE(error_of(d).find("/workload/sources/1: unknown device 'zz'"), std::string::npos);

  d = base();
  d["devices"][1]["role"] = "source";
  EXPECT_NE(error_of(d).find("/devices: exactly one device must have role \"source\" (got 2)"), std::string::npos);

  d = base();
  d["devices"][1]["efficiency"] = Json{{"conv2", 0.5}};
  EXPECT_NE(error_of(d).find("/devices/1/efficiency/conv2: unknown op or op class 'conv2'; did you mean 'conv2d'?"), std::string::npos);

  d = base();
  d["network"]["channel"] = Json{{"kind", "rayleig"}};
  EXPECT_NE(error_of(d).find("/network/channel/kind: unknown value 'rayleig'; did you mean 'rayleigh'?"), std::string::npos);

  d = base();
  d["workload"].erase("rate_rps");
  EXPECT_NE(error_of(d).find("/workload: arrival 'poisson' needs 'rate_rps'"), std::string::npos);

  d = base();
  d["format"] = "edgepart.plan";
  EXPECT_NE(error_of(d).find("/format: expected \"edgepart.scenario\""), std::string::npos);

  d = base();
  d["devices"][1]["name"] = "a";
  EXPECT_NE(error_of(d).find("/devices/1/name: duplicate device name 'a'"), std::string::npos);
}

TEST(Scenario, OverridesParseJsonOrString) {
  Json d = base();
  apply_override(d, "/network/bandwidth_mbps=50", "s.json");
  apply_override(d, "/name=hello world", "s.json");
  apply_override(d, "/devices/1/speed_gflops=2.5", "s.json");
  apply_override(d, "/network/channel={\"kind\": \"rayleigh\", \"snr_db\": 10}", "s.json");
  Scenario s = scenario_from_json(d, "s.json");
  EXPECT_EQ(s.network.bandwidth_mbps, 50);
  EXPECT_EQ(s.name, "hello world");
  EXPECT_EQ(s.devices[1].speed_gflops, 2.5);
  ASSERT_EQ(channel_kind(s.network.channel), "rayleigh");
  EXPECT_EQ(std::get<RayleighChannel>(s.network.channel).snr_db, 10);
}

TEST(Scenario, OverrideErrors) {
  Json d = base();
  try {
    apply_override(d, "/nope/x=1", "s.json");
    FAIL();
  } catch (const InputError& e) {
    // 'nope' is two letters from 'name' (within the hint limit, util/strings.cpp closest_match)
    EXPECT_EQ(std::string(e.what()), "s.json: /nope/x: --set: '/nope' does not exist in the scenario; did you mean '/name'?");
  }
  EXPECT_THROW(apply_override(d, "network/bandwidth_mbps=1", "s.json"), InputError);
  EXPECT_THROW(apply_override(d, "/devices/9=1", "s.json"), InputError);
  // A new key is accepted by apply_override, and strict parsing then refuses it.
  apply_override(d, "/network/bandwith_mbps=1", "s.json");
  EXPECT_NE(error_of(d).find("did you mean 'bandwidth_mbps'?"), std::string::npos);
}

TEST(Scenario, TraceChannelLoadsRelativeToTheScenario) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "edgepart_scenario_test";
  fs::create_directories(dir);
  {
    std::ofstream f(dir / "rates.csv");
    f << "time_s,rate_mbps\n0,50\n# a comment\n1.5,20\n";
  }
  Json d = base();
  d["network"]["channel"] = Json{{"kind", "trace"}, {"file", "rates.csv"}, {"loop", false}};
  Scenario s = scenario_from_json(d, (dir / "s.json").string());
  const auto& t = std::get<TraceChannel>(s.network.channel);
  ASSERT_TRUE(t.points);
  EXPECT_EQ(*t.points, (TracePoints{{0, 50}, {1.5, 20}}));
  EXPECT_FALSE(t.loop);
  {
    std::ofstream f(dir / "rates.csv");
    f << "0,50\n0,20\n";
  }
  try {
    scenario_from_json(d, (dir / "s.json").string());
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("line 2: times must increase"), std::string::npos);
  }
  fs::remove_all(dir);
}

TEST(Scenario, DefaultScenarioLoads) {
  Scenario s = load_scenario(std::string(EDGEPART_SOURCE_DIR) + "/scenarios/default.json");
  EXPECT_EQ(s.devices.size(), 4u);
  EXPECT_EQ(s.devices[static_cast<size_t>(s.source())].name, "es0");
}

TEST(Scenario, DeviceProfilesResolveRelativeToTheScenario) {
  Json d = base();
  d["devices"][1]["profiles"] = Json::array({"../profiles/b-vgg16.json", "/abs/b-resnet.json"});
  Scenario s = scenario_from_json(d, "dir/s.json");
  EXPECT_TRUE(s.devices[0].profiles.empty());
  EXPECT_EQ(s.devices[1].profiles, (std::vector<std::string>{"profiles/b-vgg16.json", "/abs/b-resnet.json"}));
  std::vector<std::string> inputs = s.input_files();
  EXPECT_NE(std::find(inputs.begin(), inputs.end(), "profiles/b-vgg16.json"), inputs.end());
  EXPECT_NE(std::find(inputs.begin(), inputs.end(), "/abs/b-resnet.json"), inputs.end());

  d["devices"][1]["profiles"] = "p.json";
  EXPECT_NE(error_of(d).find("s.json: /devices/1/profiles: expected an array"), std::string::npos) << error_of(d);
  d["devices"][1]["profiles"] = Json::array({"p.json", 3});
  EXPECT_NE(error_of(d).find("s.json: /devices/1/profiles/1: expected a string"), std::string::npos) << error_of(d);
  d["devices"][1]["profiles"] = Json::array({""});
  EXPECT_EQ(error_of(d), "s.json: /devices/1/profiles/0: must not be empty");
}

// A link's bandwidth and its channel are one thing (docs/simulator.md "Links and channels"):
// channels without a rate of their own, and the warning when the two still differ.
TEST(Scenario, ChannelsScaleTheLinkBandwidth) {
  Json d = base();
  d["network"]["channel"] = Json{{"kind", "rayleigh"}, {"bandwidth_mhz", 20}};
  EXPECT_NE(error_of(d).find("/network/channel/bandwidth_mhz: a Rayleigh channel scales its link's bandwidth_mbps"),
            std::string::npos)
      << error_of(d);
  d["network"]["channel"] = Json{{"kind", "gilbert_elliott"}, {"good_mbps", 100}, {"bad_mbps", 10}};
  EXPECT_NE(error_of(d).find("/network/channel/good_mbps: Gilbert-Elliott rates are factors"), std::string::npos)
      << error_of(d);

  // Good 1, bad 0.1, p_gb 0.1, p_bg 0.3: P(bad) = 0.1 / 0.4 = 0.25, so the mean factor is
  // 0.75 x 1 + 0.25 x 0.1 = 0.775: 77.5 Mbit/s on the 100 Mbit/s network, 7.75 on the link a -> b
  // (10 Mbit/s, no channel of its own: it inherits the factors, not 100/10 Mbit/s).
  d["network"]["channel"] = Json{{"kind", "gilbert_elliott"}, {"good_factor", 1}, {"bad_factor", 0.1}};
  Scenario s = scenario_from_json(d, "s.json");
  EXPECT_NEAR(channel_mean_rate_mbps(s.network.channel, 100), 77.5, 1e-12);
  Cluster c = make_cluster(s);
  EXPECT_EQ(c.rate_mbps(0, 1), 10);
  EXPECT_NEAR(channel_mean_rate_mbps(c.channel(0, 1), c.rate_mbps(0, 1)), 7.75, 1e-12);
  auto w = rate_warnings(s.network);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0], "network: the planning rate is 100 Mbit/s but the gilbert_elliott channel's mean rate is 77.5 Mbit/s "
                  "(plans assume the first, the simulator moves data at the second)");
  EXPECT_NE(w[1].find("link a -> b: the planning rate is 10 Mbit/s but the gilbert_elliott channel's mean rate is 7.75"),
            std::string::npos);
  // Rayleigh and constant channels have the link's bandwidth as their mean: no warning.
  d["network"]["channel"] = Json{{"kind", "rayleigh"}, {"snr_db", 20}};
  EXPECT_TRUE(rate_warnings(scenario_from_json(d, "s.json").network).empty());

  // A trace is absolute: points (0, 10), (1, 5), (2, 0) looping hold 10 for 1 s and 5 for 1 s
  // (the last point only closes the 2 s period): mean 7.5 whatever the bandwidth; without loop
  // the last rate holds for ever.
  TraceChannel t;
  t.points = std::make_shared<const TracePoints>(TracePoints{{0.0, 10.0}, {1.0, 5.0}, {2.0, 0.0}});
  EXPECT_NEAR(channel_mean_rate_mbps(t, 100), 7.5, 1e-12);
  t.loop = false;
  EXPECT_EQ(channel_mean_rate_mbps(t, 100), 0.0);
}
