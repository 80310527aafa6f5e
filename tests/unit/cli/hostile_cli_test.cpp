// Hostile inputs and user mistakes (docs/robustness.md "Hostile inputs, round 2"): each reproducer
// of an outside audit either works (exit 0) or is refused with one line `edgepart: error: FILE:
// WHERE: ...` and exit 2; never a crash, a hang, an internal error or a lost file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "run_cli.hpp"

namespace edgepart {
namespace {

namespace fs = std::filesystem;
using edgepart::testing::CliResult;
using edgepart::testing::expect_refused;
using edgepart::testing::run_edgepart;
using edgepart::testing::run_edgepart_line;
using edgepart::testing::slurp;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A private folder under /tmp, removed at the end.
struct Scratch : edgepart::testing::ScratchDir {
  Scratch() : ScratchDir("edgepart_hostile") {}
};

// alexnet on two devices, a few closed-loop requests: small enough for every command to be quick.
std::string small_scenario(const Scratch& dir, const std::string& extra_network = "") {
  dir.write("m.json", slurp(std::string(EDGEPART_SOURCE_DIR) + "/models/alexnet.json"));
  return dir.write("s.json",
                   "{\"format\": \"edgepart.scenario\", \"version\": 1, \"model\": \"m.json\",\n"
                   " \"devices\": [{\"name\": \"a\", \"role\": \"source\", \"speed_gflops\": 20}, {\"name\": \"b\", \"speed_gflops\": 30}],\n"
                   " \"network\": {\"bandwidth_mbps\": 100, \"latency_ms\": 1" + extra_network + "},\n"
                   " \"workload\": {\"requests\": 3}, \"strategy\": {\"name\": \"local\"}}\n");
}

// Exit 2, one line, the error format, and `message` in it.

std::string nested_array(int depth) { return std::string(static_cast<size_t>(depth), '[') + std::string(static_cast<size_t>(depth), ']'); }

// --- Crashes ---------------------------------------------------------------------------------

// A write failing while worker threads run (jsonl has no header, so the first failed write is a
// row): the main thread threw with joinable threads, std::terminate, exit 134.
TEST(Hostile, SweepWhoseOutputFailsMidRunIsAnError) {
  Scratch dir;
  const std::string s = small_scenario(dir);
  CliResult r = run_edgepart({"sweep", s, "--set", "/seed=1:40:1", "--format", "jsonl", "-j", "2", "-o", "/dev/full"});
  expect_refused(r, "/dev/full: ", "cannot write: No space left on device");
}

TEST(Hostile, SweepToAClosedPipeWithSigpipeIgnoredIsAnError) {
  Scratch dir;
  const std::string s = small_scenario(dir);
  // `trap '' PIPE`: edgepart starts with SIGPIPE ignored, so writes to the pipe that `head -c 0`
  // closed fail with EPIPE (400 rows are far more than the pipe's 64 KiB buffer).
  const std::string bin = EDGEPART_BIN;
  CliResult r = run_edgepart_line("--version >/dev/null; trap '' PIPE; { " + bin + " sweep " + s +
                                  " --set /seed=1:400:1 --format jsonl -j 2; echo rc=$? >&2; } | head -c 0");
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("terminate")));
  EXPECT_THAT(r.err, HasSubstr("edgepart: error: stdout: cannot write: Broken pipe\nrc=2\n"));
}

// --set values bypassed the 64-level nesting limit of files: 60,000 levels overflowed the stack.
TEST(Hostile, SetValueNestedDeeplyIsRefused) {
  Scratch dir;
  const std::string s = small_scenario(dir);
  expect_refused(run_edgepart({"simulate", s, "--set", "/seed=" + nested_array(60000)}), s + ": --set /seed: ",
                 "JSON nested deeper than 64 levels (limit)");
  expect_refused(run_edgepart({"sweep", s, "--set", "/seed=1," + nested_array(60000)}), "--set /seed=",
                 "JSON nested deeper than 64 levels (limit)");
}

// --- Hangs and reads of what is not a file ---------------------------------------------------

TEST(Hostile, FifoAsModelScenarioOrTraceIsRefused) {
  Scratch dir;
  const std::string fifo = dir.path("pipe.json");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_refused(run_edgepart({"inspect", fifo}), fifo + ": ", "cannot read: a FIFO, not a regular file");
  expect_refused(run_edgepart({"simulate", fifo}), fifo + ": ", "cannot read: a FIFO, not a regular file");
  const std::string csv = dir.path("bw.csv");
  ASSERT_EQ(::mkfifo(csv.c_str(), 0600), 0);
  const std::string s = small_scenario(dir, ", \"channel\": {\"kind\": \"trace\", \"file\": \"bw.csv\"}");
  expect_refused(run_edgepart({"simulate", s}), s + ": /network/channel/file: ",
                 "cannot read trace file '" + csv + "': cannot read: a FIFO, not a regular file");
}

