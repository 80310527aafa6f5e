#pragma once
// The timing model (DESIGN §3): executes one request of a plan variant on constant links at the
// planning rate by list scheduling, with exactly the semantics the simulator implements:
//  - A task is ready when all its deps are done (cache_lookup: a hit is not modelled here; the
//    prediction is the miss path; hits are the simulator's business).
//  - Each device runs one compute task at a time, FIFO in the order tasks become ready; ties
//    broken by task id. Compute time: ComputeTimes::task_time_s (timing::CostModel).
//  - Transfers: time = latency + bytes*8/rate (Cluster::transfer_time_s). Network kind shared,
//    sharing fifo: one transfer at a time on the whole medium, FIFO by ready time then id.
//    Shared, fair: active transfers split the rate equally (processor sharing) after their
//    latency. Switched: a transfer holds the sender's uplink and the receiver's downlink (each
//    FIFO), at the rate of that pair. Transfers between a device and itself take no time.
//  - Pull tasks go, in id order, to the first device of pool_devices to become idle (ties: the
//    lower device index), with their input/output transfers made around the compute.
// The simulator (src/sim) must reproduce these results exactly for one request on constant
// channels; a test asserts equality (relative 1e-9).
#include <vector>

#include "edgepart/plan/plan.hpp"

namespace edgepart::plan {

// How long a compute (or cache-lookup) task runs on a device. timing::CostModel implements it: the
// timing module sits above plan (it reads stages and regions), so the timing model sees only this.
class ComputeTimes {
public:
  virtual ~ComputeTimes() = default;
  virtual double task_time_s(int device, const Variant& variant, const Task& task) const = 0;
};

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

Timeline simulate_once(const Variant& variant, const scenario::Cluster& cluster, const ComputeTimes& times);

// Fills variant.predicted and plan.predicted (the variant used at the planning rate of the
// source's uplink to the fastest other device).
void predict(Plan& plan, const scenario::Cluster& cluster, const ComputeTimes& times);

}  // namespace edgepart::plan
