#pragma once
// `simulate --python-strategy MODULE:FUNCTION`: plans made by strategies written in Python
// (docs/python.md), through the Python package edgepart in an embedded interpreter, so that they
// are validated and predicted exactly as from Python. Without the Python module built
// (EDGEPART_PYTHON=OFF) the option is an InputError.
#include <string>
#include <vector>

#include "edgepart/pipeline/pipeline.hpp"

namespace edgepart::cli {

std::vector<plan::Plan> python_strategy_plans(const std::vector<std::string>& specs, const pipeline::Pipeline& pipeline,
                                              const std::vector<std::string>& sets);

}  // namespace edgepart::cli
