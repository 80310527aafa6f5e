// The sweep runner (include/edgepart/sweep/sweep.hpp): worker threads evaluate points, the calling
// thread writes their rows in point order.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/exec/plan_accuracy.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/pipeline/pipeline.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/report/compare.hpp"
#include "edgepart/report/summary.hpp"
#include "edgepart/report/table.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/sim/simulator.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/sweep/sweep.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::sweep {

namespace {

// Points finished ahead of the next one to write, at most (per thread): bounds the memory held
// by rows waiting for a slow point while keeping every thread busy.
constexpr uint64_t kWindowPerThread = 64;
// Local-baseline summaries kept for reuse; cleared when full (a sweep rarely has more distinct
// baselines than this, and each is a few hundred bytes).
constexpr size_t kBaselineCacheEntries = 4096;

class ModelCache {
public:
  // Keyed by the file and the prefix end (a sweep may vary either).
  std::shared_ptr<const pipeline::ModelData> get(const scenario::Scenario& s) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::pair<std::string, std::string> key{s.model_path, s.model_until};
    auto it = models_.find(key);
    if (it != models_.end()) return it->second;
    auto e = pipeline::load_model_data(s);
    models_.emplace(key, e);
    return e;
  }

private:
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const pipeline::ModelData>> models_;
};

// The local baseline of a point and seed, reused across points where it cannot differ. Its
// simulation reads the local plan, the devices, the workload and the seed; the network only when
// the plan moves data (a local plan normally has no transfer at all). The key is those parts of
// the scenario, verbatim, so reuse never changes a result: a sweep over the bandwidth simulates
// the local baseline once instead of at every point.
class BaselineCache {
public:
  std::optional<report::StrategySummary> find(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }
  void put(const std::string& key, const report::StrategySummary& s) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (entries_.size() >= kBaselineCacheEntries) entries_.clear();
    entries_.emplace(key, s);
  }

private:
  std::mutex mutex_;
  std::map<std::string, report::StrategySummary> entries_;
};

// Accuracy costs by plan (its JSON and the model's name): points that plan the same approximate
// plan (a swept deadline, a speed profile the planner ignores) execute it once.
class AccuracyCache {
public:
  std::optional<exec::AccuracyCost> get(const plan::Plan& p, const model::ModelGraph& g, const cost::ModelAnalysis& a) {
    if (p.lossless) return std::nullopt;
    const std::string key = g.name + "\n" + plan::plan_to_json(p).dump();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = entries_.find(key);
      if (it != entries_.end()) return it->second;
    }
    std::optional<exec::AccuracyCost> cost = exec::accuracy_cost(p, g, a);
    std::lock_guard<std::mutex> lock(mutex_);
    if (entries_.size() >= kBaselineCacheEntries) entries_.clear();
    entries_.emplace(key, cost);
    return cost;
  }

private:
  std::mutex mutex_;
  std::map<std::string, std::optional<exec::AccuracyCost>> entries_;
};

bool moves_data(const plan::Plan& p) {
  for (const auto& v : p.variants)
    for (const auto& t : v.tasks)
      if (t.kind == plan::TaskKind::transfer || t.dispatch == plan::Dispatch::pull) return true;
  return false;
}

std::string json_field(const std::string& name, const Json& value) { return Json(name).dump() + ":" + value.dump(); }

struct Context {
  const SweepOptions& options;
  Json base;
  Grid grid;
  ModelCache models;
  BaselineCache baselines;
  AccuracyCache accuracies;
  std::atomic<int64_t> simulations{0}, baseline_reuses{0};
};

// "/network/bandwidth_mbps=10, /workload/deadline_ms=200" for messages.
std::string describe_point(const Context& ctx, const std::vector<size_t>& idx) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < idx.size(); ++i)
    parts.push_back(ctx.grid.axes()[i].pointer + "=" + ctx.grid.axes()[i].values[idx[i]].dump());
  return parts.empty() ? "the scenario as is" : join(parts, ", ");
}

