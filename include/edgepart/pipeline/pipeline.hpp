#pragma once
// The one pipeline from a scenario to plans and reports, shared by `simulate`, `run` and `sweep`
// (one Pipeline per point) and by the Python module (python/): load the scenario with its --set
// overrides, the model, its analysis and the cluster; pick the plans (one strategy, every
// applicable one, a plan file, or plans made outside, e.g. by a Python strategy); simulate them
// side by side with the local baseline into one report.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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

// A scenario's model and its analysis, loaded once and shared by every Pipeline on it (a sweep's
// points that differ in anything but the model).
struct ModelData {
  model::ModelGraph graph;
  cost::ModelAnalysis analysis;
};
std::shared_ptr<const ModelData> load_model_data(const scenario::Scenario& scenario);

// What Pipeline::try_plan found for one strategy.
enum class PlanStatus { planned, not_applicable, failed };

class Pipeline {
public:
  // The scenario file with its --set overrides ("/json/pointer=value").
  Pipeline(const std::string& scenario_file, const std::vector<std::string>& sets);
  // A scenario document (e.g. a Python dict); `label` names it in error messages and relative
  // paths in it (the model, traces) are resolved against label's directory, as for a file.
  Pipeline(Json scenario_doc, const std::string& label, const std::vector<std::string>& sets);
  // One point of a sweep: the scenario already loaded and its model shared among points. No rate
  // warnings (a sweep would repeat them at every point) and no `inputs` (the sweep checks its
  // own outputs against its files once).
  Pipeline(scenario::Scenario scenario, std::string label, std::shared_ptr<const ModelData> model);
  Pipeline(const Pipeline&) = delete;  // request() refers to the members
  Pipeline& operator=(const Pipeline&) = delete;

  strategy::PlanRequest request() const { return {graph, analysis, cluster, scenario.workload, costs}; }
  // One strategy's plan; the scenario's own options belong to its own strategy only.
  plan::Plan plan_for(const std::string& name) const;
  // plan_for without throwing, for commands that go on without the plan (simulate --strategy
  // all, sweep rows): with `only_if_applicable` a strategy whose applicability check fails is
  // not_applicable, and a strategy's InputError is `failed`; `why` says why in both cases.
  std::optional<plan::Plan> try_plan(const std::string& name, bool only_if_applicable, PlanStatus& status,
                                     std::string& why) const;
  // The plans to execute: `plan_file` (then `strategy` must be empty), every applicable strategy
  // in registry order ("all"; `keep` may leave more out, saying why), or the strategies of a
  // comma-separated list in its order ("dpfp,modnn", as `sweep --strategy`; the scenario's own
  // when empty). A plan file is added to `inputs`.
  std::vector<plan::Plan> select_plans(const std::string& strategy, const std::string& plan_file,
                                       const std::function<bool(const plan::Plan&, std::string& why)>& keep = {});
  // A plan made outside the registry (a plan file's, a Python strategy's) checked against this
  // scenario's model: its model hash and its stages' layer range. InputError naming `origin`.
  void check_plan_fits(const plan::Plan& plan, const std::string& origin) const;
  // A plan document made by code outside the registry (a Python strategy), taken in by
  // pipeline::external_plan (external.hpp) against this scenario.
  plan::Plan external_plan(Json doc, const std::string& origin) const;
  // The report's header fields (scenario, model, seed, requests).
  report::Report report_header(uint64_t seed, int64_t requests) const;

  std::string scenario_file;
  scenario::Scenario scenario;

private:
  std::shared_ptr<const ModelData> model_;  // before the references to it below

public:
  const model::ModelGraph& graph;
  const cost::ModelAnalysis& analysis;
  scenario::Cluster cluster;
  timing::CostModel costs;          // compute times of graph on cluster (profiles, else analytical)
  std::vector<std::string> inputs;  // files an output may not overwrite

private:
  // Both public constructors: the scenario loaded, `label` naming it in messages. The tag keeps
  // it out of overload resolution for callers' `Pipeline(file, {})`.
  struct Loaded {};
  Pipeline(Loaded, std::string label, scenario::Scenario scenario);
  // Every constructor: the members from the scenario and its model.
  Pipeline(std::string label, scenario::Scenario scenario, std::shared_ptr<const ModelData> model);
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
