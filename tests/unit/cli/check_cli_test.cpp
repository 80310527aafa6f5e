// `edgepart check` end to end: exit codes (0 within tolerance or improved, 3 regression, 2 when
// the files cannot be compared) and the table of what moved (docs/design.md §8).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "run_cli.hpp"

namespace {

namespace fs = std::filesystem;

using CmdResult = edgepart::testing::CliResult;

using edgepart::testing::slurp;  // tests/unit/cli/run_cli.hpp

class CheckCli : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("edgepart_check_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }
  CmdResult run(const std::string& args) { return edgepart::testing::run_edgepart_line(args); }
  // A simulate report (the §8 keys) with two strategies; latencies scaled by `scale`.
  static std::string report(double scale, bool with_modnn = true) {
    auto entry = [&](const char* name, double mean) {
      std::ostringstream s;
      s.precision(17);
      s << "{\"strategy\": \"" << name << "\", \"latency_s\": {\"mean\": " << mean * scale << ", \"p50\": " << mean * scale
        << ", \"p95\": " << 2 * mean * scale << ", \"p99\": " << 3 * mean * scale << ", \"max\": " << 4 * mean * scale
        << "}, \"speedup\": 1.5, \"reliability\": {\"value\": 0.9, \"ci_low\": 0.85, \"ci_high\": 0.95},"
        << " \"deadline_s\": 0.2, \"requests\": 100, \"failed\": 0, \"throughput_rps\": 10, \"bytes_sent\": 1000}";
      return s.str();
    };
    std::string text = "{\"format\": \"edgepart.report\", \"version\": 1, \"strategies\": [" + entry("dpfp", 0.1);
    if (with_modnn) text += ", " + entry("modnn", 0.2);
    return text + "]}\n";
  }
  fs::path dir_;
};

TEST_F(CheckCli, IdenticalFileExitsZero) {
  auto a = write("a.json", report(1.0));
  CmdResult r = run("check " + a.string() + " --baseline " + a.string() + " --rtol 0.05");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("0 regressed"), std::string::npos) << r.out;
}

TEST_F(CheckCli, BaselineLatenciesTenPercentLowerExitThree) {
  // (1 - 0.9)/0.9 = 11.1 % > 5 %.
  auto result = write("result.json", report(1.0));
  auto base = write("base.json", report(0.9));
  CmdResult r = run("check " + result.string() + " --baseline " + base.string() + " --rtol 0.05");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("REGRESSED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("latency_p99_s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("+11.11 %"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("10 regressed"), std::string::npos) << r.out;
}

TEST_F(CheckCli, ImprovementExitsZero) {
  auto result = write("result.json", report(0.9));
  auto base = write("base.json", report(1.0));
  CmdResult r = run("check " + result.string() + " --baseline " + base.string() + " --rtol 0.05");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("improved"), std::string::npos) << r.out;
  // --strict turns any move into a failure (golden tests).
  r = run("check " + result.string() + " --baseline " + base.string() + " --rtol 0 --strict");
  EXPECT_EQ(r.exit_code, 3);
}

TEST_F(CheckCli, MissingStrategyIsAnInputError) {
  auto result = write("result.json", report(1.0, false));
  auto base = write("base.json", report(1.0, true));
  CmdResult r = run("check " + result.string() + " --baseline " + base.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("edgepart: error: " + result.string() + ": no row for strategy=modnn"), std::string::npos) << r.err;
}

TEST_F(CheckCli, SweepCsvAndMetricSelection) {
  auto base = write("base.csv", "/network/bandwidth_mbps,strategy,seed,latency_p99_s,reliability\n10,dpfp,1,0.5,0.9\n");
  auto result = write("res.csv", "/network/bandwidth_mbps,strategy,seed,latency_p99_s,reliability\n10,dpfp,1,0.5,0.5\n");
  EXPECT_EQ(run("check " + result.string() + " --baseline " + base.string()).exit_code, 3);
  EXPECT_EQ(run("check " + result.string() + " --baseline " + base.string() + " --metric latency_p99_s").exit_code, 0);
  EXPECT_EQ(run("check " + result.string() + " --baseline " + base.string() + " --metric nope").exit_code, 2);
  // JSON output for scripts.
  CmdResult r = run("check " + result.string() + " --baseline " + base.string() + " --format json");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("\"regressions\": 1"), std::string::npos) << r.out;
}

TEST_F(CheckCli, MalformedFileExitsTwo) {
  auto base = write("base.csv", "strategy,latency_mean_s\ndpfp,1\n");
  auto bad = write("bad.csv", "strategy,latency_mean_s\ndpfp,1,2\n");
  CmdResult r = run("check " + bad.string() + " --baseline " + base.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;
  EXPECT_EQ(run("check " + (dir_ / "missing.csv").string() + " --baseline " + base.string()).exit_code, 2);
}

}  // namespace
