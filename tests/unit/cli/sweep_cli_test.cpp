// `edgepart sweep` end to end: rows equal what `simulate` reports for the same point, the output
// does not depend on -j, shards concatenate to the unsharded output, Ctrl-C leaves a valid prefix,
// and bad sweeps exit 2 with a message.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "run_cli.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;

using CmdResult = edgepart::testing::CliResult;

using edgepart::testing::slurp;  // tests/unit/cli/run_cli.hpp

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

class SweepCli : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("edgepart_sweep_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CmdResult run(const std::string& args) { return edgepart::testing::run_edgepart_line(args); }
  fs::path dir_;
  const std::string scenario_ = std::string(EDGEPART_SOURCE_DIR) + "/scenarios/default.json";
};

TEST_F(SweepCli, RowsEqualSimulateAtThatPoint) {
  CmdResult s = run("sweep " + scenario_ + " --set /network/bandwidth_mbps=40,80 --set /workload/deadline_ms=560,600 " +
              "--strategy dpfp,modnn --requests 30 --format jsonl");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto rows = lines_of(s.out);
  // 2 x 2 points x 2 strategies x 1 seed; the first axis varies slowest.
  ASSERT_EQ(rows.size(), 8u);
  auto row = nlohmann::json::parse(rows[6]);  // point 3 = (80, 600), strategy dpfp
  EXPECT_EQ(row.at("/network/bandwidth_mbps"), 80);
  EXPECT_EQ(row.at("/workload/deadline_ms"), 600);
  EXPECT_EQ(row.at("strategy"), "dpfp");
  // The same point through simulate, an independent path (its own scenario loading, planning,
  // local baseline and report).
  CmdResult sim = run("simulate " + scenario_ + " --set /network/bandwidth_mbps=80 --set /workload/deadline_ms=600 " +
                "--strategy dpfp --requests 30 --format json");
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  auto rep = nlohmann::json::parse(sim.out).at("strategies").at(0);
  EXPECT_EQ(row.at("latency_mean_s"), rep.at("latency_s").at("mean"));
  EXPECT_EQ(row.at("latency_p99_s"), rep.at("latency_s").at("p99"));
  EXPECT_EQ(row.at("speedup"), rep.at("speedup"));
  EXPECT_EQ(row.at("reliability"), rep.at("reliability").at("value"));
  EXPECT_EQ(row.at("bytes_sent"), rep.at("bytes_sent"));
  EXPECT_EQ(row.at("seed"), 1);
  EXPECT_TRUE(row.at("note").is_null());
}

TEST_F(SweepCli, OutputDoesNotDependOnThreadsAndShardsConcatenate) {
  const std::string base = "sweep " + scenario_ + " --set /network/bandwidth_mbps=20:140:20 --strategy dpfp,local " +
                           "--seeds 2 --requests 5 ";
  CmdResult one = run(base + "-j 1");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  // 7 points x 2 strategies x 2 seeds + header.
  EXPECT_EQ(lines_of(one.out).size(), 1u + 7 * 2 * 2);
  CmdResult two = run(base + "-j 2");
  EXPECT_EQ(two.out, one.out);
  // Shards 1..3 of 7 points (2, 2, 3 points), written to files and concatenated.
  std::string cat;
  for (int k = 1; k <= 3; ++k) {
    const fs::path part = dir_ / ("part" + std::to_string(k) + ".csv");
    CmdResult r = run(base + "-j 2 --shard " + std::to_string(k) + "/3 -o " + part.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    cat += slurp(part);
  }
  EXPECT_EQ(cat, one.out);
  // The sweep passes check against itself (the rows are keyed by the swept column, strategy, seed).
  const fs::path a = dir_ / "a.csv";
  std::ofstream(a) << one.out;
  EXPECT_EQ(run("check " + a.string() + " --baseline " + a.string() + " --rtol 0 --strict").exit_code, 0);
}

TEST_F(SweepCli, InterruptLeavesAValidPrefix) {
  const fs::path out = dir_ / "rows.csv";
  // Enough points that the sweep is still running when the signal comes.
  std::vector<std::string> args = {EDGEPART_BIN, "sweep", scenario_, "--set", "/network/bandwidth_mbps=1:100000:1",
                                   "--requests", "20", "-j", "2", "-o", out.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, EDGEPART_BIN, nullptr, nullptr, argv.data(), environ), 0);
  // Wait until the temporary file (next to the output) holds a few rows, then Ctrl-C.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  bool started = false;
  while (!started && std::chrono::steady_clock::now() < deadline) {
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().filename().string().rfind(".rows.csv.tmp", 0) == 0 && lines_of(slurp(e.path())).size() >= 5) started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(started);
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);  // 128 + SIGINT
  ASSERT_TRUE(fs::exists(out));
  const std::string partial = slurp(out);
  auto rows = lines_of(partial);
  ASSERT_GE(rows.size(), 5u);
  ASSERT_LT(rows.size(), 100001u);
  EXPECT_EQ(partial.back(), '\n');  // no half-written row
  for (const auto& e : fs::directory_iterator(dir_))  // and no temporary left behind
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  // The partial file is exactly the output of the sweep over its first points.
  const size_t points = rows.size() - 1;
  CmdResult prefix = run("sweep " + scenario_ + " --set /network/bandwidth_mbps=1:" + std::to_string(points) + ":1 --requests 20");
  ASSERT_EQ(prefix.exit_code, 0) << prefix.err;
  EXPECT_EQ(partial, prefix.out);
}

TEST_F(SweepCli, WritesIntoAPipeWithoutReplacingIt) {
  // -o naming a FIFO (or /dev/null) must write into it, not rename a temporary file over it.
  const fs::path fifo = dir_ / "pipe", copy = dir_ / "copy.csv";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ASSERT_EQ(std::system(("cat " + fifo.string() + " > " + copy.string() + " &").c_str()), 0);
  CmdResult r = run("sweep " + scenario_ + " --set /network/bandwidth_mbps=50,100 --requests 2 -o " + fifo.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_fifo(fifo));
  CmdResult direct = run("sweep " + scenario_ + " --set /network/bandwidth_mbps=50,100 --requests 2");
  for (int i = 0; i < 100 && slurp(copy).size() < direct.out.size(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(slurp(copy), direct.out);
}

TEST_F(SweepCli, BadSweepsExitTwo) {
  CmdResult r = run("sweep " + scenario_ + " --set /network/bandwidth_mbps=1:100000:1 --set /workload/deadline_ms=1:1000:1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("100,000,000 points, more than the limit of 10,000,000"), std::string::npos) << r.err;
  r = run("sweep " + scenario_ + " --set /network/bandwidth_mbps=50,-5 --requests 2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/network/bandwidth_mbps"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("at sweep point 1"), std::string::npos) << r.err;
  r = run("sweep " + scenario_ + " --set /network/bandwidth_mbps=50 --strategy dpf");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown strategy 'dpf'"), std::string::npos) << r.err;
  EXPECT_EQ(run("sweep " + scenario_ + " --shard 4/3").exit_code, 2);
  EXPECT_EQ(run("sweep " + scenario_ + " --set /network/bandwidth_mbps=1:2").exit_code, 2);
  // Writing over the scenario is refused.
  EXPECT_EQ(run("sweep " + scenario_ + " --requests 1 -o " + scenario_).exit_code, 2);
}

}  // namespace
