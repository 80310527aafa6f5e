// The simulate report: percentile and interval definitions against published examples, speedup,
// monotone reliability, deterministic JSON, and a valid Chrome trace.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "edgepart/report/chrome_trace.hpp"
#include "edgepart/report/summary.hpp"
#include "edgepart/report/table.hpp"

namespace edgepart::report {
namespace {

TEST(Percentile, NearestRankWikipediaExample) {
  // Wikipedia "Percentile", nearest-rank method: for {15, 20, 35, 40, 50} the 5th, 30th, 40th,
  // 50th and 100th percentiles are 15, 20, 20, 35 and 50.
  std::vector<double> v = {15, 20, 35, 40, 50};
  EXPECT_EQ(percentile_nearest_rank(v, 5), 15);
  EXPECT_EQ(percentile_nearest_rank(v, 30), 20);
  EXPECT_EQ(percentile_nearest_rank(v, 40), 20);
  EXPECT_EQ(percentile_nearest_rank(v, 50), 35);
  EXPECT_EQ(percentile_nearest_rank(v, 100), 50);
}

TEST(Percentile, RanksOfOneToHundred) {
  // 1..100: the p-th percentile is p itself (rank ceil(p/100 * 100) = p), including p = 95 and
  // 99, where p/100 * n is not exact in binary floating point.
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  for (int p : {1, 50, 95, 99, 100}) EXPECT_EQ(percentile_nearest_rank(v, p), p);
  // 1..20: p95 -> rank 19, p99 -> rank ceil(19.8) = 20.
  v.resize(20);
  EXPECT_EQ(percentile_nearest_rank(v, 95), 19);
  EXPECT_EQ(percentile_nearest_rank(v, 99), 20);
}

TEST(Wilson, EightOfTen) {
  // k = 8, n = 10, z = 1.96: centre (0.8 + 0.19208)/1.38416 = 0.716738, half-width
  // 1.96 sqrt(0.016 + 0.009604)/1.38416 = 0.226581 -> [0.490157, 0.943319].
  auto w = wilson_interval(8, 10, 1.96);
  EXPECT_DOUBLE_EQ(w.value, 0.8);
  EXPECT_NEAR(w.ci_low, 0.490157, 1e-6);
  EXPECT_NEAR(w.ci_high, 0.943319, 1e-6);
  // All successes: the upper end is 1, the lower end n/(n + z^2) = 10/13.8416 = 0.722460.
  auto all = wilson_interval(10, 10, 1.96);
  EXPECT_NEAR(all.ci_high, 1.0, 1e-12);
  EXPECT_NEAR(all.ci_low, 10 / (10 + 1.96 * 1.96), 1e-12);
  // No successes: the lower end is exactly 0 (centre == half-width in exact arithmetic), the
  // upper end z^2/(n + z^2) = 3.8416/13.8416 = 0.277540.
  auto none = wilson_interval(0, 10, 1.96);
  EXPECT_EQ(none.ci_low, 0.0);
  EXPECT_NEAR(none.ci_high, 3.8416 / 13.8416, 1e-12);
  EXPECT_EQ(all.ci_high, 1.0);
}

sim::SimResult fake_result(const std::vector<double>& latencies, const std::vector<bool>& failed) {
  sim::SimResult r;
  for (size_t i = 0; i < latencies.size(); ++i) {
    sim::RequestRecord q;
    q.id = static_cast<int64_t>(i);
    q.arrival_s = static_cast<double>(i);
    q.done_s = q.arrival_s + latencies[i];
    q.failed = failed[i];
    r.requests.push_back(q);
  }
  r.devices.resize(1);
  r.devices[0].busy_s = 2;
  return r;
}

scenario::Scenario one_device() {
  scenario::Scenario s;
  scenario::Device d;
  d.name = "dev";
  d.speed_gflops = 1;
  d.is_source = true;
  d.power_busy_w = 10;
  d.power_idle_w = 1;
  s.devices.push_back(d);
  return s;
}

TEST(Summary, StatisticsSpeedupEnergy) {
  // Latencies 0.1, 0.2, 0.3, 0.4 and one failed request.
  auto r = fake_result({0.1, 0.2, 0.3, 0.4, 9}, {false, false, false, false, true});
  auto s = one_device();
  s.workload.deadline_s = 0.25;
  plan::Plan p;
  auto sum = summarize("x", r, s, p);
  EXPECT_EQ(sum.requests, 5);
  EXPECT_EQ(sum.failed, 1);
  ASSERT_TRUE(sum.latency_s);
  EXPECT_NEAR(sum.latency_s->mean, 0.25, 1e-15);
  EXPECT_NEAR(sum.latency_s->p50, 0.2, 1e-15);  // rank ceil(0.5 * 4) = 2
  EXPECT_NEAR(sum.latency_s->max, 0.4, 1e-15);
  // Met the deadline: 0.1 and 0.2 -> 2 of 5 (the failed one counts as a miss).
  EXPECT_DOUBLE_EQ(sum.reliability.value, 0.4);
  // Makespan: first arrival 0, last completion 4 + 9 = 13 s; 4 completed -> 4/13 req/s.
  EXPECT_NEAR(sum.throughput_rps, 4.0 / 13.0, 1e-15);
  // Energy: 10 W x 2 s busy + 1 W x 11 s idle = 31 J.
  ASSERT_TRUE(sum.energy_j);
  EXPECT_NEAR(*sum.energy_j, 31.0, 1e-12);
  // Speedup against a local mean of 0.5 s: 2x, 50 % lower.
  auto local = summarize("local", fake_result({0.5, 0.5}, {false, false}), s, p);
  set_speedup(sum, local);
  EXPECT_NEAR(*sum.speedup, 2.0, 1e-15);
  EXPECT_NEAR(*sum.reduction_pct, 50.0, 1e-12);
}

TEST(Summary, ReliabilityNeverFallsAsTheDeadlineRises) {
  std::vector<double> lat;
  std::vector<bool> failed;
  uint64_t x = 99;
  for (int i = 0; i < 500; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    lat.push_back(static_cast<double>(x >> 40) / static_cast<double>(1ULL << 24));
    failed.push_back(i % 37 == 0);
  }
  auto r = fake_result(lat, failed);
  auto s = one_device();
  plan::Plan p;
  double prev_value = -1, prev_low = -1, prev_high = -1;
  for (double d = 0; d <= 1.2; d += 0.01) {
    s.workload.deadline_s = d;
    auto sum = summarize("x", r, s, p);
    EXPECT_GE(sum.reliability.value, prev_value);
    EXPECT_GE(sum.reliability.ci_low, prev_low);
    EXPECT_GE(sum.reliability.ci_high, prev_high);
    prev_value = sum.reliability.value;
    prev_low = sum.reliability.ci_low;
    prev_high = sum.reliability.ci_high;
  }
  EXPECT_NEAR(prev_value, 1.0 - 14.0 / 500.0, 1e-12);  // only the failed ones (i % 37 == 0) miss
}

TEST(Summary, JsonHasStableKeysAndIsDeterministic) {
  auto r = fake_result({0.1, 0.2}, {false, false});
  auto s = one_device();
  plan::Plan p;
  Report rep;
  rep.scenario = "t";
  rep.strategies.push_back(summarize("x", r, s, p));
  Json j = report_to_json(rep);
  EXPECT_EQ(j.dump(2), report_to_json(rep).dump(2));
  const Json& st = j.at("strategies").at(0);
  for (const char* k : {"strategy", "latency_s", "speedup", "reliability", "deadline_s", "requests", "failed",
                        "throughput_rps", "bytes_sent"})
    EXPECT_TRUE(st.contains(k)) << k;
  for (const char* k : {"mean", "p50", "p95", "p99", "max"}) EXPECT_TRUE(st.at("latency_s").contains(k)) << k;
  for (const char* k : {"value", "ci_low", "ci_high"}) EXPECT_TRUE(st.at("reliability").contains(k)) << k;
}

TEST(Summary, NoRatioOfLatenciesBelowTheTimeResolution) {
  // 2 ms against local's 1 ms: speedup 1/2 = 0.5, 1 - 2/1 = -100 %.
  auto slower = compare_with_local(1e-3, 2e-3);
  ASSERT_TRUE(slower);
  EXPECT_DOUBLE_EQ(slower->speedup, 0.5);
  EXPECT_DOUBLE_EQ(slower->reduction_pct, -100.0);
  // A local latency of 1e-19 s (a model of almost no FLOPs) is below 1 ns: no ratio, instead of
  // a "speedup" of 5e-17 and a change of -2e18 %.
  EXPECT_FALSE(compare_with_local(1e-19, 5e-3));
  EXPECT_FALSE(compare_with_local(5e-3, 0.0));
  EXPECT_TRUE(compare_with_local(1e-9, 1e-9));  // exactly 1 ns is resolved
  // The same rule behind set_speedup: a local mean of 0 leaves the speedup empty (was -inf %).
  auto s = one_device();
  plan::Plan p;
  auto sum = summarize("x", fake_result({0.1}, {false}), s, p);
  set_speedup(sum, summarize("local", fake_result({0.0}, {false}), s, p));
  EXPECT_FALSE(sum.speedup);
  EXPECT_FALSE(sum.reduction_pct);
}

TEST(Summary, TableNeverPrintsNegativeZeroOrAZeroSpeedup) {
  EXPECT_EQ(fixed_text(-0.04, 1), "0.0");  // printf gives "-0.0"
  EXPECT_EQ(fixed_text(-0.0, 2), "0.00");
  EXPECT_EQ(fixed_text(-0.06, 1), "-0.1");
  EXPECT_EQ(fixed_text(12.345, 1), "12.3");
  EXPECT_EQ(ratio_text(1.526), "1.53x");
  EXPECT_EQ(ratio_text(0.000412), "0.00041x");  // not "0.00x"
  // A strategy 0.3 % slower than local by 0.4 ms in 120 ms: 1 - 120.4/120 = -0.333 % -> "-0.3%";
  // 0.04 ms slower: -0.0333 % -> "0.0%", not "-0.0%".
  auto s = one_device();
  plan::Plan p;
  auto local = summarize("local", fake_result({0.120}, {false}), s, p);
  Report rep;
  rep.scenario = "t";
  rep.requests = 1;
  for (double lat : {0.12004, 0.1204}) {
    rep.strategies.push_back(summarize("x", fake_result({lat}, {false}), s, p));
    set_speedup(rep.strategies.back(), local);
  }
  const std::string table = report_to_table(rep);
  EXPECT_EQ(table.find("-0.0%"), std::string::npos) << table;
  EXPECT_NE(table.find("  0.0%"), std::string::npos) << table;
  EXPECT_NE(table.find("-0.3%"), std::string::npos) << table;
}

TEST(Summary, TableShowsNoIntervalForNoRequests) {
  auto s = one_device();
  plan::Plan p;
  Report rep;
  rep.strategies.push_back(summarize("x", fake_result({}, {}), s, p));
  const std::string table = report_to_table(rep);
  EXPECT_EQ(table.find("[0.000, 0.000]"), std::string::npos) << table;
}

TEST(Summary, LoadNamesTheBusiestResource) {
  // 10 requests arriving every 0.5 s from 2 sources: lambda = 2 x 2 = 4/s, 0.4 per busy second
  // per request. The device was busy 2 s (0.8), the uplink of dev 2.5 s (1.0), the downlink
  // 1 s (0.4): the uplink is the bottleneck and at exactly 1 the run is overloaded.
  auto r = fake_result(std::vector<double>(10, 0.1), std::vector<bool>(10, false));
  r.stats.uplink_busy_s = {2.5};
  r.stats.downlink_busy_s = {1.0};
  auto s = one_device();
  s.workload.arrival = scenario::Arrival::periodic;
  s.workload.period_s = 0.5;
  s.workload.sources = {"dev", "dev"};
  auto load = load_of(r, s);
  ASSERT_TRUE(load);
  EXPECT_EQ(load->bottleneck, "uplink of dev");
  EXPECT_NEAR(load->utilisation, 1.0, 1e-12);
  EXPECT_TRUE(load->overloaded());
  // A shared medium busy 3 s: 1.2, the network is the bottleneck.
  r.stats.medium_busy_s = 3.0;
  load = load_of(r, s);
  EXPECT_EQ(load->bottleneck, "network (shared medium)");
  EXPECT_NEAR(load->utilisation, 1.2, 1e-12);
  // Poisson at 0.5/s from one source: the device's 2 s over 10 requests -> 0.1.
  r.stats = {};
  s.workload.sources.clear();
  s.workload.arrival = scenario::Arrival::poisson;
  s.workload.rate_rps = 0.5;
  load = load_of(r, s);
  EXPECT_EQ(load->bottleneck, "device dev");
  EXPECT_NEAR(load->utilisation, 0.1, 1e-12);
  EXPECT_FALSE(load->overloaded());
  s.workload.arrival = scenario::Arrival::closed;
  EXPECT_FALSE(load_of(r, s));
}

TEST(ChromeTrace, ValidEventsAndRequestsNest) {
  ChromeTrace t({"a", "b"});
  plan::Task task;
  task.name = "t0";
  // Request 0: [0, 0.3] with a task on a in [0, 0.1] and a transfer a->b in [0.1, 0.3].
  t.on_task_end(sim::TaskSpan{0, 0, &task, 0, 0.0, 0.1});
  t.on_transfer_end(sim::TransferSpan{0, 1, nullptr, 0, 1, 1000, 0.1, 0.3});
  sim::RequestRecord r0;
  r0.id = 0;
  r0.arrival_s = 0;
  r0.done_s = 0.3;
  t.on_request_done(r0);
  // Request 1 overlaps request 0 in time: it must go to another lane.
  t.on_task_end(sim::TaskSpan{1, 0, &task, 1, 0.2, 0.25});
  sim::RequestRecord r1;
  r1.id = 1;
  r1.arrival_s = 0.2;
  r1.done_s = 0.25;
  t.on_request_done(r1);
  Json j = Json::parse(t.to_json().dump());
  std::map<int64_t, std::pair<double, double>> req;
  std::map<int64_t, int> lane;
  std::vector<Json> spans;
  for (const auto& e : j.at("traceEvents")) {
    ASSERT_TRUE(e.contains("ph") && e.contains("pid") && e.contains("tid") && e.contains("name"));
    if (e.at("ph") == "M") continue;
    ASSERT_EQ(e.at("ph"), "X");
    ASSERT_TRUE(e.contains("ts") && e.contains("dur"));
    ASSERT_GE(e.at("dur").get<double>(), 0.0);
    int64_t id = e.at("args").at("request").get<int64_t>();
    double ts = e.at("ts").get<double>(), end = ts + e.at("dur").get<double>();
    if (e.at("pid") == 3) {
      req[id] = {ts, end};
      lane[id] = e.at("tid").get<int>();
    } else {
      spans.push_back(e);
    }
  }
  ASSERT_EQ(req.size(), 2u);
  EXPECT_NE(lane[0], lane[1]);
  EXPECT_EQ(req[0].second, 300000.0);  // 0.3 s in microseconds
  for (const auto& e : spans) {
    int64_t id = e.at("args").at("request").get<int64_t>();
    double ts = e.at("ts").get<double>(), end = ts + e.at("dur").get<double>();
    EXPECT_GE(ts, req[id].first);
    EXPECT_LE(end, req[id].second);
  }
}

}  // namespace
}  // namespace edgepart::report
