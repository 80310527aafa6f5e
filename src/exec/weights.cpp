#include "edgepart/exec/weights.hpp"

#include <cmath>

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
      double eps = l.as<BatchNormAttrs>().eps;
      p.scale.resize(n);
      p.bias.resize(n);
      for (size_t c = 0; c < n; ++c) {
        double s = gamma[c] / std::sqrt(static_cast<double>(var[c]) + eps);
        p.scale[c] = static_cast<float>(s);
        p.bias[c] = static_cast<float>(beta[c] - mean[c] * s);
      }
      break;
    }
    default: break;
  }
  return p;
}

}  // namespace edgepart::exec
