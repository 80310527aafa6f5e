#include "edgepart/pipeline/inspect.hpp"

#include "edgepart/rf/receptive_field.hpp"

namespace edgepart::pipeline {

namespace {
Json pair(int64_t h, int64_t w) { return Json::array({h, w}); }
}  // namespace

Json inspect_json(const model::ModelGraph& g, const cost::ModelAnalysis& a) {
  const auto fields = rf::receptive_fields(g, a);
  Json layers = Json::array();
  int64_t total_bytes = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    const auto& l = g.layers[i];
    Json j;
    j["name"] = l.name;
    j["op"] = std::string(model::op_name(l.kind));
    Json inputs = Json::array();
    for (auto in : l.inputs) inputs.push_back(in == model::kModelInput ? std::string("input") : g.layer(in).name);
    j["inputs"] = inputs;
    j["output_shape"] = a.shapes[i].dims();
    j["macs"] = a.layers[i].macs;
    j["flops"] = a.layers[i].flops;
    j["params"] = a.layers[i].params;
    j["output_bytes"] = a.layers[i].output_bytes;
    total_bytes += a.layers[i].output_bytes;
    if (fields[i]) {
      const auto& f = *fields[i];
      j["receptive_field"] = Json{{"size", pair(f.h.size, f.w.size)},
                                  {"stride", pair(f.h.stride, f.w.stride)},
                                  {"padding", pair(f.h.padding, f.w.padding)}};
    } else {
      j["receptive_field"] = nullptr;
    }
    layers.push_back(std::move(j));
  }
  Json out;
  out["model"] = g.name;
  out["hash"] = g.content_hash();  // what plans and profiles record (tools/profile_torch.py reads it)
  out["source"] = g.source;
  out["input_shape"] = g.input.dims();
  out["layers"] = layers;
  out["totals"] = Json{{"layers", g.size()},
                       {"macs", a.total_macs},
                       {"flops", a.total_flops},
                       {"params", a.total_params},
                       {"output_bytes", total_bytes}};
  return out;
}

}  // namespace edgepart::pipeline
