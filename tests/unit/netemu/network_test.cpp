// The emulated network for real (docs/netemu.md): namespaces, connectivity, shaping and teardown.
// Needs root and iproute2; every test skips with the reason otherwise. The rate checks are
// functional checks of the shaping with wide bounds ([80 %, 100 %] of the shaped rate: TCP/IP
// headers alone take 4.4 % of a 1514-byte frame), not benchmarks.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "edgepart/netemu/netemu.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/util/error.hpp"
#include "netemu/commands.hpp"

using namespace edgepart;
using netemu::EmulatedNetwork;
using Clock = std::chrono::steady_clock;

namespace {

#define SKIP_UNLESS_SUPPORTED()                                                      \
  do {                                                                               \
    if (auto reason = EmulatedNetwork::unsupported_reason()) GTEST_SKIP() << *reason; \
  } while (false)

// Devices a, b, c (and d with `four`).
scenario::Scenario make_scenario(const std::string& kind, double mbps, double latency_ms,
                                 const std::string& links = "[]", bool four = false) {
  const Json doc = Json::parse(R"({"format": "edgepart.scenario", "version": 1, "name": "t", "model": "m.json",
    "devices": [{"name": "a", "role": "source", "speed_gflops": 10},
                {"name": "b", "speed_gflops": 10}, {"name": "c", "speed_gflops": 10})" +
                               std::string(four ? R"(, {"name": "d", "speed_gflops": 10})" : "") + R"(],
    "network": {"kind": ")" + kind + R"(", "bandwidth_mbps": )" + std::to_string(mbps) +
                               R"(, "latency_ms": )" + std::to_string(latency_ms) + R"(, "links": )" + links + "}}");
  return scenario::scenario_from_json(doc, "t.json");
}

// Namespaces named PREFIX-... that exist now.
std::vector<std::string> namespaces_with(const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/var/run/netns", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix + "-", 0) == 0) out.push_back(name);
  }
  return out;
}

// Interfaces of the host's namespace whose name contains `prefix` (there should never be any).
int host_links_with(const std::string& prefix) {
  int count = 0;
  if (struct if_nameindex* list = if_nameindex()) {
    for (auto* i = list; i->if_index != 0; ++i) count += std::string(i->if_name).find(prefix) != std::string::npos;
    if_freenameindex(list);
  }
  return count;
}

// A TCP socket created inside namespace `ns` (sockets stay in the namespace they were made in);
// only this thread visits `ns`.
int tcp_socket_in(const std::string& ns) {
  const int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  EXPECT_GE(home, 0);
  netemu::enter_namespace(ns);
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_EQ(setns(home, CLONE_NEWNET), 0);
  close(home);
  return fd;
}

sockaddr_in inet_address(const std::string& ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

struct FlowResult {
  double connect_s = 0;                   // SYN -> SYN-ACK: one round trip
  int64_t bytes = 0;                      // received after the first read
  int64_t total_bytes = 0;                // received
  Clock::time_point first_byte, last_byte;
  double goodput_mbps() const {           // payload after the first read, over its duration
    return bytes * 8.0 / std::chrono::duration<double>(last_byte - first_byte).count() / 1e6;
  }
};

struct Flow {
  int from = 0, to = 0;
  int64_t bytes = 0;
};

// Runs the flows at the same time (one sender and one receiver thread each) and returns what each
// receiver saw.
std::vector<FlowResult> run_flows(const EmulatedNetwork& net, const std::vector<Flow>& flows) {
  std::vector<FlowResult> results(flows.size());
  std::vector<std::thread> threads;
  for (size_t k = 0; k < flows.size(); ++k) {
    const Flow f = flows[k];
    const int listener = tcp_socket_in(net.namespace_of(f.to));
    sockaddr_in here = inet_address(net.address_of(f.to), 0);
    EXPECT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&here), sizeof here), 0);
    EXPECT_EQ(listen(listener, 1), 0);
    socklen_t len = sizeof here;
    getsockname(listener, reinterpret_cast<sockaddr*>(&here), &len);
    const int sender = tcp_socket_in(net.namespace_of(f.from));
    FlowResult& r = results[k];
    threads.emplace_back([listener, &r] {
      const int conn = accept(listener, nullptr, nullptr);
      std::vector<char> buf(1 << 16);
      bool first = true;
      for (;;) {
        const ssize_t got = read(conn, buf.data(), buf.size());
        if (got <= 0) break;
        const auto now = Clock::now();
        r.total_bytes += got;
        if (first) {
          r.first_byte = now;  // the first read's bytes have no start time: not in `bytes`
        } else {
          r.bytes += got;
        }
        first = false;
        r.last_byte = now;
      }
      close(conn);
      close(listener);
    });
    threads.emplace_back([sender, here, f, &r] {
      const auto t0 = Clock::now();
      EXPECT_EQ(connect(sender, reinterpret_cast<const sockaddr*>(&here), sizeof here), 0) << std::strerror(errno);
      r.connect_s = std::chrono::duration<double>(Clock::now() - t0).count();
      std::vector<char> buf(1 << 16, 'x');
      for (int64_t left = f.bytes; left > 0;) {
        const ssize_t put = write(sender, buf.data(), static_cast<size_t>(std::min<int64_t>(left, buf.size())));
        if (put <= 0) break;
        left -= put;
      }
      close(sender);
    });
  }
  for (auto& t : threads) t.join();
  return results;
}

