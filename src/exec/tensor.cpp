#include "edgepart/exec/tensor.hpp"

#include <algorithm>
#include <cmath>

#include "edgepart/util/error.hpp"

namespace edgepart::exec {

Tensor crop(const Tensor& full, const rf::Region& r) {
  const rf::Region map{rf::Interval::whole(full.h), rf::Interval::whole(full.w)};
  EDGEPART_ASSERT(map.contains(r), "crop " + r.to_string() + " outside the map");
  Tensor out(full.c, r.rows.length(), r.cols.length());
  for (int64_t ch = 0; ch < full.c; ++ch)
    for (int64_t y = 0; y < out.h; ++y) {
      const float* src = full.plane(ch) + (r.rows.begin + y) * full.w + r.cols.begin;
      std::copy(src, src + out.w, out.plane(ch) + y * out.w);
    }
  return out;
}

void paste(Tensor& full, const Tensor& part, const rf::Region& at) {
  const rf::Region map{rf::Interval::whole(full.h), rf::Interval::whole(full.w)};
  EDGEPART_ASSERT(part.c == full.c && part.h == at.rows.length() && part.w == at.cols.length() && map.contains(at),
                  "paste of a part that does not fit its region " + at.to_string());
  for (int64_t ch = 0; ch < full.c; ++ch)
    for (int64_t y = 0; y < part.h; ++y) {
      const float* src = part.plane(ch) + y * part.w;
      std::copy(src, src + part.w, full.plane(ch) + (at.rows.begin + y) * full.w + at.cols.begin);
    }
}

Comparison compare(const Tensor& reference, const Tensor& other) {
  EDGEPART_ASSERT(reference.c == other.c && reference.h == other.h && reference.w == other.w,
                  "compared tensors differ in shape");
  Comparison r;
  double diff2 = 0, ref2 = 0;
  size_t top_ref = 0, top_other = 0;
  for (size_t i = 0; i < reference.data.size(); ++i) {
    double a = reference.data[i], b = other.data[i];
    r.max_abs_error = std::max(r.max_abs_error, std::abs(b - a));
    r.max_abs_output = std::max(r.max_abs_output, std::abs(a));
    diff2 += (b - a) * (b - a);
    ref2 += a * a;
    if (reference.data[i] > reference.data[top_ref]) top_ref = i;
    if (other.data[i] > other.data[top_other]) top_other = i;
  }
  r.rel_l2_error = ref2 > 0 ? std::sqrt(diff2 / ref2) : (diff2 > 0 ? INFINITY : 0.0);
  r.top1_agrees = top_ref == top_other;
  return r;
}

}  // namespace edgepart::exec
