#include "python_strategy.hpp"

#include "edgepart/util/error.hpp"

namespace edgepart::cli {

namespace {
[[noreturn]] void no_python() {
  throw InputError("", "--python-strategy", "this edgepart was built without Python (EDGEPART_PYTHON=OFF)");
}
}  // namespace

std::vector<plan::Plan> python_strategy_plans(const std::vector<std::string>& specs, const pipeline::Pipeline&,
                                              const std::vector<std::string>&) {
  if (!specs.empty()) no_python();
  return {};
}

PythonSweepStrategies python_sweep_strategies(const std::vector<std::string>& specs) {
  if (!specs.empty()) no_python();
  return {};
}

void without_gil(const std::function<void()>& body) { body(); }

}  // namespace edgepart::cli
