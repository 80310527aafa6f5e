#include "tensor_store.hpp"

#include <algorithm>

#include "edgepart/util/error.hpp"

namespace edgepart::runtime {

namespace {

// Visits every row of a box: f(flat index of the row's first element in the full tensor, index
// of that element in the box's channel-major values, row length). Rows are contiguous in both.
template <class F>
void for_rows(const exec::Tensor& t, const Box& b, F f) {
  const int64_t len = b.x1 - b.x0 + 1;
  int64_t k = 0;
  for (int64_t c = b.c0; c <= b.c1; ++c)
    for (int64_t y = b.r0; y <= b.r1; ++y, k += len) f(static_cast<size_t>((c * t.h + y) * t.w + b.x0), k, len);
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
  e.mask.assign(static_cast<size_t>(e.t.size()), 0);
  return entries_.emplace(tensor, std::move(e)).first->second;
}

bool TensorStore::has(const Box& b) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(b.tensor);
  if (it == entries_.end()) return false;
  const Entry& e = it->second;
  if (e.covered == e.t.size()) return true;
  bool all = true;
  for_rows(e.t, b, [&](size_t i, int64_t, int64_t n) {
    all = all && std::find(e.mask.begin() + static_cast<std::ptrdiff_t>(i), e.mask.begin() + static_cast<std::ptrdiff_t>(i) + n, 0) ==
                     e.mask.begin() + static_cast<std::ptrdiff_t>(i) + n;
  });
  return all;
}

std::vector<float> TensorStore::get(const Box& b) const {
  std::lock_guard lock(mu_);
  const Entry& e = entries_.at(b.tensor);
  std::vector<float> out(static_cast<size_t>(b.elements()));
  for_rows(e.t, b, [&](size_t i, int64_t k, int64_t n) {
    std::copy_n(e.t.data.begin() + static_cast<std::ptrdiff_t>(i), n, out.begin() + k);
  });
  return out;
}

bool TensorStore::put(const Box& b, const float* values) {
  EDGEPART_ASSERT(fits(b), "a box outside its tensor reached the store: " + std::to_string(b.tensor));
  std::lock_guard lock(mu_);
  Entry& e = entry(b.tensor);
  const bool was_complete = e.covered == e.t.size();
  for_rows(e.t, b, [&](size_t i, int64_t k, int64_t n) {
    std::copy_n(values + k, n, e.t.data.begin() + static_cast<std::ptrdiff_t>(i));
    auto m = e.mask.begin() + static_cast<std::ptrdiff_t>(i);
    e.covered += n - std::count(m, m + n, uint8_t{1});
    std::fill_n(m, n, uint8_t{1});
  });
  return !was_complete && e.covered == e.t.size();
}

exec::Tensor TensorStore::crop(int tensor, const rf::Region& r) const {
  std::lock_guard lock(mu_);
  return exec::crop(entries_.at(tensor).t, r);
}

bool TensorStore::complete(int tensor) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(tensor);
  return it != entries_.end() && it->second.covered == it->second.t.size();
}

}  // namespace edgepart::runtime
