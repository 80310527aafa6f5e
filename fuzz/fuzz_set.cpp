// libFuzzer harness: `--set /json/pointer=value` overrides applied to a valid scenario (the
// fixture's, fuzz_fixture.hpp) the way `simulate` applies them: one override per input line, then
// the scenario is loaded (pipeline::Pipeline: overrides, strict parse, model, cluster, costs),
// planned with its strategy and simulated for at most 3 requests. fuzz_scenario fuzzes the
// document itself; this one reaches what only a valid scenario reaches (planning, simulation)
// with the values a user types on the command line.
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "edgepart/pipeline/pipeline.hpp"
#include "edgepart/sim/simulator.hpp"
#include "fuzz_common.hpp"
#include "fuzz_fixture.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& fixture = edgepart::fuzz::Fixture::get();
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> sets;
  std::istringstream lines(input);
  for (std::string line; std::getline(lines, line);) sets.push_back(line);
  return edgepart::fuzz::run_guarded([&] {
    edgepart::pipeline::Pipeline p(edgepart::fuzz::tiny_scenario(), fixture.scenario_path(), sets);
    const edgepart::plan::Plan plan = p.plan_for(p.scenario.strategy.name);
    edgepart::sim::SimOptions options;
    options.seed = p.scenario.seed;
    options.requests = std::min<int64_t>(p.scenario.workload.requests, 3);
    (void)edgepart::sim::simulate(p.scenario, plan, p.costs, options);
  });
}
