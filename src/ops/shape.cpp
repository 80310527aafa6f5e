#include "edgepart/ops/shape.hpp"

#include "edgepart/util/checked_math.hpp"

namespace edgepart::ops {

int64_t Shape::elements() const { return checked_product(c, h, w); }

std::vector<int64_t> Shape::dims() const {
  if (flat) return {c};
  return {c, h, w};
}

std::string Shape::to_string() const {
  if (flat) return "[" + std::to_string(c) + "]";
  return "[" + std::to_string(c) + "," + std::to_string(h) + "," + std::to_string(w) + "]";
}

int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                           int64_t pad_begin, int64_t pad_end, bool ceil_mode) {
  int64_t span = checked_add(checked_mul(dilation, kernel - 1), 1);
  int64_t room = checked_sub(checked_add(checked_add(in, pad_begin), pad_end), span);
  if (room < 0) return 0;
  int64_t out = (ceil_mode ? ceil_div(room, stride) : room / stride) + 1;
  // PyTorch (pooling_output_shape): the last window must start inside the input or left padding.
  if (ceil_mode && checked_mul(out - 1, stride) >= checked_add(in, pad_begin)) --out;
  return out;
}

}  // namespace edgepart::ops
