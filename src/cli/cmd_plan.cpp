// `edgepart plan SCENARIO [--strategy S] [--set /ptr=value ...]`: the plan of one strategy for the
// scenario's model and cluster, as JSON (the plan file, docs/design.md §7/§8) or a readable table
// (stages, devices, rows, traffic, predicted latency).
#include <cmath>
#include <cstdio>

#include "commands.hpp"
#include "common.hpp"
#include "edgepart/pipeline/pipeline.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/report/summary.hpp"
#include "edgepart/report/table.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::cli {

namespace {

struct PlanOptions {
  std::string scenario;
  std::string strategy;
  std::vector<std::string> sets;
  OutputOptions out;
};

std::string ms(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s * 1e3);
  return buf;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string layer_range(const model::ModelGraph& g, int first, int last) {
  std::string a = g.layer(first).name;
  if (first == last) return a;
  return a + " .. " + g.layer(last).name + " (" + std::to_string(last - first + 1) + ")";
}

// " (local X ms: speedup 1.53x, 34.6 % lower)", or "... 2.10x slower" when the plan is slower
// than local (a percentage "higher" grows without bound), or no ratio at all when a latency is
// below the simulator's time resolution (report::compare_with_local).
std::string local_comparison_text(double local_s, double latency_s) {
  const auto cmp = report::compare_with_local(local_s, latency_s);
  std::string text = " (local " + ms(local_s) + " ms: ";
  if (!cmp) return text + "too short to compare, below the simulator's 1 ns time resolution)";
  if (cmp->speedup >= 1)
    return text + "speedup " + report::ratio_text(cmp->speedup) + ", " + report::fixed_text(cmp->reduction_pct, 1) + " % lower)";
  return text + report::ratio_text(latency_s / local_s) + " slower)";
}

std::string render_table(const plan::Plan& p, const model::ModelGraph& g, const scenario::Cluster& c,
                         const plan::Plan* local) {
  std::string text;
  const plan::Variant& v = p.variants[plan::planning_point(p, c).variant];
  text += "strategy " + p.strategy + " on " + p.model_name + ", " + std::to_string(p.devices.size()) + " devices, " +
          num(c.network.bandwidth_mbps) + " Mbit/s " +
          (c.network.kind == scenario::NetworkKind::shared ? "shared" : "switched") + " network" +
          (p.lossless ? "" : " (approximate: not lossless)") + "\n\n";
  using A = report::TextTable::Align;
  report::TextTable t({"stage", "layers", "split", "device", "output rows", "GFLOP"}, {A::right, A::left, A::left, A::left, A::left, A::right});
  for (size_t si = 0; si < v.stages.size(); ++si) {
    const plan::Stage& s = v.stages[si];
    // FLOPs of the stage's compute tasks per device (pull tasks: per tile).
    bool first_row = true;
    for (const auto& r : s.regions) {
      double flops = 0;
      for (const auto& task : v.tasks)
        if (task.stage == static_cast<int>(si) && task.kind == plan::TaskKind::compute &&
            ((r.device >= 0 && task.device == r.device) || (r.device < 0 && task.name.find("tile" + std::to_string(r.tile) + "/") != std::string::npos)))
          flops += scenario::total_flops(task.flops);
      std::string who = r.device >= 0 ? p.devices[static_cast<size_t>(r.device)] : "pull";
      if (r.tile >= 0) who += " tile " + std::to_string(r.tile);
      std::string rows = r.rows.empty() ? "" : std::to_string(r.rows.back().begin) + ".." + std::to_string(r.rows.back().end);
      if (!r.cols.empty() && s.split == "tiles")
        rows += " x " + std::to_string(r.cols.back().begin) + ".." + std::to_string(r.cols.back().end);
      char gf[32];
      std::snprintf(gf, sizeof gf, "%.3f", flops / 1e9);
      t.add_row({first_row ? std::to_string(si) : "", first_row ? layer_range(g, s.first_layer, s.last_layer) : "",
                 first_row ? s.split : "", who, rows, gf});
      first_row = false;
    }
  }
  text += t.render();
  int transfers = 0;
  for (const auto& task : v.tasks)
    if (task.kind == plan::TaskKind::transfer) ++transfers;
  text += "\ntraffic: " + report::bytes_text(v.predicted.bytes_sent) + " in " + std::to_string(transfers) + " transfers";
  int pulls = 0;
  for (const auto& task : v.tasks)
    if (task.dispatch == plan::Dispatch::pull) ++pulls;
  if (pulls > 0) text += " (+ the movements of " + std::to_string(pulls) + " pulled tiles)";
  text += "\npredicted latency: " + ms(p.predicted.latency_s) + " ms";
  if (local) text += local_comparison_text(local->predicted.latency_s, p.predicted.latency_s);
  if (const double m = v.predicted.measured_compute_s; m > 0) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "\ncompute time: %.1f %% from measured profiles, %.1f %% analytical (layers no profile covers)",
                  100 * m / (m + v.predicted.analytical_compute_s), 100 * v.predicted.analytical_compute_s / (m + v.predicted.analytical_compute_s));
    text += buf;
  }
  text += "\n";
  for (const auto& n : p.notes) text += "note: " + n + "\n";
  return text;
}

