// The JSON model format (docs/formats.md), read through the strict JsonCursor. Each op's
// attribute keys and their reading are in its spec (src/ops/).
#include <algorithm>

#include "edgepart/util/json_checks.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::model {

namespace {

const std::vector<std::string> kTopKeys = {"format", "version", "name", "source", "input", "dtype_bytes", "layers"};
const std::vector<std::string> kCommonLayerKeys = {"name", "op", "inputs"};

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
      const ops::OpSpec& spec = ops::op_spec(*kind);
      std::vector<std::string> allowed = kCommonLayerKeys;
      for (const ops::AttrKey& k : spec.attributes) allowed.emplace_back(k.name);
      l.no_unknown_keys(allowed);
      if (auto inputs = l.find("inputs")) {
        for (const JsonCursor& in : inputs->elements()) p.input_names.push_back(in.as_string());
        if (p.input_names.empty()) inputs->fail("a layer needs at least one input");
      } else {
        p.input_names.push_back(previous);
      }
      p.layer.attrs = spec.read(l);
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
