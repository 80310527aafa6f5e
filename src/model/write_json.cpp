// Writing a ModelGraph in the JSON model format (used by `edgepart import`).
#include <sstream>

#include "edgepart/model/load.hpp"

namespace edgepart::model {

namespace {

using Ordered = nlohmann::ordered_json;

Ordered hw_json(const Hw& hw) {
  if (hw.h == hw.w) return hw.h;
  return Ordered::array({hw.h, hw.w});
}

Ordered padding_json(const Padding& p) {
  if (p.top == p.bottom && p.left == p.right) {
    if (p.top == p.left) return p.top;
    return Ordered::array({p.top, p.left});
  }
  return Ordered::array({p.top, p.left, p.bottom, p.right});
}

// Attributes in alphabetical order, every one written out.
void add_attrs(Ordered& j, const Layer& l) {
  std::visit(
      [&](const auto& a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, Conv2dAttrs>) {
          j["bias"] = a.bias;
          j["dilation"] = hw_json(a.dilation);
          j["groups"] = a.groups;
          j["kernel"] = hw_json(a.kernel);
          j["out_channels"] = a.out_channels;
          j["padding"] = padding_json(a.padding);
          j["stride"] = hw_json(a.stride);
        } else if constexpr (std::is_same_v<T, Pool2dAttrs>) {
          j["ceil_mode"] = a.ceil_mode;
          if (l.kind == OpKind::avgpool2d) j["count_include_pad"] = a.count_include_pad;
          if (l.kind == OpKind::maxpool2d) j["dilation"] = hw_json(a.dilation);
          j["kernel"] = hw_json(a.kernel);
          j["padding"] = padding_json(a.padding);
          j["stride"] = hw_json(a.stride);
        } else if constexpr (std::is_same_v<T, AdaptivePoolAttrs>) {
          j["output_size"] = hw_json(a.output_size);
        } else if constexpr (std::is_same_v<T, BatchNormAttrs>) {
          j["eps"] = a.eps;
        } else if constexpr (std::is_same_v<T, ClipAttrs>) {
          if (l.kind == OpKind::clip) {
            j["max"] = a.max;
            j["min"] = a.min;
          }
        } else if constexpr (std::is_same_v<T, LeakyReluAttrs>) {
          j["negative_slope"] = a.negative_slope;
        } else if constexpr (std::is_same_v<T, HardSigmoidAttrs>) {
          j["alpha"] = a.alpha;
          j["beta"] = a.beta;
        } else if constexpr (std::is_same_v<T, LrnAttrs>) {
          j["alpha"] = a.alpha;
          j["beta"] = a.beta;
          j["k"] = a.k;
          j["size"] = a.size;
        } else if constexpr (std::is_same_v<T, DropoutAttrs>) {
          j["p"] = a.p;
        } else if constexpr (std::is_same_v<T, LinearAttrs>) {
          j["bias"] = a.bias;
          j["out_features"] = a.out_features;
        } else if constexpr (std::is_same_v<T, UpsampleAttrs>) {
          j["scale"] = hw_json(a.scale);
        } else if constexpr (std::is_same_v<T, BlockAttrs>) {
          j["block_size"] = a.block_size;
        }
      },
      l.attrs);
}

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
  add_attrs(j, l);
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
