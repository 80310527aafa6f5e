#pragma once
// Strategies are pure functions (PlanRequest, options) -> Plan (docs/design.md §2, §5), listed in one
// explicit registry table (src/strategy/registry.cpp) with a one-line summary and a citation.
// No static self-registration.
#include <string>
#include <string_view>
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/graph.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/timing/cost_model.hpp"
#include "edgepart/util/json_read.hpp"

namespace edgepart::strategy {

struct PlanRequest {
  const model::ModelGraph& graph;
  const cost::ModelAnalysis& analysis;
  const scenario::Cluster& cluster;
  const scenario::Workload& workload;  // CCIED reads the cache hit rate
  // Compute times of layers, regions and tasks, built from graph, analysis and cluster: the only
  // source of compute time for a strategy and its search.
  const timing::CostModel& costs;
};

struct StrategyInfo {
  std::string_view name;
  std::string_view summary;   // one line, for `edgepart list strategies`
  std::string_view citation;  // the paper
  // Parses `options` strictly (unknown keys are errors naming the pointer) and makes the plan.
  plan::Plan (*make)(const PlanRequest& request, const JsonCursor& options);
  // Whether the strategy applies to this model and cluster (for `simulate --strategy all`);
  // when not, `why` says so.
  bool (*applicable)(const PlanRequest& request, std::string& why);
};

const std::vector<StrategyInfo>& strategy_table();
std::vector<std::string> strategy_names();
// InputError "unknown strategy 'dpf'; did you mean 'dpfp'? (valid: ...)" when not found.
const StrategyInfo& find_strategy(const std::string& name);

// The names of `--strategy` options, each a comma-separated list ("dpfp,modnn"; repeated options
// add up; empty items are skipped): the one rule for `simulate`, `run` and `sweep`. InputError
// naming --strategy when "all" is combined with other names or a name comes twice. The names
// themselves are checked where they are used (find_strategy).
std::vector<std::string> split_strategy_list(const std::vector<std::string>& options);

// find_strategy(name).make with options at `options_pointer` of `file` for error messages.
plan::Plan make_plan(const std::string& name, const PlanRequest& request, const Json& options,
                     const std::string& file = "", const std::string& options_pointer = "/strategy/options");

// The plan of strategy `name` for a scenario: the scenario's /strategy/options belong to its own
// strategy only; any other strategy starts from its defaults. `simulate`, `run` and every sweep
// point plan through this one rule.
plan::Plan make_plan_for_scenario(const std::string& name, const PlanRequest& request, const scenario::StrategySpec& own,
                                  const std::string& scenario_file);

}  // namespace edgepart::strategy