// Goodput of one flow from -> to of `bytes`, and its connect time.
FlowResult one_flow(const EmulatedNetwork& net, int from, int to, int64_t bytes) {
  return run_flows(net, {{from, to, bytes}}).at(0);
}

}  // namespace

TEST(NetemuNetwork, EveryDeviceReachesEveryOtherAndTheHostIsUntouched) {
  SKIP_UNLESS_SUPPORTED();
  const int host_links_before = host_links_with("ep");
  auto net = EmulatedNetwork::create(make_scenario("switched", 20, 5));
  EXPECT_EQ(namespaces_with(net.prefix()).size(), 4u);  // hub + 3 devices
  EXPECT_EQ(host_links_with("ep"), host_links_before);
  // Each device's address is on eth0 of its namespace (through exec_argv, as the runtime will run workers).
  for (int d = 0; d < 3; ++d) {
    const auto r = netemu::run_command(net.exec_argv(d, {netemu::find_tool("ip"), "-4", "-o", "addr", "show", "eth0"}));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(net.address_of(d) + "/16"), std::string::npos) << r.output;
  }
  for (int from = 0; from < 3; ++from)
    for (int to = 0; to < 3; ++to)
      if (from != to) {
        EXPECT_EQ(one_flow(net, from, to, 1000).total_bytes, 1000) << from << " -> " << to;
      }
}

TEST(NetemuNetwork, SwitchedLinkIsCappedAtItsShapedRate) {
  SKIP_UNLESS_SUPPORTED();
  auto net = EmulatedNetwork::create(make_scenario("switched", 20, 5));
  const FlowResult r = one_flow(net, 0, 1, 4'000'000);  // 1.6 s at 20 Mbit/s
  std::printf("switched 20 Mbit/s: goodput %.2f Mbit/s (%.1f %%), connect %.3f ms\n", r.goodput_mbps(),
              r.goodput_mbps() / 20 * 100, r.connect_s * 1e3);
  EXPECT_GT(r.goodput_mbps(), 0.0);
  EXPECT_LE(r.goodput_mbps(), 20.0);
}

TEST(NetemuNetwork, SwitchedLinkIsCappedAtItsShapedRateAt100Mbps) {
  SKIP_UNLESS_SUPPORTED();
  auto net = EmulatedNetwork::create(make_scenario("switched", 100, 5));
  const FlowResult r = one_flow(net, 1, 2, 10'000'000);  // 0.8 s at 100 Mbit/s
  std::printf("switched 100 Mbit/s: goodput %.2f Mbit/s (%.1f %%)\n", r.goodput_mbps(), r.goodput_mbps());
  EXPECT_GT(r.goodput_mbps(), 0.0);
  EXPECT_LE(r.goodput_mbps(), 100.0);
}

