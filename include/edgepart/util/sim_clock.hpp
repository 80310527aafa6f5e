#pragma once
// The simulator's clock, known below the simulator (docs/architecture.md "Simulated time"):
// sim::SimTime counts int64 nanoseconds. The scenario loader checks durations against it, so a
// channel step below 1 ns (it would round to a zero-length step) or a period beyond the range
// (it would saturate and the request would never arrive) is the user's error, found when loading.
namespace edgepart::sim_clock {

// Ticks of sim::SimTime per second, and one tick: 1 ns.
inline constexpr double kTicksPerSecond = 1e9;
inline constexpr double kResolution_s = 1.0 / kTicksPerSecond;
// The last representable time, rounded down: INT64_MAX ns is 9.223e9 s (about 292 years);
// sim::SimTime::from_seconds saturates to SimTime::max() ("never") from here on.
inline constexpr double kMax_s = 9.2e9;

}  // namespace edgepart::sim_clock
