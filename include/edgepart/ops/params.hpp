#pragma once
// Random weights for the reference executor (no trained weights exist here). Every value is a
// pure function of (seed, layer name, tensor name, index): a counter-based generator, so a layer's
// weights do not depend on the other layers. Our own uniform -> float mapping, no
// std::*_distribution, so values are the same with every compiler. Each op with parameters draws
// them in its spec (OpSpec::make_params).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace edgepart::ops {

// A stream of uniform values: value(i) = splitmix64's output for state key + (i+1)*golden
// (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014), top 24 bits.
class UniformStream {
public:
  UniformStream(uint64_t seed, std::string_view layer, std::string_view tensor);
  // Uniform in [lo, hi): lo + (hi - lo) * k / 2^24, k the top 24 bits of the i-th output.
  float at(uint64_t index, float lo, float hi) const;
  void fill(std::vector<float>& out, float lo, float hi) const;

private:
  uint64_t key_ = 0;
};

// Parameters of one layer, drawn from the seed.
//  conv2d, linear: weights U(-sqrt(6/fan_in), sqrt(6/fan_in)), i.e. variance 2/fan_in (He et al.,
//    "Delving deep into rectifiers", ICCV 2015), so activations stay O(1) through deep ReLU nets;
//    bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's default bias initialisation).
//  batchnorm: gamma U(0.8, 1.2), beta U(-0.1, 0.1), running mean U(-0.1, 0.1), running var
//    U(0.8, 1.2): arbitrary values near the identity (no trained statistics exist), folded into a
//    per-channel scale and shift.
struct LayerParams {
  std::vector<float> weight;  // conv2d: [C_out][C_in/groups][k_h][k_w]; linear: [out][in]
  std::vector<float> bias;    // conv2d, linear (empty without bias); batchnorm: the shift
  std::vector<float> scale;   // batchnorm: gamma / sqrt(var + eps)
  float weight_bound = 0;     // conv2d, linear: sqrt(6 / fan_in)
};

// The sizes a LayerParams holds.
struct ParamCounts {
  size_t weight = 0, bias = 0, scale = 0;
  bool operator==(const ParamCounts&) const = default;
};

// BatchNorm folded into y = scale * x + bias: scale = gamma / sqrt(var + eps), bias = beta - mean * scale.
void fold_batchnorm(LayerParams& p, const std::vector<float>& gamma, const std::vector<float>& beta,
                    const std::vector<float>& mean, const std::vector<float>& var, double eps);

// The stream of a linear layer's weight matrix [out][in], row-major.
inline UniformStream linear_weight_stream(std::string_view layer, uint64_t seed) { return UniformStream(seed, layer, "weight"); }

}  // namespace edgepart::ops
