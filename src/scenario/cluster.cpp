// The transfer formula of docs/design.md §3, once for the planner and the simulator (compute time:
// timing::CostModel).
#include "edgepart/scenario/cluster.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::scenario {

double total_flops(const FlopsByOp& work) {
  double sum = 0;
  for (const auto& [op, flops] : work) sum += flops;
  return sum;
}

namespace {

// The per-pair override of from -> to, or nullptr (the last matching entry wins, like a later
// --set overriding an earlier value).
const LinkSpec* find_link(const Cluster& c, int from, int to) {
  const std::string& f = c.devices.at(static_cast<size_t>(from)).name;
  const std::string& t = c.devices.at(static_cast<size_t>(to)).name;
  const LinkSpec* found = nullptr;
  for (const auto& l : c.network.links)
    if ((l.from == f && l.to == t) || (l.symmetric && l.from == t && l.to == f)) found = &l;
  return found;
}

}  // namespace

double Cluster::wire_rate_mbps(int from, int to) const {
  const LinkSpec* l = find_link(*this, from, to);
  return l ? l->bandwidth_mbps : network.bandwidth_mbps;
}

double Cluster::rate_mbps(int from, int to) const { return wire_rate_mbps(from, to) * network.goodput_factor; }

double Cluster::latency_s(int from, int to) const {
  const LinkSpec* l = find_link(*this, from, to);
  return l ? l->latency_s : network.latency_s;
}

double Cluster::fixed_transfer_s(int from, int to) const { return latency_s(from, to) + network.message_overhead_s; }

const ChannelSpec& Cluster::channel(int from, int to) const {
  const LinkSpec* l = find_link(*this, from, to);
  return l ? l->channel : network.channel;
}

namespace {
std::string six_digits(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
}  // namespace

std::vector<std::string> rate_warnings(const Network& network) {
  std::vector<std::string> out;
  auto check = [&out](const std::string& what, double bandwidth_mbps, const ChannelSpec& channel) {
    const double mean_mbps = channel_mean_rate_mbps(channel, bandwidth_mbps);
    // A relative 1e-9: the same rate written differently (a trace's mean in binary) is no news.
    if (std::fabs(mean_mbps - bandwidth_mbps) <= 1e-9 * bandwidth_mbps) return;
    out.push_back(what + ": the planning rate is " + format_number(bandwidth_mbps) + " Mbit/s but the " +
                  channel_kind(channel) + " channel's mean rate is " + six_digits(mean_mbps) +
                  " Mbit/s (plans assume the first, the simulator moves data at the second)");
  };
  check("network", network.bandwidth_mbps, network.channel);
  for (const auto& l : network.links)
    check("link " + l.from + (l.symmetric ? " <-> " : " -> ") + l.to, l.bandwidth_mbps, l.channel);
  return out;
}

double Cluster::transfer_time_s(int from, int to, double bytes) const {
  if (from == to) return 0;
  return fixed_transfer_s(from, to) + bytes * 8.0 / (rate_mbps(from, to) * 1e6);
}

std::vector<int> Cluster::by_speed() const {
  std::vector<int> order(devices.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return devices[static_cast<size_t>(a)].speed_gflops > devices[static_cast<size_t>(b)].speed_gflops; });
  return order;
}

Cluster make_cluster(const Scenario& scenario) {
  Cluster c;
  c.devices = scenario.devices;
  c.network = scenario.network;
  c.source = scenario.source();
  return c;
}

}  // namespace edgepart::scenario
