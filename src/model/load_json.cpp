// The JSON model format (docs/formats.md), read through the strict JsonCursor.
#include <algorithm>

#include "edgepart/util/json_checks.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::model {

namespace {

const std::vector<std::string> kTopKeys = {"format", "version", "name", "source", "input", "dtype_bytes", "layers"};
const std::vector<std::string> kCommonLayerKeys = {"name", "op", "inputs"};

// The attribute keys each op accepts besides name/op/inputs.
std::vector<std::string> attribute_keys(OpKind kind) {
  switch (kind) {
    case OpKind::conv2d: return {"out_channels", "kernel", "stride", "padding", "dilation", "groups", "bias"};
    case OpKind::maxpool2d: return {"kernel", "stride", "padding", "dilation", "ceil_mode"};
    case OpKind::avgpool2d: return {"kernel", "stride", "padding", "ceil_mode", "count_include_pad"};
    case OpKind::adaptive_avgpool2d: return {"output_size"};
    case OpKind::batchnorm: return {"eps"};
    case OpKind::clip: return {"min", "max"};
    case OpKind::leaky_relu: return {"negative_slope"};
    case OpKind::hardsigmoid: return {"alpha", "beta"};
    case OpKind::lrn: return {"size", "alpha", "beta", "k"};
    case OpKind::dropout: return {"p"};
    case OpKind::linear: return {"out_features", "bias"};
    case OpKind::upsample: return {"scale", "mode"};
    case OpKind::space_to_depth:
    case OpKind::depth_to_space: return {"block_size"};
    default: return {};
  }
}

// "hw": a positive int for both axes, or [h, w].
Hw read_hw(const JsonCursor& c) {
  if (c.value().is_array()) {
    if (c.size() != 2) c.fail("expected an integer or [h, w] (got " + c.describe() + ")");
    return Hw{c.at(size_t{0}).as_positive_int(), c.at(size_t{1}).as_positive_int()};
  }
  int64_t v = c.as_positive_int();
  return Hw{v, v};
}

Hw hw_or(const JsonCursor& layer, const char* key, Hw fallback) {
  auto c = layer.find(key);
  return c ? read_hw(*c) : fallback;
}

// int, [h, w] or [top, left, bottom, right]; each >= 0.
Padding read_padding(const JsonCursor& c) {
  if (c.value().is_array()) {
    auto n = c.size();
    auto at = [&c](size_t i) { return c.at(i).as_int_in(0, INT64_MAX); };
    if (n == 2) return Padding{at(0), at(1), at(0), at(1)};
    if (n == 4) return Padding{at(0), at(1), at(2), at(3)};
    c.fail("expected an integer, [h, w] or [top, left, bottom, right] (got " + c.describe() + ")");
  }
  int64_t v = c.as_int_in(0, INT64_MAX);
  return Padding{v, v, v, v};
}

Padding padding_or(const JsonCursor& layer) {
  auto c = layer.find("padding");
  return c ? read_padding(*c) : Padding{};
}

OpAttrs read_attrs(OpKind kind, const JsonCursor& l) {
  switch (kind) {
    case OpKind::conv2d: {
      Conv2dAttrs a;
      a.out_channels = l.at("out_channels").as_positive_int();
      a.kernel = read_hw(l.at("kernel"));
      a.stride = hw_or(l, "stride", {1, 1});
      a.dilation = hw_or(l, "dilation", {1, 1});
      a.padding = padding_or(l);
      if (auto g = l.find("groups")) a.groups = g->as_positive_int();
      a.bias = l.bool_or("bias", true);
      return a;
    }
    case OpKind::maxpool2d:
    case OpKind::avgpool2d: {
      Pool2dAttrs a;
      a.kernel = read_hw(l.at("kernel"));
      a.stride = hw_or(l, "stride", a.kernel);  // PyTorch: stride defaults to the kernel
      a.dilation = hw_or(l, "dilation", {1, 1});
      a.padding = padding_or(l);
      a.ceil_mode = l.bool_or("ceil_mode", false);
      a.count_include_pad = l.bool_or("count_include_pad", true);
      return a;
    }
    case OpKind::adaptive_avgpool2d: return AdaptivePoolAttrs{read_hw(l.at("output_size"))};
    case OpKind::batchnorm: {
      BatchNormAttrs a;
      if (auto c = l.find("eps")) a.eps = c->as_positive_number();
      return a;
    }
    case OpKind::clip: {
      ClipAttrs a{l.at("min").as_number(), l.at("max").as_number()};
      if (a.min > a.max) l.at("max").fail("must be >= min (got " + format_number(a.max) + " < " + format_number(a.min) + ")");
      return a;
    }
    case OpKind::relu6: return ClipAttrs{0.0, 6.0};
    case OpKind::leaky_relu: return LeakyReluAttrs{l.number_or("negative_slope", 0.01)};
    case OpKind::hardsigmoid: return HardSigmoidAttrs{l.number_or("alpha", 1.0 / 6.0), l.number_or("beta", 0.5)};
    case OpKind::lrn: {
      LrnAttrs a;
      a.size = l.at("size").as_positive_int();
      a.alpha = l.number_or("alpha", a.alpha);
      a.beta = l.number_or("beta", a.beta);
      a.k = l.number_or("k", a.k);
      return a;
    }
    case OpKind::dropout: {
      DropoutAttrs a;
      if (auto c = l.find("p")) a.p = c->as_number_in(0.0, 1.0);
      return a;
    }
    case OpKind::linear: {
      LinearAttrs a;
      a.out_features = l.at("out_features").as_positive_int();
      a.bias = l.bool_or("bias", true);
      return a;
    }
    case OpKind::upsample: {
      if (auto m = l.find("mode")) m->as_choice({"nearest"});
      return UpsampleAttrs{read_hw(l.at("scale"))};
    }
    case OpKind::space_to_depth:
    case OpKind::depth_to_space: return BlockAttrs{l.at("block_size").as_positive_int()};
    default: return NoAttrs{};
  }
}

// Runs `fn`, moving an InputError it throws into `errors`; true when it succeeded.
template <typename Fn>
bool collect(std::vector<InputError>& errors, Fn&& fn) {
  try {
    fn();
    return true;
  } catch (const InputError& e) {
    errors.push_back(e);
    return false;
  }
}

}  // namespace

