#pragma once
// Dense float32 tensors for the reference executor: one image (batch 1), NCHW, row-major within a
// channel plane. A flat tensor [F] is F channels of 1x1. Here (not in exec) because each op's
// forward pass (OpSpec::forward) reads and writes them.
#include <cstdint>
#include <vector>

#include "edgepart/ops/region.hpp"
#include "edgepart/ops/shape.hpp"

namespace edgepart::ops {

struct Tensor {
  int64_t c = 0, h = 0, w = 0;
  std::vector<float> data;

  Tensor() = default;
  Tensor(int64_t channels, int64_t height, int64_t width);  // zero-filled
  static Tensor of_shape(const Shape& s) { return Tensor(s.c, s.h, s.w); }

  int64_t size() const { return c * h * w; }
  int64_t plane_size() const { return h * w; }
  float* plane(int64_t ch) { return data.data() + ch * h * w; }
  const float* plane(int64_t ch) const { return data.data() + ch * h * w; }
  float& at(int64_t ch, int64_t y, int64_t x) { return data[static_cast<size_t>((ch * h + y) * w + x)]; }
  float at(int64_t ch, int64_t y, int64_t x) const { return data[static_cast<size_t>((ch * h + y) * w + x)]; }
};

// An input of a layer as the executor sees it: `tensor` holds region `crop` of the input's map.
// Pixels outside `valid` read as the layer's padding (zero for conv, ignored by pooling).
//  - exact (lossless) execution: `valid` is the whole map, so padding is used only at the true map
//    border; every pixel inside the map that the layer reads must lie in `crop` (checked: a
//    violation is a bug in the region arithmetic and fails with InternalError);
//  - FDSP (ADCNN) execution: `valid` is the crop itself, so the crop border is padded like an
//    image border.
struct InputView {
  const Tensor* tensor = nullptr;
  Region crop;
  Region valid;
};

}  // namespace edgepart::ops
