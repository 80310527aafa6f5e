#pragma once
// Running `ip` and `tc` (fork/exec with argument vectors, never a shell) and the commands that
// build a Layout.
#include <string>
#include <vector>

#include "layout.hpp"

namespace edgepart::netemu {

// Absolute path of a system tool ("ip", "tc") in /usr/sbin, /sbin, /usr/bin or /bin; "" if none.
std::string find_tool(const std::string& name);

struct CommandResult {
  int exit_code = -1;   // -1: killed by a signal or could not be started
  std::string output;   // stdout and stderr together
};
// Runs argv[0] (an absolute path) with argv; waits for it.
CommandResult run_command(const std::vector<std::string>& argv);
// Runs it; InternalError "netemu: `ARGV` failed: FIRST LINE OF ITS OUTPUT" unless it exits 0.
void run_checked(const std::vector<std::string>& argv);

// The commands that build `layout` once its hub namespace exists (created first: the netem probe
// runs in it). argv[0] is "ip" or "tc", to be replaced by find_tool's path. In order: device
// namespaces, bridge, veth pairs, addresses, then shaping. `netem`: delay classes with
// tc netem (else plain FIFO leaves; latency left to the application).
std::vector<std::vector<std::string>> build_commands(const Layout& layout, bool netem);

}  // namespace edgepart::netemu
