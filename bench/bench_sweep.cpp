// Sweep throughput (goal: 10,000 points x 1,000 requests of the default scenario in
// <= 60 s with -j 2). One iteration is a whole sweep run (run_sweep, as `edgepart sweep` does it,
// output discarded) of `points` points over the planning bandwidth, each planned with dpfp and
// simulated with 1,000 requests (the local baseline is reused across points, as in the command).
#include <benchmark/benchmark.h>

#include <string>

#include "edgepart/sweep/sweep.hpp"

namespace {

using namespace edgepart;

void BM_SweepDefault(benchmark::State& state) {
  const auto points = state.range(0), threads = state.range(1);
  sweep::SweepOptions o;
  o.scenario_path = std::string(EDGEPART_SOURCE_DIR) + "/scenarios/default.json";
  // From 101 Mbit/s up, DPFP distributes at every point (below ~10 Mbit/s it plans local, whose
  // simulation is 4x cheaper and would flatter the figure).
  o.axes.push_back(sweep::parse_axis("/network/bandwidth_mbps=101:" + std::to_string(100 + points) + ":1"));
  o.requests = 1000;
  o.threads = static_cast<int>(threads);
  size_t bytes = 0;
  for (auto _ : state) {
    sweep::SweepOutcome r = sweep::run_sweep(o, [&](std::string_view text) { bytes += text.size(); });
    benchmark::DoNotOptimize(r);
  }
  state.counters["points_per_s"] = benchmark::Counter(static_cast<double>(points * state.iterations()), benchmark::Counter::kIsRate);
  // Wall seconds a 10,000-point sweep would take at this rate.
  state.counters["s_per_10k_points"] =
      benchmark::Counter(static_cast<double>(points * state.iterations()) / 1e4, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SweepDefault)->Args({200, 1})->Args({200, 2})->Unit(benchmark::kSecond)->UseRealTime()->MeasureProcessCPUTime()->Iterations(1);

}  // namespace
