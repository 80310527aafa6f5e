#pragma once
// The one pipeline from a scenario to plans and reports, shared by `simulate` and `run` (and what
// `sweep` does per point) and by the Python module (python/): load the scenario with its --set
// overrides, the model, its analysis and the cluster; pick the plans (one strategy, every
// applicable one, a plan file, or plans made outside, e.g. by a Python strategy); simulate them
// side by side with the local baseline into one report.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/graph.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/report/summary.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/sim/simulator.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/timing/cost_model.hpp"

namespace edgepart::pipeline {

// The files a run reads, which no output may overwrite: the scenario's (itself, its model, traces,
// profiles) and the model's (ONNX external data).
std::vector<std::string> input_files(const scenario::Scenario& scenario);

class Pipeline {
public:
  // The scenario file with its --set overrides ("/json/pointer=value").
  Pipeline(const std::string& scenario_file, const std::vector<std::string>& sets);
  // A scenario document (e.g. a Python dict); `label` names it in error messages and relative
  // paths in it (the model, traces) are resolved against label's directory, as for a file.
  Pipeline(Json scenario_doc, const std::string& label, const std::vector<std::string>& sets);
  Pipeline(const Pipeline&) = delete;  // request() refers to the members
  Pipeline& operator=(const Pipeline&) = delete;

  strategy::PlanRequest request() const { return {graph, analysis, cluster, scenario.workload, costs}; }
  // One strategy's plan; the scenario's own options belong to its own strategy only.
  plan::Plan plan_for(const std::string& name) const;
  // The plans to execute: `plan_file` (then `strategy` must be empty), every applicable strategy
  // in registry order ("all"; `keep` may leave more out, saying why), or the strategies of a
  // comma-separated list in its order ("dpfp,modnn", as `sweep --strategy`; the scenario's own
  // when empty). A plan file is added to `inputs`.
  std::vector<plan::Plan> select_plans(const std::string& strategy, const std::string& plan_file,
                                       const std::function<bool(const plan::Plan&, std::string& why)>& keep = {});
  // A plan made outside the registry (a plan file's, a Python strategy's) checked against this
  // scenario's model: its model hash and its stages' layer range. InputError naming `origin`.
  void check_plan_fits(const plan::Plan& plan, const std::string& origin) const;
  // A plan document made by code outside the registry (a Python strategy): "predicted" may be
  // left out. Parsed and validated like a plan file (plan::plan_from_json), checked to fit this
  // model, then predicted as a registry strategy's plan is (sim::predict).
  plan::Plan external_plan(Json doc, const std::string& origin) const;
  // The report's header fields (scenario, model, seed, requests).
  report::Report report_header(uint64_t seed, int64_t requests) const;

  std::string scenario_file;
  scenario::Scenario scenario;
  model::ModelGraph graph;
  cost::ModelAnalysis analysis;
  scenario::Cluster cluster;
  timing::CostModel costs;          // compute times of graph on cluster (profiles, else analytical)
  std::vector<std::string> inputs;  // files an output may not overwrite

private:
  // Both public constructors: the scenario loaded, `label` naming it in messages. The tag keeps
  // it out of overload resolution for callers' `Pipeline(file, {})`.
  struct Loaded {};
  Pipeline(Loaded, std::string label, scenario::Scenario scenario);
};

// What a caller adds to each simulated plan: observers (a Chrome trace) and a look at the result
// (the HTML report). Both may be empty.
struct SimulateHooks {
  std::function<std::vector<sim::SimObserver*>(const plan::Plan&)> observers;
  std::function<void(const plan::Plan&, const sim::SimResult&)> on_result;
};

// `simulate`'s report: every plan simulated under options.seed, and the speedup of each over the
// local baseline under the same seed (common random numbers); the baseline is the plans' own
// "local" when there is one, else simulated on the side (left out, with a warning, when local
// has no plan). options.requests: -1 for the scenario's workload.
report::Report simulate_report(const Pipeline& pipeline, const std::vector<plan::Plan>& plans,
                               const sim::SimOptions& options, const SimulateHooks& hooks = {});

}  // namespace edgepart::pipeline
