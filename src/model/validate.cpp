// Structural validation (names, inputs, arity, cycles, attribute ranges), kept apart from shape
// inference as in ONNX's checker: a structurally sound graph may still have impossible shapes.
#include <map>
#include <queue>
#include <set>

#include "edgepart/model/load.hpp"
#include "edgepart/util/limits.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::model {

namespace {

std::string inputs_pointer(const std::string& origin, size_t j) {
  // JSON layers point at their inputs list; ONNX nodes are named as they are.
  if (!origin.empty() && origin.front() == '/') return origin + "/inputs/" + std::to_string(j);
  return origin;
}

std::string arity_text(const Arity& a) {
  if (a.min == a.max) return std::to_string(a.min) + (a.min == 1 ? " input" : " inputs");
  if (a.max == SIZE_MAX) return "at least " + std::to_string(a.min) + " inputs";
  return std::to_string(a.min) + " to " + std::to_string(a.max) + " inputs";
}

void check_arity(const Layer& l, size_t count, const std::string& file, std::vector<InputError>& errors) {
  const Arity& a = op_info(l.kind).arity;
  if (count < a.min || count > a.max)
    errors.emplace_back(file, l.origin,
                        "layer '" + l.name + "' (" + std::string(op_name(l.kind)) + ") takes " +
                            arity_text(a) + " (got " + std::to_string(count) + ")");
}

}  // namespace

std::vector<Layer> assemble_layers(std::vector<PendingLayer> pending, const std::string& file,
                                   std::vector<InputError>& errors) {
  const size_t n = pending.size();
  // Hardening (docs/robustness.md): one check here covers the JSON and ONNX loaders.
  if (static_cast<int64_t>(n) > limits::max_layers()) {
    errors.emplace_back(file, "", "the model has " + with_thousands(static_cast<int64_t>(n)) + " layers, more than " +
                                      with_thousands(limits::max_layers()) + limits::raise_hint("EDGEPART_MAX_LAYERS"));
    return {};
  }
  std::map<std::string, size_t> index_of;
  std::vector<std::string> names;
  size_t errors_before = errors.size();
  for (size_t i = 0; i < n; ++i) {
    const Layer& l = pending[i].layer;
    auto [it, inserted] = index_of.emplace(l.name, i);
    if (!inserted)
      errors.emplace_back(file, l.origin,
                          "duplicate layer name '" + l.name + "' (first defined at " +
                              pending[it->second].layer.origin + ")");
    names.push_back(l.name);
  }
  // Resolve names to file indices (kModelInput for "input").
  std::vector<std::vector<LayerIndex>> inputs(n);
  // A "did you mean" hint costs an edit distance to every name; giving one for each of thousands
  // of unknown inputs made a 100,000-layer file with broken names quadratic (hours). The first few
  // hints are the useful ones.
  constexpr int kMaxHints = 10;
  int hints_given = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto& p = pending[i];
    check_arity(p.layer, p.input_names.size(), file, errors);
    for (size_t j = 0; j < p.input_names.size(); ++j) {
      const std::string& name = p.input_names[j];
      if (name == "input") {
        inputs[i].push_back(kModelInput);
        continue;
      }
      auto it = index_of.find(name);
      if (it == index_of.end()) {
        std::string hint = hints_given++ < kMaxHints ? closest_match(name, names) : std::string();
        errors.emplace_back(file, inputs_pointer(p.layer.origin, j),
                            "layer '" + p.layer.name + "' reads unknown layer '" + name + "'" +
                                (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
        continue;
      }
      inputs[i].push_back(static_cast<LayerIndex>(it->second));
    }
  }
  if (errors.size() != errors_before) return {};

  // Kahn's algorithm, always taking the ready layer that comes first in the file, so a file that
  // is already topological keeps its order exactly.
  std::vector<size_t> missing(n, 0);
  std::vector<std::vector<size_t>> readers(n);
  for (size_t i = 0; i < n; ++i) {
    std::set<LayerIndex> distinct(inputs[i].begin(), inputs[i].end());
    for (LayerIndex in : distinct)
      if (in != kModelInput) {
        ++missing[i];
        readers[in].push_back(i);
      }
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i)
    if (missing[i] == 0) ready.push(i);
  std::vector<size_t> order;
  std::vector<LayerIndex> position(n, -1);
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    position[i] = static_cast<LayerIndex>(order.size());
    order.push_back(i);
    for (size_t r : readers[i])
      if (--missing[r] == 0) ready.push(r);
  }
  if (order.size() != n) {
    // Walk back along unplaced inputs from the first unplaced layer until a layer repeats.
    size_t start = 0;
    while (position[start] != -1) ++start;
    std::vector<size_t> path{start};
    std::map<size_t, size_t> seen{{start, 0}};
    while (true) {
      size_t cur = path.back(), next = cur;
      for (LayerIndex in : inputs[cur])
        if (in != kModelInput && position[in] == -1) {
          next = static_cast<size_t>(in);
          break;
        }
      if (auto it = seen.find(next); it != seen.end()) {
        std::string cycle;
        // path runs from readers back to producers; reversed it follows the data, and the cycle
        // closes on the layer it started from.
        for (size_t k = path.size(); k-- > it->second;) cycle += names[path[k]] + " -> ";
        cycle += names[path.back()];
        errors.emplace_back(file, pending[next].layer.origin,
                            "the layers form a cycle: " + cycle);
        return {};
      }
      seen.emplace(next, path.size());
      path.push_back(next);
    }
  }
  std::vector<Layer> out;
  out.reserve(n);
  for (size_t i : order) {
    Layer l = std::move(pending[i].layer);
    l.inputs.clear();
    for (LayerIndex in : inputs[i]) l.inputs.push_back(in == kModelInput ? kModelInput : position[in]);
    out.push_back(std::move(l));
  }
  return out;
}