int run_plan(const PlanOptions& o) {
  scenario::Scenario s;
  s = scenario::load_scenario(o.scenario, o.sets);
  model::ModelGraph g = scenario::load_scenario_model(s);
  const std::vector<std::string> inputs = pipeline::input_files(s);
  cost::ModelAnalysis a = cost::analyze(g);
  scenario::Cluster c = scenario::make_cluster(s);
  const timing::CostModel costs(g, a, c);
  strategy::PlanRequest req{g, a, c, s.workload, costs};
  // The scenario's options belong to its own strategy; another strategy named on the command
  // line starts from its defaults.
  const bool own = o.strategy.empty() || o.strategy == s.strategy.name;
  const std::string name = own ? s.strategy.name : o.strategy;
  try {
    strategy::find_strategy(name);
  } catch (const InputError& e) {
    // Say where the name came from: the command line or the scenario.
    if (own && o.strategy.empty()) throw InputError(o.scenario, "/strategy/name", e.message());
    throw InputError("", "--strategy", e.message());
  }
  plan::Plan p;
  try {
    p = strategy::make_plan(name, req, own ? s.strategy.options : Json::object(), o.scenario,
                            own ? "/strategy/options" : "");
  } catch (const InputError& e) {
    if (e.file().empty()) throw e.with_file(o.scenario);
    throw;
  }
  if (resolve_format(o.out) == Format::json) {
    emit(o.out, plan::plan_to_json(p).dump(2) + "\n", inputs);
    return 0;
  }
  std::optional<plan::Plan> local;
  try {
    local = strategy::make_plan("local", req, Json::object());
  } catch (const InputError&) {
    // the model does not fit on the source alone: no baseline to compare with
  }
  emit(o.out, render_table(p, g, c, local ? &*local : nullptr), inputs);
  return 0;
}

}  // namespace

Command add_plan_command(CLI::App& root) {
  auto o = std::make_shared<PlanOptions>();
  CLI::App* cmd = root.add_subcommand("plan", "Plan a scenario with one strategy: the plan (JSON) or a readable summary");
  cmd->footer(
      "Examples:\n"
      "  edgepart plan scenarios/default.json --format table\n"
      "  edgepart plan scenarios/default.json --strategy modnn --set /network/bandwidth_mbps=20\n"
      "  edgepart plan scenarios/default.json --format json -o plan.json");
  cmd->add_option("scenario", o->scenario, "Scenario file (edgepart.scenario)")->required();
  cmd->add_option("--strategy", o->strategy, "Strategy (default: the scenario's; see `edgepart list strategies`)");
  cmd->add_option("--set", o->sets, "Override a scenario value: /json/pointer=value (repeatable)");
  add_output_options(cmd, o->out, {"table", "json"});
  return {cmd, [o] { return run_plan(*o); }};
}

}  // namespace edgepart::cli
