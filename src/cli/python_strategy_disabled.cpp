#include "python_strategy.hpp"

#include "edgepart/util/error.hpp"

namespace edgepart::cli {

std::vector<plan::Plan> python_strategy_plans(const std::vector<std::string>& specs, const pipeline::Pipeline&,
                                              const std::vector<std::string>&) {
  if (!specs.empty())
    throw InputError("", "--python-strategy", "this edgepart was built without Python (EDGEPART_PYTHON=OFF)");
  return {};
}

}  // namespace edgepart::cli
