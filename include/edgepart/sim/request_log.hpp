#pragma once
// What a run keeps of its requests, in memory bounded independently of their number
// (docs/simulator.md "Bounded memory"): counts, first arrival, last completion, deadline hits
// (exact, counted as requests finish) and the latency distribution of the completed ones. Up to
// `exact_limit` completed latencies are stored as they are, so percentiles are exact; past it they
// move into a log-linear histogram (HdrHistogram's scheme, Tene 2012: a bucket per value of the
// double's exponent and top kMantissaBits mantissa bits), whose percentiles are within a relative
// kRelativeError of the exact ones. Memory: 8 B per stored latency up to the limit (8 MiB by
// default), then a fixed 2.2 MiB histogram.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "edgepart/sim/observer.hpp"

namespace edgepart::sim {

class RequestLog {
public:
  // Completed latencies kept exactly: 2^20 (8 MiB of doubles), more than any golden or paper
  // scenario issues, so their percentiles stay exact.
  static constexpr int64_t kExactLimit = int64_t{1} << 20;
  // Histogram resolution: 2^12 buckets per octave. A bucket [lo, lo + 2^(e-12)) with lo >= 2^e is
  // reported by its midpoint, so |reported - exact| <= 2^(e-13) <= 2^-13 x exact.
  static constexpr int kMantissaBits = 12;
  static constexpr double kRelativeError = 1.0 / double(int64_t{1} << (kMantissaBits + 1));
  // The histogram covers latencies in [2^-34 s, 2^34 s) (58 ps to 544 years; simulated times are
  // below 292 years, sim/time.hpp) plus exactly 0; a latency in (0, 2^-34 s) counts in the lowest
  // bucket (kept exactly while the log is exact).
  static constexpr int kMinExponent = -34, kMaxExponent = 34;

  explicit RequestLog(std::optional<double> deadline_s = std::nullopt, int64_t exact_limit = kExactLimit);
  static RequestLog of(std::span<const RequestRecord> records, std::optional<double> deadline_s);

  void add(const RequestRecord& record);

  int64_t requests() const { return requests_; }
  int64_t failed() const { return failed_; }
  int64_t completed() const { return requests_ - failed_; }
  int64_t cache_hits() const { return cache_hits_; }
  // Completed requests with latency <= the deadline (all completed ones without a deadline).
  int64_t met_deadline() const { return met_; }
  const std::optional<double>& deadline_s() const { return deadline_s_; }
  double first_arrival_s() const { return first_arrival_s_; }
  double last_done_s() const { return last_done_s_; }

  // True while every completed latency is stored (percentiles exact).
  bool exact() const { return histogram_.empty(); }
  // The latency statistics over completed requests; precondition: completed() > 0.
  double mean_latency_s() const;
  double max_latency_s() const { return max_s_; }
  // The rank-th smallest completed latency (1-based): exact while exact(), else within a relative
  // kRelativeError of it (and within [min, max]).
  double latency_at_rank(int64_t rank) const;
  // Completed requests with latency <= d: exact while exact(); else exact for some d' within a
  // relative kRelativeError of d (a bucket counts whole, by its midpoint).
  int64_t completed_at_most(double d_s) const;
  // Bytes held (for the bounded-memory test).
  size_t memory_bytes() const;

private:
  void move_to_histogram();
  void count(double latency_s);
  size_t bucket_of(double latency_s) const;
  static double bucket_midpoint(size_t bucket);
  const std::vector<double>& sorted() const;

  std::optional<double> deadline_s_;
  int64_t exact_limit_;
  int64_t requests_ = 0, failed_ = 0, cache_hits_ = 0, met_ = 0;
  double first_arrival_s_ = 0, last_done_s_ = 0, min_s_ = 0, max_s_ = 0;
  // Neumaier-compensated running sum of completed latencies in completion order (the mean once
  // the latencies are no longer stored).
  double sum_s_ = 0, sum_compensation_s_ = 0;
  mutable std::vector<double> exact_;  // sorted lazily (queries are const)
  mutable bool sorted_ = true;
  int64_t zeros_ = 0;                 // histogram: latencies of exactly 0
  std::vector<int64_t> histogram_;    // empty while exact
};

}  // namespace edgepart::sim
