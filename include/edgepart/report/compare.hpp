#pragma once
// Regression checks (docs/design.md §1, §8: `edgepart check RESULT --baseline FILE`). Two results are
// compared metric by metric: simulate reports (edgepart.report, one row per strategy), plans
// (edgepart.plan, one row: the predicted figures) or sweep outputs (CSV or JSONL, rows keyed by
// the swept columns, the strategy and the seed). A latency that rose, or a speedup, reliability or
// throughput that fell, by more than the tolerance is a regression; the other direction is an
// improvement and does not fail. Rows or metrics of the baseline missing from the result are input
// errors (the two files do not describe the same experiment).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "edgepart/util/json_read.hpp"

namespace edgepart::report {

// A result file as rows of named values. Values are JSON scalars (number, string, bool, null).
struct ResultTable {
  enum class Kind { report, plan, rows };
  Kind kind = Kind::rows;
  std::string file;
  std::vector<std::string> key_columns;  // rows: the columns that identify a row, in file order
  struct Row {
    std::string key;                            // "strategy=dpfp, /network/bandwidth_mbps=10, seed=1"
    std::vector<std::pair<std::string, Json>> values;  // metric columns, in file order
    std::string where;                          // "line 3", "/strategies/1": for messages
  };
  std::vector<Row> rows;
};

// Reads a result file; the kind is told by the content: a JSON document with "format"
// edgepart.report or edgepart.plan, else JSON lines (the first non-blank character is '{'),
// else CSV with a header. InputError (exit 2) when malformed.
ResultTable load_result_table(const std::string& path);
ResultTable parse_result_table(const std::string& text, const std::string& file);

// Whether a rise of the metric is good or bad, from its name (docs/design.md §8 keys, flattened):
// latency_* and failed: lower is better; speedup*, reliability*, throughput*: higher is better;
// anything else has no direction (only compared under --strict or when named by --metric).
enum class Direction { lower_is_better, higher_is_better, none };
Direction metric_direction(const std::string& metric);

// A rows-file column is a key (identifies the row) when it is a swept JSON pointer ("/..."),
// "strategy" or "seed"; every other column is a value.
bool is_key_column(const std::string& column);

// Flattens one entry of a simulate report's strategies[] into named scalars, the column names of
// sweep outputs: {"latency_s": {"p99": x}} -> latency_p99_s (the unit suffix moves to the end),
// {"reliability": {"value": v, "ci_low": l}} -> reliability, reliability_ci_low; other nested
// objects join with '_'; arrays (per-device, per-link detail) and the "strategy" name are left
// out. Order: the stable keys of docs/design.md §8 first, in that order, then the rest sorted by name.
std::vector<std::pair<std::string, Json>> flatten_metrics(const Json& strategy_entry);

struct CheckOptions {
  double rtol = 0.05;  // relative tolerance, of the baseline's value
  double atol = 0;     // absolute tolerance (for metrics whose baseline is 0)
  // Metrics to compare (exact names, or a prefix ending in '*'); empty: every metric with a
  // direction. A metric named here without a direction fails when it moves either way.
  std::vector<std::string> metrics;
  // Every value of every column must agree within the tolerance, in either direction, and the
  // result may not hold rows the baseline has not (golden tests: --rtol 0 --strict).
  bool strict = false;
};

enum class Verdict { same, within, improved, regressed, changed };
std::string verdict_name(Verdict v);

struct MetricChange {
  std::string row, metric;
  Json baseline, result;
  double rel_change = 0;  // (result - baseline) / |baseline|; +-inf when the baseline is 0
  Verdict verdict = Verdict::same;
};

struct CheckResult {
  std::vector<MetricChange> changes;  // every compared value that differs, in row then column order
  int64_t rows = 0, compared = 0;
  int64_t regressions = 0, improvements = 0, changed = 0, within = 0;
  std::vector<std::string> notes;     // rows of the result the baseline does not have, ...
  // A regression, or (strict, or a --metric without direction) any change beyond the tolerance.
  bool failed() const { return regressions + changed > 0; }
};

// Compares; InputError when the files are of different kinds, a baseline row or metric is missing
// from the result, a --metric matches nothing, or (strict) the result has extra rows.
CheckResult check_results(const ResultTable& result, const ResultTable& baseline, const CheckOptions& options);

// A table of what moved (beyond the tolerance; `all` lists changes within it too) and a summary line.
std::string render_check(const CheckResult& check, const CheckOptions& options, bool all = false);
Json check_to_json(const CheckResult& check, const CheckOptions& options);

}  // namespace edgepart::report