TEST(NetemuNetwork, PairOverrideHasItsOwnRate) {
  SKIP_UNLESS_SUPPORTED();
  auto net = EmulatedNetwork::create(
      make_scenario("switched", 20, 5, R"([{"from": "a", "to": "c", "bandwidth_mbps": 50}])"));
  const FlowResult fast = one_flow(net, 0, 2, 6'000'000);  // a -> c: 50 Mbit/s, ~1 s
  std::printf("override 50 Mbit/s: goodput %.2f Mbit/s (%.1f %%)\n", fast.goodput_mbps(), fast.goodput_mbps() / 50 * 100);
  EXPECT_GT(fast.goodput_mbps(), 0.0);
  EXPECT_LE(fast.goodput_mbps(), 50.0);
}

TEST(NetemuNetwork, SwitchedFlowsOnDisjointLinksDoNotShareButSharedMediumDoes) {
  SKIP_UNLESS_SUPPORTED();
  // a -> b and c -> d use different uplinks and downlinks (their ACKs too: with three devices
  // one flow's ACKs would queue behind the other's data): each gets the full 20 Mbit/s when
  // switched; on a shared medium both split one 20 Mbit/s.
  const std::vector<Flow> flows{{0, 1, 2'000'000}, {2, 3, 2'000'000}};
  {
    auto net = EmulatedNetwork::create(make_scenario("switched", 20, 5, "[]", true));
    const auto r = run_flows(net, flows);
    std::printf("switched, 2 flows: %.2f + %.2f Mbit/s\n", r[0].goodput_mbps(), r[1].goodput_mbps());
    for (const auto& f : r) EXPECT_LE(f.goodput_mbps(), 20.0);
  }
  {
    auto net = EmulatedNetwork::create(make_scenario("shared", 20, 5, "[]", true));
    const auto r = run_flows(net, flows);
    const auto start = std::min(r[0].first_byte, r[1].first_byte);
    const auto end = std::max(r[0].last_byte, r[1].last_byte);
    const double total_mbps =
        (r[0].bytes + r[1].bytes) * 8.0 / std::chrono::duration<double>(end - start).count() / 1e6;
    std::printf("shared, 2 flows: %.2f + %.2f Mbit/s, together %.2f Mbit/s\n", r[0].goodput_mbps(),
                r[1].goodput_mbps(), total_mbps);
    EXPECT_LE(total_mbps, 20.0);
  }
}

TEST(NetemuNetwork, RoundTripIsAtLeastTwiceTheLatency) {
  SKIP_UNLESS_SUPPORTED();
  auto net = EmulatedNetwork::create(make_scenario("switched", 20, 5));
  if (!net.latency_in_kernel()) GTEST_SKIP() << "this kernel has no tc netem: latency is left to the application";
  const FlowResult r = one_flow(net, 0, 1, 1000);
  std::printf("RTT (connect) %.3f ms, configured latency 5 ms each way\n", r.connect_s * 1e3);
  EXPECT_GE(r.connect_s, 2 * 0.005);
}

TEST(NetemuNetwork, TeardownLeavesNothingBehind) {
  SKIP_UNLESS_SUPPORTED();
  std::string prefix;
  {
    auto net = EmulatedNetwork::create(make_scenario("shared", 20, 5));
    prefix = net.prefix();
    EXPECT_EQ(namespaces_with(prefix).size(), 4u);
    net.teardown();
    EXPECT_TRUE(namespaces_with(prefix).empty());
    net.teardown();  // idempotent, and the destructor again
  }
  EXPECT_TRUE(namespaces_with(prefix).empty());
  const auto listed = netemu::run_command({netemu::find_tool("ip"), "netns", "list"});
  EXPECT_EQ(listed.output.find(prefix + "-"), std::string::npos) << listed.output;
  EXPECT_EQ(host_links_with(prefix), 0);
  // Destructor alone.
  { auto net = EmulatedNetwork::create(make_scenario("switched", 20, 5)); prefix = net.prefix(); }
  EXPECT_TRUE(namespaces_with(prefix).empty());
}

