#include "edgepart/rf/region.hpp"

namespace edgepart::rf {

std::string Interval::to_string() const {
  if (empty()) return "empty";
  return std::to_string(begin) + ".." + std::to_string(end);
}

std::string Region::to_string() const {
  if (empty()) return "empty";
  return "rows " + rows.to_string() + ", cols " + cols.to_string();
}

}  // namespace edgepart::rf
