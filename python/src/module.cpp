// The native half of the Python package `edgepart` (python/edgepart/__init__.py is the other):
// thin pybind11 bindings over the same pipeline the CLI runs (include/edgepart/pipeline), so that
// Python and `edgepart simulate` give the same JSON. Documents cross the boundary as JSON text
// (json.dumps / json.loads on the Python side), numbers exactly as the CLI writes them.
// Long computations (plan, simulate, sweep) release the GIL.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edgepart/model/load.hpp"
#include "edgepart/pipeline/external.hpp"
#include "edgepart/pipeline/inspect.hpp"
#include "edgepart/pipeline/pipeline.hpp"
#include "edgepart/pipeline/region.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/report/compare.hpp"
#include "edgepart/report/summary.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/sweep/sweep.hpp"
#include "edgepart/util/error.hpp"
#include "python_planner.hpp"

namespace py = pybind11;
using edgepart::InputError;
using edgepart::Json;
namespace pipeline = edgepart::pipeline;

namespace {

// A document given as JSON text by the Python side; its own syntax errors are ours, not the user's.
Json parse_document(const std::string& text, const std::string& label) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw InputError(label, "/", std::string("not JSON: ") + e.what());
  }
}

// A loaded scenario (its model, analysis, cluster and cost model): plans and simulations of it.
class Session {
public:
  Session(const std::string& scenario_file, const std::vector<std::string>& sets)
      : pipeline_(std::make_unique<pipeline::Pipeline>(scenario_file, sets)) {}
  Session(const std::string& scenario_json, const std::string& label, const std::vector<std::string>& sets)
      : pipeline_(std::make_unique<pipeline::Pipeline>(parse_document(scenario_json, label), label, sets)) {}

  // What a Python strategy is given (pipeline/external.hpp).
  std::string model_json() const { return pipeline::strategy_model_json(pipeline_->graph, pipeline_->analysis).dump(); }
  std::string cluster_json() const { return pipeline::strategy_cluster_json(pipeline_->graph, pipeline_->cluster).dump(); }

  // The plans select_plans picks (a strategy name, "all", "" for the scenario's, or a plan file).
  std::vector<std::string> plans(const std::string& strategy, const std::string& plan_file) {
    std::vector<edgepart::plan::Plan> ps;
    {
      py::gil_scoped_release release;
      ps = pipeline_->select_plans(strategy, plan_file);
    }
    std::vector<std::string> out;
    for (const auto& p : ps) out.push_back(edgepart::plan::plan_to_json(p).dump());
    return out;
  }

  // A Python strategy's plan document: validated as a plan file is, checked against the model,
  // predicted; returned as the complete plan JSON.
  std::string external_plan(const std::string& plan_json, const std::string& origin) const {
    return edgepart::plan::plan_to_json(pipeline_->external_plan(parse_document(plan_json, origin), origin)).dump();
  }

  // `simulate`'s report of these plans (plan JSON, as plans() and external_plan() return them).
  std::string simulate(const std::vector<std::string>& plan_docs, std::optional<uint64_t> seed, int64_t requests) const {
    std::vector<edgepart::plan::Plan> ps;
    for (const auto& doc : plan_docs) ps.push_back(edgepart::plan::plan_from_json(parse_document(doc, "<plan>"), "<plan>"));
    edgepart::sim::SimOptions so;
    so.seed = seed ? *seed : pipeline_->scenario.seed;
    so.requests = requests;
    py::gil_scoped_release release;
    return edgepart::report::report_to_json(pipeline::simulate_report(*pipeline_, ps, so)).dump();
  }

private:
  std::unique_ptr<pipeline::Pipeline> pipeline_;
};

