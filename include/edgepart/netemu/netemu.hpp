#pragma once
// Network emulation on one machine (docs/netemu.md): one Linux network namespace per scenario
// device, veth pairs to a bridge that lives in a namespace of its own (the host's network is never
// touched), and `tc` shaping that follows the scenario's network (docs/timing.md): `switched` shapes
// every device's uplink and downlink, `shared` sends all traffic through one shaped medium. Needs
// root and iproute2 (`ip`, `tc`). Every namespace is named `<prefix>-...`, so parallel runs never
// collide and a crashed run's leftovers can be removed with cleanup_stale(prefix).
#include <optional>
#include <string>
#include <vector>

#include "edgepart/scenario/scenario.hpp"

namespace edgepart::netemu {

// Where a transfer's latency (`latency_ms`, docs/timing.md) is applied.
enum class LatencyMode {
  automatic,    // by the kernel (tc netem) when it has sch_netem, else left to the application
  kernel,       // by the kernel; InputError when the kernel has no sch_netem
  application,  // never by the kernel: the runtime adds Cluster::latency_s(from, to) per transfer
};

// One emulated network. Move-only; the destructor tears it down unless release() was called.
class EmulatedNetwork {
public:
  // Builds the namespaces, links, addresses and shaping of `scenario`'s network. `prefix` names
  // everything (1-32 characters of [a-z0-9], e.g. default_prefix()). InputError when not root,
  // without `ip`/`tc`/netns support, or when the scenario cannot be emulated (a rate below
  // 0.001 Mbit/s); InternalError when an `ip`/`tc` command fails (the message quotes it and its
  // error). Whatever was built before an error is torn down.
  static EmulatedNetwork create(const scenario::Scenario& scenario, std::string prefix = default_prefix(),
                                LatencyMode latency = LatencyMode::automatic);

  EmulatedNetwork(EmulatedNetwork&& other) noexcept;
  EmulatedNetwork& operator=(EmulatedNetwork&& other) noexcept;
  EmulatedNetwork(const EmulatedNetwork&) = delete;
  EmulatedNetwork& operator=(const EmulatedNetwork&) = delete;
  ~EmulatedNetwork();

  const std::string& prefix() const { return prefix_; }
  int size() const { return static_cast<int>(device_namespaces_.size()); }
  // The namespace of device `device` (scenario index): `<prefix>-d<index>`.
  const std::string& namespace_of(int device) const;
  // Its IPv4 address (10.77.0.0/16, device i is host i + 1), on interface `eth0` of its namespace.
  const std::string& address_of(int device) const;
  // The namespace that holds the bridge (and the shared medium's ifb): `<prefix>-hub`.
  const std::string& hub_namespace() const { return hub_namespace_; }
  // True when the kernel delays packets by the scenario's latencies (netem); false when the
  // application must add them (LatencyMode::application, or no sch_netem in this kernel).
  bool latency_in_kernel() const { return latency_in_kernel_; }
  // What the application must add to a transfer from -> to: the scenario's latency(from, to)
  // (Cluster::latency_s) when the kernel does not apply it, else 0.
  double application_latency_s(int from, int to) const;

  // The argv that runs `command` inside device `device`'s namespace (`ip netns exec NS command...`,
  // `ip` as an absolute path); for posix_spawn/execv.
  std::vector<std::string> exec_argv(int device, const std::vector<std::string>& command) const;

  // Deletes every namespace of this network (links, bridge and qdiscs go with them); idempotent.
  // Async-signal-safe (only umount2 and unlink on names prepared by create), so it may be called
  // from a SIGINT/SIGTERM handler. Processes still running inside a namespace keep it alive until
  // they exit: the caller ends its workers.
  void teardown() noexcept;
  // Leaves the network up when this object is destroyed (the standalone tool's `up`).
  void release() noexcept { released_ = true; }

  // "ep<pid>n<k>": unique among processes (pid) and within one (k counts the calls).
  static std::string default_prefix();
  // Deletes every namespace named `<prefix>-...` (a crashed or released run); returns how many.
  // InputError when `prefix` is not a valid prefix.
  static int cleanup_stale(const std::string& prefix);
  // Prefixes of the default form ep<pid>n<k> that name existing namespaces although process <pid>
  // is gone (a run that crashed or was killed), sorted; for cleanup_stale. A pid reused by a new
  // process hides its old networks (they are then found once that process ends).
  static std::vector<std::string> stale_prefixes();
  // Why this process cannot emulate networks (not root, no `ip`/`tc`, no network namespaces), or
  // nullopt when it can.
  static std::optional<std::string> unsupported_reason();

private:
  EmulatedNetwork() = default;
  std::string prefix_;
  std::string hub_namespace_;
  std::vector<std::string> device_namespaces_;
  std::vector<std::string> addresses_;
  std::vector<std::string> namespace_paths_;  // /var/run/netns/NAME, prepared for teardown()
  std::vector<std::vector<double>> latency_s_;  // [from][to], the scenario's
  bool latency_in_kernel_ = false;
  bool released_ = false;
};

// `ip netns exec NS command...` with `ip` as an absolute path (what exec_argv returns).
std::vector<std::string> namespace_exec_argv(const std::string& ns, const std::vector<std::string>& command);

// Moves the calling thread into namespace `ns` (setns). For a child after fork() (before exec) or
// a single-threaded caller that wants a socket in `ns`; InternalError when it fails.
void enter_namespace(const std::string& ns);

}  // namespace edgepart::netemu
