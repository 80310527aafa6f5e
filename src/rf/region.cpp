#include "edgepart/rf/region.hpp"

#include <algorithm>

namespace edgepart::rf {

Interval Interval::hull(const Interval& o) const {
  if (empty()) return o.empty() ? empty_interval() : o;
  if (o.empty()) return *this;
  return Interval{std::min(begin, o.begin), std::max(end, o.end)};
}

Interval Interval::intersect(const Interval& o) const {
  Interval r{std::max(begin, o.begin), std::min(end, o.end)};
  return r.empty() ? empty_interval() : r;
}

std::string Interval::to_string() const {
  if (empty()) return "empty";
  return std::to_string(begin) + ".." + std::to_string(end);
}

Region Region::hull(const Region& o) const {
  if (empty()) return o.empty() ? empty_region() : o;
  if (o.empty()) return *this;
  return Region{rows.hull(o.rows), cols.hull(o.cols)};
}

Region Region::intersect(const Region& o) const {
  Region r{rows.intersect(o.rows), cols.intersect(o.cols)};
  return r.empty() ? empty_region() : r;
}

std::string Region::to_string() const {
  if (empty()) return "empty";
  return "rows " + rows.to_string() + ", cols " + cols.to_string();
}

}  // namespace edgepart::rf
