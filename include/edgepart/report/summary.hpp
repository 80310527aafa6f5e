#pragma once
// The simulate report (docs/design.md §6 metrics, §8 stable JSON keys; docs/formats.md "Report"): per
// strategy latency mean/p50/p95/p99/max, speedup over local under the same seed, deadline
// reliability with a Wilson 95 % interval, throughput, per-device busy fraction, peak memory and
// energy, bytes per link. Output is deterministic: sorted keys, no timestamps, no paths.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "edgepart/exec/plan_accuracy.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/sim/simulator.hpp"
#include "edgepart/util/json_read.hpp"

namespace edgepart::report {

// Nearest-rank percentile (docs/formats.md): the value at rank ceil(p/100 * n) (1-based) of the
// ascending sorted values; p in (0, 100]. Precondition: sorted non-empty.
int64_t nearest_rank(int64_t n, double p);
double percentile_nearest_rank(const std::vector<double>& sorted, double p);
// The same over a run's completed latencies (exact below RequestLog's exact limit, else within
// its stated relative error).
double percentile_of(const sim::RequestLog& log, double p);

struct Interval {
  double value = 0, ci_low = 0, ci_high = 0;
};
// Wilson score interval for k successes out of n at normal quantile z (default: 95 %).
Interval wilson_interval(int64_t k, int64_t n, double z = 1.959963984540054);

struct LatencyStats {
  double mean = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
};

struct DeviceSummary {
  std::string name;
  double busy_s = 0;
  double busy_fraction = 0;      // busy_s / the run's makespan
  double peak_memory_bytes = 0;
  int64_t tasks = 0;
  std::optional<double> energy_j;  // when the device gives power figures
};

struct LinkSummary {
  std::string from, to;
  double bytes = 0;
  int64_t transfers = 0;
};

// The most loaded resource under open-loop arrivals (docs/simulator.md "Overload"): utilisation
// = arrival rate x service demand per request, the demand measured in the run (the time the
// resource was busy / requests issued). At >= 1 requests arrive faster than the resource serves
// them: the queue, hence every latency, grows with the run's length.
struct Load {
  std::string bottleneck;  // "device es0", "network (shared medium)", "uplink of es1", "downlink of es2"
  double utilisation = 0;
  bool overloaded() const { return utilisation >= 1.0; }
};
// The load of a run; none for a closed loop (a client waits for its answer before the next
// request, so the queue cannot grow) or when nothing was issued.
std::optional<Load> load_of(const sim::SimResult& result, const scenario::Scenario& scenario);

struct StrategySummary {
  std::string strategy;
  int64_t requests = 0, failed = 0, cache_hits = 0;
  std::optional<LatencyStats> latency_s;  // over completed requests; none when all failed
  std::optional<double> speedup;          // local mean latency / this mean latency
  std::optional<double> reduction_pct;    // (1 - mean / local mean) * 100
  std::optional<double> deadline_s;
  Interval reliability;  // P(latency <= deadline), failed requests count as misses;
                         // without a deadline: the share of requests that completed
  double throughput_rps = 0;  // completed requests / makespan
  double makespan_s = 0;      // first arrival to last completion
  double bytes_sent = 0;
  double predicted_latency_s = 0;  // the plan's (one request, constant channels)
  bool lossless = true;
  // Approximate plans only: the executor's error of the model output (exec::accuracy_cost), set
  // by the caller that has the model (pipeline::simulate_report, the sweep runner).
  std::optional<exec::AccuracyCost> accuracy;
  std::vector<DeviceSummary> devices;
  std::vector<LinkSummary> links;
  std::optional<double> energy_j;  // sum over devices with power figures
  int64_t events = 0;              // simulator events (diagnostics)
  std::optional<Load> load;        // open-loop arrivals only
  bool overloaded() const { return load && load->overloaded(); }
};

StrategySummary summarize(const std::string& strategy, const sim::SimResult& result,
                          const scenario::Scenario& scenario, const plan::Plan& plan);
// A latency compared with local's: speedup = local / latency, reduction_pct = (1 - latency /
// local) * 100. None when either latency is below the simulator's time resolution (1 ns,
// sim/time.hpp): a ratio of times the engine cannot tell from zero means nothing (a model of
// almost no FLOPs gave "speedup 0.00x, 8e17 % higher"). The one rule for simulate, sweep, run and
// the plan table.
struct LocalComparison {
  double speedup = 0;
  double reduction_pct = 0;
};
std::optional<LocalComparison> compare_with_local(double local_latency_s, double latency_s);
// Fills speedup and reduction_pct against the local baseline simulated with the same seed; left
// empty when either run is overloaded (the ratio would depend on the number of requests).
void set_speedup(StrategySummary& s, const StrategySummary& local);

struct Report {
  std::string scenario;  // the scenario's name (no path: output must not depend on where it ran)
  std::string model;
  uint64_t seed = 1;
  int64_t requests = 0;
  std::vector<StrategySummary> strategies;
  // "simulated" (simulate) or "real" (run: measured on workers, docs/runtime.md).
  std::string mode = "simulated";
  // run only: the measured spans and the output check per strategy (written as "measured").
  Json measured = nullptr;
};

Json report_to_json(const Report& report);
std::string report_to_csv(const Report& report);
std::string report_to_table(const Report& report);
// The accuracy column of the table and the HTML report: "-" for a lossless plan, the relative L2
// error of the model output otherwise ("not run" when it was not measured).
std::string accuracy_text(const StrategySummary& s);

}  // namespace edgepart::report
