#pragma once
// A registered Python strategy as a sweep's ExternalStrategy (include/edgepart/sweep/sweep.hpp),
// shared by the Python module (sweep(strategy=[..., "mine"])) and the CLI's embedded interpreter
// (sweep --python-strategy). Header-only: both link the pipeline libraries, each its own copy.
//
// The sweep calls it from its worker threads. Only the call into Python holds the GIL (the Python
// function runs with it, as any Python code must); building the model and cluster documents, and
// validating, predicting and simulating the plan, run without it, in parallel. So Python
// strategies are planned one at a time, in whatever order the workers get the GIL, while the rest
// of each point runs on all threads; rows stay in point order and identical for any -j.
#include <pybind11/pybind11.h>

#include <string>

#include "edgepart/pipeline/external.hpp"
#include "edgepart/sweep/sweep.hpp"

namespace edgepart::python {

// The plan of Python strategy `name` (registered in the package edgepart) for one point.
// A Python exception propagates as pybind11::error_already_set (its deleter takes the GIL).
inline sweep::ExternalStrategy python_planner(const std::string& name) {
  return [name](const scenario::Scenario& s, const strategy::PlanRequest& req) {
    const std::string model = pipeline::strategy_model_json(req.graph, req.analysis).dump();
    const std::string cluster = pipeline::strategy_cluster_json(req.graph, req.cluster).dump();
    std::string text;
    {
      pybind11::gil_scoped_acquire gil;
      text = pybind11::module_::import("edgepart").attr("_plan_text")(name, model, cluster).cast<std::string>();
    }
    return pipeline::external_plan(Json::parse(text), pipeline::python_strategy_origin(name), req, s.model_path);
  };
}

}  // namespace edgepart::python
