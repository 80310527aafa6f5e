#include "pipeline.hpp"

#include <spdlog/spdlog.h>

#include "edgepart/scenario/scenario.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/model/model_files.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::cli {

std::vector<std::string> input_files(const scenario::Scenario& scenario) {
  std::vector<std::string> files = scenario.input_files();
  const std::vector<std::string> model = model::model_files(scenario.model_path);
  files.insert(files.end(), model.begin() + 1, model.end());  // [0] is the model, already listed
  return files;
}

Pipeline::Pipeline(const std::string& file, const std::vector<std::string>& sets)
    : scenario_file(file),
      scenario(scenario::load_scenario(file, sets)),
      graph(scenario::load_scenario_model(scenario)),
      analysis(cost::analyze(graph)),
      cluster(scenario::make_cluster(scenario)),
      costs(graph, analysis, cluster),
      inputs(input_files(scenario)) {
  for (const auto& w : scenario::rate_warnings(scenario.network)) spdlog::warn("{}: {}", scenario_file, w);
}

plan::Plan Pipeline::plan_for(const std::string& name) const {
  try {
    return strategy::make_plan_for_scenario(name, request(), scenario.strategy, scenario_file);
  } catch (const InputError& e) {
    if (e.file().empty()) throw e.with_file(scenario_file);
    throw;
  }
}

std::vector<plan::Plan> Pipeline::select_plans(const std::string& strategy, const std::string& plan_file,
                                               const std::function<bool(const plan::Plan&, std::string&)>& keep) {
  std::vector<plan::Plan> plans;
  if (!plan_file.empty()) {
    if (!strategy.empty()) throw InputError("", "--plan", "give either --plan or --strategy, not both");
    plans.push_back(plan::load_plan(plan_file));
    plan::check_plan_model(plans.back(), plan_file, graph, scenario.model_path);
    inputs.push_back(plan_file);
  } else if (strategy == "all") {
    strategy::PlanRequest req = request();
    for (const auto& info : strategy::strategy_table()) {
      std::string why;
      if (!info.applicable(req, why)) {
        spdlog::info("strategy {} left out: {}", info.name, why);
        continue;
      }
      try {
        plan::Plan p = plan_for(std::string(info.name));
        if (keep && !keep(p, why)) {
          spdlog::warn("strategy {} left out: {}", info.name, why);
          continue;
        }
        plans.push_back(std::move(p));
      } catch (const InputError& e) {
        // e.g. the model does not fit in a device's memory with this strategy
        spdlog::warn("strategy {} left out: {}", info.name, e.what());
      }
    }
  } else {
    plans.push_back(plan_for(strategy.empty() ? scenario.strategy.name : strategy));
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

}  // namespace edgepart::cli
