// EmulatedNetwork: builds a Layout with ip/tc, tears it down by deleting its namespaces.
#include "edgepart/netemu/netemu.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "commands.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/util/error.hpp"
#include "layout.hpp"

namespace edgepart::netemu {

namespace {

// Where `ip netns add NAME` keeps the namespace (a bind mount of /proc/PID/ns/net), iproute2's
// NETNS_RUN_DIR.
const char* const kNetnsDir = "/var/run/netns/";

std::string netns_path(const std::string& ns) { return kNetnsDir + ns; }

// What `ip netns delete` does: detach the bind mount, remove the file. The kernel frees the
// namespace, and with it its interfaces, when no process is left in it. Async-signal-safe.
void delete_namespace_path(const char* path) noexcept {
  umount2(path, MNT_DETACH);
  unlink(path);
}

// Probes whether this kernel has sch_netem: adds and removes a netem qdisc on the hub's loopback
// (a namespace of ours, so nothing else is touched).
bool kernel_has_netem(const std::string& tc, const std::string& hub) {
  const CommandResult r = run_command({tc, "-n", hub, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1us"});
  if (r.exit_code != 0) return false;
  run_checked({tc, "-n", hub, "qdisc", "del", "dev", "lo", "root"});
  return true;
}

}  // namespace

std::optional<std::string> EmulatedNetwork::unsupported_reason() {
  if (geteuid() != 0) return "network emulation needs root (it creates network namespaces)";
  if (access("/proc/self/ns/net", F_OK) != 0) return "this kernel has no network namespaces (/proc/self/ns/net)";
  for (const char* tool : {"ip", "tc"})
    if (find_tool(tool).empty()) return std::string("network emulation needs iproute2's '") + tool + "' (not found)";
  return std::nullopt;
}

std::string EmulatedNetwork::default_prefix() {
  static std::atomic<int> counter{0};
  return "ep" + std::to_string(getpid()) + "n" + std::to_string(counter++);
}

EmulatedNetwork EmulatedNetwork::create(const scenario::Scenario& scenario, std::string prefix, LatencyMode latency) {
  if (auto reason = unsupported_reason()) throw InputError("", "netemu", *reason);
  const Layout layout = layout_network(scenario, prefix);
  const std::string ip = find_tool("ip");
  const std::string tc = find_tool("tc");

  EmulatedNetwork net;
  net.prefix_ = prefix;
  net.hub_namespace_ = layout.hub_ns;
  net.device_namespaces_ = layout.device_ns;
  net.addresses_ = layout.address;
  const scenario::Cluster cluster = scenario::make_cluster(scenario);
  net.latency_s_.assign(static_cast<size_t>(cluster.size()), std::vector<double>(static_cast<size_t>(cluster.size()), 0));
  for (int a = 0; a < cluster.size(); ++a)
    for (int b = 0; b < cluster.size(); ++b)
      if (a != b) net.latency_s_[static_cast<size_t>(a)][static_cast<size_t>(b)] = cluster.latency_s(a, b);
  // A friendly message for a prefix in use (`ip netns add` would fail on it anyway).
  for (const auto& ns : layout.device_ns)
    if (access(netns_path(ns).c_str(), F_OK) == 0 || access(netns_path(layout.hub_ns).c_str(), F_OK) == 0)
      throw InputError("", "prefix", "namespace " + ns + " or " + layout.hub_ns +
                                         " exists already (a stale run? edgepart-netemu down " + prefix + ")");
  // A namespace is registered for teardown only once `ip netns add` made it, so the destructor
  // never deletes someone else's; capacity reserved so teardown() never races a reallocation.
  net.namespace_paths_.reserve(layout.device_ns.size() + 1);
  auto run = [&](std::vector<std::string> argv) {
    argv[0] = argv[0] == "ip" ? ip : tc;
    run_checked(argv);
    if (argv.size() == 4 && argv[1] == "netns" && argv[2] == "add") net.namespace_paths_.push_back(netns_path(argv[3]));
  };

  try {
    run({"ip", "netns", "add", layout.hub_ns});
  } catch (const InternalError& e) {  // the first namespace: root without the right to make one
    throw InputError("", "netemu", std::string("cannot create network namespaces here: ") + e.what());
  }
  bool netem = false;
  if (latency != LatencyMode::application) {
    netem = kernel_has_netem(tc, layout.hub_ns);
    if (!netem && latency == LatencyMode::kernel)
      throw InputError("", "netemu", "this kernel has no tc netem (CONFIG_NET_SCH_NETEM), so it cannot delay packets");
  }
  net.latency_in_kernel_ = netem;
  for (auto& argv : build_commands(layout, netem)) run(std::move(argv));
  return net;
}

EmulatedNetwork::EmulatedNetwork(EmulatedNetwork&& other) noexcept { *this = std::move(other); }

EmulatedNetwork& EmulatedNetwork::operator=(EmulatedNetwork&& other) noexcept {
  if (this == &other) return *this;
  if (!released_) teardown();
  prefix_ = std::move(other.prefix_);
  hub_namespace_ = std::move(other.hub_namespace_);
  device_namespaces_ = std::move(other.device_namespaces_);
  addresses_ = std::move(other.addresses_);
  namespace_paths_ = std::move(other.namespace_paths_);
  latency_s_ = std::move(other.latency_s_);
  latency_in_kernel_ = other.latency_in_kernel_;
  released_ = other.released_;
  other.namespace_paths_.clear();
  other.released_ = true;
  return *this;
}

EmulatedNetwork::~EmulatedNetwork() {
  if (!released_) teardown();
}

void EmulatedNetwork::teardown() noexcept {
  for (const auto& path : namespace_paths_) delete_namespace_path(path.c_str());
}

const std::string& EmulatedNetwork::namespace_of(int device) const {
  EDGEPART_ASSERT(device >= 0 && device < size(), "device index out of range");
  return device_namespaces_[static_cast<size_t>(device)];
}

const std::string& EmulatedNetwork::address_of(int device) const {
  EDGEPART_ASSERT(device >= 0 && device < size(), "device index out of range");
  return addresses_[static_cast<size_t>(device)];
}

double EmulatedNetwork::application_latency_s(int from, int to) const {
  EDGEPART_ASSERT(from >= 0 && from < size() && to >= 0 && to < size(), "device index out of range");
  return latency_in_kernel_ ? 0.0 : latency_s_[static_cast<size_t>(from)][static_cast<size_t>(to)];
}

std::vector<std::string> EmulatedNetwork::exec_argv(int device, const std::vector<std::string>& command) const {
  return namespace_exec_argv(namespace_of(device), command);
}

std::vector<std::string> namespace_exec_argv(const std::string& ns, const std::vector<std::string>& command) {
  std::vector<std::string> argv{find_tool("ip"), "netns", "exec", ns};
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

int EmulatedNetwork::cleanup_stale(const std::string& prefix) {
  check_prefix(prefix);
  const std::string start = prefix + "-";
  std::vector<std::string> found;
  if (DIR* dir = opendir(kNetnsDir)) {
    while (const dirent* entry = readdir(dir))
      if (std::strncmp(entry->d_name, start.c_str(), start.size()) == 0) found.push_back(entry->d_name);
    closedir(dir);
  }
  for (const auto& ns : found) delete_namespace_path(netns_path(ns).c_str());
  return static_cast<int>(found.size());
}

namespace {

// The prefix of a namespace name when it has the default form ep<pid>n<k>-..., with its pid.
std::optional<std::pair<std::string, long>> default_form_prefix(const std::string& name) {
  const size_t dash = name.find('-');
  if (dash == std::string::npos || name.rfind("ep", 0) != 0) return std::nullopt;
  const std::string prefix = name.substr(0, dash);
  const size_t n = prefix.find('n', 2);
  auto digits = [](const std::string& t) {
    return !t.empty() && t.size() <= 9 && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (n == std::string::npos || !digits(prefix.substr(2, n - 2)) || !digits(prefix.substr(n + 1))) return std::nullopt;
  return std::make_pair(prefix, std::stol(prefix.substr(2, n - 2)));
}

}  // namespace

std::vector<std::string> EmulatedNetwork::stale_prefixes() {
  std::vector<std::string> out;
  if (DIR* dir = opendir(kNetnsDir)) {
    while (const dirent* entry = readdir(dir)) {
      const auto found = default_form_prefix(entry->d_name);
      // kill(pid, 0) probes without signalling: ESRCH = no such process.
      if (found && kill(static_cast<pid_t>(found->second), 0) != 0 && errno == ESRCH) out.push_back(found->first);
    }
    closedir(dir);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void enter_namespace(const std::string& ns) {
  const int fd = open(netns_path(ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InternalError("netemu: cannot open namespace " + ns + ": " + std::strerror(errno));
  const int rc = setns(fd, CLONE_NEWNET);
  const int err = errno;
  close(fd);
  if (rc != 0) throw InternalError("netemu: setns(" + ns + ") failed: " + std::strerror(err));
}

}  // namespace edgepart::netemu
