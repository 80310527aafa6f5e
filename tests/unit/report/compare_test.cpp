// check's comparison logic (docs/design.md §8): parsing of the three result kinds, flattening of report
// entries into sweep column names, verdicts against the tolerance. Expected verdicts follow from
// the definition: regression when (result - baseline) exceeds max(atol, rtol*|baseline|) in the
// bad direction of the metric.
#include <gtest/gtest.h>

#include "edgepart/report/compare.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::report {
namespace {

std::string report_text(double latency_scale, bool with_modnn = true, double reliability = 0.9) {
  Json doc = Json::object();
  doc["format"] = "edgepart.report";
  doc["version"] = 1;
  Json list = Json::array();
  auto entry = [&](const std::string& name, double mean_s) {
    Json e = Json::object();
    e["strategy"] = name;
    e["latency_s"] = {{"mean", mean_s * latency_scale}, {"p50", mean_s * latency_scale}, {"p95", 1.5 * mean_s * latency_scale},
                      {"p99", 2 * mean_s * latency_scale}, {"max", 3 * mean_s * latency_scale}};
    e["speedup"] = 2.0;
    e["reliability"] = {{"value", reliability}, {"ci_low", 0.8}, {"ci_high", 0.95}};
    e["throughput_rps"] = 10.0;
    e["bytes_sent"] = 1000;
    e["devices"] = Json::array({Json::object({{"busy_s", 1.0}})});
    return e;
  };
  list.push_back(entry("dpfp", 0.1));
  if (with_modnn) list.push_back(entry("modnn", 0.2));
  doc["strategies"] = list;
  return doc.dump(2);
}

TEST(Flatten, UnitSuffixMovesToTheEndAndValueCollapses) {
  Json e = Json::parse(R"({"strategy":"x","latency_s":{"mean":1,"p99":2},"reliability":{"value":0.5,"ci_low":0.4},
                           "energy":{"total_j":3},"devices":[{"busy_s":1}],"speedup":2})");
  auto flat = flatten_metrics(e);
  std::vector<std::string> names;
  for (const auto& [n, v] : flat) names.push_back(n);
  // Stable §8 keys first in §8 order (mean, p99, speedup, reliability, ci_low), then the rest by name;
  // the array "devices" and the key "strategy" are left out.
  EXPECT_EQ(names, (std::vector<std::string>{"latency_mean_s", "latency_p99_s", "speedup", "reliability",
                                             "reliability_ci_low", "energy_total_j"}));
}

TEST(Directions, FromTheMetricName) {
  EXPECT_EQ(metric_direction("latency_p99_s"), Direction::lower_is_better);
  EXPECT_EQ(metric_direction("predicted_latency_s"), Direction::lower_is_better);
  EXPECT_EQ(metric_direction("failed"), Direction::lower_is_better);
  EXPECT_EQ(metric_direction("speedup"), Direction::higher_is_better);
  EXPECT_EQ(metric_direction("reliability_ci_low"), Direction::higher_is_better);
  EXPECT_EQ(metric_direction("throughput_rps"), Direction::higher_is_better);
  EXPECT_EQ(metric_direction("bytes_sent"), Direction::none);
}

TEST(Check, IdenticalReportsPass) {
  auto a = parse_result_table(report_text(1.0), "a.json");
  auto b = parse_result_table(report_text(1.0), "b.json");
  EXPECT_EQ(a.kind, ResultTable::Kind::report);
  ASSERT_EQ(a.rows.size(), 2u);
  auto c = check_results(a, b, CheckOptions{});
  EXPECT_FALSE(c.failed());
  EXPECT_EQ(c.rows, 2);
  // Per row: 5 latencies + speedup + 3 reliability figures + throughput = 10 directional values.
  EXPECT_EQ(c.compared, 20);
  EXPECT_TRUE(c.changes.empty());
}

