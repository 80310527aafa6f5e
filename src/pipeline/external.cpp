#include "edgepart/pipeline/external.hpp"

#include "edgepart/pipeline/inspect.hpp"
#include "edgepart/sim/prediction.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::pipeline {

Json strategy_model_json(const model::ModelGraph& graph, const cost::ModelAnalysis& analysis) {
  Json j = inspect_json(graph, analysis);
  j["dtype_bytes"] = graph.dtype_bytes;
  return j;
}

Json strategy_cluster_json(const model::ModelGraph& graph, const scenario::Cluster& c) {
  Json devices = Json::array();
  for (int d = 0; d < c.size(); ++d) {
    const auto& dev = c.devices[static_cast<size_t>(d)];
    devices.push_back(Json{{"index", d},
                           {"name", dev.name},
                           {"speed_gflops", dev.speed_gflops},
                           {"memory_mb", dev.memory_mb ? Json(*dev.memory_mb) : Json()}});
  }
  Json rate = Json::array(), latency = Json::array();
  for (int a = 0; a < c.size(); ++a) {
    Json rate_row = Json::array(), latency_row = Json::array();
    for (int b = 0; b < c.size(); ++b) {
      rate_row.push_back(a == b ? Json() : Json(c.rate_mbps(a, b)));
      latency_row.push_back(a == b ? Json(0.0) : Json(c.latency_s(a, b)));
    }
    rate.push_back(rate_row);
    latency.push_back(latency_row);
  }
  return Json{{"source", c.source}, {"devices", devices}, {"rate_mbps", rate}, {"latency_s", latency},
              {"model_hash", graph.content_hash()}, {"model_name", graph.name}};
}

std::string python_strategy_origin(const std::string& name) { return "python strategy '" + name + "'"; }

plan::Plan external_plan(Json doc, const std::string& origin, const strategy::PlanRequest& request,
                         const std::string& model_path) {
  // The prediction is ours to make: placeholders keep plan_from_json's strict reading unchanged.
  const Json no_prediction = Json{{"latency_s", 0.0}, {"compute_s", 0.0}, {"transfer_s", 0.0}, {"bytes_sent", 0.0}};
  if (doc.is_object()) {
    if (!doc.contains("predicted")) doc["predicted"] = no_prediction;
    if (doc.contains("variants") && doc["variants"].is_array())
      for (auto& v : doc["variants"])
        if (v.is_object() && !v.contains("predicted")) v["predicted"] = no_prediction;
  }
  plan::Plan p = plan::plan_from_json(doc, origin);
  plan::validate_plan(p, origin);
  // Its compute tasks are timed from the model's layers and their regions (timing::CostModel).
  plan::check_plan_model(p, origin, request.graph, model_path);
  const int devices = request.cluster.size();
  if (p.devices.size() != static_cast<size_t>(devices))
    throw InputError(origin, "/devices", "the plan has " + std::to_string(p.devices.size()) + " devices, the scenario " +
                                             std::to_string(devices));
  sim::predict(p, request.cluster, request.costs);
  return p;
}

}  // namespace edgepart::pipeline