TEST(Hostile, DeviceOrDirectoryAsModelIsRefused) {
  expect_refused(run_edgepart({"inspect", "/dev/zero"}), "/dev/zero: ", "a character device, not a regular file");
  expect_refused(run_edgepart({"inspect", "tests"}), "tests: ", "is a directory, not a file");
}

// --- Internal errors and wrong results -------------------------------------------------------

// Below 1 ns the channel's step rounded to 0 and tripped an assertion in the simulator (exit 1).
TEST(Hostile, ChannelTimesBelowTheClockResolutionAreRefused) {
  Scratch dir;
  const std::string s = small_scenario(dir);
  expect_refused(run_edgepart({"simulate", s, "--set",
                               "/network/channel={\"kind\": \"rayleigh\", \"coherence_ms\": 1e-7}"}),
                 s + ": /network/channel/coherence_ms: ", "must be at least the simulator's time resolution of 1 ns");
  expect_refused(run_edgepart({"simulate", s, "--set",
                               "/network/channel={\"kind\": \"gilbert_elliott\", \"good_factor\": 1, \"bad_factor\": 0.1, \"step_ms\": 1e-7}"}),
                 s + ": /network/channel/step_ms: ", "must be at least the simulator's time resolution of 1 ns");
  // 1e-6 ms is exactly 1 ns: accepted.
  CliResult ok = run_edgepart({"simulate", s, "--format", "json", "--set",
                               "/network/channel={\"kind\": \"rayleigh\", \"coherence_ms\": 1e-6}", "--set", "/workload/requests=1"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// Beyond the clock's range an arrival saturated to "never": 0 s latencies and failed: 0.
TEST(Hostile, ArrivalsBeyondTheSimulatedTimeRangeAreRefused) {
  Scratch dir;
  const std::string s = small_scenario(dir);
  expect_refused(run_edgepart({"simulate", s, "--set", "/workload/arrival=\"periodic\"", "--set", "/workload/period_ms=1e13"}),
                 s + ": /workload/period_ms: ", "beyond the simulated-time range");
  expect_refused(run_edgepart({"simulate", s, "--set", "/workload/arrival=\"poisson\"", "--set", "/workload/rate_rps=1e-300"}),
                 s + ": /workload/rate_rps: ", "beyond the simulated-time range");
  // Each period fits (5e9 s < 9.2e9 s), but the third request would arrive at 1e10 s.
  expect_refused(run_edgepart({"simulate", s, "--set", "/workload/arrival=\"periodic\"", "--set", "/workload/period_ms=5e12"}),
                 s + ": /workload/period_ms: ", "request 3 would arrive at 10000000000 s, beyond the simulated-time range");
}

TEST(Hostile, CommandLineRequestsAndSeedsAreCheckedLikeTheScenarios) {
  Scratch dir;
  const std::string s = small_scenario(dir);
  expect_refused(run_edgepart({"simulate", s, "--requests", "0"}), "--requests: ", "");
  expect_refused(run_edgepart({"sweep", s, "--set", "/seed=1,2", "--requests", "0"}), "--requests: ", "");
  expect_refused(run_edgepart({"simulate", s, "--seed", "-1"}), "--seed: ", "a seed is an integer from 0 to 9223372036854775807");
  expect_refused(run_edgepart({"simulate", s, "--seed", "9223372036854775808"}), "--seed: ", "(got 9223372036854775808)");
  CliResult ok = run_edgepart({"simulate", s, "--seed", "9223372036854775807", "--format", "json"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("\"seed\": 9223372036854775807"));
}

// A range bound beyond int64 was converted from double to int64 (undefined behaviour).
TEST(Hostile, SweepSeedRangeBeyondInt64IsRefused) {
  Scratch dir;
  const std::string s = small_scenario(dir);
  expect_refused(run_edgepart({"sweep", s, "--set", "/seed=18446744073709551615:18446744073709551615:1"}),
                 "--set /seed=18446744073709551615:18446744073709551615:1: ",
                 "the integer 18446744073709551615 is out of range (at most 9223372036854775807)");
}

// --- Quadratic hints -------------------------------------------------------------------------

// "Did you mean" compared names of any length: 200,000-character names took 73 s to validate.
TEST(Hostile, HintsForVeryLongNamesAreSkipped) {
  Scratch dir;
  const std::string long_name(200000, 'x');
  const std::string model = dir.write(
      "long.json", "{\"format\": \"edgepart.model\", \"version\": 1, \"name\": \"n\", \"input\": [3, 8, 8], \"layers\": [\n"
                   "{\"name\": \"" + long_name + "y\", \"op\": \"relu\"},\n"
                   "{\"name\": \"r\", \"op\": \"relu\", \"inputs\": [\"" + long_name + "z\"]}]}\n");
  CliResult r = run_edgepart({"validate", model});
  EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 300);
  EXPECT_THAT(r.err, HasSubstr("reads unknown layer"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("did you mean")));
}

// --- Data loss -------------------------------------------------------------------------------

TEST(Hostile, OutputsOfOneCommandMustBeDistinct) {
  Scratch dir;
  const std::string s = small_scenario(dir);
  const std::string r_json = dir.path("r.json");
  expect_refused(run_edgepart({"simulate", s, "-o", r_json, "--trace", r_json, "--report", r_json}), r_json + ": ",
                 "given to both -o and --trace (each output needs its own file)");
  EXPECT_FALSE(fs::exists(r_json));
  // The same file spelt two ways.
  expect_refused(run_edgepart({"simulate", s, "--trace", r_json, "--report", dir.path("./r.json")}), dir.path("./r.json") + ": ",
                 "given to both --trace and --report");
  // -o - and --trace - would mix two documents on stdout.
  expect_refused(run_edgepart({"simulate", s, "--trace", "-"}), "-: ", "given to both -o and --trace");
  // Discarding two outputs is fine.
  CliResult ok = run_edgepart({"simulate", s, "-o", "/dev/null", "--trace", "/dev/null"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// A dangling symbolic link given to -o: the file it names is created, the link stays a link.
TEST(Hostile, DanglingSymlinkOutputKeepsTheLink) {
  Scratch dir;
  const std::string s = small_scenario(dir);
  const std::string link = dir.path("out.json");
  fs::create_directory(dir.path("sub"));
  fs::create_symlink("sub/target.json", link);
  CliResult r = run_edgepart({"plan", s, "--format", "json", "-o", link});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(link)));
  EXPECT_THAT(slurp(dir.path("sub/target.json")), HasSubstr("\"format\": \"edgepart.plan\""));
}

// stdout on a full disk: the output is lost, so the run must not say it succeeded.
TEST(Hostile, ValidateToAFullDiskFails) {
  CliResult r = run_edgepart_line("validate models/alexnet.json > /dev/full");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err_lines(), 1u) << r.err;
  EXPECT_THAT(r.err, StartsWith("edgepart: error: stdout: cannot write"));
}

// --- Unclear answers -------------------------------------------------------------------------

TEST(Hostile, CommandLineMistakesUseTheOneErrorFormat) {
  CliResult typo = run_edgepart({"simulate", "scenarios/default.json", "--stratgy", "dpfp"});
  expect_refused(typo, "", "--stratgy");
  EXPECT_THAT(typo.err, HasSubstr("(see edgepart simulate --help)"));
  expect_refused(run_edgepart({"simulat", "scenarios/default.json"}), "",
                 "unknown command 'simulat'; did you mean 'simulate'? (edgepart --help lists the commands)");
  expect_refused(run_edgepart({}), "", "A subcommand is required");
  CliResult help = run_edgepart({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("Examples:"));
}

// A new user copied the dads.json example of `simulate --help`; it set a link the scenario does
// not have. Run as printed (with fewer requests).
TEST(Hostile, TheDadsExampleOfSimulateHelpWorks) {
  CliResult help = run_edgepart({"simulate", "--help"});
  ASSERT_EQ(help.exit_code, 0);
  const size_t at = help.out.find("edgepart simulate scenarios/dads.json");
  ASSERT_NE(at, std::string::npos) << help.out;
  const std::string line = help.out.substr(at, help.out.find('\n', at) - at);
  CliResult r = run_edgepart_line(line.substr(std::string("edgepart ").size()) + " --requests 3 --format json");
  EXPECT_EQ(r.exit_code, 0) << line << ": " << r.err;
}

TEST(Hostile, AnUnknownZooNamePointsToTheZoo) {
  expect_refused(run_edgepart({"inspect", "vgg19"}), "vgg19: ",
                 "no such file, and no zoo model of that name; did you mean 'vgg16'? (edgepart list models shows the zoo)");
}

TEST(Hostile, AFileOfAnotherFormatSaysWhatItIs) {
  expect_refused(run_edgepart({"simulate", "models/vgg16.json"}), "models/vgg16.json: /format: ",
                 "expected \"edgepart.scenario\" (got \"edgepart.model\": this file is a model, not a scenario)");
  expect_refused(run_edgepart({"simulate", "scenarios/default.json", "--plan", "scenarios/dads.json"}),
                 "scenarios/dads.json: /format: ",
                 "expected \"edgepart.plan\" (got \"edgepart.scenario\": this file is a scenario, not a plan)");
}

// A scenario naming a model that is not there: the scenario's /model is the place to fix.
TEST(Hostile, MissingModelIsReportedAtTheScenariosModelKey) {
  Scratch dir;
  const std::string s = dir.write("s.json",
                                  "{\"format\": \"edgepart.scenario\", \"version\": 1, \"model\": \"nope.json\",\n"
                                  " \"devices\": [{\"name\": \"a\", \"role\": \"source\", \"speed_gflops\": 20}],\n"
                                  " \"network\": {\"bandwidth_mbps\": 100}}\n");
  for (const char* cmd : {"simulate", "plan", "validate"})
    expect_refused(run_edgepart({cmd, s}), s + ": /model: ", "model file '" + dir.path("nope.json") + "' does not exist");
  expect_refused(run_edgepart({"sweep", s, "--set", "/seed=1,2"}), s + ": /model: ", "does not exist");
}

}  // namespace
}  // namespace edgepart
