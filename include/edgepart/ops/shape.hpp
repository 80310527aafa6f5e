#pragma once
// The shape of a tensor at batch 1 (docs/design.md §2).
#include <cstdint>
#include <string>
#include <vector>

namespace edgepart::ops {

// [C,H,W], or [F] (flat) after flatten / linear.
struct Shape {
  int64_t c = 0, h = 1, w = 1;
  bool flat = false;

  static Shape chw(int64_t c, int64_t h, int64_t w) { return Shape{c, h, w, false}; }
  static Shape features(int64_t f) { return Shape{f, 1, 1, true}; }
  int64_t elements() const;  // overflow-checked
  std::vector<int64_t> dims() const;  // [C,H,W] or [F]
  std::string to_string() const;      // "[64,112,112]"
  bool operator==(const Shape&) const = default;
};

// Output length of a sliding window along one axis (conv and pooling):
// floor((in + pad_begin + pad_end - dilation(k-1) - 1) / stride) + 1, or with ceil_mode the
// ceiling, minus one when the last window would start in the end padding (PyTorch's rule).
// Returns 0 or less when the kernel does not fit the padded input. Overflow-checked.
int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                           int64_t pad_begin, int64_t pad_end, bool ceil_mode);

}  // namespace edgepart::ops
