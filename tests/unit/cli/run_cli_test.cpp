// `edgepart run` end to end (docs/runtime.md): --spawn starts real workers on this machine; the
// report has simulate's keys plus `measured`, "mode": "real", the output check passes, and the
// counts of transfers and completion notices are what the plan implies (computed here from the
// plan's JSON, independently of the runtime). A worker killed mid-run turns the run's remaining
// requests into failures: exit 4 within the deadline and no worker left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "run_cli.hpp"

namespace edgepart {
namespace {

using edgepart::testing::run_edgepart;
using edgepart::testing::slurp;
using Json = nlohmann::json;

// AlexNet with a fast network: DPFP splits it among three devices (transfers, gathers, notices)
// and a request takes well under a second even on a loaded 2-core machine.
const std::vector<std::string> kSmall = {"scenarios/default.json", "--strategy", "dpfp", "--set",
                                         "/model=../models/alexnet.json", "--set", "/network/bandwidth_mbps=1000"};

std::vector<std::string> with(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

// Every key path of a JSON document; array elements share the path "[]".
void key_paths(const Json& j, const std::string& prefix, std::set<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      std::string p = prefix + "/" + it.key();
      out.insert(p);
      key_paths(it.value(), p, out);
    }
  } else if (j.is_array()) {
    for (const auto& e : j) key_paths(e, prefix + "/[]", out);
  }
}

TEST(RunCli, SpawnedDpfpRunHasSimulatesKeysAndTheRightOutput) {
  auto real = run_edgepart(with({"run"}, with(kSmall, {"--spawn", "--requests", "2", "--format", "json"})));
  ASSERT_EQ(real.exit_code, 0) << real.err;
  auto simulated = run_edgepart(with({"simulate"}, with(kSmall, {"--requests", "2", "--format", "json"})));
  ASSERT_EQ(simulated.exit_code, 0) << simulated.err;
  auto plan = run_edgepart(with({"plan"}, with(kSmall, {"--format", "json"})));
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  Json r = Json::parse(real.out), s = Json::parse(simulated.out), p = Json::parse(plan.out);

  EXPECT_EQ(r["mode"], "real");
  EXPECT_EQ(s["mode"], "simulated");
  std::set<std::string> rk, sk;
  key_paths(r, "", rk);
  key_paths(s, "", sk);
  for (const auto& k : sk) EXPECT_TRUE(rk.count(k)) << "simulate's key " << k << " is missing from run's report";
  for (const auto& k : rk) {
    if (!sk.count(k)) {
      EXPECT_EQ(k.rfind("/measured", 0), 0u) << "run's extra key " << k << " is not under /measured";
    }
  }

  const Json& m = r["measured"]["dpfp"];
  EXPECT_TRUE(m["output_check"]["checked"].get<bool>());
  EXPECT_TRUE(m["output_check"]["within_tolerance"].get<bool>()) << m["output_check"].dump();
  EXPECT_TRUE(m["output_check"]["top1_agrees"].get<bool>());
  EXPECT_EQ(r["strategies"][0]["failed"], 0);

  // What the plan implies, per request: one measured span per task, and one notice per
  // (dependency, waiting device) pair whose dependency completes on another device (compute: its
  // device; transfer: its receiver) than the waiting task runs on (compute: its device;
  // transfer: its sender).
  const Json& tasks = p["variants"][0]["tasks"];
  int64_t computes = 0, transfers = 0, notices = 0;
  double bytes = 0;
  auto exec_dev = [](const Json& t) { return t["kind"] == "transfer" ? t["from"].get<int>() : t["device"].get<int>(); };
  auto done_dev = [](const Json& t) { return t["kind"] == "transfer" ? t["to"].get<int>() : t["device"].get<int>(); };
  for (const auto& t : tasks) {
    if (t["kind"] == "transfer") {
      ++transfers;
      bytes += t["bytes"].get<double>();
    } else {
      ++computes;
    }
  }
  std::set<std::pair<int, int>> pairs;
  for (const auto& t : tasks)
    for (const auto& d : t["deps"]) {
      const Json& dep = tasks[d.get<size_t>()];
      if (done_dev(dep) != exec_dev(t)) pairs.insert({d.get<int>(), exec_dev(t)});
    }
  notices = static_cast<int64_t>(pairs.size());
  ASSERT_GT(transfers, 0) << "the test scenario should distribute the model";
  EXPECT_EQ(m["tasks"].size(), static_cast<size_t>(2 * computes));
  EXPECT_EQ(m["transfers"].size(), static_cast<size_t>(2 * transfers));
  EXPECT_EQ(m["notices"].get<int64_t>(), 2 * notices);
  EXPECT_DOUBLE_EQ(r["strategies"][0]["bytes_sent"].get<double>(), 2 * bytes);
  for (const auto& t : m["tasks"]) EXPECT_LE(t["start_s"].get<double>(), t["end_s"].get<double>());
  for (const auto& t : m["transfers"]) EXPECT_LE(t["start_s"].get<double>(), t["end_s"].get<double>());
}

// Pull plans: every tile is taken by some pool device, and the output is the whole run's (FTP,
// lossless) or reported with its error without failing the run (FDSP, zero padding per tile).
TEST(RunCli, PullPlansRunFromTheCoordinatorsQueue) {
  for (std::string s : {"ftp", "fdsp"}) {
    auto r = run_edgepart({"run", "scenarios/default.json", "--spawn", "--strategy", s, "--requests", "2", "--set",
                           "/model=../models/alexnet.json", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << s << ": " << r.err;
    Json j = Json::parse(r.out);
    const Json& m = j["measured"][s];
    EXPECT_EQ(j["strategies"][0]["failed"], 0) << s;
    EXPECT_TRUE(m["output_check"]["checked"].get<bool>()) << s;
    EXPECT_EQ(m["output_check"]["lossless_expected"].get<bool>(), s == "ftp");
    if (s == "ftp") {
      EXPECT_TRUE(m["output_check"]["within_tolerance"].get<bool>()) << m["output_check"].dump();
    } else {
      EXPECT_GT(m["output_check"]["max_abs_error"].get<double>(), 0.0);
    }
    auto plan = run_edgepart({"plan", "scenarios/default.json", "--strategy", s, "--set", "/model=../models/alexnet.json",
                              "--format", "json"});
    ASSERT_EQ(plan.exit_code, 0);
    size_t tasks = Json::parse(plan.out)["variants"][0]["tasks"].size();
    EXPECT_EQ(m["tasks"].size(), 2 * tasks) << s;  // every tile and the rest, per request
  }
}

TEST(RunCli, WeightsFromAnOnnxFileReachEveryWorker) {
  // The workers compute with the file's weights, which the coordinator ships them: the output
  // check compares with a whole-model run of the same file's weights, so a worker computing
  // with seeded weights would fail it (tests/unit/exec/trained_weights_test.cpp checks those
  // weights against PyTorch). Both the inline and the external-data form; a static and a pull plan.
  const std::string dir = "tests/data/onnx/trained/";
  for (std::string file : {"small_cnn.onnx", "small_cnn_external.onnx"})
    for (std::string s : {"dpfp", "ftp"}) {
      auto r = run_edgepart({"run", "scenarios/default.json", "--spawn", "--strategy", s, "--requests", "2", "--set",
                             "/model=../" + dir + "small_cnn.onnx", "--weights", dir + file, "--format", "json"});
      ASSERT_EQ(r.exit_code, 0) << s << " " << file << ": " << r.err;
      const Json j = Json::parse(r.out);
      const Json& m = j["measured"][s];
      EXPECT_EQ(m["weights"], dir + file);
      EXPECT_TRUE(m["output_check"]["within_tolerance"].get<bool>()) << m["output_check"].dump();
      EXPECT_GT(m["output_check"]["max_abs_output"].get<double>(), 0.0);
    }
}

TEST(RunCli, WeightsThatDoNotFitTheModelAreRefused) {
  // A weight-free export (its data file absent) and another network's weights: exit 2, one line.
  auto absent = run_edgepart({"run", "scenarios/default.json", "--spawn", "--strategy", "local", "--requests", "1",
                              "--weights", "models/vgg16.onnx"});
  EXPECT_EQ(absent.exit_code, 2);
  EXPECT_NE(absent.err.find("edgepart: error: models/vgg16.onnx: initializer 'features.0.weight': the weight of layer"),
            std::string::npos) << absent.err;
  auto other = run_edgepart({"run", "scenarios/default.json", "--spawn", "--strategy", "local", "--requests", "1",
                             "--weights", "tests/data/onnx/trained/small_cnn.onnx"});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("is it an export of the same network?"), std::string::npos) << other.err;
}

TEST(RunCli, UnreachableWorkersExit5) {
  // Port 1 on loopback: nobody listens there.
  ::setenv("EDGEPART_TOKEN", "x", 1);
  auto r = run_edgepart({"run", "scenarios/default.json", "--strategy", "local", "--requests", "1", "--workers",
                         "es0=127.0.0.1:1,es1=127.0.0.1:1,es2=127.0.0.1:1,es3=127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
}

TEST(RunCli, TheTokenNeverComesFromTheCommandLine) {
  ::unsetenv("EDGEPART_TOKEN");
  auto r = run_edgepart({"worker", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("EDGEPART_TOKEN"), std::string::npos) << r.err;
}

// --netns: the workers run in their devices' namespaces of an emulated network (root only; the
// run is refused with exit 2 otherwise, and the test is skipped).
TEST(RunCli, NetnsRunsWorkersInsideTheEmulatedNetwork) {
  auto r = run_edgepart(with({"-v", "run"}, with(kSmall, {"--spawn", "--netns", "--requests", "1", "--format", "json"})));
  if (r.exit_code == 2) GTEST_SKIP() << "no network emulation here: " << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("on 10.77.0."), std::string::npos) << "workers should listen on emulated addresses: " << r.err;
  Json j = Json::parse(r.out);
  EXPECT_TRUE(j["measured"]["dpfp"]["output_check"]["within_tolerance"].get<bool>());
  EXPECT_EQ(j["strategies"][0]["failed"], 0);
}

bool process_gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

struct KilledRun {
  int exit_code = -1;
  bool killed = false;
  std::string log;
  Json report;
  std::map<std::string, pid_t> workers;
};

// Runs `edgepart -v run ARGS -o FILE`, kills worker `victim` with SIGKILL once `after` appears in
// the log, and waits for run to end by itself.
KilledRun run_and_kill(const std::vector<std::string>& run_args, const std::string& victim, const std::string& after) {
  KilledRun k;
  const std::string out = "/tmp/edgepart_run_kill_" + std::to_string(::getpid()) + ".json";
  int err_pipe[2];
  if (::pipe(err_pipe) != 0) return k;
  std::vector<std::string> args = with({EDGEPART_BIN, "-v", "run"}, with(run_args, {"-o", out}));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t run = ::fork();
  if (run < 0) return k;
  if (run == 0) {
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::close(err_pipe[0]);
    if (::chdir(EDGEPART_SOURCE_DIR) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(err_pipe[1]);
  FILE* err = ::fdopen(err_pipe[0], "r");
  std::regex spawned(R"(spawned worker (es\d) pid (\d+))");
  char line[1024];
  while (std::fgets(line, sizeof line, err)) {
    k.log += line;
    std::cmatch m;
    if (std::regex_search(line, m, spawned)) k.workers[m[1].str()] = static_cast<pid_t>(std::stol(m[2].str()));
    if (!k.killed && k.workers.count(victim) && std::string(line).find(after) != std::string::npos) {
      ::kill(k.workers[victim], SIGKILL);
      k.killed = true;
    }
  }
  ::fclose(err);
  int status = 0;
  if (::waitpid(run, &status, 0) == run && WIFEXITED(status)) k.exit_code = WEXITSTATUS(status);
  std::string text = slurp(out);
  std::filesystem::remove(out);
  if (!text.empty()) k.report = Json::parse(text);
  return k;
}

TEST(RunCli, AKilledWorkerFailsTheRestAndLeavesNoOrphans) {
  // es1 computes a third of the first block and the whole tail: every request needs it.
  KilledRun k = run_and_kill(with(kSmall, {"--spawn", "--requests", "40", "--timeout-s", "20", "--format", "json"}), "es1",
                             "request 1 done");
  ASSERT_TRUE(k.killed) << k.log;
  EXPECT_EQ(k.exit_code, 4) << k.log;
  ASSERT_FALSE(k.report.is_null()) << k.log;
  EXPECT_EQ(k.report["strategies"][0]["requests"], 40);
  EXPECT_GE(k.report["strategies"][0]["failed"].get<int>(), 1);
  EXPECT_LE(k.report["strategies"][0]["failed"].get<int>(), 38);  // requests 0 and 1 completed
  EXPECT_FALSE(k.report["measured"]["dpfp"]["failures"].empty());
  EXPECT_EQ(k.workers.size(), 4u);
  for (const auto& [name, pid] : k.workers)  // reaped by run before it exited
    EXPECT_TRUE(process_gone(pid)) << "worker " << name << " (pid " << pid << ") outlived run";
}

TEST(RunCli, APullPlanOutlivesAKilledTileTaker) {
  // FTP: es2 only takes tiles; its unfinished tile (if any) is requeued and no request fails.
  KilledRun k = run_and_kill({"scenarios/default.json", "--strategy", "ftp", "--set", "/model=../models/alexnet.json",
                              "--spawn", "--requests", "20", "--timeout-s", "20", "--format", "json"},
                             "es2", "request 1 done");
  ASSERT_TRUE(k.killed) << k.log;
  EXPECT_EQ(k.exit_code, 0) << k.log;
  ASSERT_FALSE(k.report.is_null()) << k.log;
  EXPECT_EQ(k.report["strategies"][0]["failed"], 0);
  EXPECT_TRUE(k.report["measured"]["ftp"]["output_check"]["within_tolerance"].get<bool>());
  for (const auto& [name, pid] : k.workers) EXPECT_TRUE(process_gone(pid)) << "worker " << name << " outlived run";
}

}  // namespace
}  // namespace edgepart
