// `edgepart simulate` end to end: determinism of the JSON report (same seed -> same bytes, another
// seed -> other bytes on a fading channel), the comparison table of `--strategy all`, the Chrome
// trace, failures handled without a crash, and usage errors -> exit 2.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

struct SimRun {
  int exit_code = -1;
  std::string out;
};

// Runs the binary from the repository root through the shell; stderr is discarded.
SimRun simulate(const std::string& args) {
  std::string cmd = std::string("cd '") + EDGEPART_SOURCE_DIR + "' && '" + EDGEPART_BIN + "' simulate " + args + " 2>/dev/null";
  SimRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const char* kDefault = "scenarios/default.json";

TEST(SimulateCli, SameSeedSameBytesOtherSeedOtherBytes) {
  std::string base = std::string(kDefault) + " --strategy dpfp --requests 200 --format json";
  SimRun a = simulate(base + " --seed 5"), b = simulate(base + " --seed 5"), c = simulate(base + " --seed 6");
  ASSERT_EQ(a.exit_code, 0);
  ASSERT_EQ(b.exit_code, 0);
  ASSERT_EQ(c.exit_code, 0);
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);  // the default scenario fades (Rayleigh): other draws, other latencies
  auto j = nlohmann::json::parse(a.out);
  EXPECT_EQ(j.at("format"), "edgepart.report");
  EXPECT_EQ(j.at("seed"), 5);
  const auto& s = j.at("strategies").at(0);
  EXPECT_EQ(s.at("strategy"), "dpfp");
  EXPECT_EQ(s.at("requests"), 200);
  EXPECT_TRUE(s.at("speedup").is_number());
  EXPECT_NEAR(s.at("deadline_s").get<double>(), 0.58, 1e-12);
}

TEST(SimulateCli, AllPrintsOneComparisonTable) {
  SimRun r = simulate(std::string(kDefault) + " --strategy all --requests 50 --format table");
  ASSERT_EQ(r.exit_code, 0);
  for (const char* name : {"local", "dpfp", "modnn", "ftp", "fdsp"})
    EXPECT_NE(r.out.find(std::string("\n") + name), std::string::npos) << name << "\n" << r.out;
  EXPECT_NE(r.out.find("P(<=deadline)"), std::string::npos);
  SimRun csv = simulate(std::string(kDefault) + " --strategy all --requests 50 --format csv");
  ASSERT_EQ(csv.exit_code, 0);
  EXPECT_EQ(csv.out.rfind("strategy,requests,failed,latency_mean_s", 0), 0u);
}

TEST(SimulateCli, TraceIsValidTraceEventJsonWithNestedRequests) {
  std::string path = "/tmp/edgepart_sim_trace_test.json";
  std::remove(path.c_str());
  SimRun r = simulate(std::string(kDefault) + " --strategy ftp --requests 5 --format json -o /tmp/edgepart_sim_trace_report.json --trace " + path);
  ASSERT_EQ(r.exit_code, 0);
  auto j = nlohmann::json::parse(slurp(path));
  std::map<int64_t, std::pair<double, double>> req;
  int spans = 0;
  for (const auto& e : j.at("traceEvents")) {
    for (const char* k : {"ph", "pid", "tid", "name"}) ASSERT_TRUE(e.contains(k)) << e.dump();
    if (e.at("ph") == "M") continue;
    ASSERT_EQ(e.at("ph"), "X");
    ASSERT_TRUE(e.contains("ts") && e.contains("dur")) << e.dump();
    ASSERT_GE(e.at("dur").get<double>(), 0.0);
    if (e.at("pid") == 3) req[e.at("args").at("request").get<int64_t>()] = {e.at("ts").get<double>(), e.at("ts").get<double>() + e.at("dur").get<double>()};
  }
  ASSERT_EQ(req.size(), 5u);
  for (const auto& e : j.at("traceEvents")) {
    if (e.at("ph") != "X" || e.at("pid") == 3) continue;
    auto [lo, hi] = req.at(e.at("args").at("request").get<int64_t>());
    double ts = e.at("ts").get<double>(), end = ts + e.at("dur").get<double>();
    EXPECT_GE(ts, lo - 1e-3);  // 1 ns of rounding slack (times are in microseconds)
    EXPECT_LE(end, hi + 1e-3);
    ++spans;
  }
  EXPECT_GT(spans, 10);
}

TEST(SimulateCli, FailingDevicePullFinishesStaticFails) {
  // es3 fails for good 1 s into the run.
  std::string fail = " --requests 30 --format json --set '/devices/3/speed_profile=[{\"at_ms\":1000,\"factor\":0}]'";
  SimRun ftp = simulate(std::string(kDefault) + " --strategy ftp" + fail);
  ASSERT_EQ(ftp.exit_code, 0);
  auto jf = nlohmann::json::parse(ftp.out).at("strategies").at(0);
  EXPECT_EQ(jf.at("failed"), 0);  // pulled tiles go to the other servers
  SimRun dpfp = simulate(std::string(kDefault) + " --strategy dpfp" + fail);
  ASSERT_EQ(dpfp.exit_code, 0);
  auto jd = nlohmann::json::parse(dpfp.out).at("strategies").at(0);
  EXPECT_GT(jd.at("failed").get<int>(), 0);  // es3's static rows are lost
  EXPECT_LT(jd.at("failed").get<int>(), 30);  // the requests before 1 s completed
}

