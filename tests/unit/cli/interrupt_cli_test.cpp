// Interrupting a run that writes files (docs/robustness.md): SIGINT or SIGTERM while
// `simulate -o ... --trace ...` writes must leave each output either with its old content or with
// the complete new content, and no temporary file behind. The signal is sent at the moment the
// temporary file of the largest output appears, i.e. in the middle of writing it: without the
// signals being held back there, the process would die with the temporary half-written.
// (Sweeps, which keep the rows finished so far, are tested in sweep_cli_test.cpp.)
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "run_cli.hpp"

extern char** environ;

namespace edgepart {
namespace {

namespace fs = std::filesystem;
using edgepart::testing::run_edgepart;
using edgepart::testing::slurp;

// Starts `edgepart args...` in the repository root with stderr discarded, with the default
// dispositions of SIGINT and SIGTERM and no blocked signals whatever this process inherited (a
// background `make test &` ignores SIGINT, and the child would inherit that). -1 on failure.
pid_t spawn_edgepart(const std::vector<std::string>& args) {
  std::vector<std::string> argv_text = {EDGEPART_BIN};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, EDGEPART_SOURCE_DIR);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults, none;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, EDGEPART_BIN, &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return spawned == 0 ? pid : -1;
}

// 4,000 requests make a ~1 MB trace: its write takes long enough to be caught in the act.
const std::vector<std::string> kSimulate = {"simulate", "scenarios/default.json", "--requests", "4000", "--seed", "7"};

class InterruptCli : public ::testing::TestWithParam<int> {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edgepart_interrupt_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  bool temporary_exists(const std::string& prefix) const {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_, ec))
      if (e.path().filename().string().rfind(prefix, 0) == 0) return true;
    return false;
  }
  // Runs the simulation writing `result` and `trace`, and sends `sig` as soon as the trace's
  // temporary file exists. Returns whether the signal caught the run writing, i.e. it was sent and
  // ended the process (false: the run ended first, or between the poll and the signal); `status`
  // is the process's wait status.
  bool run_and_signal_while_writing(int sig, const fs::path& result, const fs::path& trace, int& status) const {
    std::vector<std::string> args = kSimulate;
    for (const auto& a : {"--format", "json", "-o", result.c_str(), "--trace", trace.c_str()}) args.push_back(a);
    const pid_t pid = spawn_edgepart(args);
    if (pid < 0) {
      ADD_FAILURE() << "posix_spawn failed";
      return false;
    }
    // Poll without sleeping: the trace takes a few milliseconds to write.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      if (temporary_exists(".trace.json.tmp.")) {
        ::kill(pid, sig);
        ::waitpid(pid, &status, 0);
        return WIFSIGNALED(status);
      }
      if (::waitpid(pid, &status, WNOHANG) == pid) return false;
      ::sched_yield();  // the child needs the CPU more than this loop
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    ADD_FAILURE() << "the simulation did not end within 120 s";
    return false;
  }
  fs::path dir_;
};


TEST_P(InterruptCli, SignalWhileWritingLeavesOldOrCompleteFiles) {
  const int sig = GetParam();
  // The complete outputs, from an uninterrupted run.
  const fs::path ref_result = dir_ / "ref.json", ref_trace = dir_ / "ref_trace.json";
  auto args = kSimulate;
  for (const auto& a : {"--format", "json", "-o", ref_result.c_str(), "--trace", ref_trace.c_str()}) args.push_back(a);
  const auto ref = run_edgepart(args);
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  const std::string complete_result = slurp(ref_result), complete_trace = slurp(ref_trace);
  ASSERT_GT(complete_trace.size(), 100'000u);

  // The outputs the interrupted run replaces, with content a user would not want to lose half of.
  // The signal is sent when the trace's temporary file is seen; a run can end between two polls,
  // so up to 10 runs are tried until one is caught writing.
  const fs::path result = dir_ / "result.json", trace = dir_ / "trace.json";
  bool caught_writing = false;
  for (int attempt = 0; attempt < 10 && !caught_writing; ++attempt) {
    std::ofstream(result) << "old result\n";
    std::ofstream(trace) << "old trace\n";
    int status = 0;
    caught_writing = run_and_signal_while_writing(sig, result, trace, status);
    // The process either finished normally (the signal came after the last write) or was ended by
    // the signal, which is held back while a file is written and then acts as usual.
    if (WIFSIGNALED(status)) {
      EXPECT_EQ(WTERMSIG(status), sig);
    } else {
      ASSERT_TRUE(WIFEXITED(status));
      EXPECT_EQ(WEXITSTATUS(status), 0);
    }
    const std::string result_now = slurp(result), trace_now = slurp(trace);
    EXPECT_TRUE(result_now == "old result\n" || result_now == complete_result) << result_now.substr(0, 200);
    EXPECT_TRUE(trace_now == "old trace\n" || trace_now == complete_trace) << trace_now.size() << " bytes";
    EXPECT_FALSE(temporary_exists(".result.json.tmp."));
    EXPECT_FALSE(temporary_exists(".trace.json.tmp."));
    // Caught in the middle of writing the trace: the signal waited until it was written in full,
    // then ended the process before the result was written (the trace is written first).
    if (caught_writing) {
      EXPECT_TRUE(trace_now == complete_trace) << trace_now.size() << " of " << complete_trace.size() << " bytes";
      EXPECT_EQ(result_now, "old result\n");
    }
  }
  EXPECT_TRUE(caught_writing) << "no run was seen writing its trace";
}

// Opening a FIFO nobody reads blocks; Ctrl-C must still end the run (signals are held back only
// while a temporary file exists, never around opening a device or pipe).
TEST(InterruptFifo, SignalEndsARunBlockedOnAFifoWithoutReader) {
  char tmpl[] = "/tmp/edgepart_interrupt_fifo_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const fs::path dir = tmpl, fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const pid_t pid = spawn_edgepart({"plan", "scenarios/default.json", "-o", fifo.string()});
  ASSERT_GT(pid, 0);
  // Let it plan and block in open(); then Ctrl-C, and give it 30 s to die before the test kills it.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  int status = 0;
  bool ended = false;
  for (int i = 0; i < 3000 && !ended; ++i) {
    ended = ::waitpid(pid, &status, WNOHANG) == pid;
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!ended) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  EXPECT_TRUE(ended) << "SIGINT did not end a run blocked on a FIFO";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT);
  EXPECT_TRUE(fs::is_fifo(fifo));
  std::error_code ec;
  fs::remove_all(dir, ec);
}

INSTANTIATE_TEST_SUITE_P(Signals, InterruptCli, ::testing::Values(SIGINT, SIGTERM),
                         [](const ::testing::TestParamInfo<int>& p) { return p.param == SIGINT ? "SIGINT" : "SIGTERM"; });

}  // namespace
}  // namespace edgepart
