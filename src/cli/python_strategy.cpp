#include "python_strategy.hpp"

#include <pybind11/embed.h>
#include <pybind11/stl.h>

#include <filesystem>

#include "edgepart/util/error.hpp"
#include "python_planner.hpp"

namespace py = pybind11;

namespace edgepart::cli {

namespace {

// Where the package edgepart is: next to this executable in the build tree (build/python), or,
// once installed, under its prefix (bin/.. / EDGEPART_PYTHON_INSTALL_DIR). The working directory
// comes first, so that MODULE may be a file of the user's.
void set_python_path() {
  py::list path = py::module_::import("sys").attr("path");
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  const bool in_build_tree = fs::equivalent(exe.parent_path() / "python", EDGEPART_PYTHON_BUILD_DIR, ec);
  const fs::path package_dir =
      in_build_tree ? fs::path(EDGEPART_PYTHON_BUILD_DIR) : exe.parent_path().parent_path() / EDGEPART_PYTHON_INSTALL_DIR;
  path.insert(0, package_dir.string());
  path.insert(0, "");
}

// A Python exception as one line: edgepart's InputError as it is (it is already the CLI's
// "FILE: WHERE: MESSAGE"), anything else with its type and the strategy named.
[[noreturn]] void rethrow(const py::error_already_set& e, const std::string& spec) {
  py::module_ ep = py::module_::import("edgepart");
  if (e.matches(ep.attr("InputError"))) throw InputError("", "", py::str(e.value()).cast<std::string>());
  throw InputError("", "--python-strategy", spec + ": " + py::str(e.type().attr("__name__")).cast<std::string>() +
                                                ": " + py::str(e.value()).cast<std::string>());
}

// One interpreter per process, never finalized: the process ends soon after, and finalizing
// after main() would race the destruction of other statics (pybind11's own among them).
void start_interpreter() {
  if (Py_IsInitialized()) return;
  py::initialize_interpreter();
  set_python_path();
}

}  // namespace

std::vector<plan::Plan> python_strategy_plans(const std::vector<std::string>& specs, const pipeline::Pipeline& pl,
                                              const std::vector<std::string>& sets) {
  std::vector<plan::Plan> plans;
  if (specs.empty()) return plans;
  start_interpreter();
  for (const auto& spec : specs) {
    std::string text;
    try {
      py::tuple made = py::module_::import("edgepart").attr("_python_plan_json")(pl.scenario_file, sets, spec);
      text = made[1].cast<std::string>();
    } catch (const py::error_already_set& e) {
      rethrow(e, spec);
    }
    plans.push_back(plan::plan_from_json(Json::parse(text), spec));
  }
  return plans;
}

PythonSweepStrategies python_sweep_strategies(const std::vector<std::string>& specs) {
  PythonSweepStrategies out;
  if (specs.empty()) return out;
  start_interpreter();
  for (const auto& spec : specs) {
    std::string name;
    try {
      name = py::module_::import("edgepart").attr("_register_spec")(spec).cast<std::string>();
    } catch (const py::error_already_set& e) {
      rethrow(e, spec);
    }
    // The same function named twice plans once.
    if (out.planners.count(name)) continue;
    out.names.push_back(name);
    out.planners[name] = [spec, plan = python::python_planner(name)](const scenario::Scenario& s,
                                                                      const strategy::PlanRequest& req) {
      try {
        return plan(s, req);
      } catch (const py::error_already_set& e) {
        py::gil_scoped_acquire gil;  // reading the exception is Python
        rethrow(e, spec);
      }
    };
  }
  return out;
}

void without_gil(const std::function<void()>& body) {
  if (!Py_IsInitialized()) return body();
  py::gil_scoped_release release;
  body();
}

}  // namespace edgepart::cli
