#pragma once
// The one pipeline from a scenario to plans, shared by `simulate` and `run` (and what `sweep`
// does per point): load the scenario with its --set overrides, the model, its analysis and the
// cluster; pick the plans (one strategy, every applicable one, or a plan file).
#include <functional>
#include <string>
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/graph.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/report/summary.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/timing/cost_model.hpp"

namespace edgepart::cli {

// The files a run reads, which no output may overwrite: the scenario's (itself, its model, traces,
// profiles) and the model's (ONNX external data).
std::vector<std::string> input_files(const scenario::Scenario& scenario);

class Pipeline {
public:
  Pipeline(const std::string& scenario_file, const std::vector<std::string>& sets);
  Pipeline(const Pipeline&) = delete;  // request() refers to the members
  Pipeline& operator=(const Pipeline&) = delete;

  strategy::PlanRequest request() const { return {graph, analysis, cluster, scenario.workload, costs}; }
  // One strategy's plan; the scenario's own options belong to its own strategy only.
  plan::Plan plan_for(const std::string& name) const;
  // The plans to execute, in registry order: `plan_file` (then `strategy` must be empty), every
  // applicable strategy ("all"; `keep` may leave more out, saying why), or one strategy (the
  // scenario's when empty). A plan file is added to `inputs`.
  std::vector<plan::Plan> select_plans(const std::string& strategy, const std::string& plan_file,
                                       const std::function<bool(const plan::Plan&, std::string& why)>& keep = {});
  // The report's header fields (scenario, model, seed, requests).
  report::Report report_header(uint64_t seed, int64_t requests) const;

  std::string scenario_file;
  scenario::Scenario scenario;
  model::ModelGraph graph;
  cost::ModelAnalysis analysis;
  scenario::Cluster cluster;
  timing::CostModel costs;          // compute times of graph on cluster (profiles, else analytical)
  std::vector<std::string> inputs;  // files an output may not overwrite
};

}  // namespace edgepart::cli
