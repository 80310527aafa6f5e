// The transfer formula of DESIGN §3, once for the planner and the simulator (compute time:
// timing::CostModel).
#include "edgepart/scenario/cluster.hpp"

#include <algorithm>
#include <numeric>

#include "edgepart/util/error.hpp"

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

double Cluster::rate_mbps(int from, int to) const {
  const LinkSpec* l = find_link(*this, from, to);
  return l ? l->bandwidth_mbps : network.bandwidth_mbps;
}

double Cluster::latency_s(int from, int to) const {
  const LinkSpec* l = find_link(*this, from, to);
  return l ? l->latency_s : network.latency_s;
}

double Cluster::transfer_time_s(int from, int to, double bytes) const {
  if (from == to) return 0;
  return latency_s(from, to) + bytes * 8.0 / (rate_mbps(from, to) * 1e6);
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
