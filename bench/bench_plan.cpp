// Planning speed: DPFP on VGG-16 with 8 devices (goal <= 0.1 ms analytical, <= 0.3 ms with
// measured profiles) and on a synthetic
// 1,000-layer chain with 16 devices (goal <= 50 ms); the timing model on a VGG-16 DPFP plan.
#include <benchmark/benchmark.h>

#include <optional>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/sim/prediction.hpp"
#include "strategy/spatial.hpp"

using namespace edgepart;

namespace {

scenario::Cluster cluster(int n, double mbps, scenario::NetworkKind kind = scenario::NetworkKind::shared) {
  scenario::Cluster c;
  for (int i = 0; i < n; ++i) {
    scenario::Device d;
    d.name = "es" + std::to_string(i);
    d.speed_gflops = 10 + 5 * (i % 4);  // heterogeneous: 10, 15, 20, 25 GFLOPS
    d.is_source = i == 0;
    c.devices.push_back(d);
  }
  c.network.kind = kind;
  c.network.bandwidth_mbps = mbps;
  c.network.latency_s = 0.002;
  return c;
}

// A chain of `layers` 3x3/1 pad-1 convolutions with `channels` channels on a 224x224 map: every
// layer a cut point, so the DP sees L block ends.
model::ModelGraph chain(int layers, int channels) {
  model::ModelGraph g;
  g.name = "chain" + std::to_string(layers);
  g.input = model::Shape::chw(channels, 224, 224);
  for (int i = 0; i < layers; ++i) {
    model::Conv2dAttrs a;
    a.out_channels = channels;
    a.kernel = {3, 3};
    a.padding = {1, 1, 1, 1};
    g.layers.push_back(model::Layer{"conv" + std::to_string(i), model::OpKind::conv2d, a, {i - 1}, ""});
  }
  return g;
}

std::vector<int> all(int n) {
  std::vector<int> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i;
  return v;
}

// VGG-16 on n of cluster()'s devices at 100 Mbit/s, each optionally timed by the measured profile
// profiles/host-vgg16.json (166 points over 40 layers, interpolated per region) instead of the
// analytical model. Built once per benchmark run, outside the timed loop.
struct Vgg16Setup {
  Vgg16Setup(int n, bool profiled) : c(cluster(n, 100)) {
    if (profiled)
      for (auto& d : c.devices) d.profiles = {std::string(EDGEPART_SOURCE_DIR) + "/profiles/host-vgg16.json"};
    costs.emplace(graph(), analysis(), c);
  }
  static const model::ModelGraph& graph() {
    static const model::ModelGraph g = model::load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/vgg16.json");
    return g;
  }
  static const cost::ModelAnalysis& analysis() {
    static const cost::ModelAnalysis a = cost::analyze(graph());
    return a;
  }
  strategy::PlanRequest request() const { return {graph(), analysis(), c, w, *costs}; }

  scenario::Cluster c;
  scenario::Workload w;
  std::optional<timing::CostModel> costs;
};

void BM_DpfpVgg16(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const Vgg16Setup v(n, false);
  const strategy::PlanRequest r = v.request();
  for (auto _ : state) benchmark::DoNotOptimize(strategy::dpfp_optimise(r, all(n)));
}
BENCHMARK(BM_DpfpVgg16)->Arg(4)->Arg(8)->Unit(benchmark::kMicrosecond);

// The same search with every device timed by the measured profile. Goal for 8 devices: <= 0.3 ms.
void BM_DpfpVgg16Profiled(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const Vgg16Setup v(n, true);
  if (!v.costs->measured(0, 0)) state.SkipWithError("the profile was not applied");
  const strategy::PlanRequest r = v.request();
  for (auto _ : state) benchmark::DoNotOptimize(strategy::dpfp_optimise(r, all(n)));
}
BENCHMARK(BM_DpfpVgg16Profiled)->Arg(4)->Arg(8)->Unit(benchmark::kMicrosecond);

// The device search: one DP per device subset (2^n - 1 of them), each pruned by the incumbent.
void BM_DpfpDeviceSearchVgg16(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const Vgg16Setup v(n, false);
  const strategy::PlanRequest r = v.request();
  const auto sets = strategy::dpfp_device_sets(r);
  for (auto _ : state) benchmark::DoNotOptimize(strategy::dpfp_best_set(r, sets));
}
BENCHMARK(BM_DpfpDeviceSearchVgg16)->Arg(4)->Arg(8)->Unit(benchmark::kMicrosecond);

// 16 servers on a switched gigabit LAN, 64 channels: splitting pays (the DP's usual regime).
void BM_DpfpChain(benchmark::State& state) {
  const int layers = static_cast<int>(state.range(0)), n = static_cast<int>(state.range(1));
  model::ModelGraph g = chain(layers, 64);
  cost::ModelAnalysis a = cost::analyze(g);
  scenario::Cluster c = cluster(n, 1000, scenario::NetworkKind::switched);
  scenario::Workload w;
  const timing::CostModel costs(g, a, c);
  strategy::PlanRequest r{g, a, c, w, costs};
  for (auto _ : state) benchmark::DoNotOptimize(strategy::dpfp_optimise(r, all(n)));
  state.SetComplexityN(layers);
}
BENCHMARK(BM_DpfpChain)->Args({250, 16})->Args({500, 16})->Args({1000, 16})->Unit(benchmark::kMillisecond)->Complexity();

// The worst case: 16 devices on one shared 100 Mbit/s medium, 16 channels. Halo exchanges cost
// far more than they save, every long block's exchange bound stays below T*(b), and the DP
// evaluates nearly every (a, b) pair with up to N(N-1) transfers each.
void BM_DpfpChainNoGain(benchmark::State& state) {
  const int layers = static_cast<int>(state.range(0)), n = static_cast<int>(state.range(1));
  model::ModelGraph g = chain(layers, 16);
  cost::ModelAnalysis a = cost::analyze(g);
  scenario::Cluster c = cluster(n, 100);
  scenario::Workload w;
  const timing::CostModel costs(g, a, c);
  strategy::PlanRequest r{g, a, c, w, costs};
  for (auto _ : state) benchmark::DoNotOptimize(strategy::dpfp_optimise(r, all(n)));
}
BENCHMARK(BM_DpfpChainNoGain)->Args({1000, 16})->Unit(benchmark::kMillisecond);

void BM_TimingModelVgg16Plan(benchmark::State& state) {
  static model::ModelGraph g = model::load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/vgg16.json");
  static cost::ModelAnalysis a = cost::analyze(g);
  scenario::Cluster c = cluster(8, 100);
  scenario::Workload w;
  const timing::CostModel costs(g, a, c);
  strategy::PlanRequest r{g, a, c, w, costs};
  plan::Plan p = strategy::dpfp_build(r, strategy::dpfp_optimise(r, all(8)).layout);
  for (auto _ : state) benchmark::DoNotOptimize(sim::run_once(p, 0, c, costs));
  state.counters["tasks"] = static_cast<double>(p.variants[0].tasks.size());
}
BENCHMARK(BM_TimingModelVgg16Plan)->Unit(benchmark::kMicrosecond);

}  // namespace
