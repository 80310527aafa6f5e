// The discrete-event engine (docs/design.md §6; semantics of one request identical to the timing model,
// docs/timing.md; docs/simulator.md explains the design).
//
// Time. Events are ordered on SimTime (integer ns) and (time, sequence). Each task also carries
// its exact start and end in double seconds, computed with the same formulas as the timing model
// (timing::CostModel::task_time_s, latency + bits / rate); an event is scheduled at the exact end rounded
// to the nearest ns (never at a sum of rounded durations), so event times never drift more than
// 0.5 ns from the exact ones, and latencies equal the timing model's to ~1e-15 rather than to the
// ~1e-7 that rounding every duration would give.
//
// Allocation. The task graph of each (variant, source) is built once, with indices (no pointers
// between tasks); per-request state lives in reusable slots; queues are vectors; events are small
// structs in a variant. Nothing is allocated per event in the steady state.
#include "edgepart/sim/simulator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <string>

#include "edgepart/sim/channel.hpp"
#include "edgepart/sim/event_queue.hpp"
#include "edgepart/sim/metrics.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"
#include "edgepart/util/limits.hpp"
#include "edgepart/util/rng.hpp"
#include "edgepart/util/sim_clock.hpp"

namespace edgepart::sim {

namespace {

using plan::TaskKind;

constexpr double kInf = std::numeric_limits<double>::infinity();

// A FIFO over a vector (no per-push allocation once warmed up).
template <class T>
class Fifo {
public:
  void push(const T& x) { v_.push_back(x); }
  bool empty() const { return head_ == v_.size(); }
  const T& front() const { return v_[head_]; }
  void pop() {
    ++head_;
    if (head_ == v_.size()) {
      v_.clear();
      head_ = 0;
    } else if (head_ >= 64 && 2 * head_ >= v_.size()) {
      v_.erase(v_.begin(), v_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  void clear() {
    v_.clear();
    head_ = 0;
  }

private:
  std::vector<T> v_;
  size_t head_ = 0;
};

// One task of a pre-instantiated graph, devices already mapped to scenario indices.
struct TaskDef {
  TaskKind kind = TaskKind::compute;
  bool pull = false;
  int device = -1;            // static compute / cache_lookup
  double work_s = 0;          // static: timing::CostModel::task_work_s (the overhead is the device's)
  int from = -1, to = -1;     // transfer
  double bytes = 0;
  int pool_begin = 0, pool_end = 0;  // pull: range in Graph::pool_device / pool_work_s
  int in_from = -1, out_to = -1;
  double in_bytes = 0, out_bytes = 0;
  double hit_probability = 0;
  int dep_count = 0;
  int succ_begin = 0, succ_end = 0;  // range in Graph::succ
  const plan::Task* info = nullptr;
};

struct Graph {
  int variant = 0;
  std::vector<TaskDef> tasks;
  std::vector<int> succ;
  std::vector<int> pool_device;
  std::vector<double> pool_work_s;
  std::vector<int> initial;  // tasks without deps
};

enum class Status : uint8_t { waiting, queued, running, done, skipped };

struct TaskState {
  int32_t deps_left = 0;
  Status status = Status::waiting;
  uint8_t phase = 0;    // pull: 0 input transfer, 1 compute, 2 output transfer
  int32_t device = -1;  // pull: the device that took it
  int32_t xfer = -1;    // active transfer (transfer task or pull phase 0/2)
  double ready_s = 0, start_s = 0, end_s = 0;
};

struct Slot {
  bool active = false;
  uint32_t gen = 0;
  int64_t request = 0;
  const Graph* graph = nullptr;
  int source = 0;  // index into the source list
  double arrival_s = 0;
  double last_end_s = 0;
  int remaining = 0;
  bool hit = false;
  RequestRecord rec;  // filled at arrival, completed when it finishes
  std::vector<TaskState> ts;
};

// A reference to a task of a live request; stale when the slot was freed (gen changed).
struct WorkItem {
  int32_t slot = 0;
  uint32_t slot_gen = 0;
  int32_t task = 0;
  int64_t request = 0;
  double ready_s = 0;
};

bool item_before(const WorkItem& a, const WorkItem& b) {
  if (a.ready_s != b.ready_s) return a.ready_s < b.ready_s;
  if (a.request != b.request) return a.request < b.request;
  return a.task < b.task;
}

struct Device {
  double factor = 1;
  bool failed = false;
  uint32_t gen = 0;     // TaskDone events of an older generation are stale
  bool busy = false;    // computing, or reserved by a pull task receiving its input
  bool computing = false;
  WorkItem cur;
  double free_s = 0;    // exact time it last became idle
  double seg_start_s = 0, progress = 0, cur_duration_s = 0, run_start_s = 0;
  Fifo<WorkItem> queue;
};

struct Xfer {
  bool live = false;
  uint32_t gen = 0;
  WorkItem item;
  uint8_t part = 0;     // 0: a transfer task; 1: a pull task's input; 2: its output
  int from = -1, to = -1;
  double bytes = 0, bits_left = 0;
  Channel* channel = nullptr;
  double ready_s = 0, start_s = 0, seg_start_s = 0, rate_bps = 0, end_s = 0;
  bool in_latency = false;
  bool holds_link = false;  // started: holds the medium or its up and down links (fair: active)
  double latency_end_s = 0;
  double bits_start_s = 0;  // when its first bit moved (after the latency)
};

// The time a resource is held by at least one holder: the union of the holding intervals, kept
// in O(1) memory (holds and releases come in time order).
struct BusyClock {
  int holders = 0;
  double since_s = 0, total_s = 0;
  void hold(double at_s) {
    if (holders++ == 0) since_s = at_s;
  }
  void release(double at_s) {
    EDGEPART_ASSERT(holders > 0, "a network resource released more often than held");
    if (--holders == 0) total_s += at_s - since_s;
  }
};

struct Source {
  int device = 0;
  int64_t quota = 0, issued = 0;
  std::vector<int> graph_of_variant;  // index into graphs_
  RngStream arrivals;
  RngStream cache;
  int rate_peer = -1;  // the device whose link from this source picks the variant (plan::rate_peer_of)
  // What the source knows of its uplink's rate (CIC's decision): the throughput of the last
  // transfer it completed to rate_peer, and when (docs/simulator.md "Workloads").
  double measured_rate_mbps = 0;
  double measured_at_s = -std::numeric_limits<double>::infinity();
};

// How long a throughput measurement stands for the uplink's rate. Our choice (no paper gives one):
// 1 s is 100 coherence times of the default scenario's indoor Wi-Fi (10 ms), so under a steady
// workload the estimate is a recent transfer; an older one (nothing sent for a second, e.g. after
// choosing the all-local variant, which sends nothing to measure) gives way to the planning rate,
// so the source offloads again and measures anew instead of staying local for ever.
constexpr double kRateMeasurementMaxAge_s = 1.0;

class Engine {
public:
  Engine(const scenario::Scenario& sc, const plan::Plan& plan, const timing::CostModel& costs, const SimOptions& opt,
         std::span<SimObserver* const> observers);
  SimResult run();

private:
  // Set-up.
  void build_sources();
  void build_channels();
  int build_graph(int variant, const std::vector<int>& map);
  double uplink_rate_mbps(const Source& source, SimTime now);

  // Events.
  void on_arrival(const RequestArrival& e);
  void on_task_done(const TaskDone& e);
  void on_transfer_wake(const TransferWake& e);
  void on_speed_change(const SpeedChange& e);

  // Bookkeeping.
  bool stale(const WorkItem& w) const {
    const Slot& s = slots_[static_cast<size_t>(w.slot)];
    return !s.active || s.gen != w.slot_gen;
  }
  TaskState& state(const WorkItem& w) { return slots_[static_cast<size_t>(w.slot)].ts[static_cast<size_t>(w.task)]; }
  const TaskDef& def(const WorkItem& w) const {
    return slots_[static_cast<size_t>(w.slot)].graph->tasks[static_cast<size_t>(w.task)];
  }
  void make_ready(int slot, int task, double ready_s);
  void complete_task(const WorkItem& w, double end_s);
  void finish_request(int slot, double done_s, bool failed);
  void fail_request(int slot, double at_s);
  void issue_next_closed(int source, double at_s);
  bool needs_device(const Slot& s, int task, int device) const;

  // Dispatch.
  void flush();
  void route(const WorkItem& w);
  void dispatch_devices();
  void take_pull(int d, const WorkItem& w);
  void start_compute(int d, const WorkItem& w, double start_s);
  double compute_duration(int d, const WorkItem& w) const;
  void release_device(int d, double at_s);
  void abort_device(int d, double at_s);
  void requeue_pull(const WorkItem& w);

  // Transfers.
  int new_xfer(const WorkItem& w, uint8_t part, int from, int to, double bytes, double ready_s);
  void xfer_ready(int x);
  bool xfer_before(int a, int b) const;
  void dispatch_links();
  void start_xfer(int x, double start_s);
  void begin_bits(int x, double at_s);
  void schedule_xfer(int x);
  void refresh_fair(double at_s, int except);
  double fair_divisor(const Xfer& f) const;
  void hold_fair(const Xfer& f, double at_s);
  void release_fair(const Xfer& f, double at_s);
  void finish_xfer(int x);
  void cancel_xfer(int x);
  void release_link(int x, double at_s);
  bool link_free(const Xfer& x) const;
  double link_free_s(const Xfer& x) const;

  void push(SimTime t, const Event& e) {
    if (t == SimTime::max()) return;  // never: e.g. a transfer over a channel stuck at rate 0
    queue_.push(std::max(t, now_), e);
  }

  const scenario::Scenario& sc_;
  scenario::Cluster cluster_;
  const timing::CostModel& costs_;
  const plan::Plan& plan_;
  SimOptions opt_;
  std::vector<SimObserver*> obs_;  // the metrics collector first, then the caller's
  int n_ = 0;

  std::vector<Graph> graphs_;
  std::vector<Source> sources_;
  std::vector<std::unique_ptr<Channel>> channels_;  // n*n, directed pairs
  std::vector<Device> devices_;
  std::vector<Slot> slots_;
  std::vector<int> free_slots_;
  std::vector<Xfer> xfers_;
  std::vector<int> free_xfers_;

  // Network resources.
  bool shared_ = true, fair_ = false;
  bool medium_busy_ = false;
  double medium_free_s_ = 0;
  std::vector<char> up_busy_, down_busy_;
  std::vector<double> up_free_s_, down_free_s_;
  std::vector<int> pending_xfers_;  // waiting for the medium / their up and down links, FIFO
  std::vector<int> fair_active_;
  std::vector<int> up_active_, down_active_;  // switched + fair: active flows per uplink, downlink
  BusyClock medium_clock_;
  std::vector<BusyClock> up_clock_, down_clock_;

  std::vector<WorkItem> pull_queue_;  // sorted by (request, task)
  std::vector<WorkItem> ready_;       // made ready during the current instant
  std::vector<WorkItem> batch_;
  std::vector<int> idle_;         // scratch of dispatch_devices
  std::vector<char> skip_mark_;   // scratch of a cache hit

  EventQueue queue_;
  SimTime now_;
  int64_t next_request_ = 0;
  int64_t total_requests_ = 0;
  const int64_t max_events_ = limits::max_events();
  SimStats stats_;
  std::unique_ptr<MetricsCollector> metrics_;
};

Engine::Engine(const scenario::Scenario& sc, const plan::Plan& plan, const timing::CostModel& costs, const SimOptions& opt,
               std::span<SimObserver* const> observers)
    : sc_(sc), cluster_(scenario::make_cluster(sc)), costs_(costs), plan_(plan), opt_(opt) {
  n_ = cluster_.size();
  EDGEPART_ASSERT(costs.devices() == n_, "simulate: the cost model is not the scenario's cluster's");
  EDGEPART_ASSERT(!plan.variants.empty(), "plan without variants");
  EDGEPART_ASSERT(opt.variant < static_cast<int>(plan.variants.size()), "no such plan variant");
  devices_.resize(static_cast<size_t>(n_));
  shared_ = sc.network.kind == scenario::NetworkKind::shared;
  fair_ = sc.network.sharing == scenario::Sharing::fair;
  up_busy_.assign(static_cast<size_t>(n_), 0);
  down_busy_.assign(static_cast<size_t>(n_), 0);
  up_free_s_.assign(static_cast<size_t>(n_), 0.0);
  down_free_s_.assign(static_cast<size_t>(n_), 0.0);
  up_clock_.assign(static_cast<size_t>(n_), BusyClock{});
  up_active_.assign(static_cast<size_t>(n_), 0);
  down_active_.assign(static_cast<size_t>(n_), 0);
  down_clock_.assign(static_cast<size_t>(n_), BusyClock{});
  build_channels();
  build_sources();
  metrics_ = std::make_unique<MetricsCollector>(n_, total_requests_, sc.workload.deadline_s, opt.keep_requests);
  obs_.push_back(metrics_.get());
  obs_.insert(obs_.end(), observers.begin(), observers.end());
}

void Engine::build_channels() {
  channels_.resize(static_cast<size_t>(n_ * n_));
  for (int i = 0; i < n_; ++i)
    for (int j = 0; j < n_; ++j) {
      if (i == j) continue;
      const std::string& a = sc_.devices[static_cast<size_t>(i)].name;
      const std::string& b = sc_.devices[static_cast<size_t>(j)].name;
      // Named after the link, not numbered: adding a device never shifts another link's draws.
      channels_[static_cast<size_t>(i * n_ + j)] =
          make_channel(cluster_.channel(i, j), cluster_.rate_mbps(i, j), opt_.seed, "channel/" + a + "->" + b);
    }
}

void Engine::build_sources() {
  // Plan device indices -> scenario device indices, by name (a --plan file may list them in
  // another order, or be stale).
  std::vector<int> by_name(plan_.devices.size());
  for (size_t i = 0; i < plan_.devices.size(); ++i) {
    auto d = sc_.find_device(plan_.devices[i]);
    if (!d) throw InputError("", "/devices/" + std::to_string(i), "the plan's device '" + plan_.devices[i] + "' is not in the scenario");
    by_name[i] = *d;
  }
  const int plan_source = by_name.at(static_cast<size_t>(plan_.source));

  std::vector<int> source_devices;
  for (const auto& name : sc_.workload.sources) {
    auto d = sc_.find_device(name);
    EDGEPART_ASSERT(d.has_value(), "workload source not in the scenario");
    source_devices.push_back(*d);
  }
  if (source_devices.empty()) source_devices.push_back(plan_source);

  total_requests_ = opt_.requests >= 0 ? opt_.requests : sc_.workload.requests;
  // Hardening (docs/robustness.md): --requests bypasses the scenario's own check.
  if (total_requests_ > limits::max_requests())
    throw InputError(sc_.file, "--requests", "more than " + with_thousands(limits::max_requests()) + " requests" +
                                                 limits::raise_hint("EDGEPART_MAX_REQUESTS"));
  const int64_t k = static_cast<int64_t>(source_devices.size());
  for (size_t s = 0; s < source_devices.size(); ++s) {
    int dev = source_devices[s];
    const std::string& name = sc_.devices[static_cast<size_t>(dev)].name;
    Source src{dev, total_requests_ / k + (static_cast<int64_t>(s) < total_requests_ % k ? 1 : 0), 0, {},
               RngStream(opt_.seed, "workload/arrivals/" + name), RngStream(opt_.seed, "cache/" + name)};
    // Another source runs the plan with its role and the plan source's swapped (documented in
    // docs/simulator.md): the plan's devices keep their parts otherwise.
    std::vector<int> map = by_name;
    for (auto& m : map) {
      if (m == plan_source) m = dev;
      else if (m == dev) m = plan_source;
    }
    src.rate_peer = plan::rate_peer_of(plan_, cluster_, map, dev);
    for (size_t v = 0; v < plan_.variants.size(); ++v) src.graph_of_variant.push_back(build_graph(static_cast<int>(v), map));
    sources_.push_back(std::move(src));
  }
}

int Engine::build_graph(int variant, const std::vector<int>& map) {
  const plan::Variant& var = plan_.variants[static_cast<size_t>(variant)];
  Graph g;
  g.variant = variant;
  const size_t n = var.tasks.size();
  g.tasks.resize(n);
  auto dev = [&](int d) { return d < 0 ? -1 : map.at(static_cast<size_t>(d)); };
  std::vector<std::vector<int>> succ(n);
  for (size_t i = 0; i < n; ++i) {
    const plan::Task& t = var.tasks[i];
    EDGEPART_ASSERT(t.id == static_cast<int>(i), "task ids must be their indices");
    TaskDef& d = g.tasks[i];
    d.info = &t;
    d.kind = t.kind;
    d.dep_count = static_cast<int>(t.deps.size());
    for (int p : t.deps) succ.at(static_cast<size_t>(p)).push_back(static_cast<int>(i));
    if (t.deps.empty()) g.initial.push_back(static_cast<int>(i));
    switch (t.kind) {
      case TaskKind::transfer:
        d.from = dev(t.from);
        d.to = dev(t.to);
        d.bytes = t.bytes;
        break;
      case TaskKind::compute:
      case TaskKind::cache_lookup:
        d.hit_probability = t.hit_probability;
        if (t.dispatch == plan::Dispatch::pull) {
          d.pull = true;
          d.pool_begin = static_cast<int>(g.pool_device.size());
          for (int p : t.pool_devices) {
            int md = dev(p);
            g.pool_device.push_back(md);
            g.pool_work_s.push_back(costs_.task_work_s(md, var, t));
          }
          d.pool_end = static_cast<int>(g.pool_device.size());
          d.in_from = dev(t.in_from);
          d.out_to = dev(t.out_to);
          d.in_bytes = t.in_bytes;
          d.out_bytes = t.out_bytes;
        } else {
          d.device = dev(t.device);
          d.work_s = costs_.task_work_s(d.device, var, t);
        }
        break;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    g.tasks[i].succ_begin = static_cast<int>(g.succ.size());
    g.succ.insert(g.succ.end(), succ[i].begin(), succ[i].end());
    g.tasks[i].succ_end = static_cast<int>(g.succ.size());
  }
  graphs_.push_back(std::move(g));
  return static_cast<int>(graphs_.size()) - 1;
}

// The rate a source can know (not the channel's instantaneous rate, which no device observes):
// its last measured throughput to the rate peer while recent, else the link's planning rate.
double Engine::uplink_rate_mbps(const Source& source, SimTime now) {
  if (source.rate_peer < 0) return cluster_.network.bandwidth_mbps;
  if (now.seconds() - source.measured_at_s <= kRateMeasurementMaxAge_s) return source.measured_rate_mbps;
  return cluster_.rate_mbps(source.device, source.rate_peer);
}

SimResult Engine::run() {
  queue_.reserve(256);
  // Arrivals: one pending arrival per source (per closed-loop client), the next is scheduled when
  // it is handled, so the heap stays small.
  for (size_t s = 0; s < sources_.size(); ++s) {
    const Source& src = sources_[s];
    if (src.quota == 0) continue;
    if (sc_.workload.arrival == scenario::Arrival::closed) {
      int64_t clients = std::min(sc_.workload.concurrency, src.quota);
      for (int64_t c = 0; c < clients; ++c) push(SimTime::zero(), RequestArrival{static_cast<int32_t>(s), 0.0});
    } else {
      push(SimTime::zero(), RequestArrival{static_cast<int32_t>(s), 0.0});
    }
  }
  for (int d = 0; d < n_; ++d) {
    const auto& prof = sc_.devices[static_cast<size_t>(d)].speed_profile;
    for (size_t i = 0; i < prof.size(); ++i)
      push(SimTime::from_seconds(prof[i].at_s), SpeedChange{d, static_cast<int32_t>(i)});
  }

  while (true) {
    while (!queue_.empty()) {
      now_ = queue_.top().time;
      while (!queue_.empty() && queue_.top().time == now_) {
        EventQueue::Entry e = queue_.pop();
        ++stats_.events;
        // Hardening: a channel redrawn every nanosecond under a huge transfer would
        // otherwise run for days; the cap turns that into an error naming the limit.
        if (stats_.events > max_events_) [[unlikely]]
          throw InputError(sc_.file, "", "the simulation needs more than " + with_thousands(max_events_) +
                                             " events" + limits::raise_hint("EDGEPART_MAX_EVENTS"));
        std::visit([this](const auto& ev) {
          using T = std::decay_t<decltype(ev)>;
          if constexpr (std::is_same_v<T, RequestArrival>) on_arrival(ev);
          else if constexpr (std::is_same_v<T, TaskDone>) on_task_done(ev);
          else if constexpr (std::is_same_v<T, TransferWake>) on_transfer_wake(ev);
          else on_speed_change(ev);
        }, e.event);
      }
      flush();
    }
    // Nothing left to happen, yet requests in flight: they can never finish (every device of a
    // pull pool failed, a channel stuck at rate 0). They fail now; a closed-loop client then
    // issues its next request, so the run goes on until every request is accounted for.
    bool stuck = false;
    for (size_t s = 0; s < slots_.size(); ++s)
      if (slots_[s].active) {
        finish_request(static_cast<int>(s), now_.seconds(), true);
        stuck = true;
      }
    if (!stuck) break;
  }
  stats_.end_s = now_.seconds();
  stats_.medium_busy_s = medium_clock_.total_s;
  for (int d = 0; d < n_; ++d) {
    stats_.uplink_busy_s.push_back(up_clock_[static_cast<size_t>(d)].total_s);
    stats_.downlink_busy_s.push_back(down_clock_[static_cast<size_t>(d)].total_s);
  }
  return std::move(*metrics_).result(stats_);
}

// ---------------------------------------------------------------------------------------------
// Requests

void Engine::on_arrival(const RequestArrival& e) {
  Source& src = sources_[static_cast<size_t>(e.source)];
  if (src.issued >= src.quota) return;
  ++src.issued;
  const double at_s = e.at_s;
  // The next open-loop arrival (closed loop: when this request finishes).
  if (sc_.workload.arrival != scenario::Arrival::closed && src.issued < src.quota) {
    const bool periodic = sc_.workload.arrival == scenario::Arrival::periodic;
    double next = periodic ? static_cast<double>(src.issued) * sc_.workload.period_s
                           : at_s + src.arrivals.exponential(1.0 / sc_.workload.rate_rps);
    // Beyond the clock's range the arrival would saturate to "never" and the run would report
    // fewer requests as if all were done (the loader checks one period; this, all of them).
    if (!(next <= sim_clock::kMax_s))
      throw InputError(sc_.file, periodic ? "/workload/period_ms" : "/workload/rate_rps",
                       "request " + std::to_string(src.issued + 1) + " would arrive at " + format_number(next) +
                           " s, beyond the simulated-time range of " + format_number(sim_clock::kMax_s) +
                           " s (about 292 years): fewer requests or a shorter gap");
    push(SimTime::from_seconds(next), RequestArrival{e.source, next});
  }

  // CIC: the variant whose band holds the source's estimate of its uplink rate.
  const int variant = opt_.variant >= 0 ? opt_.variant
                                         : static_cast<int>(&plan_.variant_for_rate(uplink_rate_mbps(src, now_)) - plan_.variants.data());
  const Graph* g = &graphs_[static_cast<size_t>(src.graph_of_variant[static_cast<size_t>(variant)])];

  int slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<int>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[static_cast<size_t>(slot)];
  s.active = true;
  ++s.gen;
  s.request = next_request_++;
  s.graph = g;
  s.source = e.source;
  s.arrival_s = at_s;
  s.last_end_s = at_s;
  s.hit = false;
  s.remaining = static_cast<int>(g->tasks.size());
  s.ts.resize(g->tasks.size());
  for (size_t i = 0; i < g->tasks.size(); ++i) {
    TaskState& t = s.ts[i];
    t = TaskState{};
    t.deps_left = g->tasks[i].dep_count;
    t.ready_s = at_s;
  }
  RequestRecord& rec = s.rec;
  rec = RequestRecord{};
  rec.id = s.request;
  rec.source = src.device;
  rec.variant = variant;
  rec.arrival_s = at_s;
  if (g->tasks.empty()) {
    finish_request(slot, at_s, false);
    return;
  }
  for (int t : g->initial) make_ready(slot, t, at_s);
}

void Engine::make_ready(int slot, int task, double ready_s) {
  Slot& s = slots_[static_cast<size_t>(slot)];
  TaskState& t = s.ts[static_cast<size_t>(task)];
  t.ready_s = ready_s;
  t.status = Status::queued;
  ready_.push_back(WorkItem{slot, s.gen, task, s.request, ready_s});
}

void Engine::complete_task(const WorkItem& w, double end_s) {
  Slot& s = slots_[static_cast<size_t>(w.slot)];
  TaskState& t = s.ts[static_cast<size_t>(w.task)];
  const TaskDef& d = s.graph->tasks[static_cast<size_t>(w.task)];
  t.status = Status::done;
  t.end_s = end_s;
  t.xfer = -1;
  ++stats_.tasks;
  --s.remaining;
  s.last_end_s = std::max(s.last_end_s, end_s);

  bool hit = false;
  if (d.kind == TaskKind::cache_lookup) {
    // CCIED: a hit returns the cached result; the tasks that depend on the lookup are skipped.
    double p = sc_.workload.cache_hit_rate ? *sc_.workload.cache_hit_rate : d.hit_probability;
    hit = sources_[static_cast<size_t>(s.source)].cache.bernoulli(p);
    if (hit) s.hit = true;
  }
  const Graph& g = *s.graph;
  if (hit) {
    // Skip every transitive dependant (ids only grow along deps, so one forward pass suffices).
    std::vector<char>& mark = skip_mark_;
    mark.assign(g.tasks.size(), 0);
    mark[static_cast<size_t>(w.task)] = 1;
    for (size_t i = static_cast<size_t>(w.task); i < g.tasks.size(); ++i) {
      if (!mark[i]) continue;
      for (int k = g.tasks[i].succ_begin; k < g.tasks[i].succ_end; ++k) {
        size_t c = static_cast<size_t>(g.succ[static_cast<size_t>(k)]);
        if (!mark[c]) {
          mark[c] = 1;
          if (s.ts[c].status == Status::waiting) {
            s.ts[c].status = Status::skipped;
            --s.remaining;
          }
        }
      }
    }
  } else {
    for (int k = d.succ_begin; k < d.succ_end; ++k) {
      int c = g.succ[static_cast<size_t>(k)];
      TaskState& ct = s.ts[static_cast<size_t>(c)];
      ct.ready_s = std::max(ct.ready_s, end_s);
      if (--ct.deps_left == 0 && ct.status == Status::waiting) make_ready(w.slot, c, ct.ready_s);
    }
  }
  if (s.remaining == 0) finish_request(w.slot, s.last_end_s, false);
}

void Engine::finish_request(int slot, double done_s, bool failed) {
  Slot& s = slots_[static_cast<size_t>(slot)];
  RequestRecord& rec = s.rec;
  rec.done_s = done_s;
  rec.failed = failed;
  rec.cache_hit = s.hit && !failed;
  s.active = false;
  ++s.gen;  // queued work items of this request are now stale
  free_slots_.push_back(slot);
  for (auto* o : obs_) o->on_request_done(rec);
  if (sc_.workload.arrival == scenario::Arrival::closed) issue_next_closed(s.source, done_s);
}

void Engine::issue_next_closed(int source, double at_s) {
  Source& src = sources_[static_cast<size_t>(source)];
  if (src.issued < src.quota) push(SimTime::from_seconds(at_s), RequestArrival{source, at_s});
}

// Whether a not yet finished task of the request needs `device` as a fixed participant: a static
// compute or lookup on it, a transfer from or to it, or a pull task's fixed input or output end.
bool Engine::needs_device(const Slot& s, int task, int device) const {
  const TaskDef& d = s.graph->tasks[static_cast<size_t>(task)];
  switch (d.kind) {
    case TaskKind::transfer: return d.from != d.to && (d.from == device || d.to == device);
    default:
      if (!d.pull) return d.device == device;
      return d.in_from == device || d.out_to == device;
  }
}

void Engine::fail_request(int slot, double at_s) {
  Slot& s = slots_[static_cast<size_t>(slot)];
  // Abort its running work so the devices and links go on with other requests.
  for (size_t i = 0; i < s.ts.size(); ++i) {
    TaskState& t = s.ts[i];
    if (t.status != Status::running) continue;
    if (t.xfer >= 0) cancel_xfer(t.xfer);
    const TaskDef& d = s.graph->tasks[i];
    int dev = d.pull ? t.device : d.device;
    if (d.kind != TaskKind::transfer && dev >= 0) {
      Device& dv = devices_[static_cast<size_t>(dev)];
      if (dv.busy && dv.cur.slot == slot && dv.cur.task == static_cast<int>(i) && dv.cur.slot_gen == s.gen)
        abort_device(dev, at_s);
    }
  }
  finish_request(slot, at_s, true);
}

// ---------------------------------------------------------------------------------------------
// Dispatch: once per instant, after every event of that instant, so that tasks made ready at the
// same time enter their queues in (ready time, request, task id) order (the timing model's tie rule)
// whatever the order of the events that made them ready.

void Engine::flush() {
  while (!ready_.empty()) {
    batch_.clear();
    // Transfers between a device and itself take no time: done at once (their dependants join
    // this instant's batch).
    for (size_t i = 0; i < ready_.size(); ++i) {
      WorkItem w = ready_[i];
      if (stale(w)) continue;
      const TaskDef& d = def(w);
      if (d.kind == TaskKind::transfer && d.from == d.to) {
        complete_task(w, w.ready_s);
        continue;
      }
      batch_.push_back(w);
    }
    ready_.clear();
    std::sort(batch_.begin(), batch_.end(), item_before);
    for (const WorkItem& w : batch_)
      if (!stale(w)) route(w);
  }
  dispatch_devices();
  dispatch_links();
}

void Engine::route(const WorkItem& w) {
  const TaskDef& d = def(w);
  if (d.kind == TaskKind::transfer) {
    const Device& a = devices_[static_cast<size_t>(d.from)];
    const Device& b = devices_[static_cast<size_t>(d.to)];
    if (a.failed || b.failed) return fail_request(w.slot, now_.seconds());
    int x = new_xfer(w, 0, d.from, d.to, d.bytes, w.ready_s);
    state(w).xfer = x;
    state(w).status = Status::running;
    xfer_ready(x);
    return;
  }
  if (d.pull) {
    if ((d.in_from >= 0 && devices_[static_cast<size_t>(d.in_from)].failed) ||
        (d.out_to >= 0 && devices_[static_cast<size_t>(d.out_to)].failed))
      return fail_request(w.slot, now_.seconds());
    auto pos = std::upper_bound(pull_queue_.begin(), pull_queue_.end(), w, item_before);
    pull_queue_.insert(pos, w);
    return;
  }
  Device& dev = devices_[static_cast<size_t>(d.device)];
  if (dev.failed) return fail_request(w.slot, now_.seconds());
  dev.queue.push(w);
}

void Engine::dispatch_devices() {
  // As the timing model: idle devices in order of (idle since, index) each take the earliest
  // ready task they may run, their own queue's head or the first pull task of a pool they are in,
  // by (ready time, request, task id).
  idle_.clear();
  for (int di = 0; di < n_; ++di) {
    const Device& dev = devices_[static_cast<size_t>(di)];
    if (!dev.busy && !dev.failed) idle_.push_back(di);
  }
  if (idle_.empty()) return;
  std::sort(idle_.begin(), idle_.end(), [this](int a, int b) {
    double fa = devices_[static_cast<size_t>(a)].free_s, fb = devices_[static_cast<size_t>(b)].free_s;
    return fa != fb ? fa < fb : a < b;
  });
  for (int di : idle_) {
    Device& dev = devices_[static_cast<size_t>(di)];
    while (!dev.queue.empty() && stale(dev.queue.front())) dev.queue.pop();
    const WorkItem* own = dev.queue.empty() ? nullptr : &dev.queue.front();
    constexpr size_t kNone = static_cast<size_t>(-1);
    size_t pulled = kNone;  // (stale entries are erased while scanning: no size-based sentinel)
    for (size_t qi = 0; qi < pull_queue_.size();) {
      const WorkItem& w = pull_queue_[qi];
      if (stale(w)) {
        pull_queue_.erase(pull_queue_.begin() + static_cast<std::ptrdiff_t>(qi));
        continue;
      }
      const Graph& g = *slots_[static_cast<size_t>(w.slot)].graph;
      const TaskDef& d = def(w);
      bool in_pool = false;
      for (int p = d.pool_begin; p < d.pool_end && !in_pool; ++p) in_pool = g.pool_device[static_cast<size_t>(p)] == di;
      if (in_pool) {
        pulled = qi;
        break;
      }
      ++qi;
    }
    if (!own && pulled == kNone) continue;
    if (own && (pulled == kNone || item_before(*own, pull_queue_[pulled]))) {
      WorkItem w = *own;
      dev.queue.pop();
      start_compute(di, w, std::max(w.ready_s, dev.free_s));
      continue;
    }
    const WorkItem w = pull_queue_[pulled];
    pull_queue_.erase(pull_queue_.begin() + static_cast<std::ptrdiff_t>(pulled));
    take_pull(di, w);
  }
}

// A device takes a pull task: reserved from now until the task's compute ends; its input comes
// first (unless it holds it or there is none), its output goes after, while the device is free.
void Engine::take_pull(int di, const WorkItem& w) {
  Device& dev = devices_[static_cast<size_t>(di)];
  const TaskDef& d = def(w);
  TaskState& t = state(w);
  t.device = di;
  t.status = Status::running;
  const double take_s = std::max(w.ready_s, dev.free_s);
  if (d.in_from >= 0 && d.in_from != di && d.in_bytes > 0) {
    dev.busy = true;
    dev.computing = false;
    dev.cur = w;
    t.phase = 0;
    int x = new_xfer(w, 1, d.in_from, di, d.in_bytes, take_s);
    t.xfer = x;
    xfer_ready(x);
  } else {
    start_compute(di, w, take_s);
  }
}

double Engine::compute_duration(int d, const WorkItem& w) const {
  const TaskDef& td = def(w);
  const Device& dev = devices_[static_cast<size_t>(d)];
  double base;
  if (td.pull) {
    const Graph& g = *slots_[static_cast<size_t>(w.slot)].graph;
    base = 0;
    for (int p = td.pool_begin; p < td.pool_end; ++p)
      if (g.pool_device[static_cast<size_t>(p)] == d) base = g.pool_work_s[static_cast<size_t>(p)];
  } else {
    base = td.work_s;
  }
  // A speed profile's factor divides the work, not the task overhead (docs/design.md §3); at factor 1 this
  // is exactly CostModel::task_time_s, the timing model's duration.
  const double overhead_s = costs_.task_overhead_s(d);
  if (dev.factor == 1.0) return overhead_s + base;
  return overhead_s + base / dev.factor;
}

void Engine::start_compute(int d, const WorkItem& w, double start_s) {
  Device& dev = devices_[static_cast<size_t>(d)];
  TaskState& t = state(w);
  t.status = Status::running;
  t.phase = 1;
  t.start_s = start_s;
  dev.busy = true;
  dev.computing = true;
  dev.cur = w;
  dev.run_start_s = start_s;
  dev.seg_start_s = start_s;
  dev.progress = 0;
  dev.cur_duration_s = compute_duration(d, w);
  double end_s = start_s + dev.cur_duration_s;
  t.end_s = end_s;
  ++dev.gen;
  push(SimTime::from_seconds(end_s), TaskDone{w.slot, w.task, dev.gen});
  TaskSpan span{w.request, w.task, def(w).info, d, start_s, end_s};
  for (auto* o : obs_) o->on_task_start(span);
}

// Stops what the device is doing (its run is reported as aborted) and frees it.
void Engine::abort_device(int d, double at_s) {
  Device& dev = devices_[static_cast<size_t>(d)];
  if (dev.computing) {
    TaskSpan span{dev.cur.request, dev.cur.task, def(dev.cur).info, d, dev.run_start_s, at_s};
    span.aborted = true;
    for (auto* o : obs_) o->on_task_end(span);
  }
  ++dev.gen;
  release_device(d, at_s);
}

void Engine::release_device(int d, double at_s) {
  Device& dev = devices_[static_cast<size_t>(d)];
  dev.busy = false;
  dev.computing = false;
  dev.free_s = at_s;
}

void Engine::on_task_done(const TaskDone& e) {
  Slot& s = slots_[static_cast<size_t>(e.slot)];
  if (!s.active) return;
  TaskState& t = s.ts[static_cast<size_t>(e.task)];
  const TaskDef& d = s.graph->tasks[static_cast<size_t>(e.task)];
  int di = d.pull ? t.device : d.device;
  if (di < 0) return;
  Device& dev = devices_[static_cast<size_t>(di)];
  if (dev.gen != e.gen || !dev.computing || dev.cur.slot != e.slot || dev.cur.task != e.task) return;
  WorkItem w = dev.cur;
  double end_s = t.end_s;
  release_device(di, end_s);
  TaskSpan span{w.request, w.task, d.info, di, dev.run_start_s, end_s};
  for (auto* o : obs_) o->on_task_end(span);
  if (d.pull && d.out_to >= 0 && d.out_to != di && d.out_bytes > 0) {
    t.phase = 2;
    int x = new_xfer(w, 2, di, d.out_to, d.out_bytes, end_s);
    t.xfer = x;
    xfer_ready(x);
    return;
  }
  complete_task(w, end_s);
}

void Engine::requeue_pull(const WorkItem& w) {
  TaskState& t = state(w);
  t.status = Status::queued;
  t.device = -1;
  t.xfer = -1;
  t.phase = 0;
  WorkItem again = w;
  again.ready_s = std::max(w.ready_s, now_.seconds());
  auto pos = std::upper_bound(pull_queue_.begin(), pull_queue_.end(), again, item_before);
  pull_queue_.insert(pos, again);
}

void Engine::on_speed_change(const SpeedChange& e) {
  Device& dev = devices_[static_cast<size_t>(e.device)];
  const double factor = sc_.devices[static_cast<size_t>(e.device)].speed_profile[static_cast<size_t>(e.change)].factor;
  const double t_s = now_.seconds();
  if (factor <= 0) {
    // Failure (docs/design.md §6): pull tiles on it go back to the queue; requests that need it fail.
    dev.failed = true;
    dev.factor = 0;
    if (dev.busy && !stale(dev.cur)) {
      const WorkItem w = dev.cur;
      TaskState& t = state(w);
      abort_device(e.device, t_s);
      if (def(w).pull) {
        if (t.xfer >= 0) cancel_xfer(t.xfer);
        requeue_pull(w);
      }
    } else {
      ++dev.gen;
      release_device(e.device, t_s);
    }
    // A pull tile whose output is on its way from this device is lost too: compute it again.
    for (size_t x = 0; x < xfers_.size(); ++x) {
      Xfer& xf = xfers_[x];
      if (xf.live && xf.part == 2 && xf.from == e.device && !stale(xf.item)) {
        WorkItem w = xf.item;
        cancel_xfer(static_cast<int>(x));
        requeue_pull(w);
      }
    }
    dev.queue.clear();
    for (size_t si = 0; si < slots_.size(); ++si) {
      if (!slots_[si].active) continue;
      const Slot& s = slots_[si];
      for (size_t ti = 0; ti < s.ts.size(); ++ti) {
        Status st = s.ts[ti].status;
        if (st != Status::done && st != Status::skipped && needs_device(s, static_cast<int>(ti), e.device)) {
          fail_request(static_cast<int>(si), t_s);
          break;
        }
      }
    }
    return;
  }
  dev.failed = false;
  if (dev.computing && !stale(dev.cur)) {
    // Fluid compute: the work done so far is kept, the rest runs at the new speed.
    dev.progress += (t_s - dev.seg_start_s) / dev.cur_duration_s;
    dev.factor = factor;
    dev.seg_start_s = t_s;
    dev.cur_duration_s = compute_duration(e.device, dev.cur);
    double end_s = t_s + (1.0 - dev.progress) * dev.cur_duration_s;
    state(dev.cur).end_s = end_s;
    ++dev.gen;
    push(SimTime::from_seconds(end_s), TaskDone{dev.cur.slot, dev.cur.task, dev.gen});
  } else {
    dev.factor = factor;
  }
}

// ---------------------------------------------------------------------------------------------
// Transfers: fluid, at the rate of the pair's channel (divided among the active flows on a fair
// shared medium), recomputed whenever the rate changes.

int Engine::new_xfer(const WorkItem& w, uint8_t part, int from, int to, double bytes, double ready_s) {
  int x;
  if (!free_xfers_.empty()) {
    x = free_xfers_.back();
    free_xfers_.pop_back();
  } else {
    x = static_cast<int>(xfers_.size());
    xfers_.emplace_back();
  }
  Xfer& xf = xfers_[static_cast<size_t>(x)];
  uint32_t gen = xf.gen + 1;
  xf = Xfer{};
  xf.gen = gen;
  xf.live = true;
  xf.item = w;
  xf.part = part;
  xf.from = from;
  xf.to = to;
  xf.bytes = bytes;
  xf.bits_left = bytes * 8.0;
  xf.channel = channels_[static_cast<size_t>(from * n_ + to)].get();
  xf.ready_s = ready_s;
  return x;
}

// Queued transfers are ordered by (ready time, request, task id, phase) with the phase of a pull
// task's input before a transfer task before a pull task's output (the timing model's FlowKey).
bool Engine::xfer_before(int a, int b) const {
  const Xfer& x = xfers_[static_cast<size_t>(a)];
  const Xfer& y = xfers_[static_cast<size_t>(b)];
  if (x.ready_s != y.ready_s) return x.ready_s < y.ready_s;
  if (x.item.request != y.item.request) return x.item.request < y.item.request;
  if (x.item.task != y.item.task) return x.item.task < y.item.task;
  auto phase = [](uint8_t part) { return part == 1 ? 0 : part == 0 ? 1 : 2; };
  return phase(x.part) < phase(y.part);
}

void Engine::xfer_ready(int x) {
  if (fair_) return start_xfer(x, xfers_[static_cast<size_t>(x)].ready_s);
  auto pos = std::upper_bound(pending_xfers_.begin(), pending_xfers_.end(), x,
                              [this](int a, int b) { return xfer_before(a, b); });
  pending_xfers_.insert(pos, x);
}

bool Engine::link_free(const Xfer& x) const {
  if (shared_) return !medium_busy_;
  return !up_busy_[static_cast<size_t>(x.from)] && !down_busy_[static_cast<size_t>(x.to)];
}

double Engine::link_free_s(const Xfer& x) const {
  if (shared_) return medium_free_s_;
  return std::max(up_free_s_[static_cast<size_t>(x.from)], down_free_s_[static_cast<size_t>(x.to)]);
}

void Engine::dispatch_links() {
  if (fair_ || pending_xfers_.empty()) return;
  // FIFO in the order transfers became ready: strict on the shared medium (one transfer at a
  // time); on a switched network a transfer whose links are busy does not hold back the others.
  size_t keep = 0;
  bool blocked = false;
  for (size_t i = 0; i < pending_xfers_.size(); ++i) {
    int x = pending_xfers_[i];
    Xfer& xf = xfers_[static_cast<size_t>(x)];
    if (!xf.live) continue;
    if (!blocked && link_free(xf)) {
      start_xfer(x, std::max(xf.ready_s, link_free_s(xf)));
      continue;
    }
    if (shared_) blocked = true;
    pending_xfers_[keep++] = x;
  }
  pending_xfers_.resize(keep);
}

void Engine::start_xfer(int x, double start_s) {
  Xfer& xf = xfers_[static_cast<size_t>(x)];
  xf.start_s = start_s;
  if (!fair_) {
    xf.holds_link = true;
    if (shared_) {
      medium_busy_ = true;
      medium_clock_.hold(start_s);
    } else {
      up_busy_[static_cast<size_t>(xf.from)] = 1;
      down_busy_[static_cast<size_t>(xf.to)] = 1;
      up_clock_[static_cast<size_t>(xf.from)].hold(start_s);
      down_clock_[static_cast<size_t>(xf.to)].hold(start_s);
    }
  }
  TransferSpan span{xf.item.request, xf.item.task, def(xf.item).info, xf.from, xf.to, xf.bytes, start_s, start_s};
  for (auto* o : obs_) o->on_transfer_start(span);
  const double lat = cluster_.fixed_transfer_s(xf.from, xf.to);
  if (lat > 0) {
    xf.in_latency = true;
    xf.latency_end_s = start_s + lat;
    ++xf.gen;
    push(SimTime::from_seconds(xf.latency_end_s), TransferWake{x, xf.gen});
  } else {
    begin_bits(x, start_s);
  }
}

void Engine::begin_bits(int x, double at_s) {
  Xfer& xf = xfers_[static_cast<size_t>(x)];
  xf.in_latency = false;
  xf.seg_start_s = at_s;
  xf.bits_start_s = at_s;
  if (fair_) {
    xf.holds_link = true;
    hold_fair(xf, at_s);
    fair_active_.push_back(x);
    refresh_fair(at_s, -1);
    return;
  }
  xf.rate_bps = xf.channel->rate_mbps_at(now_) * 1e6;
  schedule_xfer(x);
}

// What a fair flow's pair rate is divided by (docs/timing.md): on a shared medium the number of
// active flows; on a switched network the larger of the active flows on its sender's uplink and
// on its receiver's downlink.
double Engine::fair_divisor(const Xfer& f) const {
  if (shared_) return static_cast<double>(fair_active_.size());
  return static_cast<double>(std::max(up_active_[static_cast<size_t>(f.from)], down_active_[static_cast<size_t>(f.to)]));
}

void Engine::hold_fair(const Xfer& f, double at_s) {
  if (shared_) return medium_clock_.hold(at_s);
  ++up_active_[static_cast<size_t>(f.from)];
  ++down_active_[static_cast<size_t>(f.to)];
  up_clock_[static_cast<size_t>(f.from)].hold(at_s);
  down_clock_[static_cast<size_t>(f.to)].hold(at_s);
}

void Engine::release_fair(const Xfer& f, double at_s) {
  if (shared_) return medium_clock_.release(at_s);
  --up_active_[static_cast<size_t>(f.from)];
  --down_active_[static_cast<size_t>(f.to)];
  up_clock_[static_cast<size_t>(f.from)].release(at_s);
  down_clock_[static_cast<size_t>(f.to)].release(at_s);
}

// Every active fair flow: account the bits moved since its last segment, then give each the
// pair's channel rate divided by its fair_divisor.
void Engine::refresh_fair(double at_s, int except) {
  for (int y : fair_active_) {
    if (y == except) continue;
    Xfer& f = xfers_[static_cast<size_t>(y)];
    f.bits_left -= f.rate_bps * (at_s - f.seg_start_s);
    if (f.bits_left < 0) f.bits_left = 0;
    f.seg_start_s = at_s;
    f.rate_bps = f.channel->rate_mbps_at(now_) * 1e6 / fair_divisor(f);
    schedule_xfer(y);
  }
}

void Engine::schedule_xfer(int x) {
  Xfer& xf = xfers_[static_cast<size_t>(x)];
  ++xf.gen;
  SimTime change = xf.channel->next_change_after(now_);
  if (xf.bits_left <= 0) {
    xf.end_s = xf.seg_start_s;
    push(SimTime::from_seconds(xf.end_s), TransferWake{x, xf.gen});
    return;
  }
  if (xf.rate_bps > 0) {
    xf.end_s = xf.seg_start_s + xf.bits_left / xf.rate_bps;
    SimTime end = SimTime::from_seconds(xf.end_s);
    if (end <= change) {
      push(end, TransferWake{x, xf.gen});
      return;
    }
  } else {
    xf.end_s = kInf;
  }
  push(change, TransferWake{x, xf.gen});  // the rate changes first: look again then
}

void Engine::on_transfer_wake(const TransferWake& e) {
  Xfer& xf = xfers_[static_cast<size_t>(e.transfer)];
  if (!xf.live || xf.gen != e.gen) return;
  if (xf.in_latency) return begin_bits(e.transfer, xf.latency_end_s);
  if (xf.end_s != kInf && SimTime::from_seconds(xf.end_s) <= now_) return finish_xfer(e.transfer);
  // A rate change of the channel before the end.
  const double t_s = now_.seconds();
  xf.bits_left -= xf.rate_bps * (t_s - xf.seg_start_s);
  if (xf.bits_left < 0) xf.bits_left = 0;
  xf.seg_start_s = t_s;
  double rate_mbps = xf.channel->rate_mbps_at(now_);
  for (auto* o : obs_) o->on_channel_change(xf.from, xf.to, t_s, rate_mbps);
  if (fair_) {
    xf.rate_bps = rate_mbps * 1e6 / fair_divisor(xf);
  } else {
    xf.rate_bps = rate_mbps * 1e6;
  }
  schedule_xfer(e.transfer);
}

void Engine::release_link(int xi, double at_s) {
  Xfer& x = xfers_[static_cast<size_t>(xi)];
  if (!x.holds_link) return;
  x.holds_link = false;
  if (fair_) {
    auto it = std::find(fair_active_.begin(), fair_active_.end(), xi);
    if (it != fair_active_.end()) {
      fair_active_.erase(it);
      release_fair(x, at_s);
      refresh_fair(at_s, -1);
    }
    return;
  }
  if (shared_) {
    medium_busy_ = false;
    medium_free_s_ = at_s;
    medium_clock_.release(at_s);
  } else {
    up_busy_[static_cast<size_t>(x.from)] = 0;
    down_busy_[static_cast<size_t>(x.to)] = 0;
    up_free_s_[static_cast<size_t>(x.from)] = at_s;
    down_free_s_[static_cast<size_t>(x.to)] = at_s;
    up_clock_[static_cast<size_t>(x.from)].release(at_s);
    down_clock_[static_cast<size_t>(x.to)].release(at_s);
  }
}

void Engine::finish_xfer(int x) {
  Xfer& xf = xfers_[static_cast<size_t>(x)];
  const double end_s = xf.end_s;
  xf.live = false;
  ++xf.gen;
  free_xfers_.push_back(x);
  release_link(x, end_s);
  const WorkItem w = xf.item;
  TransferSpan span{w.request, w.task, def(w).info, xf.from, xf.to, xf.bytes, xf.start_s, end_s};
  for (auto* o : obs_) o->on_transfer_end(span);
  // A source learns its uplink's rate from what it sends there: bits / time the bits moved.
  if (const double moving_s = end_s - xf.bits_start_s; xf.bytes > 0 && moving_s > 0)
    for (auto& src : sources_)
      if (src.device == xf.from && src.rate_peer == xf.to) {
        src.measured_rate_mbps = xf.bytes * 8.0 / moving_s / 1e6;
        src.measured_at_s = end_s;
      }
  if (stale(w)) return;
  TaskState& t = state(w);
  t.xfer = -1;
  switch (xf.part) {
    case 0: return complete_task(w, end_s);
    case 1: {
      // The pull tile's input is there: compute it on the device that asked for it.
      return start_compute(t.device, w, end_s);
    }
    default: return complete_task(w, end_s);
  }
}

void Engine::cancel_xfer(int x) {
  Xfer& xf = xfers_[static_cast<size_t>(x)];
  if (!xf.live) return;
  const double t_s = now_.seconds();
  xf.live = false;
  ++xf.gen;
  free_xfers_.push_back(x);
  auto pending = std::find(pending_xfers_.begin(), pending_xfers_.end(), x);
  if (pending != pending_xfers_.end()) pending_xfers_.erase(pending);
  release_link(x, t_s);
  if (xf.part == 1 && xf.to >= 0) {
    Device& dev = devices_[static_cast<size_t>(xf.to)];
    if (dev.busy && !dev.computing && dev.cur.slot == xf.item.slot && dev.cur.task == xf.item.task) release_device(xf.to, t_s);
  }
}

}  // namespace

RequestLog request_log(const SimResult& result, std::optional<double> deadline_s) {
  if (result.log.requests() > 0 || result.requests.empty()) return result.log;
  return RequestLog::of(result.requests, deadline_s);
}

SimResult simulate(const scenario::Scenario& scenario, const plan::Plan& plan, const timing::CostModel& costs,
                   const SimOptions& options, std::span<SimObserver* const> observers) {
  Engine engine(scenario, plan, costs, options, observers);
  return engine.run();
}

}  // namespace edgepart::sim