TEST(SimulateCli, ReliabilityNeverFallsAsTheDeadlineRises) {
  // The same seed (same channel draws) at rising deadlines: P(latency <= deadline) and both ends
  // of its interval never fall; at 10 s every dpfp request meets it.
  double prev[3] = {-1, -1, -1};
  for (int deadline_ms : {400, 560, 575, 580, 590, 600, 650, 10000}) {
    SimRun r = simulate(std::string(kDefault) + " --strategy dpfp --requests 300 --format json --set /workload/deadline_ms=" +
                        std::to_string(deadline_ms));
    ASSERT_EQ(r.exit_code, 0);
    auto rel = nlohmann::json::parse(r.out).at("strategies").at(0).at("reliability");
    double now[3] = {rel.at("value").get<double>(), rel.at("ci_low").get<double>(), rel.at("ci_high").get<double>()};
    for (int i = 0; i < 3; ++i) EXPECT_GE(now[i], prev[i]) << deadline_ms;
    std::copy(now, now + 3, prev);
  }
  EXPECT_EQ(prev[0], 1.0);
}

TEST(SimulateCli, UsageErrorsExitTwo) {
  EXPECT_EQ(simulate(std::string(kDefault) + " --strategy dpf").exit_code, 2);
  EXPECT_EQ(simulate(std::string(kDefault) + " --strategy all --trace /tmp/x.json").exit_code, 2);
  EXPECT_EQ(simulate("scenarios/does_not_exist.json").exit_code, 2);
}

}  // namespace

