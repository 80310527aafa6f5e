// `edgepart simulate SCENARIO [--strategy S|all] [--plan FILE] [--requests N] [--seed S]
// [--set /ptr=value ...] [--format table|json|csv] [-o FILE] [--trace FILE]`: runs the
// discrete-event simulator (docs/design.md §6) on the scenario's workload with one strategy's plan, or with
// every applicable strategy side by side, and reports latency, speedup over local (same seed),
// deadline reliability, throughput and traffic (stable JSON keys: docs/design.md §8).
#include <spdlog/spdlog.h>

#include <filesystem>
#include <optional>

#include "commands.hpp"
#include "common.hpp"
#include "python_strategy.hpp"
#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/pipeline/pipeline.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/report/chrome_trace.hpp"
#include "edgepart/report/html_report.hpp"
#include "edgepart/report/summary.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/sim/simulator.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/output_file.hpp"

namespace edgepart::cli {

namespace {

// --report writes HTML only: `--report report.pdf` wrote HTML under a PDF name. A path without an
// extension (/dev/null, a FIFO) is fine.
void check_report_extension(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (path.empty() || ext.empty() || ext == ".html" || ext == ".htm") return;
  throw InputError(path, "", "--report writes a self-contained HTML page: give a .html file (got '" + ext + "')");
}

struct SimulateOptions {
  std::string scenario;
  std::string strategy;  // empty: the scenario's; "all": every applicable one
  std::string plan_file;
  std::vector<std::string> python_strategies;  // MODULE:FUNCTION
  int64_t requests = -1;
  std::optional<uint64_t> seed;
  std::vector<std::string> sets;
  std::string trace;
  std::string report_html;  // --report FILE.html
  OutputOptions out;
};

int run_simulate(const SimulateOptions& o) {
  check_distinct_outputs({{"-o", o.out.output}, {"--trace", o.trace}, {"--report", o.report_html}});
  check_report_extension(o.report_html);
  pipeline::Pipeline pl(o.scenario, o.sets);
  const scenario::Scenario& s = pl.scenario;
  sim::SimOptions so;
  so.seed = o.seed ? *o.seed : s.seed;
  so.requests = o.requests;

  // The plans to simulate, in registry order.
  // With --python-strategy alone, only the Python strategies; with --strategy too, side by side.
  std::vector<plan::Plan> plans;
  if (o.python_strategies.empty() || !o.strategy.empty() || !o.plan_file.empty())
    plans = pl.select_plans(o.strategy, o.plan_file);
  for (auto& p : python_strategy_plans(o.python_strategies, pl, o.sets)) plans.push_back(std::move(p));
  const std::vector<std::string>& inputs = pl.inputs;
  if (!o.trace.empty() && plans.size() != 1)
    throw InputError("", "--trace", "a trace needs exactly one strategy (got " + std::to_string(plans.size()) + ")");

  std::vector<std::string> names;
  for (const auto& d : s.devices) names.push_back(d.name);
  std::optional<report::ChromeTrace> trace;
  std::vector<report::HtmlStrategy> html;
  pipeline::SimulateHooks hooks;
  if (!o.trace.empty())
    hooks.observers = [&](const plan::Plan&) {
      trace.emplace(names);
      return std::vector<sim::SimObserver*>{&*trace};
    };
  hooks.on_result = [&](const plan::Plan& p, const sim::SimResult& r) {
    if (!o.report_html.empty()) html.push_back(report::html_strategy(p, r, pl.cluster, pl.costs));
    if (trace) write_output(o.trace, trace->to_json().dump() + "\n", inputs);
  };
  report::Report rep = pipeline::simulate_report(pl, plans, so, hooks);
  if (!o.report_html.empty())
    write_output(o.report_html, report::render_html_report(report::html_input(rep, s, pl.graph, std::move(html))), inputs);

  switch (resolve_format(o.out)) {
    case Format::table: emit(o.out, report::report_to_table(rep), inputs); break;
    case Format::csv: emit(o.out, report::report_to_csv(rep), inputs); break;
    case Format::json: emit(o.out, report::report_to_json(rep).dump(2) + "\n", inputs); break;
  }
  return 0;
}

}  // namespace

Command add_simulate_command(CLI::App& root) {
  auto o = std::make_shared<SimulateOptions>();
  CLI::App* cmd = root.add_subcommand(
      "simulate", "Simulate a scenario's workload: latency, speedup over local, deadline reliability, traffic");
  cmd->footer(
      "Examples:\n"
      "  edgepart simulate scenarios/default.json --strategy all --format table\n"
      "  edgepart simulate scenarios/default.json --strategy dpfp --requests 10000 --seed 7 --format json\n"
      "  edgepart simulate scenarios/dads.json --strategy all --set /network/bandwidth_mbps=1.1\n"
      "  edgepart simulate scenarios/default.json --strategy ftp --requests 20 --trace trace.json");
  cmd->add_option("scenario", o->scenario, "Scenario file (edgepart.scenario)")->required();
  cmd->add_option("--strategy", o->strategy,
                  "Strategy, a comma-separated list (dpfp,modnn), or 'all' for every applicable one (default: the scenario's; "
                  "see `edgepart list strategies`)");
  cmd->add_option("--plan", o->plan_file, "Simulate this plan file (edgepart.plan) instead of planning");
  cmd->add_option("--python-strategy", o->python_strategies,
                  "A strategy written in Python, MODULE:FUNCTION (docs/python.md; repeatable); beside --strategy's "
                  "when both are given, else alone");
  add_requests_option(cmd, o->requests);
  add_seed_option(cmd, o->seed, "Master seed of every random stream (default: the scenario's)");
  cmd->add_option("--set", o->sets, "Override a scenario value: /json/pointer=value (repeatable)");
  cmd->add_option("--trace", o->trace, "Write a Chrome trace-event JSON of the run (Perfetto, chrome://tracing)");
  cmd->add_option("--report", o->report_html,
                  "Write a self-contained HTML page: comparison table, latency CDF, reliability vs deadline, "
                  "one request's Gantt timeline, the partition on the layer stack");
  add_output_options(cmd, o->out);
  return {cmd, [o] { return run_simulate(*o); }};
}

}  // namespace edgepart::cli