// `edgepart sweep`'s rows as JSON lines (RowFormat::jsonl), every point and shard 1/1.
// `python_strategies`: the names in `strategies` that are registered Python strategies.
std::string sweep_rows(const std::string& scenario_file, const std::vector<std::string>& axes,
                       const std::vector<std::string>& strategies, const std::vector<std::string>& python_strategies,
                       int seeds, std::optional<uint64_t> seed, int64_t requests, int threads) {
  edgepart::sweep::SweepOptions so;
  so.scenario_path = scenario_file;
  for (const auto& a : axes) so.axes.push_back(edgepart::sweep::parse_axis(a));
  so.strategies = strategies;
  for (const auto& name : python_strategies) so.external[name] = edgepart::python::python_planner(name);
  so.seeds = seeds;
  so.first_seed = seed;
  so.requests = requests;
  so.threads = threads;
  so.format = edgepart::sweep::RowFormat::jsonl;
  std::string rows;
  py::gil_scoped_release release;
  edgepart::sweep::run_sweep(so, [&](std::string_view text) { rows += text; });
  return rows;
}

}  // namespace

PYBIND11_MODULE(_edgepart, m) {
  m.doc() = "edgepart's engine (use the package edgepart, not this module)";
  // Warnings ("strategy x left out: ...") to stderr, as the CLI's default level (cli/main.cpp);
  // inside the CLI (`--python-strategy`) its logger and level stay (spdlog's registry is shared).
  if (!spdlog::get("edgepart")) {
    spdlog::set_default_logger(spdlog::stderr_logger_mt("edgepart"));
    spdlog::set_level(spdlog::level::warn);
  }
  // The CLI prints "edgepart: error: " + what(); Python shows what() as the exception's message.
  static py::exception<InputError> input_error(m, "InputError", PyExc_ValueError);
  static py::exception<edgepart::InternalError> internal_error(m, "InternalError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      PyErr_SetString(input_error.ptr(), e.what());
    } catch (const edgepart::InternalError& e) {
      PyErr_SetString(internal_error.ptr(), e.what());
    }
  });

  m.def("load_model", [](const std::string& path) {
    auto g = edgepart::model::load_model(path);
    return pipeline::inspect_json(g, edgepart::cost::analyze(g)).dump();
  });
  // `edgepart region MODEL --to --rows [--cols] [--from] --format json`.
  m.def("region", [](const std::string& path, const pipeline::RegionQuery& query) {
    auto g = edgepart::model::load_model(path);
    auto a = edgepart::cost::analyze(g);
    return pipeline::region_json(g, pipeline::region_query(g, a, query)).dump();
  });
  py::class_<pipeline::RegionQuery>(m, "RegionQuery")
      .def(py::init<std::string, std::string, std::string, std::string>(), py::arg("to"), py::arg("rows"),
           py::arg("cols"), py::arg("from_layer"));
  m.def("strategy_names", &edgepart::strategy::strategy_names);
  m.def("strategy_origin", &pipeline::python_strategy_origin);
  // A report's strategy entry as the sweep's flat columns (latency_mean_s, ..., reliability_ci_low).
  m.def("flatten_metrics", [](const std::string& entry_json) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [name, value] : edgepart::report::flatten_metrics(parse_document(entry_json, "<report>")))
      out.emplace_back(name, value.dump());
    return out;
  });
  m.def("sweep_rows", &sweep_rows, py::arg("scenario"), py::arg("axes"), py::arg("strategies"),
        py::arg("python_strategies"), py::arg("seeds"),
        py::arg("seed"), py::arg("requests"), py::arg("threads"));

  py::class_<Session>(m, "Session")
      .def(py::init<const std::string&, const std::vector<std::string>&>(), py::arg("scenario_file"), py::arg("sets"))
      .def(py::init<const std::string&, const std::string&, const std::vector<std::string>&>(), py::arg("scenario_json"),
           py::arg("label"), py::arg("sets"))
      .def("model_json", &Session::model_json)
      .def("cluster_json", &Session::cluster_json)
      .def("plans", &Session::plans, py::arg("strategy"), py::arg("plan_file"))
      .def("external_plan", &Session::external_plan, py::arg("plan_json"), py::arg("origin"))
      .def("simulate", &Session::simulate, py::arg("plans"), py::arg("seed"), py::arg("requests"));
}