TEST(Check, BaselineTenPercentLowerIsARegressionAtFivePercent) {
  // Baseline latencies = 0.9 x result: result - baseline = 0.1 r > 0.05 * 0.9 r = 0.045 r.
  auto result = parse_result_table(report_text(1.0), "r.json");
  auto baseline = parse_result_table(report_text(0.9), "b.json");
  CheckOptions o;
  o.rtol = 0.05;
  auto c = check_results(result, baseline, o);
  EXPECT_TRUE(c.failed());
  EXPECT_EQ(c.regressions, 10);  // 5 latencies x 2 strategies
  EXPECT_EQ(c.improvements, 0);
  // Relative change (1 - 0.9)/0.9 = +11.1 %.
  EXPECT_NEAR(c.changes.front().rel_change, 0.1 / 0.9, 1e-12);
  // At rtol 0.12 (> 11.1 %) the same files pass.
  o.rtol = 0.12;
  EXPECT_FALSE(check_results(result, baseline, o).failed());
}

TEST(Check, ImprovementsPass) {
  // Result latencies 10 % lower than the baseline's and reliability higher: improvements only.
  auto result = parse_result_table(report_text(0.9, true, 0.99), "r.json");
  auto baseline = parse_result_table(report_text(1.0, true, 0.9), "b.json");
  auto c = check_results(result, baseline, CheckOptions{});
  EXPECT_FALSE(c.failed());
  EXPECT_EQ(c.improvements, 12);  // 5 latencies + reliability, x 2
  EXPECT_EQ(c.regressions, 0);
  // Under --strict any move beyond the tolerance fails.
  CheckOptions strict;
  strict.strict = true;
  strict.rtol = 0;
  EXPECT_TRUE(check_results(result, baseline, strict).failed());
}

TEST(Check, ReliabilityDropIsARegression) {
  auto result = parse_result_table(report_text(1.0, true, 0.8), "r.json");
  auto baseline = parse_result_table(report_text(1.0, true, 0.9), "b.json");
  auto c = check_results(result, baseline, CheckOptions{});
  EXPECT_EQ(c.regressions, 2);  // (0.8-0.9)/0.9 = -11 % < -5 %, both strategies
}

TEST(Check, MissingStrategyIsAClearInputError) {
  auto result = parse_result_table(report_text(1.0, false), "r.json");
  auto baseline = parse_result_table(report_text(1.0, true), "b.json");
  try {
    check_results(result, baseline, CheckOptions{});
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "r.json");
    EXPECT_NE(std::string(e.what()).find("no row for strategy=modnn"), std::string::npos) << e.what();
  }
  // The other way round (a strategy only in the result) is a note, not a failure.
  auto c = check_results(baseline, result, CheckOptions{});
  EXPECT_FALSE(c.failed());
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_NE(c.notes[0].find("strategy=modnn"), std::string::npos);
}

TEST(Check, CsvRowsMatchByKeyColumnsWhateverTheOrder) {
  const std::string base =
      "/network/bandwidth_mbps,strategy,seed,latency_mean_s,bytes_sent\n"
      "10,dpfp,1,0.5,100\n"
      "20,dpfp,1,0.25,100\n";
  const std::string res =
      "/network/bandwidth_mbps,strategy,seed,latency_mean_s,bytes_sent\n"
      "20,dpfp,1,0.25,100\n"
      "10,dpfp,1,0.6,999\n";  // +20 % latency; bytes have no direction: ignored unless strict
  auto b = parse_result_table(base, "b.csv");
  auto r = parse_result_table(res, "r.csv");
  EXPECT_EQ(b.key_columns, (std::vector<std::string>{"/network/bandwidth_mbps", "strategy", "seed"}));
  auto c = check_results(r, b, CheckOptions{});
  EXPECT_EQ(c.regressions, 1);
  EXPECT_EQ(c.compared, 2);
  ASSERT_EQ(c.changes.size(), 1u);
  EXPECT_EQ(c.changes[0].row, "/network/bandwidth_mbps=10, strategy=dpfp, seed=1");
  // Naming bytes_sent makes it compared (both ways).
  CheckOptions o;
  o.metrics = {"bytes_*"};
  auto c2 = check_results(r, b, o);
  EXPECT_EQ(c2.changed, 1);
  EXPECT_EQ(c2.regressions, 0);
}

