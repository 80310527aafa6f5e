#pragma once
// What the simulator tells its watchers (docs/design.md §2, STYLE §3, taskflow's ObserverInterface): the
// metrics collector and the Chrome-trace writer are observers, so the engine knows nothing about
// output formats. Times are in seconds (the edge of the simulator: SimTime stays inside).
#include <cstdint>
#include <string>

#include "edgepart/plan/plan.hpp"

namespace edgepart::sim {

struct TaskSpan {
  int64_t request = 0;     // request id, in issue order from 0
  int task = 0;            // task id in the variant
  const plan::Task* info = nullptr;  // the plan's task (name, kind, flops)
  int device = -1;
  double start_s = 0, end_s = 0;  // end_s only meaningful in on_task_end
  bool aborted = false;    // on_task_end: the run stopped early (its device or its request failed)
};

struct TransferSpan {
  int64_t request = 0;
  int task = 0;            // the transfer task, or the pull task whose input/output this is
  const plan::Task* info = nullptr;
  int from = -1, to = -1;
  double bytes = 0;
  double start_s = 0, end_s = 0;
};

struct RequestRecord {
  int64_t id = 0;
  int source = 0;          // device index of the source that issued it
  int variant = 0;
  double arrival_s = 0, done_s = 0;
  bool failed = false;     // a device it needed failed (or it never finished)
  bool cache_hit = false;
  double latency_s() const { return done_s - arrival_s; }
};

class SimObserver {
public:
  virtual ~SimObserver() = default;
  virtual void on_task_start(const TaskSpan&) {}
  virtual void on_task_end(const TaskSpan&) {}
  virtual void on_transfer_start(const TransferSpan&) {}
  virtual void on_transfer_end(const TransferSpan&) {}
  virtual void on_request_done(const RequestRecord&) {}
  // A channel in use changed its rate (only looked at while something is sent over it).
  virtual void on_channel_change(int /*from*/, int /*to*/, double /*t_s*/, double /*rate_mbps*/) {}
};

}  // namespace edgepart::sim
