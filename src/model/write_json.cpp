// Writing a ModelGraph in the JSON model format (used by `edgepart import`).
#include <sstream>

#include "edgepart/model/load.hpp"

namespace edgepart::model {

namespace {

using Ordered = nlohmann::ordered_json;

Ordered layer_json(const ModelGraph& g, size_t i) {
  const Layer& l = g.layers[i];
  Ordered j;
  j["name"] = l.name;
  j["op"] = std::string(op_name(l.kind));
  bool reads_previous = l.inputs.size() == 1 && l.inputs[0] == static_cast<LayerIndex>(i) - 1;
  if (!reads_previous) {
    Ordered ins = Ordered::array();
    for (LayerIndex in : l.inputs) ins.push_back(in == kModelInput ? std::string("input") : g.layer(in).name);
    j["inputs"] = ins;
  }
  ops::op_spec(l.kind).write(l.attrs, j);  // every attribute, in alphabetical order
  return j;
}

}  // namespace

Json model_to_json(const ModelGraph& g) {
  Json j;
  j["format"] = "edgepart.model";
  j["version"] = 1;
  j["name"] = g.name;
  j["source"] = g.source;
  j["input"] = Json::array({g.input.c, g.input.h, g.input.w});
  if (g.dtype_bytes != 4) j["dtype_bytes"] = g.dtype_bytes;
  Json layers = Json::array();
  for (size_t i = 0; i < g.layers.size(); ++i) layers.push_back(Json::parse(layer_json(g, i).dump()));
  j["layers"] = layers;
  return j;
}

std::string model_to_json_text(const ModelGraph& g) {
  Ordered head;
  head["format"] = "edgepart.model";
  head["version"] = 1;
  head["name"] = g.name;
  head["source"] = g.source;
  head["input"] = Ordered::array({g.input.c, g.input.h, g.input.w});
  std::ostringstream out;
  out << "{\n";
  for (const auto& item : head.items()) out << "  " << Ordered(item.key()).dump() << ": " << item.value().dump() << ",\n";
  if (g.dtype_bytes != 4) out << "  \"dtype_bytes\": " << g.dtype_bytes << ",\n";
  out << "  \"layers\": [\n";
  for (size_t i = 0; i < g.layers.size(); ++i)
    out << "    " << layer_json(g, i).dump() << (i + 1 < g.layers.size() ? ",\n" : "\n");
  out << "  ]\n}\n";
  return out.str();
}

}  // namespace edgepart::model
