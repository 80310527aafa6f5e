#include "tensor_store.hpp"

#include <algorithm>

#include "edgepart/util/error.hpp"

namespace edgepart::runtime {

namespace {

// Visits every row of a box: f(row index c * h + y, flat index of the row's first element in the
// full tensor, index of that element in the box's channel-major values, row length). Rows are
// contiguous in both.
template <class F>
void for_rows(const exec::Tensor& t, const Box& b, F f) {
  const int64_t len = b.x1 - b.x0 + 1;
  int64_t k = 0;
  for (int64_t c = b.c0; c <= b.c1; ++c)
    for (int64_t y = b.r0; y <= b.r1; ++y, k += len)
      f(static_cast<size_t>(c * t.h + y), static_cast<size_t>((c * t.h + y) * t.w + b.x0), k, len);
}

// Whether [lo, hi] lies inside one interval (they are merged, so inside the union means inside one).
bool contains(const std::vector<std::pair<int64_t, int64_t>>& iv, int64_t lo, int64_t hi) {
  for (const auto& [a, b] : iv)
    if (a <= lo && hi <= b) return true;
  return false;
}

// Adds [lo, hi] to the intervals; calls gap(a, b) for every sub-range [a, b] of [lo, hi] that was
// not covered before, in order.
template <class Gap>
void insert(std::vector<std::pair<int64_t, int64_t>>& iv, int64_t lo, int64_t hi, Gap gap) {
  std::vector<std::pair<int64_t, int64_t>> out;
  out.reserve(iv.size() + 1);
  int64_t nlo = lo, nhi = hi, next = lo;  // next: first column of [lo, hi] not yet reported
  bool placed = false;
  for (const auto& [a, b] : iv) {
    if (b + 1 < nlo) {
      out.emplace_back(a, b);  // entirely before, not adjacent
    } else if (nhi + 1 < a) {
      if (!placed) out.emplace_back(nlo, nhi), placed = true;
      out.emplace_back(a, b);  // entirely after
    } else {
      if (a > next && next <= hi) gap(next, std::min(hi, a - 1));  // touching or overlapping [lo, hi]
      next = std::max(next, b + 1);
      nlo = std::min(nlo, a), nhi = std::max(nhi, b);
    }
  }
  if (next <= hi) gap(next, hi);
  if (!placed) out.emplace_back(nlo, nhi);
  iv = std::move(out);
}

}  // namespace

bool TensorStore::fits(const Box& b) const {
  if (b.tensor < -1 || static_cast<size_t>(b.tensor + 1) > analysis_.shapes.size()) return false;
  const model::Shape& s = shape(b.tensor);
  return b.elements() > 0 && b.c0 >= 0 && b.c1 < s.c && b.r0 >= 0 && b.r1 < s.h && b.x0 >= 0 && b.x1 < s.w;
}

TensorStore::Entry& TensorStore::entry(int tensor) {
  auto it = entries_.find(tensor);
  if (it != entries_.end()) return it->second;
  Entry e;
  e.t = exec::Tensor::of_shape(shape(tensor));
  e.rows.resize(static_cast<size_t>(e.t.c * e.t.h));
  return entries_.emplace(tensor, std::move(e)).first->second;
}

bool TensorStore::has(const Box& b) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(b.tensor);
  if (it == entries_.end()) return false;
  const Entry& e = it->second;
  if (e.covered == e.t.size()) return true;
  bool all = true;
  for_rows(e.t, b, [&](size_t row, size_t, int64_t, int64_t) { all = all && contains(e.rows[row], b.x0, b.x1); });
  return all;
}

std::vector<float> TensorStore::get(const Box& b) const {
  std::lock_guard lock(mu_);
  const Entry& e = entries_.at(b.tensor);
  std::vector<float> out(static_cast<size_t>(b.elements()));
  for_rows(e.t, b, [&](size_t, size_t i, int64_t k, int64_t n) {
    std::copy_n(e.t.data.begin() + static_cast<std::ptrdiff_t>(i), n, out.begin() + k);
  });
  return out;
}

bool TensorStore::put(const Box& b, const float* values) {
  EDGEPART_ASSERT(fits(b), "a box outside its tensor reached the store: " + std::to_string(b.tensor));
  std::lock_guard lock(mu_);
  Entry& e = entry(b.tensor);
  if (e.covered == e.t.size()) return false;
  for_rows(e.t, b, [&](size_t row, size_t i, int64_t k, int64_t) {
    insert(e.rows[row], b.x0, b.x1, [&](int64_t x0, int64_t x1) {
      const int64_t n = x1 - x0 + 1, skip = x0 - b.x0;
      std::copy_n(values + k + skip, n, e.t.data.begin() + static_cast<std::ptrdiff_t>(i) + skip);
      e.covered += n;
    });
  });
  return e.covered == e.t.size();
}

const exec::Tensor& TensorStore::view(int tensor) const {
  std::lock_guard lock(mu_);
  return entries_.at(tensor).t;
}

bool TensorStore::complete(int tensor) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(tensor);
  return it != entries_.end() && it->second.covered == it->second.t.size();
}

}  // namespace edgepart::runtime
