#include "edgepart/model/graph.hpp"

#include <cstdio>
#include <sstream>
#include <type_traits>

#include "edgepart/util/checked_math.hpp"

namespace edgepart::model {

std::optional<LayerIndex> ModelGraph::find(const std::string& layer_name) const {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].name == layer_name) return static_cast<LayerIndex>(i);
  return std::nullopt;
}

std::vector<std::vector<LayerIndex>> ModelGraph::consumers() const {
  std::vector<std::vector<LayerIndex>> out(layers.size());
  for (size_t i = 0; i < layers.size(); ++i)
    for (LayerIndex in : layers[i].inputs)
      if (in != kModelInput && (out[in].empty() || out[in].back() != static_cast<LayerIndex>(i)))
        out[in].push_back(static_cast<LayerIndex>(i));
  return out;
}

std::string ModelGraph::describe(LayerIndex i) const {
  return layer(i).ref().describe();
}

namespace {

void write_attrs(std::ostream& out, const OpAttrs& attrs) {
  std::visit(
      [&out](const auto& a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, Conv2dAttrs>) {
          out << a.out_channels << ' ' << a.kernel.h << ' ' << a.kernel.w << ' ' << a.stride.h << ' '
              << a.stride.w << ' ' << a.dilation.h << ' ' << a.dilation.w << ' ' << a.padding.top << ' '
              << a.padding.left << ' ' << a.padding.bottom << ' ' << a.padding.right << ' ' << a.groups
              << ' ' << a.bias;
        } else if constexpr (std::is_same_v<T, Pool2dAttrs>) {
          out << a.kernel.h << ' ' << a.kernel.w << ' ' << a.stride.h << ' ' << a.stride.w << ' '
              << a.dilation.h << ' ' << a.dilation.w << ' ' << a.padding.top << ' ' << a.padding.left
              << ' ' << a.padding.bottom << ' ' << a.padding.right << ' ' << a.ceil_mode << ' '
              << a.count_include_pad;
        } else if constexpr (std::is_same_v<T, AdaptivePoolAttrs>) {
          out << a.output_size.h << ' ' << a.output_size.w;
        } else if constexpr (std::is_same_v<T, LinearAttrs>) {
          out << a.out_features << ' ' << a.bias;
        } else if constexpr (std::is_same_v<T, UpsampleAttrs>) {
          out << a.scale.h << ' ' << a.scale.w;
        } else if constexpr (std::is_same_v<T, BlockAttrs>) {
          out << a.block_size;
        } else if constexpr (std::is_same_v<T, LrnAttrs>) {
          out << a.size;
        }
        // Numeric-only attributes (eps, slopes, clip bounds) do not change shapes or costs and
        // are left out of the hash so that re-exports with rounding differences hash alike.
      },
      attrs);
}

}  // namespace

std::string ModelGraph::content_hash() const {
  std::ostringstream text;
  text << input.to_string() << ' ' << dtype_bytes << '\n';
  for (const Layer& l : layers) {
    text << l.name << ' ' << op_name(l.kind);
    for (LayerIndex in : l.inputs) text << ' ' << in;
    text << " | ";
    write_attrs(text, l.attrs);
    text << '\n';
  }
  // FNV-1a 64-bit (public domain constants from the FNV specification).
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char ch : text.str()) {
    hash ^= ch;
    hash *= 1099511628211ull;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "fnv1a64:%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

}  // namespace edgepart::model
