// downstream SCENARIO STRATEGY REQUESTS: plans and simulates one strategy through the installed
// library and prints the report as `edgepart simulate --format json` does (run.sh compares them).
#include <cstdio>
#include <iostream>
#include <string>

#include "edgepart/pipeline/pipeline.hpp"
#include "edgepart/util/error.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: downstream SCENARIO STRATEGY REQUESTS\n");
    return 2;
  }
  try {
    edgepart::pipeline::Pipeline pipeline(argv[1], {});
    edgepart::sim::SimOptions options;
    options.seed = pipeline.scenario.seed;
    options.requests = std::stoll(argv[3]);
    const auto plans = pipeline.select_plans(argv[2], "");
    std::cout << edgepart::report::report_to_json(edgepart::pipeline::simulate_report(pipeline, plans, options)).dump(2)
              << "\n";
  } catch (const edgepart::InputError& e) {
    std::fprintf(stderr, "downstream: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
