#pragma once
// The timing model (docs/design.md §3): executes one request of a plan variant on constant links at the
// planning rate by list scheduling, with exactly the semantics the simulator implements:
//  - A task is ready when all its deps are done (cache_lookup: a hit is not modelled here; the
//    prediction is the miss path; hits are the simulator's business).
//  - Each device runs one compute task at a time, FIFO in the order tasks become ready; ties
//    broken by task id. Compute time: timing::CostModel::task_time_s.
//  - Transfers: time = latency + bytes*8/rate (Cluster::transfer_time_s). Network kind shared,
//    sharing fifo: one transfer at a time on the whole medium, FIFO by ready time then id.
//    Shared, fair: active transfers split the rate equally (processor sharing) after their
//    latency. Switched: a transfer holds the sender's uplink and the receiver's downlink (each
//    FIFO), at the rate of that pair. Transfers between a device and itself take no time.
//  - Pull tasks go, in id order, to the first device of pool_devices to become idle (ties: the
//    lower device index), with their input/output transfers made around the compute.
// This is NOT the project's scheduler: the simulator's engine (src/sim) is, and a plan's prediction
// is that engine's result for one request (sim/prediction.hpp). This independent list scheduler,
// written rule by rule from docs/timing.md, is kept as a test oracle: the engine must reproduce its
// results for one request on constant channels (relative 1e-9) on random plans.
#include <vector>

#include "edgepart/plan/plan.hpp"
#include "edgepart/timing/cost_model.hpp"

namespace edgepart::testing {

using plan::Variant;

struct TaskTiming {
  int task = 0;
  int device = -1;      // the device that ran it (compute/cache_lookup), -1 for transfers
  double start_s = 0, end_s = 0;
};

struct Timeline {
  double latency_s = 0;
  double bytes_sent = 0;
  std::vector<TaskTiming> tasks;  // in task id order (pull tasks' own transfers not listed)
};

Timeline reference_schedule(const Variant& variant, const scenario::Cluster& cluster, const timing::CostModel& costs);


}  // namespace edgepart::testing
