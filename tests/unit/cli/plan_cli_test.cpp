// `edgepart plan`, `list strategies|channels` and `validate` on scenario and plan files, run as a
// user would (the built binary).
#include <gtest/gtest.h>

#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "run_cli.hpp"

namespace edgepart {
namespace {

using edgepart::testing::run_edgepart;
namespace fs = std::filesystem;

TEST(PlanCli, JsonPlanHasTheStableKeysAndValidates) {
  auto r = run_edgepart({"plan", "scenarios/default.json", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("format").get<std::string>(), "edgepart.plan");
  EXPECT_EQ(j.at("strategy").get<std::string>(), "dpfp");
  EXPECT_GT(j.at("predicted").at("latency_s").get<double>(), 0);
  // Written to a file, the plan validates and reads back to the same bytes.
  fs::path file = fs::temp_directory_path() / "edgepart_plan_cli_test.json";
  auto w = run_edgepart({"plan", "scenarios/default.json", "--format", "json", "-o", file.string()});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(edgepart::testing::slurp(file.string()), r.out);
  auto v = run_edgepart({"validate", file.string(), "scenarios/default.json"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("plan 'dpfp' for 'vgg16'"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("scenario 'vgg16-4es-wifi', 4 devices"), std::string::npos) << v.out;
  fs::remove(file);
}

TEST(PlanCli, TableShowsBlocksAndLatency) {
  auto r = run_edgepart({"plan", "scenarios/default.json", "--strategy", "modnn", "--format", "table"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("strategy modnn on vgg16, 4 devices, 100 Mbit/s shared network"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("predicted latency:"), std::string::npos);
  EXPECT_NE(r.out.find("traffic:"), std::string::npos);
}

// A model of almost no FLOPs: one relu over 16 elements. At 1e6 GFLOP/s local takes 16 FLOPs /
// 1e15 FLOP/s = 1.6e-14 s, below the simulator's 1 ns: no ratio (it printed "speedup 0.00x,
// 800000000003199872.0 % higher"). At 1 GFLOP/s local takes 16 ns and MoDNN at least the 2 ms of
// one transfer: a slowdown factor, never a percentage "higher" that grows without bound.
TEST(PlanCli, TableComparesWithLocalOnlyWhenItMeansSomething) {
  const fs::path dir = fs::temp_directory_path() / "edgepart_plan_cli_tiny";
  fs::create_directories(dir);
  { std::ofstream(dir / "m.json") << R"({"format": "edgepart.model", "version": 1, "name": "m", "input": [1, 4, 4],
      "layers": [{"name": "r", "op": "relu"}]})"; }
  { std::ofstream(dir / "s.json") << R"({"format": "edgepart.scenario", "version": 1, "name": "tiny", "model": "m.json",
      "devices": [{"name": "a", "role": "source", "speed_gflops": 1000000}, {"name": "b", "speed_gflops": 1000000}],
      "network": {"bandwidth_mbps": 100, "latency_ms": 2}})"; }
  const std::string scenario = (dir / "s.json").string();
  auto tiny = run_edgepart({"plan", scenario, "--strategy", "modnn", "--format", "table"});
  ASSERT_EQ(tiny.exit_code, 0) << tiny.err;
  EXPECT_NE(tiny.out.find("too short to compare, below the simulator's 1 ns time resolution)"), std::string::npos) << tiny.out;
  EXPECT_EQ(tiny.out.find("speedup"), std::string::npos) << tiny.out;
  auto slow = run_edgepart({"plan", scenario, "--strategy", "modnn", "--format", "table", "--set",
                            "/devices/0/speed_gflops=1", "--set", "/devices/1/speed_gflops=1"});
  ASSERT_EQ(slow.exit_code, 0) << slow.err;
  EXPECT_NE(slow.out.find("x slower)"), std::string::npos) << slow.out;
  EXPECT_EQ(slow.out.find("higher"), std::string::npos) << slow.out;
  EXPECT_EQ(slow.out.find("0.00x"), std::string::npos) << slow.out;
  fs::remove_all(dir);
}

TEST(PlanCli, SetOverridesApplyBeforeValidation) {
  auto slow = run_edgepart({"plan", "scenarios/default.json", "--format", "json", "--set", "/network/bandwidth_mbps=1"});
  auto fast = run_edgepart({"plan", "scenarios/default.json", "--format", "json", "--set", "/network/bandwidth_mbps=1000"});
  ASSERT_EQ(slow.exit_code, 0) << slow.err;
  ASSERT_EQ(fast.exit_code, 0) << fast.err;
  EXPECT_GT(nlohmann::json::parse(slow.out).at("predicted").at("latency_s").get<double>(),
            nlohmann::json::parse(fast.out).at("predicted").at("latency_s").get<double>());
  auto bad = run_edgepart({"plan", "scenarios/default.json", "--set", "/network/bandwidth_mbps=-3"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("scenarios/default.json: /network/bandwidth_mbps: must be > 0 (got -3)"), std::string::npos) << bad.err;
}

TEST(PlanCli, UnknownStrategyListsTheValidOnes) {
  auto r = run_edgepart({"plan", "scenarios/default.json", "--strategy", "dpf"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown strategy 'dpf'; did you mean 'dpfp'? (valid: local, dpfp, modnn"), std::string::npos) << r.err;
}

TEST(PlanCli, ListStrategiesAndChannels) {
  auto s = run_edgepart({"list", "strategies", "--format", "json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto names = nlohmann::json::parse(s.out).at("strategies");
  std::vector<std::string> got;
  for (const auto& e : names) got.push_back(e.at("name").get<std::string>());
  for (const char* want : {"local", "dpfp", "modnn", "ftp", "fdsp"})
    EXPECT_NE(std::find(got.begin(), got.end(), want), got.end()) << want;
  auto c = run_edgepart({"list", "channels", "--format", "table"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  for (const char* want : {"constant", "rayleigh", "gilbert_elliott", "trace"}) EXPECT_NE(c.out.find(want), std::string::npos) << want;
}

}  // namespace
}  // namespace edgepart
