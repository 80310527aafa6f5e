#include "commands.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::netemu {

std::string find_tool(const std::string& name) {
  for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"}) {
    std::string path = dir + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

CommandResult run_command(const std::vector<std::string>& argv) {
  // Everything the child needs is prepared before fork: after fork only async-signal-safe calls.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return {-1, "pipe failed"};
  const pid_t pid = fork();
  if (pid < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return {-1, "fork failed"};
  }
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    char* const no_env[] = {nullptr};
    execve(args[0], args.data(), no_env);
    _exit(127);
  }
  close(pipe_fds[1]);
  CommandResult result;
  char buf[4096];
  for (;;) {
    const ssize_t got = read(pipe_fds[0], buf, sizeof buf);
    if (got > 0) result.output.append(buf, static_cast<size_t>(got));
    else if (got == 0 || errno != EINTR) break;
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

void run_checked(const std::vector<std::string>& argv) {
  const CommandResult r = run_command(argv);
  if (r.exit_code == 0) return;
  std::string first = r.output.substr(0, r.output.find('\n'));
  if (first.empty()) first = r.exit_code == 127 ? "could not be started" : "exit " + std::to_string(r.exit_code);
  throw InternalError("netemu: `" + join(argv, " ") + "` failed: " + first);
}

namespace {

using Argv = std::vector<std::string>;
std::string bits(int64_t bps) { return std::to_string(bps) + "bit"; }
std::string hex(int minor) {
  std::ostringstream out;
  out << std::hex << minor;
  return out.str();
}
std::string classid(int minor) { return "1:" + hex(minor); }
// netem and tc take whole microseconds; the scenario's latency is rounded to the nearest one.
std::string micros(double s) { return std::to_string(std::llround(s * 1e6)) + "us"; }

void add_shaper(const Shaper& sh, bool netem, std::vector<Argv>& out) {
  const Argv tc{"tc", "-n", sh.ns};
  auto cmd = [&](std::initializer_list<std::string> rest) {
    Argv a = tc;
    a.insert(a.end(), rest);
    out.push_back(std::move(a));
  };
  // quantum = one frame: siblings take turns a packet at a time (and no "quantum is big" warning).
  const std::string quantum = std::to_string(kFrameBytes);
  cmd({"qdisc", "add", "dev", sh.dev, "root", "handle", "1:", "htb", "default", hex(kDefaultClass)});
  const std::string root_burst = std::to_string(burst_bytes(sh.ceiling_bps));
  cmd({"class", "add", "dev", sh.dev, "parent", "1:", "classid", "1:1", "htb", "rate", bits(sh.ceiling_bps),
       "ceil", bits(sh.ceiling_bps), "burst", root_burst, "cburst", root_burst, "quantum", quantum});
  for (const ShapedClass& c : sh.classes) {
    const std::string burst = std::to_string(burst_bytes(c.rate_bps));
    cmd({"class", "add", "dev", sh.dev, "parent", "1:1", "classid", classid(c.minor), "htb", "rate",
         bits(c.rate_bps), "ceil", bits(c.rate_bps), "burst", burst, "cburst", burst, "quantum", quantum});
    const std::string limit = std::to_string(queue_packets(c.rate_bps, netem ? c.delay_s : 0));
    if (netem && c.delay_s > 0)
      cmd({"qdisc", "add", "dev", sh.dev, "parent", classid(c.minor), "netem", "delay", micros(c.delay_s), "limit",
           limit});
    else
      cmd({"qdisc", "add", "dev", sh.dev, "parent", classid(c.minor), "pfifo", "limit", limit});
    if (c.match_src.empty() && c.match_dst.empty()) continue;  // the default class
    Argv f = tc;
    f.insert(f.end(), {"filter", "add", "dev", sh.dev, "parent", "1:", "protocol", "ip", "prio", "1", "u32"});
    if (!c.match_src.empty()) f.insert(f.end(), {"match", "ip", "src", c.match_src + "/32"});
    if (!c.match_dst.empty()) f.insert(f.end(), {"match", "ip", "dst", c.match_dst + "/32"});
    f.insert(f.end(), {"flowid", classid(c.minor)});
    out.push_back(std::move(f));
  }
}

}  // namespace

std::vector<Argv> build_commands(const Layout& layout, bool netem) {
  std::vector<Argv> out;
  const std::string& hub = layout.hub_ns;
  for (const auto& ns : layout.device_ns) out.push_back({"ip", "netns", "add", ns});
  out.push_back({"ip", "-n", hub, "link", "add", "br0", "type", "bridge"});
  out.push_back({"ip", "-n", hub, "link", "set", "br0", "up"});
  if (layout.shared) {
    out.push_back({"ip", "-n", hub, "link", "add", "ifb0", "type", "ifb"});
    out.push_back({"ip", "-n", hub, "link", "set", "ifb0", "up"});
  }
  for (size_t i = 0; i < layout.device_ns.size(); ++i) {
    const std::string& ns = layout.device_ns[i];
    const std::string port = "p" + std::to_string(i);
    // Created inside the hub with its peer directly in the device's namespace: no interface ever
    // appears in the host's namespace.
    out.push_back({"ip", "-n", hub, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns});
    out.push_back({"ip", "-n", hub, "link", "set", port, "master", "br0"});
    out.push_back({"ip", "-n", hub, "link", "set", port, "up"});
    // One segment per packet: with segmentation offload a qdisc would see 64 KB super-packets,
    // which HTB lets through whole and which make the rate bursty.
    out.push_back({"ip", "-n", ns, "link", "set", "eth0", "gso_max_segs", "1"});
    out.push_back({"ip", "-n", ns, "link", "set", "lo", "up"});
    out.push_back({"ip", "-n", ns, "addr", "add", layout.address[i] + "/16", "dev", "eth0"});
    out.push_back({"ip", "-n", ns, "link", "set", "eth0", "up"});
    if (layout.shared) {
      // The shared medium: whatever the port receives goes through ifb0's qdisc first.
      out.push_back({"tc", "-n", hub, "qdisc", "add", "dev", port, "handle", "ffff:", "ingress"});
      out.push_back({"tc", "-n", hub, "filter", "add", "dev", port, "parent", "ffff:", "protocol", "all", "u32",
                     "match", "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", "ifb0"});
    }
  }
  for (const Shaper& sh : layout.shapers) add_shaper(sh, netem, out);
  return out;
}

}  // namespace edgepart::netemu
