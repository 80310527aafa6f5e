#include "edgepart/exec/weights.hpp"

#include <algorithm>
#include <cmath>

#include "edgepart/util/error.hpp"

namespace edgepart::exec {

using namespace model;

namespace {

// splitmix64's output function (Steele, Lea, Flood 2014; constants from the paper's reference code).
uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// FNV-1a 64 bit (public-domain constants from the FNV specification).
uint64_t fnv1a(std::string_view text, uint64_t hash = 14695981039346656037ull) {
  for (unsigned char ch : text) {
    hash ^= ch;
    hash *= 1099511628211ull;
  }
  return hash;
}

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ull;  // splitmix64's increment, 2^64 / phi

}  // namespace

UniformStream::UniformStream(uint64_t seed, std::string_view layer, std::string_view tensor) {
  uint64_t h = fnv1a(tensor, fnv1a("/", fnv1a(layer)));
  key_ = mix64(seed ^ mix64(h));
}

float UniformStream::at(uint64_t index, float lo, float hi) const {
  uint64_t k = mix64(key_ + (index + 1) * kGolden) >> 40;  // 24 bits: exact in a float
  return lo + (hi - lo) * (static_cast<float>(k) * 0x1p-24f);
}

void UniformStream::fill(std::vector<float>& out, float lo, float hi) const {
  for (size_t i = 0; i < out.size(); ++i) out[i] = at(i, lo, hi);
}

UniformStream linear_weight_stream(const Layer& layer, uint64_t seed) { return UniformStream(seed, layer.name, "weight"); }

LayerParams make_params(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex i, uint64_t seed) {
  const Layer& l = graph.layer(i);
  const Shape& x = analysis.shape_of(l.inputs.front());
  LayerParams p;
  switch (l.kind) {
    case OpKind::conv2d: {
      const auto& a = l.as<Conv2dAttrs>();
      int64_t fan_in = x.c / a.groups * a.kernel.h * a.kernel.w;
      p.weight_bound = static_cast<float>(std::sqrt(6.0 / static_cast<double>(fan_in)));
      p.weight.resize(static_cast<size_t>(a.out_channels * fan_in));
      UniformStream(seed, l.name, "weight").fill(p.weight, -p.weight_bound, p.weight_bound);
      if (a.bias) {
        auto b = static_cast<float>(1.0 / std::sqrt(static_cast<double>(fan_in)));
        p.bias.resize(static_cast<size_t>(a.out_channels));
        UniformStream(seed, l.name, "bias").fill(p.bias, -b, b);
      }
      break;
    }
    case OpKind::linear: {
      const auto& a = l.as<LinearAttrs>();
      p.weight_bound = static_cast<float>(std::sqrt(6.0 / static_cast<double>(x.c)));
      // Drawn once and kept, as a deployed model keeps its weights: a runtime or a profile then
      // times the matrix-vector product, not the generator (VGG-16's classifier.0 is 103M
      // weights, 412 MB).
      p.weight.resize(static_cast<size_t>(a.out_features * x.c));
      linear_weight_stream(l, seed).fill(p.weight, -p.weight_bound, p.weight_bound);
      if (a.bias) {
        auto b = static_cast<float>(1.0 / std::sqrt(static_cast<double>(x.c)));
        p.bias.resize(static_cast<size_t>(a.out_features));
        UniformStream(seed, l.name, "bias").fill(p.bias, -b, b);
      }
      break;
    }
    case OpKind::batchnorm: {
      auto n = static_cast<size_t>(x.c);
      std::vector<float> gamma(n), beta(n), mean(n), var(n);
      UniformStream(seed, l.name, "gamma").fill(gamma, 0.8f, 1.2f);
      UniformStream(seed, l.name, "beta").fill(beta, -0.1f, 0.1f);
      UniformStream(seed, l.name, "mean").fill(mean, -0.1f, 0.1f);
      UniformStream(seed, l.name, "var").fill(var, 0.8f, 1.2f);
      fold_batchnorm(p, gamma, beta, mean, var, l.as<BatchNormAttrs>().eps);
      break;
    }
    default: break;
  }
  return p;
}

std::vector<size_t> param_sizes(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex i) {
  const Layer& l = graph.layer(i);
  const Shape& x = analysis.shape_of(l.inputs.front());
  switch (l.kind) {
    case OpKind::conv2d: {
      const auto& a = l.as<Conv2dAttrs>();
      auto weights = static_cast<size_t>(a.out_channels * (x.c / a.groups) * a.kernel.h * a.kernel.w);
      return a.bias ? std::vector<size_t>{weights, static_cast<size_t>(a.out_channels)} : std::vector<size_t>{weights};
    }
    case OpKind::linear: {
      const auto& a = l.as<LinearAttrs>();
      auto weights = static_cast<size_t>(a.out_features * x.c);
      return a.bias ? std::vector<size_t>{weights, static_cast<size_t>(a.out_features)} : std::vector<size_t>{weights};
    }
    case OpKind::batchnorm: return std::vector<size_t>(4, static_cast<size_t>(x.c));
    default: return {};
  }
}

std::string params_misfit(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex i,
                          const LayerParams& p) {
  const Layer& l = graph.layer(i);
  const std::vector<size_t> sizes = param_sizes(graph, analysis, i);
  std::vector<size_t> want{0, 0, 0}, got{p.weight.size(), p.bias.size(), p.scale.size()};
  if (l.kind == OpKind::batchnorm) want = {0, sizes[0], sizes[0]};
  else if (!sizes.empty()) want = {sizes[0], sizes.size() > 1 ? sizes[1] : 0, 0};
  if (got == want) return "";
  auto text = [](const std::vector<size_t>& v) {
    return std::to_string(v[0]) + " weights, " + std::to_string(v[1]) + " biases, " + std::to_string(v[2]) + " scales";
  };
  return "layer '" + l.name + "' (" + std::string(op_name(l.kind)) + ") takes " + text(want) + " (got " + text(got) + ")";
}

void fold_batchnorm(LayerParams& p, const std::vector<float>& gamma, const std::vector<float>& beta,
                    const std::vector<float>& mean, const std::vector<float>& var, double eps) {
  size_t n = gamma.size();
  p.scale.resize(n);
  p.bias.resize(n);
  for (size_t c = 0; c < n; ++c) {
    double s = gamma[c] / std::sqrt(static_cast<double>(var[c]) + eps);
    p.scale[c] = static_cast<float>(s);
    p.bias[c] = static_cast<float>(beta[c] - mean[c] * s);
  }
}

LayerParams params_from_tensors(const ModelGraph& graph, const cost::ModelAnalysis& analysis, LayerIndex i,
                                const LayerParamTensors& tensors, const std::string& file) {
  const Layer& l = graph.layer(i);
  const std::vector<size_t> sizes = param_sizes(graph, analysis, i);
  auto take = [&](const std::string& role, size_t size) {
    auto it = tensors.find(role);
    if (it == tensors.end())
      throw InputError(file, "", "layer '" + l.name + "' (" + std::string(op_name(l.kind)) + ") has no " + role);
    if (it->second.size() != size)
      throw InputError(file, "", "the " + role + " of layer '" + l.name + "' has " + std::to_string(it->second.size()) +
                                     " values, but the model's " + std::string(op_name(l.kind)) + " needs " +
                                     std::to_string(size));
    return it->second;
  };
  LayerParams p;
  switch (l.kind) {
    case OpKind::conv2d:
    case OpKind::linear:
      p.weight = take("weight", sizes[0]);
      if (sizes.size() > 1) p.bias = take("bias", sizes[1]);
      break;
    case OpKind::batchnorm:
      fold_batchnorm(p, take("gamma", sizes[0]), take("beta", sizes[0]), take("mean", sizes[0]), take("var", sizes[0]),
                     l.as<BatchNormAttrs>().eps);
      break;
    default: break;
  }
  return p;
}

namespace {

std::vector<LayerIndex> layers_with_params(const ModelGraph& graph) {
  std::vector<LayerIndex> out;
  for (size_t i = 0; i < graph.size(); ++i) {
    OpKind k = graph.layers[i].kind;
    if (k == OpKind::conv2d || k == OpKind::linear || k == OpKind::batchnorm) out.push_back(static_cast<LayerIndex>(i));
  }
  return out;
}

}  // namespace

std::vector<LayerParams> trained_params(const ModelGraph& graph, const cost::ModelAnalysis& analysis,
                                        const model::OnnxModelWithParams& source, const std::string& file) {
  const std::vector<LayerIndex> ours = layers_with_params(graph);
  const std::vector<LayerIndex> theirs = layers_with_params(source.graph);
  bool by_name = std::all_of(ours.begin(), ours.end(), [&](LayerIndex i) { return source.params.count(graph.layer(i).name); });
  if (!by_name && ours.size() > theirs.size())
    throw InputError(file, "", "holds weights for " + std::to_string(theirs.size()) + " layers, but the model has " +
                                   std::to_string(ours.size()) + " layers with weights (is it an export of the same network?)");
  std::vector<LayerParams> out(graph.size());
  for (size_t k = 0; k < ours.size(); ++k) {
    const Layer& layer = graph.layer(ours[k]);
    // Names differ between a zoo JSON ("features.0") and an export ("/features/features.0/Conv"):
    // then the k-th layer with weights takes the file's k-th, which must be of the same kind.
    const std::string& name = by_name ? layer.name : source.graph.layer(theirs[k]).name;
    if (!by_name && source.graph.layer(theirs[k]).kind != layer.kind)
      throw InputError(file, "", "layer '" + name + "' (" + std::string(op_name(source.graph.layer(theirs[k]).kind)) +
                                     ") is where the model has '" + layer.name + "' (" + std::string(op_name(layer.kind)) +
                                     "): not an export of the same network");
    auto it = source.params.find(name);
    if (it == source.params.end()) throw InputError(file, "", "layer '" + name + "' has no weights in the file");
    out[static_cast<size_t>(ours[k])] = params_from_tensors(graph, analysis, ours[k], it->second, file);
  }
  return out;
}

}  // namespace edgepart::exec
