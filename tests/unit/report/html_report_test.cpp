// The HTML report's pure parts: the reliability curve (hand-counted) and the page's structure
// (self-contained: no external resource; the chart ids the browser test looks for).
#include <gtest/gtest.h>

#include "edgepart/report/html_report.hpp"

namespace edgepart::report {
namespace {

// A log of requests arriving at 0 with these latencies; a negative one failed.
sim::RequestLog log_of(const std::vector<double>& latencies_s) {
  sim::RequestLog log;
  for (double l : latencies_s) {
    sim::RequestRecord r;
    r.failed = l < 0;
    r.done_s = r.failed ? 0 : l;
    log.add(r);
  }
  return log;
}

TEST(ReliabilityCurve, CountsRequestsWithinEachDeadline) {
  // Latencies 0.1, 0.2, 0.2, 0.4 of 5 requests (one failed): P(<= d) = #{l <= d} / 5.
  const auto r = reliability_curve(log_of({0.4, 0.2, 0.1, 0.2, -1}), {0.0, 0.1, 0.15, 0.2, 0.3, 0.4, 1.0});
  EXPECT_EQ(r, (std::vector<double>{0.0, 0.2, 0.2, 0.6, 0.6, 0.8, 0.8}));
  EXPECT_EQ(reliability_curve(sim::RequestLog(), {1.0}), (std::vector<double>{0.0}));
}

HtmlReportInput tiny_input() {
  HtmlReportInput in;
  in.report.scenario = "tiny <scenario>";
  in.report.model = "m";
  in.report.requests = 3;
  in.device_names = {"a", "b"};
  in.layer_names = {"conv1", "relu1", "fc"};
  in.deadline_s = 0.25;
  StrategySummary s;
  s.strategy = "two";
  s.requests = 3;
  s.latency_s = LatencyStats{0.2, 0.2, 0.3, 0.3, 0.3};
  in.report.strategies.push_back(s);
  HtmlStrategy h;
  h.plan.strategy = "two";
  plan::Variant v;
  plan::Stage st;
  st.first_layer = 0;
  st.last_layer = 1;
  st.split = "rows";
  plan::DeviceRegion r0, r1;
  r0.device = 0;
  r0.rows = {{0, 3}, {0, 3}};
  r1.device = 1;
  r1.rows = {{4, 5}, {4, 5}};
  st.regions = {r0, r1};
  v.stages.push_back(st);
  plan::Task t;
  t.id = 0;
  t.name = "c0";
  t.device = 0;
  v.tasks.push_back(t);
  h.plan.variants.push_back(v);
  h.log = log_of({0.1, 0.2, 0.3});
  h.timeline.latency_s = 0.2;
  h.timeline.tasks.push_back(sim::TaskTiming{0, 0, 0.0, 0.2});
  in.strategies.push_back(h);
  return in;
}

TEST(HtmlReport, SelfContainedWithTheCharts) {
  const std::string html = render_html_report(tiny_input());
  for (const char* id : {"id=\"strategy-table\"", "id=\"latency-cdf\"", "id=\"reliability-deadline\"", "id=\"gantt\"", "id=\"partition\""})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  // Nothing is fetched: no external script, style sheet, image or font.
  for (const char* ref : {"src=", "href=", "@import", "url("}) EXPECT_EQ(html.find(ref), std::string::npos) << ref;
  // The only URL is the SVG namespace name (an identifier, never fetched).
  size_t pos = 0, urls = 0;
  while ((pos = html.find("http", pos)) != std::string::npos) {
    EXPECT_EQ(html.compare(pos, 26, "http://www.w3.org/2000/svg"), 0) << html.substr(pos, 40);
    ++pos;
    ++urls;
  }
  EXPECT_EQ(urls, 4u);  // one per SVG chart: CDF, reliability, Gantt, partition (the table is HTML)
  // Names are escaped.
  EXPECT_NE(html.find("tiny &lt;scenario&gt;"), std::string::npos);
  EXPECT_EQ(html.find("tiny <scenario>"), std::string::npos);
  // Deterministic.
  EXPECT_EQ(html, render_html_report(tiny_input()));
}

}  // namespace
}  // namespace edgepart::report