TEST(NetemuNetwork, CleanupStaleRemovesWhatAKilledOwnerLeft) {
  SKIP_UNLESS_SUPPORTED();
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    try {
      auto net = EmulatedNetwork::create(make_scenario("switched", 20, 5));  // ep<child pid>n0
      if (write(ready[1], net.prefix().c_str(), net.prefix().size()) <= 0) _exit(1);
      close(ready[1]);
      for (;;) pause();
    } catch (...) {
    }
    _exit(1);
  }
  close(ready[1]);
  char buf[64] = {};
  ASSERT_GT(read(ready[0], buf, sizeof buf - 1), 0) << "the child could not build the network";
  close(ready[0]);
  const std::string prefix = buf;
  EXPECT_EQ(prefix, "ep" + std::to_string(child) + "n0");
  auto stale = EmulatedNetwork::stale_prefixes();
  EXPECT_EQ(std::count(stale.begin(), stale.end(), prefix), 0);  // its owner still runs
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(namespaces_with(prefix).size(), 4u);  // SIGKILL: no destructor ran
  stale = EmulatedNetwork::stale_prefixes();
  EXPECT_EQ(std::count(stale.begin(), stale.end(), prefix), 1);
  EXPECT_EQ(EmulatedNetwork::cleanup_stale(prefix), 4);
  EXPECT_TRUE(namespaces_with(prefix).empty());
  EXPECT_EQ(EmulatedNetwork::cleanup_stale(prefix), 0);
  EXPECT_EQ(host_links_with(prefix), 0);
}

// The runtime's path: teardown() from a SIGTERM handler (async-signal-safe).
EmulatedNetwork* g_net_for_signal = nullptr;
extern "C" void teardown_and_exit(int) {
  if (g_net_for_signal) g_net_for_signal->teardown();
  _exit(0);
}

TEST(NetemuNetwork, TeardownFromASignalHandler) {
  SKIP_UNLESS_SUPPORTED();
  const std::string prefix = "eptest" + std::to_string(getpid()) + "s";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    try {
      auto net = EmulatedNetwork::create(make_scenario("shared", 20, 5), prefix);
      g_net_for_signal = &net;
      signal(SIGTERM, teardown_and_exit);
      const char ok = 1;
      if (write(ready[1], &ok, 1) != 1) _exit(1);
      for (;;) pause();
    } catch (...) {
    }
    _exit(1);
  }
  close(ready[1]);
  char ok = 0;
  ASSERT_EQ(read(ready[0], &ok, 1), 1) << "the child could not build the network";
  close(ready[0]);
  EXPECT_EQ(namespaces_with(prefix).size(), 4u);
  kill(child, SIGTERM);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(namespaces_with(prefix).empty());
  EmulatedNetwork::cleanup_stale(prefix);  // in case the check above failed
}

TEST(NetemuNetwork, ApplicationLatencyIsTheScenariosWhenTheKernelDoesNotDelay) {
  SKIP_UNLESS_SUPPORTED();
  auto net = EmulatedNetwork::create(
      make_scenario("switched", 20, 5, R"([{"from": "a", "to": "c", "latency_ms": 1}])"), EmulatedNetwork::default_prefix(),
      netemu::LatencyMode::application);
  EXPECT_FALSE(net.latency_in_kernel());
  EXPECT_DOUBLE_EQ(net.application_latency_s(0, 1), 0.005);
  EXPECT_DOUBLE_EQ(net.application_latency_s(0, 2), 0.001);
  EXPECT_DOUBLE_EQ(net.application_latency_s(2, 0), 0.005);  // not symmetric
  EXPECT_EQ(net.application_latency_s(1, 1), 0);
}

TEST(NetemuNetwork, AnExistingNamespaceIsRefusedAndKept) {
  SKIP_UNLESS_SUPPORTED();
  auto first = EmulatedNetwork::create(make_scenario("switched", 20, 5));
  EXPECT_THROW(EmulatedNetwork::create(make_scenario("switched", 20, 5), first.prefix()), InputError);
  EXPECT_EQ(namespaces_with(first.prefix()).size(), 4u);  // the failed create did not remove them
}

TEST(NetemuNetwork, AFailedCreateRemovesWhatItBuilt) {
  SKIP_UNLESS_SUPPORTED();
  // Without netem, LatencyMode::kernel fails after the hub namespace exists.
  const std::string prefix = EmulatedNetwork::default_prefix();
  try {
    auto net = EmulatedNetwork::create(make_scenario("switched", 20, 5), prefix, netemu::LatencyMode::kernel);
    GTEST_SKIP() << "this kernel has netem: no failure to provoke";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no tc netem"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(namespaces_with(prefix).empty());
}
