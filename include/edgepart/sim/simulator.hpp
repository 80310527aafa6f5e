#pragma once
// The discrete-event simulator (docs/design.md §6): executes a plan's task graph for every request of a
// workload on the scenario's devices and links, with time-variant channels, speed profiles and
// failures. It uses plan and scenario only, never strategy: a plan is data.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "edgepart/plan/plan.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/sim/observer.hpp"
#include "edgepart/sim/request_log.hpp"
#include "edgepart/timing/cost_model.hpp"

namespace edgepart::sim {

struct SimOptions {
  uint64_t seed = 1;
  int64_t requests = -1;  // -1: the workload's
  int variant = -1;       // every request runs this plan variant; -1: the one the uplink rate picks
  // Also keep every request's record in SimResult::requests (40 B each; tests, one-request
  // timelines). Off, memory does not grow with the number of requests (RequestLog).
  bool keep_requests = false;
};

struct LinkTraffic {
  int from = 0, to = 0;
  double bytes = 0;
  int64_t transfers = 0;
};

struct DeviceUsage {
  double busy_s = 0;          // time spent computing
  double tx_s = 0;            // time its outgoing transfers were moving bits
  double peak_memory_bytes = 0;  // largest memory_bytes of a task it ran (one task at a time)
  int64_t tasks = 0;
};

struct SimStats {
  int64_t events = 0;         // events popped from the queue
  int64_t tasks = 0;          // compute, lookup and transfer tasks completed
  double end_s = 0;           // time of the last event
  // How long each network resource was held by at least one transfer (the union of the holding
  // intervals: a FIFO transfer holds it from its start, latency included; a flow on a fair medium
  // from its first bit), for the utilisation of the report (docs/simulator.md "Overload"). A
  // shared network has one medium; a switched one an uplink and a downlink per device.
  double medium_busy_s = 0;
  std::vector<double> uplink_busy_s, downlink_busy_s;  // by device index (switched networks)
};

struct SimResult {
  RequestLog log;                       // every request, in bounded memory (the report's source)
  std::vector<RequestRecord> requests;  // in id order; only with SimOptions::keep_requests (the
                                        // real runtime fills it and leaves `log` empty)
  std::vector<DeviceUsage> devices;     // by device index
  std::vector<LinkTraffic> links;       // directed pairs that carried bytes, sorted (from, to)
  SimStats stats;
};

// The run's request log: `log` as simulate fills it, or, when only records are there (the real
// runtime's results, hand-made ones in tests), one built from them with this deadline.
RequestLog request_log(const SimResult& result, std::optional<double> deadline_s);

// Runs the workload; observers see every task, transfer and request. `costs` times compute tasks;
// it must be built on make_cluster(scenario) (overrides applied to the scenario first) and the
// plan's model.
SimResult simulate(const scenario::Scenario& scenario, const plan::Plan& plan, const timing::CostModel& costs,
                   const SimOptions& options, std::span<SimObserver* const> observers = {});

}  // namespace edgepart::sim
