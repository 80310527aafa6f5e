#pragma once
// `simulate --report FILE.html` (docs/design.md §1): one self-contained page (inline CSS and SVG, a few
// lines of inline script, nothing fetched from the network) with the strategy comparison table,
// the latency CDF, reliability against the deadline, a Gantt timeline of one request per strategy
// and each strategy's partition drawn on the layer stack. Charts are SVG elements with fixed ids
// (strategy-table, latency-cdf, reliability-deadline, gantt, partition) so tests can find them.
// The page is deterministic: same inputs, same bytes.
#include <optional>
#include <string>
#include <vector>

#include "edgepart/model/graph.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/sim/prediction.hpp"
#include "edgepart/report/summary.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/sim/simulator.hpp"

namespace edgepart::report {

struct HtmlStrategy {
  plan::Plan plan;
  sim::RequestLog log;               // the run's requests (latencies of the completed ones)
  int variant = 0;                  // the plan variant of the timeline (the planning rate's)
  sim::Timeline timeline;           // one request on constant channels (sim::run_once)
};

// The page's data for one simulated strategy: latencies from the run, the timeline of one request
// of the variant used at the planning rate (plan::planning_point), as sim::predict times it.
HtmlStrategy html_strategy(const plan::Plan& plan, const sim::SimResult& result, const scenario::Cluster& cluster,
                           const timing::CostModel& costs);

struct HtmlReportInput {
  Report report;                         // the summaries, in the order of `strategies`
  std::vector<std::string> device_names;
  std::vector<std::string> layer_names;  // in layer order (the partition chart's x axis)
  std::optional<double> deadline_s;
  std::vector<HtmlStrategy> strategies;  // same order as report.strategies
};

// Assembles the input from the report, the scenario (device names, deadline) and the model (layer names).
HtmlReportInput html_input(const Report& report, const scenario::Scenario& scenario, const model::ModelGraph& graph,
                           std::vector<HtmlStrategy> strategies);

std::string render_html_report(const HtmlReportInput& input);

// Empirical P(latency <= d) over the log's requests (failed requests count as misses), at each of
// the `deadlines_s` (RequestLog::completed_at_most: exact below its exact limit). Exposed for tests.
std::vector<double> reliability_curve(const sim::RequestLog& log, const std::vector<double>& deadlines_s);

}  // namespace edgepart::report