namespace {

void check_positive(const std::string& file, const Layer& l, const char* what, int64_t v,
                    std::vector<InputError>& errors, int64_t min = 1) {
  if (v < min)
    errors.emplace_back(file, l.origin,
                        "layer '" + l.name + "': " + what + " must be >= " + std::to_string(min) +
                            " (got " + std::to_string(v) + ")");
}

void check_hw(const std::string& file, const Layer& l, const char* what, const Hw& hw,
              std::vector<InputError>& errors) {
  check_positive(file, l, what, std::min(hw.h, hw.w), errors);
}

void check_padding(const std::string& file, const Layer& l, const Padding& p, std::vector<InputError>& errors) {
  check_positive(file, l, "padding", std::min({p.top, p.left, p.bottom, p.right}), errors, 0);
}

// A pooling window padded by more than half its size would have windows of padding only (PyTorch
// refuses them: aten/src/ATen/native/Pool.h, pool2d_shape_check, "pad should be smaller than or
// equal to half of kernel size"); the same rule for JSON and ONNX models, whose pads may differ
// per side.
void check_pool_padding(const std::string& file, const Layer& l, const Pool2dAttrs& a, std::vector<InputError>& errors) {
  const Padding& p = a.padding;
  if (std::max(p.top, p.bottom) <= a.kernel.h / 2 && std::max(p.left, p.right) <= a.kernel.w / 2) return;
  errors.emplace_back(file, l.origin,
                      "layer '" + l.name + "': padding must be at most half the kernel (kernel " + std::to_string(a.kernel.h) +
                          "x" + std::to_string(a.kernel.w) + ", got padding top/left/bottom/right " + std::to_string(p.top) +
                          "/" + std::to_string(p.left) + "/" + std::to_string(p.bottom) + "/" + std::to_string(p.right) + ")");
}

}  // namespace

void validate_structure(const ModelGraph& graph, std::vector<InputError>& errors) {
  const std::string& file = graph.file;
  if (graph.layers.empty()) errors.emplace_back(file, "/layers", "a model needs at least one layer");
  if (graph.input.flat || graph.input.c < 1 || graph.input.h < 1 || graph.input.w < 1)
    errors.emplace_back(file, "/input", "input must be [C, H, W] with positive sizes (got " +
                                            graph.input.to_string() + ")");
  std::set<std::string> names;
  for (size_t i = 0; i < graph.layers.size(); ++i) {
    const Layer& l = graph.layers[i];
    if (!names.insert(l.name).second)
      errors.emplace_back(file, l.origin, "duplicate layer name '" + l.name + "'");
    check_arity(l, l.inputs.size(), file, errors);
    for (LayerIndex in : l.inputs)
      if (in != kModelInput && (in < 0 || static_cast<size_t>(in) >= i))
        errors.emplace_back(file, l.origin, "layer '" + l.name + "' reads a layer that does not come before it");
    std::visit(
        [&](const auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, Conv2dAttrs>) {
            check_positive(file, l, "out_channels", a.out_channels, errors);
            check_hw(file, l, "kernel", a.kernel, errors);
            check_hw(file, l, "stride", a.stride, errors);
            check_hw(file, l, "dilation", a.dilation, errors);
            check_positive(file, l, "groups", a.groups, errors);
            check_padding(file, l, a.padding, errors);
          } else if constexpr (std::is_same_v<T, Pool2dAttrs>) {
            check_hw(file, l, "kernel", a.kernel, errors);
            check_hw(file, l, "stride", a.stride, errors);
            check_hw(file, l, "dilation", a.dilation, errors);
            check_padding(file, l, a.padding, errors);
            check_pool_padding(file, l, a, errors);
          } else if constexpr (std::is_same_v<T, AdaptivePoolAttrs>) {
            check_hw(file, l, "output_size", a.output_size, errors);
          } else if constexpr (std::is_same_v<T, LinearAttrs>) {
            check_positive(file, l, "out_features", a.out_features, errors);
          } else if constexpr (std::is_same_v<T, UpsampleAttrs>) {
            check_hw(file, l, "scale", a.scale, errors);
          } else if constexpr (std::is_same_v<T, BlockAttrs>) {
            check_positive(file, l, "block_size", a.block_size, errors);
          } else if constexpr (std::is_same_v<T, LrnAttrs>) {
            check_positive(file, l, "size", a.size, errors);
          }
        },
        l.attrs);
  }
}

}  // namespace edgepart::model
