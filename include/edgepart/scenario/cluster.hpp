#pragma once
// The cluster as the planner and the simulator see it: device speeds and the network at the
// planning rate. The transfer formula of docs/design.md §3 lives here, once, so that the planner's timing
// model and the simulator cannot drift apart; compute time is timing::CostModel's.
#include <map>
#include <string>
#include <vector>

#include "edgepart/scenario/scenario.hpp"

namespace edgepart::scenario {

// FLOPs of a compute task by op kind name ("conv2d" -> 1.2e9), so per-op efficiency applies.
using FlopsByOp = std::map<std::string, double>;
double total_flops(const FlopsByOp& work);

struct Cluster {
  std::vector<Device> devices;
  Network network;
  int source = 0;

  int size() const { return static_cast<int>(devices.size()); }
  // The planning rate and latency of the directed link from -> to (a per-pair override or the
  // network default).
  // The payload rate of the link: its bandwidth (the per-pair override, else the network's) times
  // the network's goodput_factor. What plans and the simulator move data at.
  double rate_mbps(int from, int to) const;
  // The link's bandwidth on the wire, without the goodput factor (what an emulator shapes).
  double wire_rate_mbps(int from, int to) const;
  double latency_s(int from, int to) const;
  // The fixed part of a transfer from -> to: the link's latency plus the network's per-message
  // overhead. What plans and the simulator charge every transfer before its bits move.
  double fixed_transfer_s(int from, int to) const;
  // The channel of the directed link from -> to (the same override as rate_mbps, else the
  // network's); the simulator scales it by rate_mbps(from, to).
  const ChannelSpec& channel(int from, int to) const;
  // docs/design.md §3: fixed_transfer_s + bytes * 8 / rate_bps at the planning rate; 0 when from == to.
  double transfer_time_s(int from, int to, double bytes) const;
  // Indices of devices sorted by speed, fastest first (ties by index).
  std::vector<int> by_speed() const;
};

Cluster make_cluster(const Scenario& scenario);

// One line per network default or link override whose planning rate (bandwidth_mbps) differs from
// its channel's mean rate (channel_mean_rate_mbps), with both numbers: the plans assume the
// first, the simulator moves data at the second. Empty when they agree.
std::vector<std::string> rate_warnings(const Network& network);

}  // namespace edgepart::scenario
