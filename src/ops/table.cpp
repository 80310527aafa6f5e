// The one table of ops, expanded from ops/op_list.hpp: every spec, in OpKind order.
#include "edgepart/ops/spec.hpp"

#include "edgepart/util/error.hpp"

namespace edgepart::ops {

const std::vector<OpSpec>& op_table() {
#define EDGEPART_OP_ROW(kind) kind##_spec,
  static const std::vector<OpSpec> table = {EDGEPART_OPS(EDGEPART_OP_ROW)};
#undef EDGEPART_OP_ROW
  return table;
}

const OpSpec& op_spec(OpKind kind) {
  const auto& table = op_table();
  auto index = static_cast<size_t>(kind);
  EDGEPART_ASSERT(index < table.size() && table[index].kind == kind, "op table out of order");
  return table[index];
}

std::string_view op_name(OpKind kind) { return op_spec(kind).name; }

std::optional<OpKind> find_op(std::string_view name) {
  for (const auto& spec : op_table())
    if (spec.name == name) return spec.kind;
  return std::nullopt;
}

std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (const auto& spec : op_table()) names.emplace_back(spec.name);
  return names;
}

OrderedJson attribute_defaults(const OpSpec& spec) {
  OrderedJson written = OrderedJson::object();
  spec.write(spec.defaults, written);
  OrderedJson out = OrderedJson::object();
  for (const AttrKey& key : spec.attributes) {
    const std::string name(key.name);
    switch (key.fallback) {
      case AttrKey::Default::required: out[name] = nullptr; break;
      case AttrKey::Default::kernel: out[name] = "kernel"; break;
      case AttrKey::Default::text: out[name] = OrderedJson::parse(key.text); break;
      case AttrKey::Default::from_attrs:
        EDGEPART_ASSERT(written.contains(name), std::string(spec.name) + ": the writer does not write '" + name + "'");
        out[name] = written[name];
        break;
    }
  }
  return out;
}

std::string LayerRef::describe() const { return "layer '" + std::string(name) + "' (" + std::string(op_name(kind)) + ")"; }

void LayerRef::fail(const std::string& message) const {
  throw InputError(std::string(file), std::string(origin), describe() + ": " + message);
}

}  // namespace edgepart::ops
