// The simulator's speed on the default scenario (goals: >= 5 M events/s, >= 1 M tasks/s,
// <= 64 MiB peak memory with 100,000 requests). Plans are made once outside the timed loop.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/sim/simulator.hpp"
#include "edgepart/strategy/strategy.hpp"

namespace {

using namespace edgepart;

struct DefaultScenario {
  scenario::Scenario s;
  model::ModelGraph g;
  cost::ModelAnalysis a;
  scenario::Cluster c;
  timing::CostModel costs;
  DefaultScenario()
      : s(scenario::load_scenario(std::string(EDGEPART_SOURCE_DIR) + "/scenarios/default.json")),
        g(model::load_model(s.model_path)),
        a(cost::analyze(g)),
        c(scenario::make_cluster(s)),
        costs(g, a, c) {}
  plan::Plan plan(const std::string& name) {
    strategy::PlanRequest req{g, a, c, s.workload, costs};
    return strategy::make_plan(name, req, Json::object());
  }
};

DefaultScenario& fixture() {
  static DefaultScenario f;
  return f;
}

// Peak resident set of the process so far (Linux reports ru_maxrss in KiB).
double max_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

void BM_SimulateDefault(benchmark::State& state, const char* strategy) {
  auto& f = fixture();
  plan::Plan p = f.plan(strategy);
  sim::SimOptions o;
  o.requests = state.range(0);
  int64_t events = 0, tasks = 0;
  for (auto _ : state) {
    sim::SimResult r = sim::simulate(f.s, p, f.costs, o);
    events += r.stats.events;
    tasks += r.stats.tasks;
    benchmark::DoNotOptimize(r);
  }
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["tasks_per_s"] = benchmark::Counter(static_cast<double>(tasks), benchmark::Counter::kIsRate);
  state.counters["events_per_req"] = static_cast<double>(events) / static_cast<double>(state.iterations() * state.range(0));
  state.counters["max_rss_MiB"] = max_rss_mib();
}

BENCHMARK_CAPTURE(BM_SimulateDefault, dpfp, "dpfp")->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SimulateDefault, ftp, "ftp")->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SimulateDefault, modnn, "modnn")->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SimulateDefault, cic, "cic")->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
