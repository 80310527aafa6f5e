// Shaping rules of docs/netemu.md, as data.
#include "layout.hpp"

#include <algorithm>
#include <cmath>

#include "edgepart/scenario/cluster.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::netemu {

int64_t burst_bytes(int64_t rate_bps) {
  // 1 ms at the rate: a dequeue delayed by up to ~1 ms (softirq latency on a busy machine) can
  // still send what accumulated meanwhile, so the rate is met; much more would let short
  // transfers run above the rate. Two frames: HTB must hold at least one whole packet.
  const auto per_ms = static_cast<int64_t>(std::ceil(static_cast<double>(rate_bps) * 1e-3 / 8.0));
  return std::max<int64_t>(2 * kFrameBytes, per_ms);
}

int64_t queue_packets(int64_t rate_bps, double delay_s) {
  const double frame_bits = 8.0 * kFrameBytes;
  // 100 ms of buffer (one bandwidth-delay product at a 100 ms RTT, the classic router sizing);
  // 64 packets at least so that TCP's initial window (10) and a few ACK bursts never drop.
  const auto buffer = std::max<int64_t>(64, static_cast<int64_t>(std::ceil(rate_bps * 0.1 / frame_bits)));
  const auto in_flight = static_cast<int64_t>(std::ceil(rate_bps * delay_s / frame_bits));
  return buffer + in_flight;
}

void check_prefix(const std::string& prefix) {
  const bool ok = !prefix.empty() && prefix.size() <= 32 &&
                  std::all_of(prefix.begin(), prefix.end(),
                              [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
  if (!ok) throw InputError("", "prefix", "must be 1-32 characters of [a-z0-9] (got '" + prefix + "')");
}

std::string device_address(int host) {
  EDGEPART_ASSERT(host >= 1 && host <= 65534, "host number out of 10.77.0.0/16");
  return "10.77." + std::to_string(host / 256) + "." + std::to_string(host % 256);
}

namespace {

// tc rates are integers in bit/s; the scenario's Mbit/s is 10^6 bit/s (docs/formats.md).
int64_t to_bps(double mbps) { return std::llround(mbps * 1e6); }

// HTB keeps rates in bytes/s: refuse what would round to (almost) nothing.
constexpr double kMinRateMbps = 0.001;

void check_rates(const scenario::Scenario& s) {
  const auto& net = s.network;
  auto check = [&](double mbps, const std::string& where) {
    if (mbps < kMinRateMbps)
      throw InputError(s.file, where, "network emulation needs at least " + format_number(kMinRateMbps) +
                                          " Mbit/s (got " + format_number(mbps) + ")");
  };
  check(net.bandwidth_mbps, "/network/bandwidth_mbps");
  for (size_t k = 0; k < net.links.size(); ++k)
    check(net.links[k].bandwidth_mbps, "/network/links/" + std::to_string(k) + "/bandwidth_mbps");
}

int64_t fastest(const std::vector<ShapedClass>& classes) {
  int64_t best = 0;
  for (const auto& c : classes) best = std::max(best, c.rate_bps);
  return best;
}

// switched: device i's uplink (eth0 in its namespace) has a class per destination whose rate or
// latency differs from the defaults; its downlink (port p<i> of the bridge, traffic towards i) a
// class per source whose rate differs. Latency is applied once, on the uplink.
void add_switched(const scenario::Cluster& c, Layout& layout) {
  const int n = c.size();
  const int64_t default_bps = to_bps(c.network.bandwidth_mbps);
  for (int i = 0; i < n; ++i) {
    Shaper up{layout.device_ns[i], "eth0", 0, {{kDefaultClass, "", "", default_bps, c.network.latency_s}}};
    Shaper down{layout.hub_ns, "p" + std::to_string(i), 0, {{kDefaultClass, "", "", default_bps, 0}}};
    for (int j = 0; j < n; ++j) {
      if (j == i) continue;
      if (c.wire_rate_mbps(i, j) != c.network.bandwidth_mbps || c.latency_s(i, j) != c.network.latency_s)
        up.classes.push_back({kFirstPairClass + j, "", layout.address[j], to_bps(c.wire_rate_mbps(i, j)), c.latency_s(i, j)});
      if (c.wire_rate_mbps(j, i) != c.network.bandwidth_mbps)
        down.classes.push_back({kFirstPairClass + j, layout.address[j], "", to_bps(c.wire_rate_mbps(j, i)), 0});
    }
    up.ceiling_bps = fastest(up.classes);
    down.ceiling_bps = fastest(down.classes);
    layout.shapers.push_back(std::move(up));
    layout.shapers.push_back(std::move(down));
  }
}

// shared: everything any port receives is redirected into ifb0 of the hub; its egress is the one
// medium: the default class at the network's rate and latency, and a class per ordered pair whose
// rate or latency differs.
void add_shared(const scenario::Cluster& c, Layout& layout, const std::string& file) {
  const int n = c.size();
  Shaper medium{layout.hub_ns, "ifb0", 0,
                {{kDefaultClass, "", "", to_bps(c.network.bandwidth_mbps), c.network.latency_s}}};
  int next = kFirstPairClass;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      if (j == i) continue;
      if (c.wire_rate_mbps(i, j) == c.network.bandwidth_mbps && c.latency_s(i, j) == c.network.latency_s) continue;
      // HTB minors are 16-bit.
      if (next >= 0xffff)
        throw InputError(file, "/network/links",
                         "network emulation supports at most " + std::to_string(0xffff - kFirstPairClass) +
                             " overridden pairs on a shared medium");
      medium.classes.push_back(
          {next++, layout.address[i], layout.address[j], to_bps(c.wire_rate_mbps(i, j)), c.latency_s(i, j)});
    }
  medium.ceiling_bps = fastest(medium.classes);
  layout.shapers.push_back(std::move(medium));
}

}  // namespace

Layout layout_network(const scenario::Scenario& scenario, const std::string& prefix) {
  check_prefix(prefix);
  check_rates(scenario);
  const scenario::Cluster c = scenario::make_cluster(scenario);
  // 10.77.0.0/16 has 65,534 hosts; the minors 1:100 + j of HTB stop at 0xffff.
  if (c.size() > 0xffff - kFirstPairClass)
    throw InputError(scenario.file, "/devices", "network emulation supports at most " +
                                                    std::to_string(0xffff - kFirstPairClass) + " devices");
  Layout layout;
  layout.shared = c.network.kind == scenario::NetworkKind::shared;
  layout.hub_ns = prefix + "-hub";
  for (int i = 0; i < c.size(); ++i) {
    layout.device_ns.push_back(prefix + "-d" + std::to_string(i));
    layout.address.push_back(device_address(i + 1));
  }
  if (layout.shared)
    add_shared(c, layout, scenario.file);
  else
    add_switched(c, layout);
  return layout;
}

}  // namespace edgepart::netemu
