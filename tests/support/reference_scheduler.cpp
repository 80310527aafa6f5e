// A test oracle (reference_scheduler.hpp): one request of a plan variant, list-scheduled on
// devices and links at constant rates straight from the rules of docs/timing.md, independently of
// the simulator's engine:
//   1. take the earliest instant t at which something ends (a compute, a transfer, a latency
//      phase of a fair-shared transfer, or the next completion of a fair-shared flow);
//   2. process every ending at t, in order of (end time, start sequence number); a finished task
//      releases its dependants, which become ready at t (transfers between a device and itself,
//      and pull-task movements of zero bytes, finish at once);
//   3. dispatch at t: first devices (idle devices in order of (idle since, index) each take the
//      earliest ready task they may run), then the network (queued transfers in order of
//      (ready time, task id) start on free resources).
// tests/unit/sim/once_test.cpp checks hand-computed timelines against the engine.
#include "support/reference_scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <queue>
#include <set>

#include "edgepart/util/error.hpp"

namespace edgepart::testing {

using namespace plan;

namespace {

using scenario::Cluster;
using scenario::NetworkKind;
using scenario::Sharing;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Ordering key of queued work: ready time, then task id (docs/design.md §6: ties in insertion order; a
// task's id is its insertion order in the plan).
struct Key {
  double ready_s;
  int task;
  bool operator<(const Key& o) const { return ready_s != o.ready_s ? ready_s < o.ready_s : task < o.task; }
};

// Order of queued transfers: ready time, then the task id (a pull task's own movements carry its
// id), then the phase; `index` points into the engine's flows.
struct FlowKey {
  double ready_s;
  int task;
  int phase;
  int index;
  bool operator<(const FlowKey& o) const {
    if (ready_s != o.ready_s) return ready_s < o.ready_s;
    if (task != o.task) return task < o.task;
    return phase < o.phase;
  }
};

// A transfer on the network: a plan transfer task, or the input (phase 0) or output (phase 2)
// movement of a pull task.
struct Flow {
  int task = 0;
  int phase = 0;  // 0: in (pull), 1: a transfer task, 2: out (pull)
  int from = -1, to = -1;
  double bytes = 0;
  double ready_s = 0;
};

// Something that ends at a fixed time.
struct Ending {
  double end_s;
  uint64_t seq;
  enum Kind { compute, flow, latency } kind;
  int index;  // compute: task id; flow / latency: index into flows
  bool operator>(const Ending& o) const { return end_s != o.end_s ? end_s > o.end_s : seq > o.seq; }
};

class Engine {
public:
  Engine(const Variant& v, const Cluster& c, const timing::CostModel& times) : v_(v), c_(c), times_(times) {
    const size_t n = v.tasks.size();
    remaining_.assign(n, 0);
    ready_.assign(n, 0);
    dependants_.resize(n);
    timing_.resize(n);
    const size_t nd = static_cast<size_t>(c.size());
    device_busy_.assign(nd, false);
    idle_since_.assign(nd, 0);
    device_queue_.resize(nd);
    uplink_busy_.assign(nd, false);
    downlink_busy_.assign(nd, false);
    pull_device_.assign(n, -1);
    for (const auto& t : v.tasks) {
      timing_[static_cast<size_t>(t.id)].task = t.id;
      remaining_[static_cast<size_t>(t.id)] = static_cast<int>(t.deps.size());
      for (int d : t.deps) dependants_[static_cast<size_t>(d)].push_back(t.id);
      check_devices(t);
    }
  }

  Timeline run() {
    for (const auto& t : v_.tasks)
      if (t.deps.empty()) make_ready(t.id, 0.0);
    settle(0.0);
    while (true) {
      double t = next_time();
      if (t == kInf) break;
      process(t);
      settle(t);
    }
    Timeline tl;
    tl.bytes_sent = bytes_sent_;
    for (size_t i = 0; i < v_.tasks.size(); ++i) {
      if (!done_.count(static_cast<int>(i)))
        throw InternalError("timing model: task '" + v_.tasks[i].name + "' never ran (dependency on itself or no device)");
      tl.latency_s = std::max(tl.latency_s, timing_[i].end_s);
    }
    tl.tasks = timing_;
    return tl;
  }

private:
  void check_devices(const Task& t) const {
    auto ok = [&](int d) { return d >= 0 && d < c_.size(); };
    if (t.kind == TaskKind::transfer) {
      EDGEPART_ASSERT(ok(t.from) && ok(t.to), "transfer '" + t.name + "' with a device out of range");
    } else if (t.dispatch == Dispatch::static_) {
      EDGEPART_ASSERT(ok(t.device), "task '" + t.name + "' with a device out of range");
    } else {
      EDGEPART_ASSERT(!t.pool_devices.empty(), "pull task '" + t.name + "' without devices");
      for (int d : t.pool_devices) EDGEPART_ASSERT(ok(d), "pull task '" + t.name + "' with a device out of range");
    }
  }

  const Task& task(int id) const { return v_.tasks[static_cast<size_t>(id)]; }

  // A task whose dependencies are all done becomes ready at `now`.
  void make_ready(int id, double now) {
    ready_[static_cast<size_t>(id)] = now;
    const Task& t = task(id);
    if (t.kind == TaskKind::transfer) {
      timing_[static_cast<size_t>(id)].start_s = now;
      if (t.from == t.to) {
        finish(id, now);  // a device to itself: no time, no bytes
        return;
      }
      queue_flow(Flow{id, 1, t.from, t.to, t.bytes, now});
    } else if (t.dispatch == Dispatch::static_) {
      device_queue_[static_cast<size_t>(t.device)].insert(Key{now, id});
    } else {
      pull_queue_.insert(Key{now, id});
    }
  }

  void finish(int id, double now) {
    TaskTiming& tt = timing_[static_cast<size_t>(id)];
    tt.end_s = now;
    done_.insert(id);
    for (int d : dependants_[static_cast<size_t>(id)])
      if (--remaining_[static_cast<size_t>(d)] == 0) make_ready(d, now);
  }

  void queue_flow(const Flow& f) {
    flows_.push_back(f);
    flow_queue_.insert(FlowKey{f.ready_s, f.task, f.phase, static_cast<int>(flows_.size() - 1)});
  }

  void start_compute(int id, int device, double now) {
    device_busy_[static_cast<size_t>(device)] = true;
    const Task& t = task(id);
    endings_.push(Ending{now + times_.task_time_s(device, v_, t), seq_++, Ending::compute, id});
  }

  // Step 3 of the loop: devices, then the network, until nothing more can start at `now`.
  void settle(double now) {
    dispatch_devices(now);
    dispatch_network(now);
  }

  void dispatch_devices(double now) {
    std::vector<int> idle;
    for (int d = 0; d < c_.size(); ++d)
      if (!device_busy_[static_cast<size_t>(d)]) idle.push_back(d);
    // The device idle longest goes first; ties: the lower index (timing.hpp).
    std::stable_sort(idle.begin(), idle.end(),
                     [&](int a, int b) { return idle_since_[static_cast<size_t>(a)] < idle_since_[static_cast<size_t>(b)]; });
    for (int d : idle) {
      auto& q = device_queue_[static_cast<size_t>(d)];
      const Key* own = q.empty() ? nullptr : &*q.begin();
      const Key* pulled = nullptr;
      for (const Key& k : pull_queue_) {
        const auto& pool = task(k.task).pool_devices;
        if (std::find(pool.begin(), pool.end(), d) != pool.end()) {
          pulled = &k;
          break;
        }
      }
      if (!own && !pulled) continue;
      if (own && (!pulled || *own < *pulled)) {
        int id = own->task;
        q.erase(q.begin());
        timing_[static_cast<size_t>(id)].device = d;
        timing_[static_cast<size_t>(id)].start_s = now;
        start_compute(id, d, now);
      } else {
        int id = pulled->task;
        pull_queue_.erase(*pulled);
        take_pull(id, d, now);
      }
    }
  }

  // A device takes a pull task: it is reserved from now until the task's compute ends; the input
  // comes first (unless the device holds it), the output goes after (the device is free again
  // while its output is sent).
  void take_pull(int id, int d, double now) {
    const Task& t = task(id);
    device_busy_[static_cast<size_t>(d)] = true;
    pull_device_[static_cast<size_t>(id)] = d;
    timing_[static_cast<size_t>(id)].device = d;
    timing_[static_cast<size_t>(id)].start_s = now;
    if (t.in_from >= 0 && t.in_from != d && t.in_bytes > 0) queue_flow(Flow{id, 0, t.in_from, d, t.in_bytes, now});
    else start_compute(id, d, now);
  }

  void dispatch_network(double now) {
    const bool shared = c_.network.kind == NetworkKind::shared;
    if (shared && c_.network.sharing == Sharing::fair) {
      // Processor sharing: every queued transfer starts at once with its latency phase.
      for (const FlowKey& k : flow_queue_) {
        const Flow& f = flows_[static_cast<size_t>(k.index)];
        if (f.phase == 1) timing_[static_cast<size_t>(f.task)].start_s = now;
        endings_.push(Ending{now + c_.fixed_transfer_s(f.from, f.to), seq_++, Ending::latency, k.index});
      }
      flow_queue_.clear();
      return;
    }
    for (auto it = flow_queue_.begin(); it != flow_queue_.end();) {
      const Flow& f = flows_[static_cast<size_t>(it->index)];
      bool free = shared ? !medium_busy_
                         : !uplink_busy_[static_cast<size_t>(f.from)] && !downlink_busy_[static_cast<size_t>(f.to)];
      if (!free) {
        if (shared) break;  // one medium, strict FIFO
        ++it;               // switched: a transfer whose link is busy does not hold back the others
        continue;
      }
      if (shared) medium_busy_ = true;
      else {
        uplink_busy_[static_cast<size_t>(f.from)] = true;
        downlink_busy_[static_cast<size_t>(f.to)] = true;
      }
      if (f.phase == 1) timing_[static_cast<size_t>(f.task)].start_s = now;
      endings_.push(Ending{now + c_.transfer_time_s(f.from, f.to, f.bytes), seq_++, Ending::flow, it->index});
      it = flow_queue_.erase(it);
    }
  }

  // The next instant something ends: the earliest fixed ending, or the earliest completion of a
  // fair-shared flow (rate of its pair divided by the number of active flows).
  double next_time() {
    double t = endings_.empty() ? kInf : endings_.top().end_s;
    if (!active_.empty()) {
      const double n = static_cast<double>(active_.size());
      for (const auto& [index, bits] : active_) {
        const Flow& f = flows_[static_cast<size_t>(index)];
        t = std::min(t, fair_now_ + bits * n / (c_.rate_mbps(f.from, f.to) * 1e6));
      }
    }
    return t;
  }

  void process(double now) {
    // Fair-shared flows progress until `now`; those that reach their end complete.
    std::vector<int> fair_done;
    if (!active_.empty()) {
      const double n = static_cast<double>(active_.size());
      for (auto& [index, bits] : active_) {
        const Flow& f = flows_[static_cast<size_t>(index)];
        const double rate_bps = c_.rate_mbps(f.from, f.to) * 1e6;
        if (fair_now_ + bits * n / rate_bps == now) {
          fair_done.push_back(index);
          bits = 0;
        } else {
          bits -= (now - fair_now_) * rate_bps / n;
        }
      }
      for (int index : fair_done) active_.erase(index);
    }
    fair_now_ = now;
    std::vector<Ending> batch;
    while (!endings_.empty() && endings_.top().end_s == now) {
      batch.push_back(endings_.top());
      endings_.pop();
    }
    for (const Ending& e : batch) {
      if (e.kind == Ending::compute) compute_done(e.index, now);
      else if (e.kind == Ending::flow) flow_done(e.index, now);
      else {
        const Flow& f = flows_[static_cast<size_t>(e.index)];
        active_[e.index] = f.bytes * 8.0;
      }
    }
    for (int index : fair_done) flow_done(index, now);
  }

  void compute_done(int id, double now) {
    const Task& t = task(id);
    int d = t.dispatch == Dispatch::pull ? pull_device_[static_cast<size_t>(id)] : t.device;
    device_busy_[static_cast<size_t>(d)] = false;
    idle_since_[static_cast<size_t>(d)] = now;
    if (t.dispatch == Dispatch::pull && t.out_to >= 0 && t.out_to != d && t.out_bytes > 0) {
      queue_flow(Flow{id, 2, d, t.out_to, t.out_bytes, now});
      return;
    }
    finish(id, now);
  }

  void flow_done(int index, double now) {
    const Flow& f = flows_[static_cast<size_t>(index)];
    bytes_sent_ += f.bytes;
    const bool shared = c_.network.kind == NetworkKind::shared;
    if (shared && c_.network.sharing == Sharing::fifo) medium_busy_ = false;
    else if (!shared) {
      uplink_busy_[static_cast<size_t>(f.from)] = false;
      downlink_busy_[static_cast<size_t>(f.to)] = false;
    }
    if (f.phase == 0) start_compute(f.task, f.to, now);  // the device was reserved for it
    else finish(f.task, now);
  }

  const Variant& v_;
  const Cluster& c_;
  const timing::CostModel& times_;
  std::vector<int> remaining_;
  std::vector<double> ready_;
  std::vector<std::vector<int>> dependants_;
  std::vector<TaskTiming> timing_;
  std::set<int> done_;
  std::vector<bool> device_busy_;
  std::vector<double> idle_since_;
  std::vector<std::set<Key>> device_queue_;
  std::set<Key> pull_queue_;
  std::vector<int> pull_device_;
  std::vector<Flow> flows_;
  std::set<FlowKey> flow_queue_;
  bool medium_busy_ = false;
  std::vector<bool> uplink_busy_, downlink_busy_;
  std::map<int, double> active_;  // fair sharing: flow index -> bits left
  double fair_now_ = 0;
  std::priority_queue<Ending, std::vector<Ending>, std::greater<Ending>> endings_;
  uint64_t seq_ = 0;
  double bytes_sent_ = 0;
};

}  // namespace

Timeline reference_schedule(const Variant& variant, const Cluster& cluster, const timing::CostModel& costs) {
  return Engine(variant, cluster, costs).run();
}

}  // namespace edgepart::testing
