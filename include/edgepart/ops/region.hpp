#pragma once
// Inclusive row/column intervals and 2-D regions of a feature map (docs/design.md §4). An interval
// [begin, end] is empty when end < begin; every empty interval is normalised to {0, -1} by the
// operations below so that empty regions compare equal.
#include <cstdint>
#include <string>

#include "edgepart/ops/shape.hpp"

namespace edgepart::ops {

struct Interval {
  int64_t begin = 0, end = -1;  // inclusive, 0-based

  static Interval empty_interval() { return Interval{0, -1}; }
  // [0, size-1], empty when size <= 0.
  static Interval whole(int64_t size) { return size > 0 ? Interval{0, size - 1} : empty_interval(); }

  bool empty() const { return end < begin; }
  int64_t length() const { return empty() ? 0 : end - begin + 1; }
  bool contains(int64_t i) const { return begin <= i && i <= end; }
  bool contains(const Interval& o) const { return o.empty() || (begin <= o.begin && o.end <= end); }
  // The smallest interval holding both (an empty operand is ignored).
  Interval hull(const Interval& o) const {
    if (empty()) return o.empty() ? empty_interval() : o;
    if (o.empty()) return *this;
    return Interval{begin < o.begin ? begin : o.begin, end > o.end ? end : o.end};
  }
  Interval intersect(const Interval& o) const {
    Interval r{begin > o.begin ? begin : o.begin, end < o.end ? end : o.end};
    return r.empty() ? empty_interval() : r;
  }
  // Clipped to [0, size-1].
  Interval clip(int64_t size) const { return intersect(whole(size)); }
  std::string to_string() const;  // "3..5", or "empty"
  bool operator==(const Interval&) const = default;
};

struct Region {
  Interval rows, cols;

  static Region empty_region() { return Region{}; }
  // The whole map of a tensor; a flat tensor is one 1x1 "pixel".
  static Region whole(const Shape& s) { return Region{Interval::whole(s.h), Interval::whole(s.w)}; }

  bool empty() const { return rows.empty() || cols.empty(); }
  int64_t area() const { return empty() ? 0 : rows.length() * cols.length(); }
  bool contains(const Region& o) const { return o.empty() || (rows.contains(o.rows) && cols.contains(o.cols)); }
  Region hull(const Region& o) const {
    if (empty()) return o.empty() ? empty_region() : o;
    if (o.empty()) return *this;
    return Region{rows.hull(o.rows), cols.hull(o.cols)};
  }
  Region intersect(const Region& o) const {
    Region r{rows.intersect(o.rows), cols.intersect(o.cols)};
    return r.empty() ? empty_region() : r;
  }
  Region clip(const Shape& s) const { return intersect(whole(s)); }
  std::string to_string() const;  // "rows 3..5, cols 0..2"
  bool operator==(const Region&) const = default;
};

}  // namespace edgepart::ops
