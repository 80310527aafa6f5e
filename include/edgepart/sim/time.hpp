#pragma once
// Simulated time (docs/design.md §6, STYLE §3): a strong type over int64 nanoseconds, as ns-3's Time. The
// event queue orders on it, so equal times are exactly equal and ties fall to the sequence number.
// Conversions to and from seconds happen only at the edges (scenario input, reports).
#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>

#include "edgepart/util/sim_clock.hpp"

namespace edgepart::sim {

class SimTime {
public:
  constexpr SimTime() = default;
  static constexpr SimTime from_ns(int64_t ns) { return SimTime(ns); }
  // Rounds to the nearest nanosecond; times beyond the range (about 292 years) saturate to max().
  static SimTime from_seconds(double s) {
    double ns = std::nearbyint(s * sim_clock::kTicksPerSecond);
    if (!(ns < sim_clock::kMax_s * sim_clock::kTicksPerSecond)) return max();
    return SimTime(static_cast<int64_t>(ns));
  }
  static constexpr SimTime max() { return SimTime(std::numeric_limits<int64_t>::max()); }
  static constexpr SimTime zero() { return SimTime(0); }

  constexpr int64_t ns() const { return ns_; }
  constexpr double seconds() const { return static_cast<double>(ns_) * 1e-9; }

  constexpr auto operator<=>(const SimTime&) const = default;
  constexpr SimTime operator+(SimTime o) const { return SimTime(ns_ + o.ns_); }
  constexpr SimTime operator-(SimTime o) const { return SimTime(ns_ - o.ns_); }

private:
  constexpr explicit SimTime(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

}  // namespace edgepart::sim
