#pragma once
// `simulate --python-strategy MODULE:FUNCTION` and `sweep --python-strategy MODULE:FUNCTION`:
// strategies written in Python (docs/python.md), through the Python package edgepart in an
// embedded interpreter, so that their plans are validated and predicted exactly as from Python.
// Without the Python module built (EDGEPART_PYTHON=OFF) the option is an InputError.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "edgepart/pipeline/pipeline.hpp"
#include "edgepart/sweep/sweep.hpp"

namespace edgepart::cli {

std::vector<plan::Plan> python_strategy_plans(const std::vector<std::string>& specs, const pipeline::Pipeline& pipeline,
                                              const std::vector<std::string>& sets);

// Imports and registers each MODULE:FUNCTION; their names, in order, and their planners for
// SweepOptions::external. A Python exception in a planner becomes one InputError naming the spec.
struct PythonSweepStrategies {
  std::vector<std::string> names;
  std::map<std::string, sweep::ExternalStrategy> planners;
};
PythonSweepStrategies python_sweep_strategies(const std::vector<std::string>& specs);

// Runs `body` (the sweep) with the GIL released when an interpreter is running, so that the
// sweep's worker threads can take it to call Python strategies.
void without_gil(const std::function<void()>& body);

}  // namespace edgepart::cli