TEST(Check, JsonLinesAndCsvKeysAgree) {
  const std::string jsonl =
      "{\"/n\": 10, \"strategy\": \"dpfp\", \"seed\": 1, \"latency_mean_s\": 0.5}\n"
      "\n"
      "{\"/n\": 20, \"strategy\": \"dpfp\", \"seed\": 1, \"latency_mean_s\": 0.25}\n";
  auto t = parse_result_table(jsonl, "r.jsonl");
  EXPECT_EQ(t.kind, ResultTable::Kind::rows);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[1].key, "/n=20, seed=1, strategy=dpfp");  // object keys come sorted
  EXPECT_EQ(t.rows[1].where, "line 3");
}

TEST(Check, ZeroBaselineNeedsAtol) {
  auto b = parse_result_table("strategy,failed\nx,0\n", "b.csv");
  auto r = parse_result_table("strategy,failed\nx,1\n", "r.csv");
  EXPECT_EQ(check_results(r, b, CheckOptions{}).regressions, 1);
  CheckOptions o;
  o.atol = 1;
  EXPECT_EQ(check_results(r, b, o).regressions, 0);
}

TEST(Check, MalformedInputs) {
  EXPECT_THROW(parse_result_table("", "e.csv"), InputError);
  EXPECT_THROW(parse_result_table("a,b\n1,2,3\n", "x.csv"), InputError);        // field count
  EXPECT_THROW(parse_result_table("strategy,x\nq,1\nq,2\n", "d.csv"), InputError);  // duplicate row
  EXPECT_THROW(parse_result_table("a,\"b\n", "q.csv"), InputError);             // unterminated quote
  EXPECT_THROW(parse_result_table("{\"format\":\"edgepart.model\"}", "m.json"), InputError);
  EXPECT_THROW(parse_result_table("{\"a\":1}\n{oops\n", "j.jsonl"), InputError);
  // A report against sweep rows.
  auto rep = parse_result_table(report_text(1), "r.json");
  auto rows = parse_result_table("strategy,latency_mean_s\ndpfp,1\n", "b.csv");
  EXPECT_THROW(check_results(rep, rows, CheckOptions{}), InputError);
  // A --metric that matches nothing would make the check vacuous.
  CheckOptions o;
  o.metrics = {"latency_p999_s"};
  EXPECT_THROW(check_results(rep, rep, o), InputError);
}

TEST(Check, PlansCompareTheirPredictedFigures) {
  auto plan = [](double latency_s) {
    return "{\"format\": \"edgepart.plan\", \"version\": 1, \"strategy\": \"dpfp\", \"stages\": [],"
           " \"predicted\": {\"latency_s\": " + std::to_string(latency_s) + ", \"bytes_sent\": 100}}";
  };
  auto base = parse_result_table(plan(0.5), "b.json");
  EXPECT_EQ(base.kind, ResultTable::Kind::plan);
  ASSERT_EQ(base.rows.size(), 1u);
  EXPECT_EQ(base.rows[0].key, "strategy=dpfp");
  // 0.56 against 0.5: +12 % > 5 %, a regression of predicted_latency_s.
  auto c = check_results(parse_result_table(plan(0.56), "r.json"), base, CheckOptions{});
  ASSERT_EQ(c.regressions, 1);
  EXPECT_EQ(c.changes[0].metric, "predicted_latency_s");
}

TEST(Check, QuotedCsvFields) {
  auto t = parse_result_table("/x,strategy,note\n\"[1,2]\",a,\"say \"\"hi\"\"\"\r\n", "q.csv");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].key, "/x=[1,2], strategy=a");
  EXPECT_EQ(t.rows[0].values[0].second, Json("say \"hi\""));
}

}  // namespace
}  // namespace edgepart::report
