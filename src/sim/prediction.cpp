// A plan's prediction: the engine of simulator.cpp for one request (include/edgepart/sim/prediction.hpp).
#include "edgepart/sim/prediction.hpp"

#include <algorithm>

#include "edgepart/sim/simulator.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::sim {

namespace {

// The cluster as a scenario whose every link keeps its planning rate and whose devices never slow
// down: one closed-loop request, cache lookups always miss (the prediction is the miss path).
scenario::Scenario planning_scenario(const scenario::Cluster& cluster) {
  scenario::Scenario s;
  s.name = "prediction";
  s.devices = cluster.devices;
  for (auto& d : s.devices) d.speed_profile.clear();
  s.network = cluster.network;
  s.network.channel = scenario::ConstantChannel{};
  for (auto& l : s.network.links) l.channel = scenario::ConstantChannel{};
  s.workload.requests = 1;
  s.workload.arrival = scenario::Arrival::closed;
  s.workload.concurrency = 1;
  s.workload.cache_hit_rate = 0.0;
  return s;
}

// Collects, per task of the one request, the device and the span from its first start to its last
// end (a pull task's movements included).
class TimelineRecorder : public SimObserver {
public:
  explicit TimelineRecorder(size_t tasks) : seen_(tasks, false) {
    tl_.tasks.resize(tasks);
    for (size_t i = 0; i < tasks; ++i) tl_.tasks[i].task = static_cast<int>(i);
  }
  void on_task_end(const TaskSpan& s) override {
    widen(s.task, s.start_s, s.end_s);
    tl_.tasks[static_cast<size_t>(s.task)].device = s.device;
  }
  void on_transfer_end(const TransferSpan& s) override {
    widen(s.task, s.start_s, s.end_s);
    if (s.from != s.to) tl_.bytes_sent += s.bytes;
  }
  Timeline finish(const plan::Variant& v) {
    for (size_t i = 0; i < seen_.size(); ++i) {
      const plan::Task& t = v.tasks[i];
      if (!seen_[i] && t.kind == plan::TaskKind::transfer && t.from == t.to) {
        // Finished at once, unobserved, when its last dependency ended (deps have smaller ids).
        double ready_s = 0;
        for (int d : t.deps) ready_s = std::max(ready_s, tl_.tasks[static_cast<size_t>(d)].end_s);
        widen(t.id, ready_s, ready_s);
      }
      if (!seen_[i]) throw InternalError("prediction: task '" + t.name + "' never ran");
      tl_.latency_s = std::max(tl_.latency_s, tl_.tasks[i].end_s);
    }
    return std::move(tl_);
  }

private:
  void widen(int task, double start_s, double end_s) {
    TaskTiming& t = tl_.tasks.at(static_cast<size_t>(task));
    if (!seen_[static_cast<size_t>(task)]) {
      t.start_s = start_s;
      t.end_s = end_s;
      seen_[static_cast<size_t>(task)] = true;
      return;
    }
    t.start_s = std::min(t.start_s, start_s);
    t.end_s = std::max(t.end_s, end_s);
  }
  Timeline tl_;
  std::vector<bool> seen_;
};

// Informative split of the latency: walk back from the last task to finish along the dependency
// that finished last (ties: the lower id), adding up compute and transfer durations.
void critical_path(const plan::Variant& v, const Timeline& tl, plan::Prediction& p) {
  if (v.tasks.empty()) return;
  int cur = 0;
  for (size_t i = 0; i < tl.tasks.size(); ++i)
    if (tl.tasks[i].end_s > tl.tasks[static_cast<size_t>(cur)].end_s) cur = static_cast<int>(i);
  while (cur >= 0) {
    const TaskTiming& tt = tl.tasks[static_cast<size_t>(cur)];
    const double dur = tt.end_s - tt.start_s;
    if (v.tasks[static_cast<size_t>(cur)].kind == plan::TaskKind::transfer) p.transfer_s += dur;
    else p.compute_s += dur;
    int next = -1;
    for (int d : v.tasks[static_cast<size_t>(cur)].deps)
      if (next < 0 || tl.tasks[static_cast<size_t>(d)].end_s > tl.tasks[static_cast<size_t>(next)].end_s) next = d;
    cur = next;
  }
}

}  // namespace

Timeline run_once(const plan::Plan& plan, size_t variant, const scenario::Cluster& cluster,
                  const timing::CostModel& costs) {
  const plan::Variant& v = plan.variants.at(variant);
  const scenario::Scenario s = planning_scenario(cluster);
  SimOptions options;
  options.requests = 1;
  options.variant = static_cast<int>(variant);
  TimelineRecorder recorder(v.tasks.size());
  SimObserver* observers[] = {&recorder};
  SimResult r = simulate(s, plan, costs, options, observers);
  EDGEPART_ASSERT(r.log.requests() == 1 && r.log.failed() == 0, "prediction: the request did not complete");
  return recorder.finish(v);
}

void predict(plan::Plan& plan, const scenario::Cluster& cluster, const timing::CostModel& costs) {
  EDGEPART_ASSERT(!plan.variants.empty(), "plan without variants");
  for (size_t i = 0; i < plan.variants.size(); ++i) {
    plan::Variant& v = plan.variants[i];
    const Timeline tl = run_once(plan, i, cluster, costs);
    v.predicted = plan::Prediction{};
    v.predicted.latency_s = tl.latency_s;
    v.predicted.bytes_sent = tl.bytes_sent;
    critical_path(v, tl, v.predicted);
    for (const plan::Task& t : v.tasks) {
      if (t.kind == plan::TaskKind::transfer) continue;
      const int d = tl.tasks[static_cast<size_t>(t.id)].device;
      const double analytical = costs.task_analytical_work_s(d, v, t);
      v.predicted.analytical_compute_s += analytical;
      v.predicted.measured_compute_s += costs.task_work_s(d, v, t) - analytical;
    }
    if (v.predicted.measured_compute_s <= 0) v.predicted.measured_compute_s = v.predicted.analytical_compute_s = 0;
  }
  plan.predicted = plan.variants[plan::planning_point(plan, cluster).variant].predicted;
}

}  // namespace edgepart::sim
