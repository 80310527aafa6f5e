#pragma once
// Measuring a model's per-layer profile with the Eigen reference executor (`edgepart profile`,
// docs/timing.md "Measured profiles"). Its own module (profiler: exec + timing) so that `timing`,
// which the planner and simulator link, does not pull in the executor and Eigen.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/timing/profile.hpp"

namespace edgepart::profiler {

// One height of the list `--heights`: the whole map, a fraction 1/k of it (ceil(H/k) rows: the
// tallest strip of an even k-way split), or a fixed number of rows (clamped to H).
struct HeightSpec {
  enum class Kind { all, fraction, rows } kind = Kind::all;
  int64_t value = 0;  // k for fraction, the rows for rows
};

// "all,1/2,1/4,1/8,1" -> specs; InputError(where = `option`) when malformed.
std::vector<HeightSpec> parse_heights(const std::string& text, const std::string& option);
// The distinct heights of a map of `height` rows, ascending.
std::vector<int64_t> resolve_heights(const std::vector<HeightSpec>& specs, int64_t height);

struct MeasureOptions {
  int64_t runs = 21;    // timed runs per point
  int64_t warmup = 3;   // untimed runs before them
  std::vector<HeightSpec> heights;  // default: all,1/2,1/4,1/8,1
  model::LayerIndex first = 0, last = -1;  // the layers measured; last -1 = the model's last
  // A point whose warm-up shows that `runs` runs would take longer than this gets fewer runs
  // (at least kMinRuns); <= 0: no limit.
  double max_seconds_per_point = 2.0;
  uint64_t seed = 1;        // weights and input values
  std::string runtime;      // measured_on.runtime, e.g. "edgepart-eigen 0.1.0 (Eigen 3.4.0)"
  // false: wall-clock time (std::chrono::steady_clock: what a dedicated device sees); true: the
  // thread's CPU time (CLOCK_THREAD_CPUTIME_ID), which leaves out the time other processes hold
  // the CPU (and, on a KVM guest with steal accounting, time the hypervisor gave other guests),
  // so that a profile taken on a shared machine is still the layer's own cost.
  bool cpu_clock = false;
  // Called after each layer (progress on stderr); may be empty.
  std::function<void(const timing::LayerProfile&)> on_layer;
};

// At least this many timed runs per point, whatever max_seconds_per_point says (a median of
// fewer is one sample's noise).
inline constexpr int64_t kMinRuns = 3;

// Measures every layer of [first, last] alone at each height (output rows [0, h-1], the whole
// width), from an input crop of exactly the region it reads (rf::input_regions), filled with
// seeded values. Single-threaded.
timing::Profile measure_profile(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis,
                                const MeasureOptions& options);

// The runtime's description: "Eigen a.b.c" and whether Eigen may use threads.
std::string eigen_version();
// /proc/cpuinfo's first "model name", or "unknown".
std::string cpu_model();
std::string host_name();

}  // namespace edgepart::profiler