namespace {

// A plan's compute tasks are timed from its model's layers and regions (timing::CostModel), so a
// plan made for another model is refused (exit 2), and accepted with its own model's scenario.
TEST(SimulateCli, PlanFromAnotherModelIsRefused) {
  const std::string plan = "/tmp/edgepart_simulate_cli_yolov2_local_plan.json";
  const std::string make = std::string("cd '") + EDGEPART_SOURCE_DIR + "' && '" + EDGEPART_BIN +
                           "' plan scenarios/deepthings.json --strategy local --format json -o " + plan + " 2>/dev/null";
  ASSERT_EQ(std::system(make.c_str()), 0);
  EXPECT_EQ(simulate(std::string(kDefault) + " --plan " + plan + " --requests 1").exit_code, 2);  // vgg16
  EXPECT_EQ(simulate("scenarios/deepthings.json --plan " + plan + " --requests 1 --format json").exit_code, 0);
  std::remove(plan.c_str());
}

// A plan whose recorded hash was zeroed (or edited) names no model: `simulate --plan` refuses it
// at /model/hash with exit 2, as `verify --plan` does (one check, plan::check_plan_model).
TEST(SimulateCli, PlanWithZeroedHashIsRefused) {
  const std::string plan = "/tmp/edgepart_simulate_cli_zeroed_hash_plan.json";
  const std::string make = std::string("cd '") + EDGEPART_SOURCE_DIR + "' && '" + EDGEPART_BIN +
                           "' plan scenarios/default.json --strategy local --format json -o " + plan + " 2>/dev/null";
  ASSERT_EQ(std::system(make.c_str()), 0);
  auto j = nlohmann::json::parse(slurp(plan));
  const std::string hash = j.at("model").at("hash").get<std::string>();
  ASSERT_FALSE(hash.empty());
  j["model"]["hash"] = std::string(hash.size(), '0');
  { std::ofstream(plan) << j.dump(2); }
  SimRun r = simulate(std::string(kDefault) + " --plan " + plan + " --requests 1 2>&1; echo exit=$?");
  EXPECT_NE(r.out.find(plan + ": /model/hash: the plan was made for model"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exit=2"), std::string::npos) << r.out;
  const std::string verify = std::string("cd '") + EDGEPART_SOURCE_DIR + "' && '" + EDGEPART_BIN +
                             "' verify models/vgg16.json --plan " + plan + " >/dev/null 2>&1";
  const int status = std::system(verify.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2);
  std::remove(plan.c_str());
}

// Overload (docs/simulator.md "Overload"): one device whose only task is a 400 ms overhead (the
// model is a flatten: no FLOPs), Poisson arrivals. Utilisation = rate x 0.4 s whatever the draws
// (every request keeps the device busy exactly 0.4 s): 4/s -> 1.6, overloaded, no speedup; 2/s ->
// 0.8, not overloaded.
TEST(SimulateCli, OverloadIsReportedWithItsBottleneck) {
  const std::string dir = "/tmp/edgepart_simulate_cli_overload";
  std::system(("mkdir -p " + dir).c_str());
  { std::ofstream(dir + "/m.json") << R"({"format": "edgepart.model", "version": 1, "name": "m", "input": [1, 2, 2],
      "layers": [{"name": "f", "op": "flatten"}]})"; }
  { std::ofstream(dir + "/s.json") << R"({"format": "edgepart.scenario", "version": 1, "name": "overload", "model": "m.json",
      "devices": [{"name": "solo", "role": "source", "speed_gflops": 1, "task_overhead_ms": 400}],
      "network": {"bandwidth_mbps": 100},
      "workload": {"requests": 50, "arrival": "poisson", "rate_rps": 4},
      "strategy": {"name": "local"}})"; }
  SimRun over = simulate(dir + "/s.json --format json");
  ASSERT_EQ(over.exit_code, 0);
  const auto st = nlohmann::json::parse(over.out).at("strategies").at(0);
  ASSERT_TRUE(st.at("load").is_object()) << st.dump();
  EXPECT_EQ(st.at("load").at("bottleneck"), "device solo");
  EXPECT_NEAR(st.at("load").at("utilisation").get<double>(), 4 * 0.4, 1e-9);
  EXPECT_EQ(st.at("load").at("overloaded"), true);
  EXPECT_TRUE(st.at("speedup").is_null());
  SimRun table = simulate(dir + "/s.json --format table");
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("overloaded"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("warning: local is overloaded: device solo at utilisation 1.60"), std::string::npos) << table.out;

  SimRun under = simulate(dir + "/s.json --set /workload/rate_rps=2 --format json");
  ASSERT_EQ(under.exit_code, 0);
  const auto ok = nlohmann::json::parse(under.out).at("strategies").at(0);
  EXPECT_NEAR(ok.at("load").at("utilisation").get<double>(), 2 * 0.4, 1e-9);
  EXPECT_EQ(ok.at("load").at("overloaded"), false);
  EXPECT_NEAR(ok.at("speedup").get<double>(), 1.0, 1e-12);  // local against itself
  // A closed loop cannot overload: no load at all.
  SimRun closed = simulate(dir + "/s.json --set /workload/arrival=closed --format json");
  ASSERT_EQ(closed.exit_code, 0);
  EXPECT_TRUE(nlohmann::json::parse(closed.out).at("strategies").at(0).at("load").is_null());
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace

namespace {

// Runs an edgepart command from the repository root; stdout only.
std::string edgepart_out(const std::string& args) {
  std::string cmd = std::string("cd '") + EDGEPART_SOURCE_DIR + "' && '" + EDGEPART_BIN + "' " + args + " 2>/dev/null";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

}  // namespace

// An approximate plan's report carries its accuracy cost: the executor's error of the model output,
// the figure `verify --plan` prints for the same plan (seed 1); a lossless plan's is null. The
// table shows it next to the speedup.
TEST(SimulateCli, ApproximatePlansCarryTheirAccuracyCost) {
  const std::string set = " --set /model=../models/resnet18.json";
  const std::string plan = "/tmp/edgepart_sim_fdsp_plan_" + std::to_string(::getpid()) + ".json";
  edgepart_out("plan " + std::string(kDefault) + set + " --strategy fdsp --format json -o " + plan);
  const auto verify = nlohmann::json::parse(edgepart_out("verify resnet18 --plan " + plan));
  SimRun r = simulate(std::string(kDefault) + set + " --plan " + plan + " --requests 2 --format json");
  SimRun table = simulate(std::string(kDefault) + set + " --plan " + plan + " --requests 2 --format table");
  std::remove(plan.c_str());
  ASSERT_EQ(r.exit_code, 0);
  const auto j = nlohmann::json::parse(r.out);
  const auto& fdsp = j.at("strategies").at(0);
  ASSERT_EQ(fdsp.at("strategy"), "fdsp");
  EXPECT_FALSE(fdsp.at("lossless").get<bool>());
  const auto& acc = fdsp.at("accuracy");
  ASSERT_TRUE(acc.at("measured").get<bool>());
  EXPECT_EQ(acc.at("rel_l2_error"), verify.at("rel_l2_error"));
  EXPECT_EQ(acc.at("max_abs_error"), verify.at("max_abs_error"));
  EXPECT_GT(acc.at("rel_l2_error").get<double>(), 0.01);  // zero-padded tiles: a real error
  SimRun dpfp = simulate(std::string(kDefault) + set + " --strategy dpfp --requests 2 --format json");
  EXPECT_TRUE(nlohmann::json::parse(dpfp.out).at("strategies").at(0).at("accuracy").is_null());
  char l2[32];
  std::snprintf(l2, sizeof l2, "%.3f L2", acc.at("rel_l2_error").get<double>());
  EXPECT_NE(table.out.find(l2), std::string::npos) << table.out;
}
