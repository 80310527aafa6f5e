#include "edgepart/ops/region.hpp"

namespace edgepart::ops {

std::string Interval::to_string() const {
  if (empty()) return "empty";
  return std::to_string(begin) + ".." + std::to_string(end);
}

std::string Region::to_string() const {
  if (empty()) return "empty";
  return "rows " + rows.to_string() + ", cols " + cols.to_string();
}

}  // namespace edgepart::ops
