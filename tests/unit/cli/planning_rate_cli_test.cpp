// The planning rate is one rule (plan::planning_point) for `plan`, `simulate` and the HTML report:
// on a CIC scenario whose server sits behind a 0.13 Mbit/s link while the fastest device is at
// 100 Mbit/s, all three show the local variant (googlenet on the 3 GFLOP/s source), whose latency
// is the model's FLOPs / 3 GFLOP/s (no overheads, nothing sent).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "run_cli.hpp"

using namespace edgepart;
using namespace edgepart::testing;

namespace {

const char* kScenario = "tests/data/scenarios/cic_planning_rate.json";

double local_latency_s() {
  model::ModelGraph g = model::load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/googlenet.json");
  return static_cast<double>(cost::analyze(g).total_flops) / 3e9;
}

}  // namespace

TEST(PlanningRate, PlanSimulateAndReportShowTheSameVariant) {
  const double expected_s = local_latency_s();
  CliResult plan = run_edgepart({"plan", kScenario, "--format", "json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  auto p = nlohmann::json::parse(plan.out);
  EXPECT_NEAR(p.at("predicted").at("latency_s").get<double>(), expected_s, 1e-9 * expected_s);

  CliResult table = run_edgepart({"plan", kScenario, "--format", "table"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  // The stage table shows the variant the predicted latency belongs to: every layer on pi.
  EXPECT_NE(table.out.find("none   pi"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("server  0..0"), std::string::npos) << table.out;

  const std::string html = ::testing::TempDir() + "planning_rate.html";
  CliResult sim = run_edgepart({"simulate", kScenario, "--requests", "1", "--format", "json", "--report", html});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  auto s = nlohmann::json::parse(sim.out);
  EXPECT_NEAR(s.at("strategies").at(0).at("latency_s").at("mean").get<double>(), expected_s, 1e-9 * expected_s);

  std::smatch m;
  const std::string page = slurp(html);
  ASSERT_TRUE(std::regex_search(page, m, std::regex("([0-9.]+) ms \\(one request, planning rate\\)")));
  EXPECT_NEAR(std::stod(m[1].str()) / 1e3, expected_s, 1e-4);  // printed with 0.1 ms resolution
  std::remove(html.c_str());
}
