// edgepart-netemu end to end: up (JSON table), exec in a device's namespace, down; and the
// one-line errors with exit 2 (not root, bad prefix, unknown device).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "edgepart/netemu/netemu.hpp"
#include "edgepart/util/json_read.hpp"
#include "netemu/commands.hpp"

using edgepart::Json;
using edgepart::netemu::EmulatedNetwork;
using edgepart::netemu::run_command;

namespace {

const std::string kTool = EDGEPART_NETEMU_BIN;

std::string write_scenario() {
  const std::string path = testing::TempDir() + "netemu_tool_" + std::to_string(getpid()) + ".json";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs(R"({"format": "edgepart.scenario", "version": 1, "name": "t", "model": "m.json",
    "devices": [{"name": "cam", "role": "source", "speed_gflops": 10}, {"name": "srv", "speed_gflops": 10}],
    "network": {"kind": "shared", "bandwidth_mbps": 20, "latency_ms": 2}})",
             f);
  std::fclose(f);
  return path;
}

bool namespace_exists(const std::string& ns) { return std::filesystem::exists("/var/run/netns/" + ns); }

}  // namespace

TEST(NetemuTool, UpExecDown) {
  if (auto reason = EmulatedNetwork::unsupported_reason()) GTEST_SKIP() << *reason;
  const std::string prefix = "eptool" + std::to_string(getpid());
  const std::string scenario = write_scenario();
  const auto up = run_command({kTool, "up", scenario, "--prefix", prefix, "--format", "json"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  const Json table = Json::parse(up.output);
  ASSERT_EQ(table["devices"].size(), 2u);
  EXPECT_EQ(table["devices"][1]["name"].get<std::string>(), "srv");
  EXPECT_EQ(table["devices"][1]["namespace"].get<std::string>(), prefix + "-d1");
  EXPECT_EQ(table["devices"][1]["address"].get<std::string>(), "10.77.0.2");
  EXPECT_TRUE(namespace_exists(prefix + "-d1"));  // left up after the tool exited

  const auto exec = run_command({kTool, "exec", prefix, "srv", "--", edgepart::netemu::find_tool("ip"), "-4", "-o",
                                 "addr", "show", "eth0"});
  EXPECT_EQ(exec.exit_code, 0) << exec.output;
  EXPECT_NE(exec.output.find("10.77.0.2/16"), std::string::npos) << exec.output;
  const auto unknown = run_command({kTool, "exec", prefix, "sv", "--", "true"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("no device 'sv' (did you mean 'srv'?)"), std::string::npos) << unknown.output;

  const auto down = run_command({kTool, "down", prefix});
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_NE(down.output.find("removed 3 namespaces"), std::string::npos) << down.output;
  EXPECT_FALSE(namespace_exists(prefix + "-hub"));
  EXPECT_FALSE(namespace_exists(prefix + "-d0"));
  std::remove(scenario.c_str());
}

TEST(NetemuTool, BadInputIsOneLineAndExitTwo) {
  const std::string scenario = write_scenario();
  const auto bad_prefix = run_command({kTool, "up", scenario, "--prefix", "Bad-Prefix"});
  EXPECT_EQ(bad_prefix.exit_code, 2);
  const auto missing = run_command({kTool, "exec", "nosuchprefix", "srv", "--", "true"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(std::count(missing.output.begin(), missing.output.end(), '\n'), 1) << missing.output;
  std::remove(scenario.c_str());
}

TEST(NetemuTool, NotRootIsAnInputError) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to another user";
  const std::string scenario = write_scenario();
  chmod(scenario.c_str(), 0644);  // readable by the user below
  int err[2];
  ASSERT_EQ(pipe(err), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // nobody (65534): the tool must refuse before touching anything.
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) _exit(99);
    dup2(err[1], STDERR_FILENO);
    execl(kTool.c_str(), kTool.c_str(), "up", scenario.c_str(), "--prefix", "epnotroot", static_cast<char*>(nullptr));
    _exit(98);
  }
  close(err[1]);
  std::string text;
  char buf[512];
  for (ssize_t got; (got = read(err[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(got));
  close(err[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  // 98: nobody cannot execute the tool, e.g. a checkout under a mode-0700 `mktemp -d` folder.
  if (WEXITSTATUS(status) == 98) GTEST_SKIP() << "user nobody cannot execute " << kTool << " from this checkout";
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_EQ(text, "edgepart-netemu: error: netemu: network emulation needs root (it creates network namespaces)\n");
  EXPECT_FALSE(namespace_exists("epnotroot-hub"));
  std::remove(scenario.c_str());
}
