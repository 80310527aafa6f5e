#include "tensor_store.hpp"

#include "edgepart/util/error.hpp"

namespace edgepart::runtime {

namespace {

// Visits every element of a box: f(flat index in the full tensor, running index in the box).
template <class F>
void for_box(const exec::Tensor& t, const Box& b, F f) {
  int64_t k = 0;
  for (int64_t c = b.c0; c <= b.c1; ++c)
    for (int64_t y = b.r0; y <= b.r1; ++y) {
      int64_t base = (c * t.h + y) * t.w;
      for (int64_t x = b.x0; x <= b.x1; ++x) f(static_cast<size_t>(base + x), k++);
    }
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
  for_box(e.t, b, [&](size_t i, int64_t) { all = all && e.mask[i]; });
  return all;
}

std::vector<float> TensorStore::get(const Box& b) const {
  std::lock_guard lock(mu_);
  const Entry& e = entries_.at(b.tensor);
  std::vector<float> out(static_cast<size_t>(b.elements()));
  for_box(e.t, b, [&](size_t i, int64_t k) { out[static_cast<size_t>(k)] = e.t.data[i]; });
  return out;
}

bool TensorStore::put(const Box& b, const float* values) {
  EDGEPART_ASSERT(fits(b), "a box outside its tensor reached the store: " + std::to_string(b.tensor));
  std::lock_guard lock(mu_);
  Entry& e = entry(b.tensor);
  const bool was_complete = e.covered == e.t.size();
  for_box(e.t, b, [&](size_t i, int64_t k) {
    e.t.data[i] = values[k];
    if (!e.mask[i]) {
      e.mask[i] = 1;
      ++e.covered;
    }
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
