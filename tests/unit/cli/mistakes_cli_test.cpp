// Mistakes a new user made (docs/robustness.md "Hostile inputs, round 2"): each gets a clear answer,
// one line `edgepart: error: FILE: WHERE: ...` with exit 2, or just works (exit 0).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run_cli.hpp"

namespace edgepart {
namespace {

using edgepart::testing::CliResult;
using edgepart::testing::expect_refused;
using edgepart::testing::run_edgepart;
using edgepart::testing::slurp;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Scratch : edgepart::testing::ScratchDir {
  Scratch() : ScratchDir("edgepart_mistakes") {}
};


// A two-device scenario whose "model" is written as given; `device` names the server.
std::string scenario(const Scratch& dir, const std::string& model, const std::string& device = "b",
                     const std::string& network = "\"bandwidth_mbps\": 100, \"latency_ms\": 1") {
  return dir.write("s.json", "{\"format\": \"edgepart.scenario\", \"version\": 1, \"model\": \"" + model +
                                 "\",\n \"devices\": [{\"name\": \"a\", \"role\": \"source\", \"speed_gflops\": 20}, "
                                 "{\"name\": \"" + device + "\", \"speed_gflops\": 30}],\n \"network\": {" + network +
                                 "},\n \"workload\": {\"requests\": 2}, \"strategy\": {\"name\": \"local\"}}\n");
}

std::string alexnet() { return std::string(EDGEPART_SOURCE_DIR) + "/models/alexnet.json"; }

TEST(Mistakes, AScenariosModelMayBeAZooName) {
  Scratch dir;  // no alexnet.json next to the scenario: the name is the zoo's
  CliResult r = run_edgepart({"simulate", scenario(dir, "alexnet"), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["model"], "alexnet");

  const std::string s = scenario(dir, "alexnett");
  expect_refused(run_edgepart({"simulate", s}), s + ": /model: ",
                 "neither a file in the scenario's folder nor a zoo model; did you mean 'alexnet'? "
                 "(edgepart list models shows the zoo)");
}

TEST(Mistakes, AFileNextToTheScenarioWinsOverTheZoo) {
  Scratch dir;
  // A file named like a zoo model but without extension, next to the scenario: the user's file.
  dir.write("alexnet", slurp(std::string(EDGEPART_SOURCE_DIR) + "/models/squeezenet1_1.json"));
  CliResult r = run_edgepart({"simulate", scenario(dir, "alexnet"), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["model"], "squeezenet1_1");
}

TEST(Mistakes, SetPointerTyposGetTheHintsOfTheFile) {
  Scratch dir;
  const std::string s = scenario(dir, alexnet());
  // A key without its unit, on the command line and in the file: the same answer.
  expect_refused(run_edgepart({"simulate", s, "--set", "/network/bandwidth=20"}), s + ": /network/bandwidth: ",
                 "unknown key 'bandwidth'; did you mean 'bandwidth_mbps'?");
  const std::string in_file = scenario(dir, alexnet(), "b", "\"bandwidth\": 20");
  expect_refused(run_edgepart({"simulate", in_file}), in_file + ": /network/bandwidth: ",
                 "unknown key 'bandwidth'; did you mean 'bandwidth_mbps'?");
  // A misspelt object on the way: the closest existing path.
  expect_refused(run_edgepart({"simulate", s, "--set", "/netwrk/bandwidth_mbps=20"}), s + ": /netwrk/bandwidth_mbps: ",
                 "--set: '/netwrk' does not exist in the scenario; did you mean '/network'?");
  // One letter missing (edit distance 1) inside a device:
  expect_refused(run_edgepart({"simulate", s, "--set", "/devices/1/sped_gflops/x=1"}), s + ": /devices/1/sped_gflops/x: ",
                 "did you mean '/devices/1/speed_gflops'?");
}

TEST(Mistakes, ReportIsHtmlOnly) {
  Scratch dir;
  const std::string s = scenario(dir, alexnet());
  expect_refused(run_edgepart({"simulate", s, "--report", dir.path("report.pdf")}), dir.path("report.pdf") + ": ",
                 "--report writes a self-contained HTML page: give a .html file (got '.pdf')");
  EXPECT_FALSE(std::filesystem::exists(dir.path("report.pdf")));
  CliResult ok = run_edgepart({"simulate", s, "--report", dir.path("report.html"), "-o", "/dev/null"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(slurp(dir.path("report.html")), StartsWith("<!DOCTYPE html>"));
}

// Code points before byte offset `at` of UTF-8 text (the test's own count: lead bytes).
size_t columns_before(const std::string& line, size_t at) {
  size_t n = 0;
  for (size_t i = 0; i < at; ++i) n += (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
  return n;
}

TEST(Mistakes, TableColumnsAlignWithUtf8Names) {
  Scratch dir;
  const std::string s = scenario(dir, alexnet(), "Gerät-α");
  CliResult r = run_edgepart({"plan", s, "--strategy", "modnn", "--format", "table"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // In each device row, the column after the device name starts at the same terminal column.
  std::vector<size_t> starts;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    for (const std::string name : {" a ", " Gerät-α "}) {
      const size_t at = line.find(name);
      if (at == std::string::npos) continue;
      const size_t next = line.find_first_not_of(' ', at + name.size());
      if (next != std::string::npos) starts.push_back(columns_before(line, next));
    }
  ASSERT_GE(starts.size(), 2u) << r.out;
  for (size_t c : starts) EXPECT_EQ(c, starts.front()) << r.out;
}

TEST(Mistakes, CheckAgainstAHeaderOnlyBaselineIsAnError) {
  Scratch dir;
  const std::string s = scenario(dir, alexnet());
  CliResult sweep = run_edgepart({"sweep", s, "--set", "/network/bandwidth_mbps=50,100", "--requests", "2", "-o", dir.path("rows.csv")});
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  const std::string rows = slurp(dir.path("rows.csv"));
  const std::string header = dir.write("header.csv", rows.substr(0, rows.find('\n') + 1));
  expect_refused(run_edgepart({"check", dir.path("rows.csv"), "--baseline", header}), header + ": ",
                 "the baseline has no rows (sweep rows without data): nothing to compare");
  // A report of no strategies is the same mistake.
  const std::string empty_report = dir.write(
      "empty.json", "{\"format\": \"edgepart.report\", \"version\": 1, \"strategies\": []}\n");
  CliResult report = run_edgepart({"simulate", s, "--format", "json", "-o", dir.path("r.json")});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  expect_refused(run_edgepart({"check", dir.path("r.json"), "--baseline", empty_report}), empty_report + ": ",
                 "the baseline has no rows");
}

TEST(Mistakes, SimulateTakesAStrategyListAsSweepDoes) {
  Scratch dir;
  const std::string s = scenario(dir, alexnet());
  CliResult r = run_edgepart({"simulate", s, "--strategy", "modnn,local", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> names;
  const nlohmann::json report = nlohmann::json::parse(r.out);  // kept: a range-for over a temporary's member dangles
  for (const auto& e : report["strategies"]) names.push_back(e["strategy"].get<std::string>());
  EXPECT_EQ(names, (std::vector<std::string>{"modnn", "local"}));  // the list's order
  expect_refused(run_edgepart({"simulate", s, "--strategy", "local,modnn,local"}), "--strategy: ", "'local' is named twice");
  expect_refused(run_edgepart({"simulate", s, "--strategy", "dpfp,all"}), "--strategy: ",
                 "'all' cannot be combined with other names");
  expect_refused(run_edgepart({"simulate", s, "--strategy", "local,dpf"}), s + ": ", "unknown strategy 'dpf'; did you mean 'dpfp'?");
}

TEST(Mistakes, PoolPaddingOverHalfTheKernelIsRefused) {
  Scratch dir;
  const std::string m = dir.write(
      "pool.json", "{\"format\": \"edgepart.model\", \"version\": 1, \"name\": \"p\", \"input\": [3, 8, 8],\n"
                   " \"layers\": [{\"name\": \"pool\", \"op\": \"maxpool2d\", \"kernel\": 2, \"stride\": 2, \"padding\": 2}]}\n");
  expect_refused(run_edgepart({"validate", m}), m + ": /layers/0: ",
                 "layer 'pool': padding must be at most half the kernel (kernel 2x2, got padding top/left/bottom/right 2/2/2/2)");
  // Half the kernel is fine (kernel 3, padding 1 is the zoo's; kernel 2, padding 1 too).
  const std::string ok = dir.write(
      "ok.json", "{\"format\": \"edgepart.model\", \"version\": 1, \"name\": \"p\", \"input\": [3, 8, 8],\n"
                 " \"layers\": [{\"name\": \"pool\", \"op\": \"avgpool2d\", \"kernel\": 2, \"stride\": 2, \"padding\": 1}]}\n");
  CliResult r = run_edgepart({"validate", ok});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(Mistakes, AHugeNumberIsQuotedShortened) {
  Scratch dir;
  const std::string digits(309, '9');
  const std::string m = dir.write(
      "big.json", "{\"format\": \"edgepart.model\", \"version\": 1, \"name\": \"p\", \"input\": [3, 8, 8],\n"
                  " \"layers\": [{\"name\": \"c\", \"op\": \"conv2d\", \"kernel\": 3, \"out_channels\": " + digits + "}]}\n");
  CliResult r = run_edgepart({"validate", m});
  expect_refused(r, m + ": line 2, column ", "invalid JSON: number " + std::string(40, '9') + "... (309 characters) is out of range");
  EXPECT_LT(r.err.size(), 200u) << r.err;
}

// Runs `edgepart args` on a pseudo-terminal of `columns` columns and returns what it wrote there.
std::string run_on_terminal(const std::vector<std::string>& args, unsigned short columns) {
  struct winsize ws {};
  ws.ws_col = columns;
  ws.ws_row = 24;
  int master = -1;
  std::vector<std::string> argv_text = {EDGEPART_BIN};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
  if (pid == 0) {
    ::unsetenv("COLUMNS");  // the terminal's own size must be what counts
    if (::chdir(EDGEPART_SOURCE_DIR) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  std::string out;
  if (pid < 0) return out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child has closed the terminal
    out.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  return out;
}

TEST(Mistakes, SweepProgressFitsANarrowTerminal) {
  Scratch dir;
  const std::string s = scenario(dir, alexnet());
  constexpr unsigned short kColumns = 40;
  const std::string out = run_on_terminal({"sweep", s, "--set", "/seed=1:12:1", "--requests", "1", "-o", dir.path("rows.csv")}, kColumns);
  ASSERT_THAT(out, HasSubstr("12/12 points")) << out;
  // Every redraw (between carriage returns and newlines) stays shorter than the terminal.
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find_first_of("\r\n", start);
    if (end == std::string::npos) end = out.size();
    EXPECT_LT(columns_before(out, end) - columns_before(out, start), kColumns) << out.substr(start, end - start);
    start = end + 1;
  }
}

}  // namespace
}  // namespace edgepart
