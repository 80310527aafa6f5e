#include "edgepart/report/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "edgepart/report/table.hpp"
#include "edgepart/sim/time.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::report {

int64_t nearest_rank(int64_t n, double p) {
  EDGEPART_ASSERT(n > 0, "percentile of nothing");
  EDGEPART_ASSERT(p > 0 && p <= 100, "percentile out of (0, 100]");
  // ceil(p/100 * n) with a guard against 0.95 * 100 = 94.99999999999999 style representation
  // error: the product is rounded to 1e-9 first.
  const double rank = std::ceil(std::round(p / 100.0 * static_cast<double>(n) * 1e9) / 1e9);
  return std::clamp(static_cast<int64_t>(rank), int64_t{1}, n);
}

double percentile_nearest_rank(const std::vector<double>& sorted, double p) {
  return sorted[static_cast<size_t>(nearest_rank(static_cast<int64_t>(sorted.size()), p) - 1)];
}

double percentile_of(const sim::RequestLog& log, double p) { return log.latency_at_rank(nearest_rank(log.completed(), p)); }

Interval wilson_interval(int64_t k, int64_t n, double z) {
  if (n <= 0) return {};
  // Wilson (1927): centre (p + z^2/2n) / (1 + z^2/n), half-width
  // z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n).
  const double nn = static_cast<double>(n), p = static_cast<double>(k) / nn, z2 = z * z;
  const double denom = 1 + z2 / nn;
  const double centre = (p + z2 / (2 * nn)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
  // At k = 0 (k = n) the lower (upper) bound is exactly 0 (1) in exact arithmetic; rounding
  // would leave ~1e-17 there.
  const double low = k == 0 ? 0.0 : std::max(0.0, centre - half);
  const double high = k == n ? 1.0 : std::min(1.0, centre + half);
  return {p, low, high};
}

std::optional<Load> load_of(const sim::SimResult& result, const scenario::Scenario& scenario) {
  const scenario::Workload& w = scenario.workload;
  const int64_t requests = std::max<int64_t>(result.log.requests(), static_cast<int64_t>(result.requests.size()));
  if (w.arrival == scenario::Arrival::closed || requests == 0) return std::nullopt;
  // Every source issues at the workload's rate (docs/formats.md "workload").
  const double sources = static_cast<double>(std::max<size_t>(1, w.sources.size()));
  const double arrivals_per_s = sources * (w.arrival == scenario::Arrival::periodic ? 1.0 / w.period_s : w.rate_rps);
  const double per_request = arrivals_per_s / static_cast<double>(requests);
  Load worst;
  auto consider = [&](const std::string& name, double busy_s) {
    const double u = busy_s * per_request;
    if (u > worst.utilisation) worst = Load{name, u};
  };
  for (size_t d = 0; d < result.devices.size(); ++d) consider("device " + scenario.devices[d].name, result.devices[d].busy_s);
  consider("network (shared medium)", result.stats.medium_busy_s);
  for (size_t d = 0; d < result.stats.uplink_busy_s.size(); ++d)
    consider("uplink of " + scenario.devices[d].name, result.stats.uplink_busy_s[d]);
  for (size_t d = 0; d < result.stats.downlink_busy_s.size(); ++d)
    consider("downlink of " + scenario.devices[d].name, result.stats.downlink_busy_s[d]);
  return worst;
}

StrategySummary summarize(const std::string& strategy, const sim::SimResult& result,
                          const scenario::Scenario& scenario, const plan::Plan& plan) {
  const sim::RequestLog log = sim::request_log(result, scenario.workload.deadline_s);
  EDGEPART_ASSERT(log.requests() == 0 || log.deadline_s() == scenario.workload.deadline_s, "summarize: the run's deadline is not the scenario's");
  StrategySummary s;
  s.strategy = strategy;
  s.requests = log.requests();
  s.failed = log.failed();
  s.deadline_s = scenario.workload.deadline_s;
  s.predicted_latency_s = plan.predicted.latency_s;
  s.lossless = plan.lossless;
  s.events = result.stats.events;

  s.cache_hits = log.cache_hits();
  s.makespan_s = s.requests > 0 ? log.last_done_s() - log.first_arrival_s() : 0;
  if (log.completed() > 0) {
    LatencyStats st;
    st.mean = log.mean_latency_s();
    st.p50 = percentile_of(log, 50);
    st.p95 = percentile_of(log, 95);
    st.p99 = percentile_of(log, 99);
    st.max = log.max_latency_s();
    s.latency_s = st;
  }
  s.reliability = wilson_interval(log.met_deadline(), s.requests);
  s.load = load_of(result, scenario);
  const int64_t completed = s.requests - s.failed;
  s.throughput_rps = s.makespan_s > 0 ? static_cast<double>(completed) / s.makespan_s : 0;

  for (size_t d = 0; d < result.devices.size(); ++d) {
    const auto& u = result.devices[d];
    const auto& dev = scenario.devices[d];
    DeviceSummary ds;
    ds.name = dev.name;
    ds.busy_s = u.busy_s;
    ds.busy_fraction = s.makespan_s > 0 ? u.busy_s / s.makespan_s : 0;
    ds.peak_memory_bytes = u.peak_memory_bytes;
    ds.tasks = u.tasks;
    if (dev.power_busy_w || dev.power_idle_w || dev.power_tx_w) {
      // E = P_busy * busy + P_idle * (makespan - busy) + P_tx * sending time (a device-level
      // account: what is missing counts as 0 W).
      double e = dev.power_busy_w.value_or(0) * u.busy_s +
                 dev.power_idle_w.value_or(0) * std::max(0.0, s.makespan_s - u.busy_s) + dev.power_tx_w.value_or(0) * u.tx_s;
      ds.energy_j = e;
      s.energy_j = s.energy_j.value_or(0) + e;
    }
    s.devices.push_back(ds);
  }
  for (const auto& l : result.links) {
    s.links.push_back(LinkSummary{scenario.devices[static_cast<size_t>(l.from)].name,
                                  scenario.devices[static_cast<size_t>(l.to)].name, l.bytes, l.transfers});
    s.bytes_sent += l.bytes;
  }
  return s;
}

std::optional<LocalComparison> compare_with_local(double local_latency_s, double latency_s) {
  const double resolution_s = sim::SimTime::from_ns(1).seconds();
  if (!(local_latency_s >= resolution_s && latency_s >= resolution_s)) return std::nullopt;
  return LocalComparison{local_latency_s / latency_s, (1.0 - latency_s / local_latency_s) * 100.0};
}

void set_speedup(StrategySummary& s, const StrategySummary& local) {
  if (!s.latency_s || !local.latency_s || s.overloaded() || local.overloaded()) return;
  const auto cmp = compare_with_local(local.latency_s->mean, s.latency_s->mean);
  if (!cmp) return;
  s.speedup = cmp->speedup;
  s.reduction_pct = cmp->reduction_pct;
}

namespace {

// NaN and infinity would be written as null by nlohmann: every number goes through here.
Json number(double v) {
  EDGEPART_ASSERT(std::isfinite(v), "non-finite number in a report");
  return Json(v);
}

template <class T>
Json optional_number(const std::optional<T>& v) {
  return v ? number(static_cast<double>(*v)) : Json(nullptr);
}

Json strategy_json(const StrategySummary& s) {
  Json j;
  j["strategy"] = s.strategy;
  j["requests"] = s.requests;
  j["failed"] = s.failed;
  j["cache_hits"] = s.cache_hits;
  if (s.latency_s) {
    j["latency_s"] = Json{{"mean", number(s.latency_s->mean)}, {"p50", number(s.latency_s->p50)},
                          {"p95", number(s.latency_s->p95)}, {"p99", number(s.latency_s->p99)},
                          {"max", number(s.latency_s->max)}};
  } else {
    j["latency_s"] = nullptr;
  }
  j["speedup"] = optional_number(s.speedup);
  j["reduction_pct"] = optional_number(s.reduction_pct);
  j["deadline_s"] = optional_number(s.deadline_s);
  j["reliability"] = Json{{"value", number(s.reliability.value)}, {"ci_low", number(s.reliability.ci_low)},
                          {"ci_high", number(s.reliability.ci_high)}};
  j["throughput_rps"] = number(s.throughput_rps);
  j["makespan_s"] = number(s.makespan_s);
  j["bytes_sent"] = number(s.bytes_sent);
  j["predicted_latency_s"] = number(s.predicted_latency_s);
  j["lossless"] = s.lossless;
  if (!s.accuracy) {
    j["accuracy"] = nullptr;
  } else if (s.accuracy->measured) {
    const exec::Comparison& e = s.accuracy->error;
    j["accuracy"] = Json{{"measured", true},
                         {"rel_l2_error", number(e.rel_l2_error)},
                         {"max_abs_error", number(e.max_abs_error)},
                         {"max_abs_output", number(e.max_abs_output)},
                         {"top1_agrees", e.top1_agrees},
                         {"weights_seed", exec::kAccuracySeed}};
  } else {
    j["accuracy"] = Json{{"measured", false}, {"reason", s.accuracy->not_measured}};
  }
  j["energy_j"] = optional_number(s.energy_j);
  j["load"] = s.load ? Json{{"bottleneck", s.load->bottleneck},
                            {"utilisation", number(s.load->utilisation)},
                            {"overloaded", s.load->overloaded()}}
                     : Json(nullptr);
  Json devices = Json::array();
  for (const auto& d : s.devices)
    devices.push_back(Json{{"name", d.name},
                           {"busy_s", number(d.busy_s)},
                           {"busy_fraction", number(d.busy_fraction)},
                           {"peak_memory_bytes", number(d.peak_memory_bytes)},
                           {"tasks", d.tasks},
                           {"energy_j", optional_number(d.energy_j)}});
  j["devices"] = devices;
  Json links = Json::array();
  for (const auto& l : s.links)
    links.push_back(Json{{"from", l.from}, {"to", l.to}, {"bytes", number(l.bytes)}, {"transfers", l.transfers}});
  j["links"] = links;
  return j;
}

std::string fixed(double v, int digits) { return fixed_text(v, digits); }

// Shortest round-trip text of a double for CSV (the same value JSON would carry).
std::string exact(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

template <class T>
std::string opt_exact(const std::optional<T>& v) {
  return v ? exact(static_cast<double>(*v)) : "";
}

}  // namespace

Json report_to_json(const Report& report) {
  Json j;
  j["format"] = "edgepart.report";
  j["version"] = 1;
  j["scenario"] = report.scenario;
  j["model"] = report.model;
  j["seed"] = report.seed;
  j["requests"] = report.requests;
  j["mode"] = report.mode;
  if (!report.measured.is_null()) j["measured"] = report.measured;
  Json arr = Json::array();
  for (const auto& s : report.strategies) arr.push_back(strategy_json(s));
  j["strategies"] = arr;
  return j;
}

std::string report_to_csv(const Report& report) {
  std::string out = csv_row({"strategy", "requests", "failed", "latency_mean_s", "latency_p50_s", "latency_p95_s",
                             "latency_p99_s", "latency_max_s", "speedup", "reduction_pct", "deadline_s", "reliability",
                             "reliability_ci_low", "reliability_ci_high", "throughput_rps", "bytes_sent",
                             "predicted_latency_s", "energy_j", "seed", "rel_l2_error", "max_abs_error"});
  for (const auto& s : report.strategies) {
    std::vector<std::string> row = {s.strategy, std::to_string(s.requests), std::to_string(s.failed)};
    if (s.latency_s) {
      for (double v : {s.latency_s->mean, s.latency_s->p50, s.latency_s->p95, s.latency_s->p99, s.latency_s->max})
        row.push_back(exact(v));
    } else {
      row.insert(row.end(), 5, "");
    }
    row.push_back(opt_exact(s.speedup));
    row.push_back(opt_exact(s.reduction_pct));
    row.push_back(opt_exact(s.deadline_s));
    for (double v : {s.reliability.value, s.reliability.ci_low, s.reliability.ci_high, s.throughput_rps, s.bytes_sent,
                     s.predicted_latency_s})
      row.push_back(exact(v));
    row.push_back(opt_exact(s.energy_j));
    row.push_back(std::to_string(report.seed));
    const bool measured = s.accuracy && s.accuracy->measured;
    row.push_back(measured ? exact(s.accuracy->error.rel_l2_error) : "");
    row.push_back(measured ? exact(s.accuracy->error.max_abs_error) : "");
    out += csv_row(row);
  }
  return out;
}

std::string accuracy_text(const StrategySummary& s) {
  if (!s.accuracy) return "-";
  if (!s.accuracy->measured) return "not run";
  return fixed(s.accuracy->error.rel_l2_error, 3) + " L2";
}

std::string report_to_table(const Report& report) {
  using A = TextTable::Align;
  const bool deadline = !report.strategies.empty() && report.strategies.front().deadline_s.has_value();
  TextTable t({"strategy", "mean ms", "p50 ms", "p95 ms", "p99 ms", "max ms", "speedup", "faster", "error",
               deadline ? "P(<=deadline) [95% CI]" : "completed [95% CI]", "req/s", "sent/req", "failed"},
              {A::left, A::right, A::right, A::right, A::right, A::right, A::right, A::right, A::right, A::left,
               A::right, A::right, A::right});
  for (const auto& s : report.strategies) {
    std::vector<std::string> row = {s.strategy + (s.lossless ? "" : "*")};
    if (s.latency_s) {
      for (double v : {s.latency_s->mean, s.latency_s->p50, s.latency_s->p95, s.latency_s->p99, s.latency_s->max})
        row.push_back(fixed(v * 1e3, 1));
    } else {
      row.insert(row.end(), 5, "-");
    }
    row.push_back(s.overloaded() ? "overloaded" : s.speedup ? ratio_text(*s.speedup) : "-");
    row.push_back(s.reduction_pct ? fixed(*s.reduction_pct, 1) + "%" : "-");
    row.push_back(accuracy_text(s));
    // No requests, no estimate: Wilson's interval of 0 out of 0 is undefined, not [0, 0].
    row.push_back(s.requests == 0 ? "-"
                                  : fixed(s.reliability.value, 3) + " [" + fixed(s.reliability.ci_low, 3) + ", " +
                                        fixed(s.reliability.ci_high, 3) + "]");
    row.push_back(fixed(s.throughput_rps, 2));
    row.push_back(bytes_text(s.requests > 0 ? s.bytes_sent / static_cast<double>(s.requests) : 0));
    row.push_back(std::to_string(s.failed));
    t.add_row(row);
  }
  std::string head = report.scenario + " (" + report.model + "): " + std::to_string(report.requests) +
                     " requests, seed " + std::to_string(report.seed);
  if (deadline) head += ", deadline " + fixed(*report.strategies.front().deadline_s * 1e3, 1) + " ms";
  std::string foot = "speedup = local mean latency / mean latency (same seed); faster = 1 - mean/local.";
  bool any_lossy = std::any_of(report.strategies.begin(), report.strategies.end(), [](const auto& s) { return !s.lossless; });
  if (any_lossy)
    foot += "\n* approximate (not lossless); error = relative L2 error of the model output against the whole "
            "model on seeded weights (edgepart verify --plan).";
  foot += "\n";
  for (const auto& s : report.strategies)
    if (s.overloaded())
      foot += "warning: " + s.strategy + " is overloaded: " + s.load->bottleneck + " at utilisation " +
              fixed(s.load->utilisation, 2) + " (arrivals x service time >= 1); its queue and latencies grow "
              "with the number of requests, so no speedup is shown\n";
  return head + "\n" + t.render() + foot;
}

}  // namespace edgepart::report
