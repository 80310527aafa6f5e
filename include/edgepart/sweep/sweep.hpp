#pragma once
// Parameter sweeps (docs/design.md §1, §8 `sweep`): the Cartesian product of `--set /ptr=...` axes (the
// first axis varies slowest) x strategies x seeds, one row each, with the swept values as columns
// named by their pointer and the simulate report's metrics flattened (latency_mean_s, ...,
// speedup, reliability, ...). Every point is independent: the scenario document is read once,
// each point applies its overrides to a copy, parses it strictly, plans and simulates.
//
// Rows come out in point order whatever the number of threads, and a shard K/N is the K-th of N
// contiguous blocks of points, so the outputs of shards 1..N concatenated (`cat`) equal the
// unsharded output byte for byte (the CSV header is written by shard 1 only).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgepart/plan/plan.hpp"
#include "edgepart/scenario/scenario.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/util/json_read.hpp"

namespace edgepart::sweep {

// One swept parameter: a JSON pointer into the scenario and its values in order.
struct Axis {
  std::string pointer;
  std::vector<Json> values;
};

// Parses "/ptr=a:b:step" (a range, inclusive of b when it lands on a step: n = floor((b-a)/step
// + 1e-9) + 1 values a + i*step, counted by integer i so that no error accumulates; integers when
// a, b and step are all integers) or "/ptr=v1,v2,..." (commas inside brackets, braces or quotes
// do not split; each value is JSON when it parses as JSON, else a string, as for --set).
// InputError("", "--set ...", why) when malformed.
Axis parse_axis(const std::string& spec);

// The value as a CSV cell: strings bare, everything else as compact JSON.
std::string cell_text(const Json& value);

// The points of the product, first axis slowest.
class Grid {
public:
  explicit Grid(std::vector<Axis> axes);
  // Number of points (1 when there are no axes); InputError when it overflows 64 bits.
  uint64_t size() const { return size_; }
  const std::vector<Axis>& axes() const { return axes_; }
  // The value index on every axis of point `p` (p < size()).
  std::vector<size_t> indices(uint64_t p) const;

private:
  std::vector<Axis> axes_;
  uint64_t size_ = 1;
};

// Shard k of n (1-based): the contiguous block [floor((k-1) P / n), floor(k P / n)) of P points.
struct PointRange {
  uint64_t begin = 0, end = 0;
};
PointRange shard_range(uint64_t points, int k, int n);
// Parses "K/N" (1 <= K <= N); InputError naming --shard otherwise.
std::pair<int, int> parse_shard(const std::string& text);

enum class RowFormat { csv, jsonl };

// The metric columns of every row, in order (fixed, so that every shard writes the same columns):
// the flattened simulate keys (report::flatten_metrics), then "note" (why a row has no figures).
const std::vector<std::string>& metric_columns();

// A strategy outside the registry (one written in Python, pipeline/external.hpp): the plan for a
// point's scenario and planning request. Called from the worker threads, concurrently; its
// InputError stops the sweep (a broken plan is the strategy's bug, not a point without figures).
using ExternalStrategy = std::function<plan::Plan(const scenario::Scenario&, const strategy::PlanRequest&)>;

struct SweepOptions {
  std::string scenario_path;
  std::vector<Axis> axes;
  // Strategy names in row order: built-in ones (or "all", alone among the built-ins, for every
  // applicable one, in registry order) and names of `external`; empty: the scenario's own (per point).
  std::vector<std::string> strategies;
  std::map<std::string, ExternalStrategy> external;
  int seeds = 1;                  // seeds first_seed, first_seed + 1, ...
  std::optional<uint64_t> first_seed;  // default: the scenario's seed (per point)
  int64_t requests = -1;          // -1: the scenario's workload
  int threads = 1;
  int shard_k = 1, shard_n = 1;
  RowFormat format = RowFormat::csv;
  uint64_t max_points = 10'000'000;  // a typo in a range should not start a week-long run
};

struct SweepProgress {
  uint64_t done = 0, total = 0;  // points of this shard
};

struct SweepOutcome {
  uint64_t points_written = 0;  // points whose rows were passed to `write`, from the shard's first
  uint64_t points_total = 0;
  uint64_t rows_written = 0;
  bool interrupted = false;
  int64_t simulations = 0;       // simulator runs (the local baseline is reused where it cannot differ)
  int64_t baseline_reuses = 0;
};

// Runs the shard of the sweep. `write` receives text in output order (the header first, when this
// shard writes one, then each point's rows, a point at a time) from the calling thread; `progress`
// (may be empty) is called from the calling thread after each written point. When *stop becomes
// true, no new point is started, the points finished in order are written, and the outcome says
// interrupted. InputError (exit 2) for bad options, a scenario invalid at some point (the message
// names the point's values) or too many points.
SweepOutcome run_sweep(const SweepOptions& options, const std::function<void(std::string_view)>& write,
                       const std::function<void(const SweepProgress&)>& progress = {},
                       const std::atomic<bool>* stop = nullptr);

}  // namespace edgepart::sweep