// The rows of one point, as text in the output format.
std::string evaluate_point(Context& ctx, uint64_t p) {
  const SweepOptions& o = ctx.options;
  const std::vector<size_t> idx = ctx.grid.indices(p);
  Json doc = ctx.base;
  scenario::Scenario s;
  try {
    for (size_t i = 0; i < idx.size(); ++i) {
      const Axis& axis = ctx.grid.axes()[i];
      scenario::apply_override(doc, axis.pointer + "=" + axis.values[idx[i]].dump(), o.scenario_path);
    }
    s = scenario::scenario_from_json(doc, o.scenario_path);
  } catch (const InputError& e) {
    throw InputError(e.file(), e.where(), e.message() + " (at sweep point " + std::to_string(p) + ": " +
                                              describe_point(ctx, idx) + ")");
  }
  // The same pipeline as simulate's, on a model loaded once for every point that shares it (the
  // cluster and its cost model are the point's: a sweep may change the devices or the network).
  const pipeline::Pipeline pl(s, o.scenario_path, ctx.models.get(s));
  const strategy::PlanRequest req = pl.request();

  // The strategies of this point, and each one's plan or the reason it has none.
  std::vector<std::string> names;
  std::vector<std::string> from_all;  // names "all" stands for: left out, saying why, where not applicable
  for (const auto& name : o.strategies) {
    if (name != "all") {
      names.push_back(name);
      continue;
    }
    for (const auto& info : strategy::strategy_table()) from_all.emplace_back(info.name);
    names.insert(names.end(), from_all.begin(), from_all.end());
  }
  if (o.strategies.empty()) names.push_back(s.strategy.name);
  auto make = [&](const std::string& name, std::string& why) -> std::optional<plan::Plan> {
    if (auto ext = o.external.find(name); ext != o.external.end()) {
      try {
        return ext->second(s, req);
      } catch (const InputError& e) {
        throw InputError(e.file(), e.where(), e.message() + " (at sweep point " + std::to_string(p) + ": " +
                                                  describe_point(ctx, idx) + ")");
      }
    }
    const bool all = std::find(from_all.begin(), from_all.end(), name) != from_all.end();
    pipeline::PlanStatus status;
    std::optional<plan::Plan> plan = pl.try_plan(name, all, status, why);
    if (status == pipeline::PlanStatus::not_applicable) why = "not applicable: " + why;
    return plan;
  };
  std::string local_why;
  std::optional<plan::Plan> local_plan = make("local", local_why);
  std::string local_key_base;
  if (local_plan) {
    Json parts = doc;
    parts.erase("strategy");
    parts.erase("name");
    parts.erase("seed");
    if (!moves_data(*local_plan)) parts.erase("network");
    local_key_base = plan::plan_to_json(*local_plan).dump() + "\n" + parts.dump() + "\n" + std::to_string(o.requests);
  }

  const uint64_t first_seed = o.first_seed ? *o.first_seed : s.seed;
  std::vector<std::optional<report::StrategySummary>> local_by_seed(static_cast<size_t>(o.seeds));
  auto local_summary = [&](int k) -> const std::optional<report::StrategySummary>& {
    auto& slot = local_by_seed[static_cast<size_t>(k)];
    if (slot || !local_plan) return slot;
    const uint64_t seed = first_seed + static_cast<uint64_t>(k);
    const std::string key = local_key_base + "\n" + std::to_string(seed);
    if ((slot = ctx.baselines.find(key))) {
      ++ctx.baseline_reuses;
      return slot;
    }
    sim::SimOptions so;
    so.seed = seed;
    so.requests = o.requests;
    slot = report::summarize("local", sim::simulate(s, *local_plan, pl.costs, so), s, *local_plan);
    ++ctx.simulations;
    ctx.baselines.put(key, *slot);
    return slot;
  };

  // The key cells of this point (the swept values), shared by its rows.
  std::string text;
  const auto& columns = metric_columns();
  for (const auto& name : names) {
    std::string why;
    std::optional<plan::Plan> plan = name == "local" ? local_plan : make(name, why);
    if (name == "local" && !plan) why = local_why;
    for (int k = 0; k < o.seeds; ++k) {
      const uint64_t seed = first_seed + static_cast<uint64_t>(k);
      std::vector<std::pair<std::string, Json>> flat;
      if (plan) {
        report::StrategySummary sum;
        if (name == "local") {
          sum = *local_summary(k);
        } else {
          sim::SimOptions so;
          so.seed = seed;
          so.requests = o.requests;
          sum = report::summarize(name, sim::simulate(s, *plan, pl.costs, so), s, *plan);
          ++ctx.simulations;
        }
        sum.accuracy = ctx.accuracies.get(*plan, pl.graph, pl.analysis);
        if (const auto& local = local_summary(k)) report::set_speedup(sum, *local);
        report::Report rep;
        rep.strategies.push_back(std::move(sum));
        flat = report::flatten_metrics(report::report_to_json(rep).at("strategies").at(0));
      }
      auto value_of = [&](const std::string& col) -> Json {
        if (col == "note") return why.empty() ? Json() : Json(why);
        for (const auto& [n, v] : flat)
          if (n == col) return v;
        return Json();
      };
      if (o.format == RowFormat::csv) {
        std::vector<std::string> cells;
        for (size_t i = 0; i < idx.size(); ++i) cells.push_back(cell_text(ctx.grid.axes()[i].values[idx[i]]));
        cells.push_back(name);
        cells.push_back(std::to_string(seed));
        for (const auto& col : columns) {
          Json v = value_of(col);
          cells.push_back(v.is_null() ? "" : cell_text(v));
        }
        text += report::csv_row(cells);
      } else {
        std::string line = "{";
        for (size_t i = 0; i < idx.size(); ++i)
          line += json_field(ctx.grid.axes()[i].pointer, ctx.grid.axes()[i].values[idx[i]]) + ",";
        line += json_field("strategy", name) + "," + json_field("seed", seed);
        for (const auto& col : columns) line += "," + json_field(col, value_of(col));
        text += line + "}\n";
      }
    }
  }
  return text;
}

}  // namespace