ModelGraph model_from_json(const Json& doc, const std::string& file, std::vector<InputError>& errors) {
  ModelGraph graph;
  graph.file = file;
  JsonCursor root(doc, file);
  if (!collect(errors, [&] {
        expect_format(root, "edgepart.model");
        int64_t version = root.at("version").as_int();
        if (version != 1)
          root.at("version").fail("unsupported version " + std::to_string(version) + " (this edgepart reads version 1)");
      }))
    return graph;
  collect(errors, [&] { root.no_unknown_keys(kTopKeys); });
  collect(errors, [&] { graph.name = root.at("name").as_string(); });
  collect(errors, [&] { graph.source = root.string_or("source", ""); });
  collect(errors, [&] { graph.dtype_bytes = root.find("dtype_bytes") ? root.at("dtype_bytes").as_int_in(1, 16) : 4; });
  collect(errors, [&] {
    JsonCursor in = root.at("input");
    if (in.size() != 3) in.fail("expected [C, H, W] (got " + in.describe() + ")");
    graph.input = Shape::chw(in.at(size_t{0}).as_positive_int(), in.at(size_t{1}).as_positive_int(),
                             in.at(size_t{2}).as_positive_int());
  });

  std::vector<PendingLayer> pending;
  std::optional<JsonCursor> layers;
  collect(errors, [&] {
    layers = root.at("layers");
    layers->expect_array();
    if (layers->size() == 0) layers->fail("a model needs at least one layer");
  });
  if (!layers) return graph;
  std::string previous = "input";
  for (const JsonCursor& l : layers->elements()) {
    PendingLayer p;
    bool ok = collect(errors, [&] {
      l.expect_object();
      p.layer.name = l.at("name").as_string();
      if (p.layer.name.empty()) l.at("name").fail("must not be empty");
      if (p.layer.name == "input") l.at("name").fail("'input' is reserved for the model input");
      p.layer.origin = l.pointer();
      JsonCursor op = l.at("op");
      std::string op_text = op.as_string();
      auto kind = find_op(op_text);
      if (!kind) {
        std::string hint = closest_match(op_text, op_names());
        op.fail("unknown op '" + op_text + "' in layer '" + p.layer.name + "'" +
                (hint.empty() ? "" : "; did you mean '" + hint + "'?") + " (`edgepart list ops` lists them)");
      }
      p.layer.kind = *kind;
      std::vector<std::string> allowed = kCommonLayerKeys;
      for (auto& k : attribute_keys(*kind)) allowed.push_back(k);
      l.no_unknown_keys(allowed);
      if (auto inputs = l.find("inputs")) {
        for (const JsonCursor& in : inputs->elements()) p.input_names.push_back(in.as_string());
        if (p.input_names.empty()) inputs->fail("a layer needs at least one input");
      } else {
        p.input_names.push_back(previous);
      }
      p.layer.attrs = read_attrs(*kind, l);
    });
    if (!p.layer.name.empty()) previous = p.layer.name;
    if (ok) pending.push_back(std::move(p));
  }
  if (!errors.empty()) return graph;
  graph.layers = assemble_layers(std::move(pending), file, errors);
  if (errors.empty()) validate_structure(graph, errors);
  return graph;
}

}  // namespace edgepart::model
