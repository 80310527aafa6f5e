#include "edgepart/ops/tensor.hpp"

namespace edgepart::ops {

Tensor::Tensor(int64_t channels, int64_t height, int64_t width)
    : c(channels), h(height), w(width), data(static_cast<size_t>(channels * height * width), 0.0f) {}

}  // namespace edgepart::ops