const std::vector<std::string>& metric_columns() {
  // report::flatten_metrics names of a simulate report's strategy entry (docs/design.md §8 first).
  static const std::vector<std::string> columns = {
      "latency_mean_s", "latency_p50_s", "latency_p95_s", "latency_p99_s", "latency_max_s", "speedup",
      "reduction_pct", "reliability", "reliability_ci_low", "reliability_ci_high", "deadline_s", "requests",
      "failed", "cache_hits", "throughput_rps", "makespan_s", "bytes_sent", "predicted_latency_s", "energy_j",
      "lossless", "accuracy_rel_l2_error", "accuracy_max_abs_error", "note"};
  return columns;
}

SweepOutcome run_sweep(const SweepOptions& o, const std::function<void(std::string_view)>& write,
                       const std::function<void(const SweepProgress&)>& progress, const std::atomic<bool>* stop) {
  if (o.seeds < 1) throw InputError("", "--seeds", "must be at least 1");
  if (o.threads < 1) throw InputError("", "-j", "must be at least 1");
  if (o.shard_n < 1 || o.shard_k < 1 || o.shard_k > o.shard_n) throw InputError("", "--shard", "expected K/N with 1 <= K <= N");
  {
    size_t builtin = 0, all = 0;
    for (const auto& name : o.strategies) {
      if (o.external.count(name)) continue;
      ++builtin;
      if (name == "all")
        ++all;
      else
        (void)strategy::find_strategy(name);  // unknown names: exit 2 now
    }
    if (all > 0 && builtin > 1) throw InputError("", "--strategy", "'all' cannot be combined with other names");
  }
  {
    // Two axes on one pointer would make the later silently win.
    std::vector<std::string> seen;
    for (const auto& a : o.axes) {
      if (std::find(seen.begin(), seen.end(), a.pointer) != seen.end())
        throw InputError("", "--set " + a.pointer, "the same pointer is swept twice");
      seen.push_back(a.pointer);
    }
  }
  Context ctx{o, read_json_file(o.scenario_path), Grid(o.axes), {}, {}};
  if (ctx.grid.size() > o.max_points)
    throw InputError("", "--set", "the sweep has " + with_thousands(static_cast<int64_t>(std::min<uint64_t>(ctx.grid.size(), INT64_MAX))) +
                                      " points, more than the limit of " + with_thousands(static_cast<int64_t>(o.max_points)) +
                                      " (raise it with --max-points)");
  const PointRange range = shard_range(ctx.grid.size(), o.shard_k, o.shard_n);
  SweepOutcome out;
  out.points_total = range.end - range.begin;

  if (o.format == RowFormat::csv && o.shard_k == 1) {
    std::vector<std::string> header;
    for (const auto& a : ctx.grid.axes()) header.push_back(a.pointer);
    header.push_back("strategy");
    header.push_back("seed");
    for (const auto& c : metric_columns()) header.push_back(c);
    write(report::csv_row(header));
  }

  std::mutex mutex;
  std::condition_variable changed;
  std::map<uint64_t, std::string> ready;  // finished points not yet written
  uint64_t next_to_take = range.begin, next_to_write = range.begin;
  bool failed = false;
  std::exception_ptr error;
  const uint64_t window = kWindowPerThread * static_cast<uint64_t>(o.threads);
  auto stopping = [&] { return failed || (stop && stop->load()); };

  auto worker = [&] {
    for (;;) {
      uint64_t p;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return stopping() || next_to_take >= range.end || next_to_take < next_to_write + window; });
        if (stopping() || next_to_take >= range.end) return;
        p = next_to_take++;
      }
      try {
        std::string rows = evaluate_point(ctx, p);
        std::lock_guard<std::mutex> lock(mutex);
        ready.emplace(p, std::move(rows));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failed) error = std::current_exception();
        failed = true;
      }
      changed.notify_all();
    }
  };
  std::vector<std::thread> threads;
  // Whatever leaves this function, the workers are stopped and joined first: a write that fails
  // below (a closed pipe, a full disk) throws, and a joinable std::thread destroyed while the
  // exception unwinds would call std::terminate.
  struct StopAndJoin {
    std::function<void()> run;
    ~StopAndJoin() { run(); }
  } stop_and_join{[&] {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (std::any_of(threads.begin(), threads.end(), [](const std::thread& t) { return t.joinable(); })) failed = true;
    }
    changed.notify_all();
    for (auto& t : threads)
      if (t.joinable()) t.join();
  }};
  const uint64_t n_threads = std::min<uint64_t>(static_cast<uint64_t>(o.threads), std::max<uint64_t>(out.points_total, 1));
  for (uint64_t i = 0; i < n_threads; ++i) threads.emplace_back(worker);

  // Write in point order as points finish; poll the stop flag (a signal handler cannot notify).
  for (;;) {
    std::string rows;
    {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait_for(lock, std::chrono::milliseconds(100), [&] {
        return failed || ready.count(next_to_write) || next_to_write >= range.end || (stop && stop->load());
      });
      if (failed || next_to_write >= range.end) break;
      auto it = ready.find(next_to_write);
      if (it == ready.end()) {
        // Stopping: write the points still running, then no further (nobody takes a new one).
        if (stop && stop->load() && next_to_take <= next_to_write) break;
        continue;
      }
      rows = std::move(it->second);
      ready.erase(it);
      ++next_to_write;
    }
    changed.notify_all();  // the window moved
    write(rows);
    ++out.points_written;
    for (char c : rows) out.rows_written += c == '\n';
    if (progress) progress({out.points_written, out.points_total});
  }
  changed.notify_all();
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
  out.interrupted = out.points_written < out.points_total;
  out.simulations = ctx.simulations.load();
  out.baseline_reuses = ctx.baseline_reuses.load();
  return out;
}

}  // namespace edgepart::sweep
