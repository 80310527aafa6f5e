// The self-contained HTML report (include/edgepart/report/html_report.hpp). Every chart is SVG
// written here, so the page needs no script library and no network; the inline script only lets
// a click on a legend entry hide or show that strategy's curves.
#include "edgepart/report/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "edgepart/report/table.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::report {

namespace {

// Tableau 10: distinguishable, colour-blind-aware, prints acceptably in grey.
const char* const kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
constexpr size_t kPaletteSize = sizeof kPalette / sizeof kPalette[0];
const char* colour(size_t i) { return kPalette[i % kPaletteSize]; }

// Chart geometry (px): the plot area and its margins (axis labels left and below, legend right).
constexpr double kWidth = 900, kHeight = 340;
constexpr double kLeft = 64, kRight = 170, kTop = 16, kBottom = 44;
// Curves are drawn from at most this many points (a CDF of 100,000 requests would be megabytes).
constexpr size_t kMaxCurvePoints = 400;
// Deadlines at which the reliability curve is evaluated.
constexpr int kDeadlineSteps = 240;

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fix(double v, int digits) { return fixed_text(v, digits); }

// Tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, about `n` of them.
std::vector<double> nice_ticks(double lo, double hi, int n) {
  std::vector<double> ticks;
  if (!(hi > lo)) hi = lo + 1;
  const double raw = (hi - lo) / n;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

std::string tick_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

struct Axes {
  double x0, x1, y0, y1;
  double px(double x) const { return kLeft + (x - x0) / (x1 - x0) * (kWidth - kLeft - kRight); }
  double py(double y) const { return kHeight - kBottom - (y - y0) / (y1 - y0) * (kHeight - kTop - kBottom); }
};

std::string axes_svg(const Axes& a, const std::string& xlabel, const std::string& ylabel) {
  std::string s;
  const double bottom = kHeight - kBottom, right = kWidth - kRight;
  for (double t : nice_ticks(a.x0, a.x1, 8)) {
    const double x = a.px(t);
    s += "<line class=\"grid\" x1=\"" + fix(x, 1) + "\" y1=\"" + fix(kTop, 1) + "\" x2=\"" + fix(x, 1) + "\" y2=\"" + fix(bottom, 1) + "\"/>";
    s += "<text class=\"tick\" x=\"" + fix(x, 1) + "\" y=\"" + fix(bottom + 16, 1) + "\" text-anchor=\"middle\">" + tick_label(t) + "</text>";
  }
  for (double t : nice_ticks(a.y0, a.y1, 5)) {
    const double y = a.py(t);
    s += "<line class=\"grid\" x1=\"" + fix(kLeft, 1) + "\" y1=\"" + fix(y, 1) + "\" x2=\"" + fix(right, 1) + "\" y2=\"" + fix(y, 1) + "\"/>";
    s += "<text class=\"tick\" x=\"" + fix(kLeft - 6, 1) + "\" y=\"" + fix(y + 4, 1) + "\" text-anchor=\"end\">" + tick_label(t) + "</text>";
  }
  s += "<rect class=\"frame\" x=\"" + fix(kLeft, 1) + "\" y=\"" + fix(kTop, 1) + "\" width=\"" + fix(right - kLeft, 1) +
       "\" height=\"" + fix(bottom - kTop, 1) + "\"/>";
  s += "<text class=\"label\" x=\"" + fix((kLeft + right) / 2, 1) + "\" y=\"" + fix(kHeight - 6, 1) + "\" text-anchor=\"middle\">" +
       esc(xlabel) + "</text>";
  s += "<text class=\"label\" transform=\"translate(14," + fix((kTop + bottom) / 2, 1) + ") rotate(-90)\" text-anchor=\"middle\">" +
       esc(ylabel) + "</text>";
  return s;
}

std::string legend_svg(const std::vector<std::string>& names) {
  std::string s;
  const double x = kWidth - kRight + 14;
  for (size_t i = 0; i < names.size(); ++i) {
    const double y = kTop + 8 + 18.0 * static_cast<double>(i);
    s += "<g class=\"legend\" data-series=\"" + esc(names[i]) + "\"><rect x=\"" + fix(x, 1) + "\" y=\"" + fix(y - 8, 1) +
         "\" width=\"14\" height=\"10\" fill=\"" + colour(i) + "\"/><text x=\"" + fix(x + 20, 1) + "\" y=\"" + fix(y + 1, 1) +
         "\">" + esc(names[i]) + "</text></g>";
  }
  return s;
}

std::string polyline(const Axes& a, const std::vector<std::pair<double, double>>& pts, const char* stroke,
                     const std::string& series) {
  std::string s = "<polyline class=\"curve\" data-series=\"" + esc(series) + "\" fill=\"none\" stroke=\"" + stroke + "\" points=\"";
  for (const auto& [x, y] : pts) s += fix(a.px(x), 1) + "," + fix(a.py(y), 1) + " ";
  if (!pts.empty()) s.pop_back();
  return s + "\"/>";
}

std::string svg_open(const std::string& id, double height, const std::string& title) {
  return "<svg id=\"" + id + "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fix(kWidth, 0) + "\" height=\"" + fix(height, 0) +
         "\" viewBox=\"0 0 " + fix(kWidth, 0) + " " + fix(height, 0) + "\" role=\"img\"><title>" + esc(title) + "</title>";
}

std::string ms_text(double s) { return fix(s * 1e3, 1); }

std::string summary_table(const HtmlReportInput& in) {
  std::string s = "<table id=\"strategy-table\"><thead><tr><th>strategy</th><th>mean ms</th><th>p50 ms</th><th>p95 ms</th>"
                  "<th>p99 ms</th><th>max ms</th><th>predicted ms</th><th>speedup</th><th>faster</th><th>error</th>"
                  "<th>P(&le; deadline) [95% CI]</th><th>req/s</th><th>sent/req</th><th>failed</th></tr></thead><tbody>";
  for (size_t i = 0; i < in.report.strategies.size(); ++i) {
    const StrategySummary& st = in.report.strategies[i];
    s += "<tr><td><span class=\"swatch\" style=\"background:" + std::string(colour(i)) + "\"></span>" + esc(st.strategy) +
         (st.lossless ? "" : "*") + "</td>";
    if (st.latency_s) {
      for (double v : {st.latency_s->mean, st.latency_s->p50, st.latency_s->p95, st.latency_s->p99, st.latency_s->max})
        s += "<td>" + ms_text(v) + "</td>";
    } else {
      s += "<td colspan=\"5\">all failed</td>";
    }
    s += "<td>" + ms_text(st.predicted_latency_s) + "</td>";
    s += "<td>" + (st.overloaded() ? "overloaded: " + esc(st.load->bottleneck) + " at utilisation " + fix(st.load->utilisation, 2)
                          : st.speedup ? ratio_text(*st.speedup) : std::string("-")) + "</td>";
    s += "<td>" + (st.reduction_pct ? fix(*st.reduction_pct, 1) + " %" : std::string("-")) + "</td>";
    s += "<td>" + esc(accuracy_text(st)) + "</td>";
    s += "<td>" + (st.requests == 0 ? std::string("-")  // 0 out of 0: no interval
                                    : fix(st.reliability.value, 3) + " [" + fix(st.reliability.ci_low, 3) + ", " +
                                          fix(st.reliability.ci_high, 3) + "]") + "</td>";
    s += "<td>" + fix(st.throughput_rps, 2) + "</td>";
    const double per_req = st.requests > 0 ? st.bytes_sent / static_cast<double>(st.requests) : 0;
    s += "<td>" + esc(bytes_text(per_req)) + "</td><td>" + std::to_string(st.failed) + "</td></tr>";
  }
  return s + "</tbody></table>";
}

std::string cdf_chart(const HtmlReportInput& in) {
  double hi = 0;
  for (const auto& st : in.strategies)
    if (st.log.completed() > 0) hi = std::max(hi, st.log.max_latency_s());
  Axes a{0, hi > 0 ? hi * 1e3 * 1.05 : 1, 0, 1};
  std::string s = svg_open("latency-cdf", kHeight, "Latency CDF per strategy");
  s += axes_svg(a, "latency (ms)", "P(latency <= x)");
  std::vector<std::string> names;
  for (size_t i = 0; i < in.strategies.size(); ++i) {
    names.push_back(in.report.strategies[i].strategy);
    const sim::RequestLog& log = in.strategies[i].log;
    std::vector<std::pair<double, double>> pts;
    const auto n = static_cast<size_t>(log.completed());
    if (n > 0) {
      pts.emplace_back(log.latency_at_rank(1) * 1e3, 0.0);
      const size_t m = std::min(n, kMaxCurvePoints);
      for (size_t k = 0; k < m; ++k) {
        const size_t idx = m == 1 ? n - 1 : k * (n - 1) / (m - 1);
        pts.emplace_back(log.latency_at_rank(static_cast<int64_t>(idx + 1)) * 1e3,
                         static_cast<double>(idx + 1) / static_cast<double>(n));
      }
    }
    s += polyline(a, pts, colour(i), names.back());
  }
  return s + legend_svg(names) + "</svg>";
}

std::string reliability_chart(const HtmlReportInput& in) {
  double hi = 0;
  for (const auto& st : in.strategies)
    if (st.log.completed() > 0) hi = std::max(hi, st.log.max_latency_s());
  if (in.deadline_s) hi = std::max(hi, *in.deadline_s);
  if (!(hi > 0)) hi = 1;
  hi *= 1.1;
  std::vector<double> deadlines;
  for (int k = 0; k <= kDeadlineSteps; ++k) deadlines.push_back(hi * k / kDeadlineSteps);
  Axes a{0, hi * 1e3, 0, 1};
  std::string s = svg_open("reliability-deadline", kHeight, "Reliability against the deadline");
  s += axes_svg(a, "deadline (ms)", "P(latency <= deadline), 95% Wilson band");
  std::vector<std::string> names;
  for (size_t i = 0; i < in.strategies.size(); ++i) {
    const auto& st = in.strategies[i];
    names.push_back(in.report.strategies[i].strategy);
    const auto rel = reliability_curve(st.log, deadlines);
    std::vector<std::pair<double, double>> pts, lo, up;
    for (size_t k = 0; k < deadlines.size(); ++k) {
      pts.emplace_back(deadlines[k] * 1e3, rel[k]);
      const auto hits = static_cast<int64_t>(std::llround(rel[k] * static_cast<double>(st.log.requests())));
      const Interval w = wilson_interval(hits, std::max<int64_t>(st.log.requests(), 1));
      lo.emplace_back(deadlines[k] * 1e3, w.ci_low);
      up.emplace_back(deadlines[k] * 1e3, w.ci_high);
    }
    // The band: upper edge left to right, lower edge back.
    std::string band = "<polygon class=\"band\" data-series=\"" + esc(names.back()) + "\" fill=\"" + colour(i) + "\" points=\"";
    for (const auto& [x, y] : up) band += fix(a.px(x), 1) + "," + fix(a.py(y), 1) + " ";
    for (auto it = lo.rbegin(); it != lo.rend(); ++it) band += fix(a.px(it->first), 1) + "," + fix(a.py(it->second), 1) + " ";
    band.pop_back();
    s += band + "\"/>";
    s += polyline(a, pts, colour(i), names.back());
  }
  if (in.deadline_s) {
    const double x = a.px(*in.deadline_s * 1e3);
    s += "<line class=\"deadline\" x1=\"" + fix(x, 1) + "\" y1=\"" + fix(kTop, 1) + "\" x2=\"" + fix(x, 1) + "\" y2=\"" +
         fix(kHeight - kBottom, 1) + "\"/><text class=\"tick\" x=\"" + fix(x + 4, 1) + "\" y=\"" + fix(kTop + 12, 1) +
         "\">scenario deadline " + ms_text(*in.deadline_s) + " ms</text>";
  }
  return s + legend_svg(names) + "</svg>";
}

// One request per strategy on a common time axis: a lane per device for its compute and one for
// what it sends.
std::string gantt_chart(const HtmlReportInput& in) {
  constexpr double kLane = 14, kGap = 4, kHeader = 20, kLabel = 150;
  double t_max = 0;
  for (const auto& st : in.strategies) t_max = std::max(t_max, st.timeline.latency_s);
  if (!(t_max > 0)) t_max = 1;
  const double plot_w = kWidth - kLabel - 20;
  auto px = [&](double t) { return kLabel + t / t_max * plot_w; };

  std::string body;
  double y = 4;
  for (size_t i = 0; i < in.strategies.size(); ++i) {
    const HtmlStrategy& st = in.strategies[i];
    if (st.plan.variants.empty()) continue;
    const plan::Variant* var = &st.plan.variants[static_cast<size_t>(std::clamp<int>(st.variant, 0, static_cast<int>(st.plan.variants.size()) - 1))];
    body += "<text class=\"lanehead\" x=\"4\" y=\"" + fix(y + 14, 1) + "\">" + esc(in.report.strategies[i].strategy) + " — " +
            ms_text(st.timeline.latency_s) + " ms (one request, planning rate)</text>";
    y += kHeader;
    // Lanes in device order: compute of d, then transfers sent by d, only those used.
    std::map<std::pair<int, int>, std::vector<const sim::TaskTiming*>> lanes;  // (device, 0 compute / 1 send)
    for (const auto& tt : st.timeline.tasks) {
      if (tt.task < 0 || static_cast<size_t>(tt.task) >= var->tasks.size()) continue;
      const plan::Task& task = var->tasks[static_cast<size_t>(tt.task)];
      if (task.kind == plan::TaskKind::transfer) {
        if (task.from != task.to && tt.end_s > tt.start_s) lanes[{task.from, 1}].push_back(&tt);
      } else if (tt.device >= 0) {
        lanes[{tt.device, 0}].push_back(&tt);
      }
    }
    for (const auto& [lane, tasks] : lanes) {
      const auto [dev, send] = lane;
      const std::string dname = dev >= 0 && static_cast<size_t>(dev) < in.device_names.size() ? in.device_names[static_cast<size_t>(dev)]
                                                                                               : "device " + std::to_string(dev);
      body += "<text class=\"lane\" x=\"" + fix(kLabel - 6, 1) + "\" y=\"" + fix(y + kLane - 3, 1) + "\" text-anchor=\"end\">" +
              esc(dname) + (send ? " sends" : "") + "</text>";
      for (const sim::TaskTiming* tt : tasks) {
        const plan::Task& task = var->tasks[static_cast<size_t>(tt->task)];
        const double x0 = px(tt->start_s), w = std::max(0.8, px(tt->end_s) - x0);
        std::string tip = task.name + ": " + fix(tt->start_s * 1e3, 2) + " - " + fix(tt->end_s * 1e3, 2) + " ms";
        if (send) {
          const std::string to = task.to >= 0 && static_cast<size_t>(task.to) < in.device_names.size() ? in.device_names[static_cast<size_t>(task.to)] : "?";
          tip += " to " + to + ", " + bytes_text(task.bytes);
        }
        body += "<rect class=\"" + std::string(send ? "tx" : "task") + "\" x=\"" + fix(x0, 2) + "\" y=\"" + fix(y, 1) + "\" width=\"" +
                fix(w, 2) + "\" height=\"" + fix(kLane, 1) + "\" fill=\"" + colour(static_cast<size_t>(std::max(dev, 0))) +
                "\"><title>" + esc(tip) + "</title></rect>";
      }
      y += kLane + kGap;
    }
    y += 6;
  }
  // Time axis at the bottom.
  std::string axis;
  for (double t : nice_ticks(0, t_max * 1e3, 10)) {
    const double x = px(t / 1e3);
    axis += "<line class=\"grid\" x1=\"" + fix(x, 1) + "\" y1=\"0\" x2=\"" + fix(x, 1) + "\" y2=\"" + fix(y, 1) + "\"/>";
    axis += "<text class=\"tick\" x=\"" + fix(x, 1) + "\" y=\"" + fix(y + 14, 1) + "\" text-anchor=\"middle\">" + tick_label(t) + "</text>";
  }
  axis += "<text class=\"label\" x=\"" + fix(kLabel + plot_w / 2, 1) + "\" y=\"" + fix(y + 32, 1) + "\" text-anchor=\"middle\">time (ms)</text>";
  return svg_open("gantt", y + 40, "Gantt timeline of one request per strategy") + axis + body + "</svg>";
}

// Each strategy's stages on the layer stack: x = layer index, a stage's box split among its
// devices in proportion to the rows each computes of the stage's last layer (tiles: one band per
// tile, pulled by whichever device is idle, grey).
std::string partition_chart(const HtmlReportInput& in) {
  constexpr double kRow = 34, kGap = 10, kLabel = 110;
  const size_t layers = std::max<size_t>(in.layer_names.size(), 1);
  const double plot_w = kWidth - kLabel - 20;
  auto px = [&](double layer) { return kLabel + layer / static_cast<double>(layers) * plot_w; };
  std::string body;
  double y = 8;
  for (size_t i = 0; i < in.strategies.size(); ++i) {
    const plan::Plan& p = in.strategies[i].plan;
    if (p.variants.empty()) continue;
    // The variant at the planning rate, as in the Gantt chart (CIC has one per bandwidth band).
    const size_t vi = static_cast<size_t>(std::clamp<int>(in.strategies[i].variant, 0, static_cast<int>(p.variants.size()) - 1));
    const plan::Variant& v = p.variants[vi];
    body += "<text class=\"lane\" x=\"" + fix(kLabel - 6, 1) + "\" y=\"" + fix(y + kRow / 2 + 4, 1) + "\" text-anchor=\"end\">" +
            esc(p.strategy) + (p.variants.size() > 1 ? " (band " + std::to_string(vi + 1) + " of " + std::to_string(p.variants.size()) + ")" : "") + "</text>";
    for (const auto& stage : v.stages) {
      const double x0 = px(stage.first_layer), x1 = px(stage.last_layer + 1);
      double total_rows = 0;
      for (const auto& r : stage.regions) total_rows += r.rows.empty() ? 1 : std::max<double>(1, static_cast<double>(r.rows.back().end - r.rows.back().begin + 1));
      double yy = y;
      for (const auto& r : stage.regions) {
        const double rows = r.rows.empty() ? 1 : std::max<double>(1, static_cast<double>(r.rows.back().end - r.rows.back().begin + 1));
        const double h = kRow * rows / total_rows;
        const bool pull = r.device < 0;
        const std::string who = pull ? "tile " + std::to_string(r.tile) + " (pulled)"
                                     : (static_cast<size_t>(r.device) < in.device_names.size() ? in.device_names[static_cast<size_t>(r.device)] : "?");
        const std::string first = static_cast<size_t>(stage.first_layer) < in.layer_names.size() ? in.layer_names[static_cast<size_t>(stage.first_layer)] : "";
        const std::string last = static_cast<size_t>(stage.last_layer) < in.layer_names.size() ? in.layer_names[static_cast<size_t>(stage.last_layer)] : "";
        std::string tip = first + " .. " + last + " (" + stage.split + "): " + who;
        if (!r.rows.empty()) tip += ", rows " + std::to_string(r.rows.back().begin) + ".." + std::to_string(r.rows.back().end);
        body += "<rect class=\"region\" x=\"" + fix(x0, 2) + "\" y=\"" + fix(yy, 2) + "\" width=\"" + fix(x1 - x0, 2) + "\" height=\"" +
                fix(h, 2) + "\" fill=\"" + (pull ? std::string("#c8c8c8") : std::string(colour(static_cast<size_t>(r.device)))) +
                "\"><title>" + esc(tip) + "</title></rect>";
        yy += h;
      }
      body += "<rect class=\"stage\" x=\"" + fix(x0, 2) + "\" y=\"" + fix(y, 2) + "\" width=\"" + fix(x1 - x0, 2) + "\" height=\"" + fix(kRow, 2) + "\"/>";
    }
    y += kRow + kGap;
  }
  // Layer axis: every 5th layer index, names in tooltips; a device legend.
  std::string axis;
  for (size_t l = 0; l < layers; l += 5) {
    const double x = px(static_cast<double>(l) + 0.5);
    axis += "<text class=\"tick\" x=\"" + fix(x, 1) + "\" y=\"" + fix(y + 12, 1) + "\" text-anchor=\"middle\">" + std::to_string(l) +
            (l < in.layer_names.size() ? "<title>" + esc(in.layer_names[l]) + "</title>" : "") + "</text>";
  }
  axis += "<text class=\"label\" x=\"" + fix(kLabel + plot_w / 2, 1) + "\" y=\"" + fix(y + 30, 1) +
          "\" text-anchor=\"middle\">layer index (box height: share of the stage's output rows)</text>";
  double lx = kLabel;
  const double ly = y + 44;
  for (size_t d = 0; d < in.device_names.size(); ++d) {
    axis += "<rect x=\"" + fix(lx, 1) + "\" y=\"" + fix(ly, 1) + "\" width=\"12\" height=\"10\" fill=\"" + colour(d) + "\"/><text class=\"tick\" x=\"" +
            fix(lx + 16, 1) + "\" y=\"" + fix(ly + 9, 1) + "\">" + esc(in.device_names[d]) + "</text>";
    lx += 24 + 7.5 * static_cast<double>(in.device_names[d].size());
  }
  axis += "<rect x=\"" + fix(lx, 1) + "\" y=\"" + fix(ly, 1) + "\" width=\"12\" height=\"10\" fill=\"#c8c8c8\"/><text class=\"tick\" x=\"" +
          fix(lx + 16, 1) + "\" y=\"" + fix(ly + 9, 1) + "\">pulled tile</text>";
  return svg_open("partition", ly + 20, "Partition of the layer stack per strategy") + body + axis + "</svg>";
}

const char* const kStyle = R"(
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
p.meta{color:#555;margin:0 0 12px}
table{border-collapse:collapse;font-size:13px}
th,td{padding:3px 6px;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}thead th{background:#f3f3f3}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
svg{display:block;margin:4px 0;font-size:11px}
.grid{stroke:#e4e4e4;stroke-width:1}.frame{fill:none;stroke:#888}
.tick{fill:#555}.label{fill:#333;font-size:12px}.lane{fill:#333}.lanehead{fill:#111;font-weight:600;font-size:12px}
.curve{stroke-width:2}.band{opacity:.15;stroke:none}.deadline{stroke:#d00;stroke-dasharray:5 4}
.task{stroke:#333;stroke-width:.4}.tx{opacity:.55;stroke:#333;stroke-width:.4}
.stage{fill:none;stroke:#222;stroke-width:1.2}.region{stroke:#fff;stroke-width:.5}
.legend{cursor:pointer}.legend.off{opacity:.3}.hidden{display:none}
p.note{color:#555;font-size:12px}
)";

// Clicking a legend entry hides or shows that strategy's curves in every chart.
const char* const kScript = R"(
document.querySelectorAll('.legend').forEach(function(g){g.addEventListener('click',function(){
var s=g.getAttribute('data-series');var off=!g.classList.contains('off');
document.querySelectorAll('.legend').forEach(function(h){if(h.getAttribute('data-series')===s)h.classList.toggle('off',off);});
document.querySelectorAll('.curve,.band').forEach(function(c){if(c.getAttribute('data-series')===s)c.classList.toggle('hidden',off);});});});
document.body.setAttribute('data-ready','1');
)";

}  // namespace

std::vector<double> reliability_curve(const sim::RequestLog& log, const std::vector<double>& deadlines_s) {
  std::vector<double> out;
  out.reserve(deadlines_s.size());
  const auto requests = static_cast<double>(log.requests());
  for (double d : deadlines_s)
    out.push_back(log.requests() > 0 ? static_cast<double>(log.completed_at_most(d)) / requests : 0.0);
  return out;
}

HtmlStrategy html_strategy(const plan::Plan& plan, const sim::SimResult& result, const scenario::Cluster& cluster,
                           const timing::CostModel& costs) {
  HtmlStrategy h;
  h.plan = plan;
  h.log = sim::request_log(result, std::nullopt);  // the page draws latencies only
  if (plan.variants.empty()) return h;
  h.variant = static_cast<int>(plan::planning_point(plan, cluster).variant);
  h.timeline = sim::run_once(plan, static_cast<size_t>(h.variant), cluster, costs);
  return h;
}

HtmlReportInput html_input(const Report& report, const scenario::Scenario& scenario, const model::ModelGraph& graph,
                           std::vector<HtmlStrategy> strategies) {
  HtmlReportInput in;
  in.report = report;
  for (const auto& d : scenario.devices) in.device_names.push_back(d.name);
  for (const auto& layer : graph.layers) in.layer_names.push_back(layer.name);
  in.deadline_s = scenario.workload.deadline_s;
  in.strategies = std::move(strategies);
  return in;
}

std::string render_html_report(const HtmlReportInput& in) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>edgepart report: " +
                     esc(in.report.scenario) + "</title><style>" + kStyle + "</style></head><body>\n";
  html += "<h1>" + esc(in.report.scenario) + " (" + esc(in.report.model) + ")</h1>\n";
  html += "<p class=\"meta\">" + std::to_string(in.report.requests) + " requests per strategy, seed " + std::to_string(in.report.seed) +
          (in.deadline_s ? ", deadline " + ms_text(*in.deadline_s) + " ms" : std::string(", no deadline")) + ", " +
          std::to_string(in.device_names.size()) + " devices. Generated by edgepart simulate --report.</p>\n";
  html += "<h2>Strategies</h2>\n" + summary_table(in) + "\n";
  html += "<p class=\"note\">speedup = local mean latency / mean latency under the same seed; faster = 1 - mean/local; "
          "predicted = one request on constant channels at the planning rate; * approximate (not lossless); "
          "error = relative L2 error of the model output against the whole model on seeded weights "
          "(edgepart verify --plan).</p>\n";
  html += "<h2>Latency distribution</h2>\n" + cdf_chart(in) + "\n";
  html += "<h2>Reliability against the deadline</h2>\n" + reliability_chart(in) + "\n";
  html += "<h2>One request, task by task</h2>\n" + gantt_chart(in) + "\n";
  html += "<h2>Partition of the layer stack</h2>\n" + partition_chart(in) + "\n";
  html += "<p class=\"note\">Click a legend entry to hide or show a strategy's curves. Hover a box for details.</p>\n";
  html += std::string("<script>") + kScript + "</script>\n</body></html>\n";
  return html;
}

}  // namespace edgepart::report
