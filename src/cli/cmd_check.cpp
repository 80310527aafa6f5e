// `edgepart check RESULT --baseline FILE [--rtol X] [--atol X] [--metric M ...] [--strict]`:
// compares a simulate report, a plan or a sweep output with a committed baseline (docs/design.md §1, §8).
// Exit 0 within tolerance (improvements included), 3 on a regression, 2 when the files cannot be
// compared (malformed, different kinds, a baseline row or metric missing from the result).
#include "commands.hpp"
#include "common.hpp"
#include "edgepart/report/compare.hpp"
#include "edgepart/util/strings.hpp"

#include <spdlog/spdlog.h>

namespace edgepart::cli {

namespace {

struct CheckCliOptions {
  std::string result, baseline;
  report::CheckOptions check;
  std::vector<std::string> metrics;
  bool all = false;
  OutputOptions out;
};

// Exit code of a regression (docs/design.md §8).
constexpr int kExitRegression = 3;

int run_check(CheckCliOptions& o) {
  for (const auto& m : o.metrics) {
    // --metric a,b and --metric a --metric b both work.
    size_t start = 0;
    while (start <= m.size()) {
      size_t comma = m.find(',', start);
      if (comma == std::string::npos) comma = m.size();
      if (comma > start) o.check.metrics.push_back(m.substr(start, comma - start));
      start = comma + 1;
    }
  }
  report::ResultTable result = report::load_result_table(o.result);
  report::ResultTable baseline = report::load_result_table(o.baseline);
  report::CheckResult c = report::check_results(result, baseline, o.check);
  // Tables go to stdout even when it is not a terminal: CI logs are where they are read.
  if (o.out.format == "json") emit(o.out, report::check_to_json(c, o.check).dump(2) + "\n", {o.result, o.baseline});
  else emit(o.out, report::render_check(c, o.check, o.all), {o.result, o.baseline});
  if (c.failed()) {
    spdlog::error("{} regressed, {} changed beyond the tolerance (rtol {}) against {}", c.regressions, c.changed,
                  format_number(o.check.rtol), o.baseline);
    return kExitRegression;
  }
  return 0;
}

}  // namespace

Command add_check_command(CLI::App& root) {
  auto o = std::make_shared<CheckCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "check", "Compare a report, plan or sweep output with a baseline; exit 3 on a regression");
  cmd->footer(
      "A latency that rose, or a speedup, reliability or throughput that fell, by more than\n"
      "max(atol, rtol * |baseline|) is a regression (exit 3); improvements are listed and pass.\n"
      "Rows are matched by strategy (reports) or by the swept columns, strategy and seed (sweeps);\n"
      "a baseline row or metric missing from the result is an error (exit 2).\n\n"
      "Examples:\n"
      "  edgepart check report.json --baseline tests/golden/default/simulate.json --rtol 0.05\n"
      "  edgepart check sweep.csv --baseline baseline.csv --metric latency_p99_s,reliability\n"
      "  edgepart check new.json --baseline old.json --rtol 0 --strict     # every value, both ways");
  cmd->add_option("result", o->result, "The new result (simulate --format json, plan JSON, sweep CSV or JSONL)")->required();
  cmd->add_option("--baseline", o->baseline, "The reference to compare with (same kind of file)")->required();
  cmd->add_option("--rtol", o->check.rtol, "Relative tolerance, of the baseline value")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--atol", o->check.atol, "Absolute tolerance (for metrics whose baseline is 0)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--metric", o->metrics,
                  "Only these metrics (names like latency_p99_s, or a prefix like 'latency_*'; comma-separated or "
                  "repeated). A metric without a direction fails when it moves either way");
  cmd->add_flag("--strict", o->check.strict,
                "Every value must agree within the tolerance, in either direction; no extra rows (golden tests)");
  cmd->add_flag("--all", o->all, "Also list the values that moved within the tolerance");
  cmd->add_option("--format", o->out.format, "Output format")->check(CLI::IsMember({"table", "json"}))->default_val("table");
  cmd->add_option("-o,--output", o->out.output, "Write the table to FILE ('-' = stdout)");
  return {cmd, [o] { return run_check(*o); }};
}

}  // namespace edgepart::cli
