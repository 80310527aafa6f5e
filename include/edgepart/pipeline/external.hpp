#pragma once
// Strategies made outside the C++ registry (written in Python, docs/python.md): what they are
// given, and how their plan is taken in. Shared by `simulate` and `sweep`, from the CLI
// (--python-strategy) and from the Python module, so that a Python strategy's plan is checked and
// predicted identically wherever it runs.
#include <string>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/graph.hpp"
#include "edgepart/plan/plan.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/util/json_read.hpp"

namespace edgepart::pipeline {

// The model as an outside strategy sees it: inspect's JSON plus "dtype_bytes" (bytes per
// activation element, for tensor sizes of regions).
Json strategy_model_json(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis);

// The cluster as an outside strategy sees it: "source", "devices" (index, name, speed_gflops,
// memory_mb), the planning "rate_mbps" and "latency_s" of every directed link (null rate and 0
// latency on the diagonal), and the model's "model_name" and "model_hash" a plan must carry.
Json strategy_cluster_json(const model::ModelGraph& graph, const scenario::Cluster& cluster);

// How messages name Python strategy `name`'s plan: "python strategy 'NAME'".
std::string python_strategy_origin(const std::string& name);

// A plan document made outside the registry: "predicted" may be left out. Parsed and validated
// like a plan file (plan::plan_from_json, plan::validate_plan), checked to fit the request's model
// (plan::check_plan_model; `model_path` names the model in messages) and cluster, then predicted
// as a registry strategy's plan is (sim::predict). InputError naming `origin`.
plan::Plan external_plan(Json doc, const std::string& origin, const strategy::PlanRequest& request,
                         const std::string& model_path);

}  // namespace edgepart::pipeline
