#pragma once
// A plan's prediction (docs/design.md §3, docs/timing.md): the simulator's engine run for one request on
// constant channels at the planning rates, with no speed changes or failures and cache lookups
// that miss. There is no second scheduler: `plan`, the strategies, the HTML report and `simulate`
// all time a plan with the same engine, so a plan's predicted latency equals `simulate
// --requests 1` on constant channels by construction.
#include <vector>

#include "edgepart/plan/plan.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/timing/cost_model.hpp"

namespace edgepart::sim {

struct TaskTiming {
  int task = 0;
  int device = -1;  // the device that ran it (compute, lookup), -1 for transfers
  // A pull task spans its input movement, its compute and its output movement.
  double start_s = 0, end_s = 0;
};

struct Timeline {
  double latency_s = 0;
  double bytes_sent = 0;           // over every transfer between two different devices
  std::vector<TaskTiming> tasks;   // in task id order
};

// One request of variant `variant` of `plan`.
Timeline run_once(const plan::Plan& plan, size_t variant, const scenario::Cluster& cluster,
                  const timing::CostModel& costs);

// Fills every variant's `predicted` and the plan's (the variant at the planning rate,
// plan::planning_point).
void predict(plan::Plan& plan, const scenario::Cluster& cluster, const timing::CostModel& costs);

}  // namespace edgepart::sim
