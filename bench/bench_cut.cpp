// Two-party cut strategies: DADS (Boost.Graph min cut) on a synthetic 1,000-node DAG
// (goal <= 1 ms); one CIC online decision against one DADS run on densenet121 (goal: >= 100x
// faster); the CIC offline table and whole plans for reference.
#include <benchmark/benchmark.h>

#include <cmath>
#include <deque>
#include <random>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "strategy/two_party_strategies.hpp"

using namespace edgepart;
using namespace edgepart::strategy;

namespace {

double uniform(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// A synthetic DAG of n layers shaped like residual/dense CNNs: every layer reads the previous one,
// and a third of them also read a tensor up to 8 layers back (skip connections). Times and sizes
// are seeded random (a Pi-class device, a 30x faster server, 0.1-4 MB tensors at 20 Mbit/s).
two_party::Problem synthetic(int n) {
  std::mt19937_64 rng(42);
  two_party::Problem pb;
  pb.layers = n;
  pb.t_device_s.resize(static_cast<size_t>(n));
  pb.t_server_s.resize(static_cast<size_t>(n));
  pb.inputs.resize(static_cast<size_t>(n));
  pb.consumers.assign(static_cast<size_t>(n) + 1, {});
  pb.tensor_bytes.resize(static_cast<size_t>(n) + 1);
  pb.t_up_s.resize(static_cast<size_t>(n) + 1);
  for (int v = 0; v < n; ++v) {
    pb.t_device_s[static_cast<size_t>(v)] = uniform(rng, 1e-4, 2e-2);
    pb.t_server_s[static_cast<size_t>(v)] = pb.t_device_s[static_cast<size_t>(v)] / 30;
    std::vector<int> ins{v};  // tensor v = the previous layer's output (0 = the model input)
    if (v >= 2 && uniform(rng, 0, 1) < 1.0 / 3) {
      const int back = 1 + static_cast<int>(rng() % static_cast<uint64_t>(std::min(v - 1, 8)));
      ins.insert(ins.begin(), v - back);
    }
    pb.inputs[static_cast<size_t>(v)] = ins;
    for (int t : ins) pb.consumers[static_cast<size_t>(t)].push_back(v);
  }
  for (auto& b : pb.tensor_bytes) b = std::floor(uniform(rng, 1e5, 4e6));
  pb.up_rate_mbps = pb.down_rate_mbps = 20;
  pb.up_latency_s = pb.down_latency_s = 0.002;
  return two_party::at_uplink_rate(pb, 20);
}

struct Densenet {
  model::ModelGraph graph = model::load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/densenet121.json");
  cost::ModelAnalysis analysis = cost::analyze(graph);
  scenario::Cluster cluster;
  scenario::Workload workload;
  two_party::Problem problem;
  CicTable table;
  Densenet() {
    scenario::Device pi;
    pi.name = "pi";
    pi.speed_gflops = 3;  // Raspberry-Pi class (order of magnitude)
    pi.is_source = true;
    scenario::Device es;
    es.name = "server";
    es.speed_gflops = 300;
    cluster.devices = {pi, es};
    cluster.network.bandwidth_mbps = 20;
    cluster.network.latency_s = 0.002;
    problem = two_party::make_problem(request(), 1);
    table = cic_build(problem);
  }
  mutable std::deque<timing::CostModel> costs;  // one per request (a request refers to its cost model)
  PlanRequest request() const { return PlanRequest{graph, analysis, cluster, workload, costs.emplace_back(graph, analysis, cluster)}; }
};

const Densenet& densenet() {
  static const Densenet d;
  return d;
}

void BM_DadsSyntheticDag(benchmark::State& state) {
  const two_party::Problem pb = synthetic(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(dads_solve(pb));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_DadsSyntheticDag)->Arg(100)->Arg(300)->Arg(1000)->Arg(3000)->Complexity()->Unit(benchmark::kMicrosecond);

void BM_DadsDensenet121(benchmark::State& state) {
  const Densenet& d = densenet();
  for (auto _ : state) benchmark::DoNotOptimize(dads_solve(d.problem));
}
BENCHMARK(BM_DadsDensenet121)->Unit(benchmark::kMicrosecond);

// One online decision: the rate changes every call (a table of 1,024 log-spaced rates from 0.1 to
// 10,000 Mbit/s), so the search is not a repeated identical branch pattern.
void BM_CicDecisionDensenet121(benchmark::State& state) {
  const Densenet& d = densenet();
  std::vector<double> rates(1024);
  for (size_t i = 0; i < rates.size(); ++i) rates[i] = 0.1 * std::pow(10.0, 5.0 * static_cast<double>(i) / 1023.0);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cic_decide(d.table, rates[i]));
    i = (i + 1) & 1023;
  }
}
BENCHMARK(BM_CicDecisionDensenet121)->Unit(benchmark::kNanosecond);

// The same decision through the plan (Plan::variant_for_rate), as the simulator makes it.
void BM_CicPlanLookupDensenet121(benchmark::State& state) {
  const Densenet& d = densenet();
  static const plan::Plan p = make_cic_plan(d.request(), JsonCursor(Json::object(), "bench"));
  std::vector<double> rates(1024);
  for (size_t i = 0; i < rates.size(); ++i) rates[i] = 0.1 * std::pow(10.0, 5.0 * static_cast<double>(i) / 1023.0);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(&p.variant_for_rate(rates[i]));
    i = (i + 1) & 1023;
  }
}
BENCHMARK(BM_CicPlanLookupDensenet121)->Unit(benchmark::kNanosecond);

void BM_CicOfflineDensenet121(benchmark::State& state) {
  const Densenet& d = densenet();
  for (auto _ : state) benchmark::DoNotOptimize(cic_build(d.problem));
}
BENCHMARK(BM_CicOfflineDensenet121)->Unit(benchmark::kMillisecond);

void BM_DadsPlanDensenet121(benchmark::State& state) {
  const Densenet& d = densenet();
  const Json none = Json::object();
  for (auto _ : state) benchmark::DoNotOptimize(make_dads_plan(d.request(), JsonCursor(none, "bench")));
}
BENCHMARK(BM_DadsPlanDensenet121)->Unit(benchmark::kMillisecond);

void BM_NeurosurgeonDensenet121(benchmark::State& state) {
  const Densenet& d = densenet();
  for (auto _ : state) benchmark::DoNotOptimize(neurosurgeon_best(d.problem));
}
BENCHMARK(BM_NeurosurgeonDensenet121)->Unit(benchmark::kMicrosecond);

// The scan over the chain cut points of a synthetic DAG of n layers: one pass (chain_cut_costs),
// so linear in n (it was quadratic: each cut's split evaluated from scratch).
void BM_NeurosurgeonSyntheticDag(benchmark::State& state) {
  const two_party::Problem pb = synthetic(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(neurosurgeon_best(pb));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_NeurosurgeonSyntheticDag)->Arg(1000)->Arg(10000)->Arg(100000)->Complexity()->Unit(benchmark::kMicrosecond);

}  // namespace
