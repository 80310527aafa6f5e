#include "edgepart/pipeline/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <optional>

#include "edgepart/exec/plan_accuracy.hpp"
#include "edgepart/model/model_files.hpp"
#include "edgepart/pipeline/external.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::pipeline {

namespace {

void warn_rates(const scenario::Scenario& s, const std::string& label) {
  for (const auto& w : scenario::rate_warnings(s.network)) spdlog::warn("{}: {}", label, w);
}

scenario::Scenario scenario_from_document(Json doc, const std::string& label, const std::vector<std::string>& sets) {
  for (const auto& o : sets) scenario::apply_override(doc, o, label);
  return scenario::scenario_from_json(doc, label);
}

}  // namespace

std::vector<std::string> input_files(const scenario::Scenario& scenario) {
  std::vector<std::string> files = scenario.input_files();
  const std::vector<std::string> model = model::model_files(scenario.model_path);
  files.insert(files.end(), model.begin() + 1, model.end());  // [0] is the model, already listed
  return files;
}

Pipeline::Pipeline(const std::string& file, const std::vector<std::string>& sets)
    : Pipeline(Loaded{}, file, scenario::load_scenario(file, sets)) {}

Pipeline::Pipeline(Json doc, const std::string& label, const std::vector<std::string>& sets)
    : Pipeline(Loaded{}, label, scenario_from_document(std::move(doc), label, sets)) {}

std::shared_ptr<const ModelData> load_model_data(const scenario::Scenario& scenario) {
  auto m = std::make_shared<ModelData>();
  m->graph = scenario::load_scenario_model(scenario);
  m->analysis = cost::analyze(m->graph);
  return m;
}

Pipeline::Pipeline(Loaded, std::string label, scenario::Scenario loaded)
    : Pipeline(std::move(label), loaded, load_model_data(loaded)) {
  inputs = input_files(scenario);
  warn_rates(scenario, scenario_file);
}

Pipeline::Pipeline(scenario::Scenario loaded, std::string label, std::shared_ptr<const ModelData> model)
    : Pipeline(std::move(label), std::move(loaded), std::move(model)) {}

Pipeline::Pipeline(std::string label, scenario::Scenario loaded, std::shared_ptr<const ModelData> model)
    : scenario_file(std::move(label)),
      scenario(std::move(loaded)),
      model_(std::move(model)),
      graph(model_->graph),
      analysis(model_->analysis),
      cluster(scenario::make_cluster(scenario)),
      costs(graph, analysis, cluster) {}

std::optional<plan::Plan> Pipeline::try_plan(const std::string& name, bool only_if_applicable, PlanStatus& status,
                                             std::string& why) const {
  status = PlanStatus::not_applicable;
  if (only_if_applicable && !strategy::find_strategy(name).applicable(request(), why)) return std::nullopt;
  status = PlanStatus::failed;
  try {
    std::optional<plan::Plan> p = plan_for(name);
    status = PlanStatus::planned;
    return p;
  } catch (const InputError& e) {
    // e.g. the model does not fit in a device's memory with this strategy
    why = e.what();
    return std::nullopt;
  }
}

plan::Plan Pipeline::plan_for(const std::string& name) const {
  try {
    return strategy::make_plan_for_scenario(name, request(), scenario.strategy, scenario_file);
  } catch (const InputError& e) {
    if (e.file().empty()) throw e.with_file(scenario_file);
    throw;
  }
}

void Pipeline::check_plan_fits(const plan::Plan& p, const std::string& origin) const {
  // Its compute tasks are timed from the model's layers and their regions (timing::CostModel).
  plan::check_plan_model(p, origin, graph, scenario.model_path);
}

plan::Plan Pipeline::external_plan(Json doc, const std::string& origin) const {
  return pipeline::external_plan(std::move(doc), origin, request(), scenario.model_path);
}

std::vector<plan::Plan> Pipeline::select_plans(const std::string& strategy, const std::string& plan_file,
                                               const std::function<bool(const plan::Plan&, std::string&)>& keep) {
  std::vector<plan::Plan> plans;
  if (!plan_file.empty()) {
    if (!strategy.empty()) throw InputError("", "--plan", "give either --plan or --strategy, not both");
    plans.push_back(plan::load_plan(plan_file));
    check_plan_fits(plans.back(), plan_file);
    inputs.push_back(plan_file);
  } else if (strategy == "all") {  // alone: split_strategy_list refuses "all" with other names
    for (const auto& info : strategy::strategy_table()) {
      std::string why;
      PlanStatus status;
      std::optional<plan::Plan> p = try_plan(std::string(info.name), true, status, why);
      if (status == PlanStatus::not_applicable) {
        spdlog::info("strategy {} left out: {}", info.name, why);
        continue;
      }
      if (!p || (keep && !keep(*p, why))) {
        spdlog::warn("strategy {} left out: {}", info.name, why);
        continue;
      }
      plans.push_back(std::move(*p));
    }
  } else if (strategy.empty()) {
    plans.push_back(plan_for(scenario.strategy.name));
  } else {
    for (const auto& name : strategy::split_strategy_list({strategy})) plans.push_back(plan_for(name));  // "dpfp,modnn"
  }
  return plans;
}

report::Report Pipeline::report_header(uint64_t seed, int64_t requests) const {
  report::Report rep;
  rep.scenario = scenario.name;
  rep.model = graph.name;
  rep.seed = seed;
  rep.requests = requests >= 0 ? requests : scenario.workload.requests;
  return rep;
}

report::Report simulate_report(const Pipeline& pl, const std::vector<plan::Plan>& plans, const sim::SimOptions& so,
                               const SimulateHooks& hooks) {
  const scenario::Scenario& s = pl.scenario;
  // The local baseline under the same seed (common random numbers), for the speedup.
  std::optional<report::StrategySummary> local;
  bool have_local = false;
  for (const auto& p : plans) have_local = have_local || p.strategy == "local";
  if (!have_local) {
    try {
      plan::Plan lp = pl.plan_for("local");
      local = report::summarize("local", sim::simulate(s, lp, pl.costs, so), s, lp);
    } catch (const InputError& e) {
      spdlog::warn("no local baseline: {}", e.what());
    }
  }

  report::Report rep = pl.report_header(so.seed, so.requests);
  for (const auto& p : plans) {
    std::vector<sim::SimObserver*> observers;
    if (hooks.observers) observers = hooks.observers(p);
    sim::SimResult r = sim::simulate(s, p, pl.costs, so, observers);
    rep.strategies.push_back(report::summarize(p.strategy, r, s, p));
    rep.strategies.back().accuracy = exec::accuracy_cost(p, pl.graph, pl.analysis);
    if (hooks.on_result) hooks.on_result(p, r);
    if (p.strategy == "local") local = rep.strategies.back();
  }
  if (local)
    for (auto& st : rep.strategies) report::set_speedup(st, *local);
  return rep;
}

}  // namespace edgepart::pipeline
