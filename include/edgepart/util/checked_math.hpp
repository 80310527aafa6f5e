#pragma once
// 64-bit arithmetic that reports overflow instead of wrapping (ONNX's checkedMultiply idea).
// Shape and cost arithmetic goes through these; callers turn OverflowError into an InputError
// that names the layer.
#include <cstdint>
#include <stdexcept>

namespace edgepart {

class OverflowError : public std::overflow_error {
public:
  OverflowError() : std::overflow_error("64-bit integer overflow") {}
};

inline int64_t checked_add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) throw OverflowError();
  return r;
}
inline int64_t checked_sub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) throw OverflowError();
  return r;
}
inline int64_t checked_mul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) throw OverflowError();
  return r;
}
template <typename... Ts>
int64_t checked_product(int64_t first, Ts... rest) {
  int64_t r = first;
  ((r = checked_mul(r, rest)), ...);
  return r;
}

// floor(a / b) for b > 0, also for negative a (C++ division truncates toward zero).
inline int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
inline int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

}  // namespace edgepart
