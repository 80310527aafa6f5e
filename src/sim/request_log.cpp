#include "edgepart/sim/request_log.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "edgepart/util/error.hpp"

namespace edgepart::sim {

namespace {

constexpr int kShift = 52 - RequestLog::kMantissaBits;  // IEEE 754 binary64: 52 stored mantissa bits
constexpr double pow2(int e) {
  double v = 1;
  for (; e > 0; --e) v *= 2;
  for (; e < 0; ++e) v /= 2;
  return v;
}
constexpr double kLowest_s = pow2(RequestLog::kMinExponent), kBeyond_s = pow2(RequestLog::kMaxExponent);
// Positive doubles order as their bit patterns, so the pattern's top bits are a monotone key.
uint64_t key_of(double v) { return std::bit_cast<uint64_t>(v) >> kShift; }
const uint64_t kFirstKey = key_of(kLowest_s);
const size_t kBuckets = static_cast<size_t>(key_of(kBeyond_s) - kFirstKey);

}  // namespace

RequestLog::RequestLog(std::optional<double> deadline_s, int64_t exact_limit)
    : deadline_s_(deadline_s), exact_limit_(exact_limit) {
  EDGEPART_ASSERT(exact_limit >= 0, "negative exact limit");
}

RequestLog RequestLog::of(std::span<const RequestRecord> records, std::optional<double> deadline_s) {
  RequestLog log(deadline_s);
  for (const auto& r : records) log.add(r);
  return log;
}

void RequestLog::add(const RequestRecord& r) {
  first_arrival_s_ = requests_ == 0 ? r.arrival_s : std::min(first_arrival_s_, r.arrival_s);
  last_done_s_ = requests_ == 0 ? r.done_s : std::max(last_done_s_, r.done_s);
  ++requests_;
  if (r.failed) {
    ++failed_;
    return;
  }
  const double v = r.latency_s();
  EDGEPART_ASSERT(v >= 0 && v < kBeyond_s, "request latency outside [0, 2^34 s)");
  cache_hits_ += r.cache_hit;
  if (!deadline_s_ || v <= *deadline_s_) ++met_;
  const bool first = completed() == 1;
  min_s_ = first ? v : std::min(min_s_, v);
  max_s_ = first ? v : std::max(max_s_, v);
  // Neumaier (1974): the rounding error of each addition is carried separately.
  const double t = sum_s_ + v;
  sum_compensation_s_ += std::abs(sum_s_) >= std::abs(v) ? (sum_s_ - t) + v : (v - t) + sum_s_;
  sum_s_ = t;
  if (!exact()) return count(v);
  exact_.push_back(v);
  sorted_ = false;
  if (static_cast<int64_t>(exact_.size()) > exact_limit_) move_to_histogram();
}

void RequestLog::move_to_histogram() {
  histogram_.assign(kBuckets, 0);
  for (double v : exact_) count(v);
  std::vector<double>().swap(exact_);  // give the memory back
  sorted_ = true;
}

void RequestLog::count(double v) {
  if (v == 0) {
    ++zeros_;
    return;
  }
  // Below 2^-34 s (a one-request prediction of a model with almost no work: its times are
  // doubles, not whole nanoseconds) counts in the lowest bucket.
  ++histogram_[bucket_of(std::max(v, kLowest_s))];
}

size_t RequestLog::bucket_of(double v) const { return static_cast<size_t>(key_of(v) - kFirstKey); }

double RequestLog::bucket_midpoint(size_t bucket) {
  const uint64_t key = kFirstKey + bucket;
  const double lo = std::bit_cast<double>(key << kShift), hi = std::bit_cast<double>((key + 1) << kShift);
  return (lo + hi) / 2;  // exact: lo and hi share all but the last kMantissaBits + 1 bits
}

const std::vector<double>& RequestLog::sorted() const {
  if (!sorted_) std::sort(exact_.begin(), exact_.end());
  sorted_ = true;
  return exact_;
}

double RequestLog::mean_latency_s() const {
  EDGEPART_ASSERT(completed() > 0, "mean latency of no completed request");
  if (exact()) {
    double sum = 0;
    for (double v : sorted()) sum += v;  // ascending order: a fixed summation order
    return sum / static_cast<double>(completed());
  }
  return (sum_s_ + sum_compensation_s_) / static_cast<double>(completed());
}

double RequestLog::latency_at_rank(int64_t rank) const {
  EDGEPART_ASSERT(rank >= 1 && rank <= completed(), "latency rank out of [1, completed]");
  if (exact()) return sorted()[static_cast<size_t>(rank - 1)];
  if (rank == completed()) return max_s_;
  int64_t below = zeros_;
  if (rank <= below) return 0;
  for (size_t b = 0; b < histogram_.size(); ++b) {
    below += histogram_[b];
    // The rank-th value lies in bucket b; its midpoint is within the bound, and so is the
    // nearer of min and max when the midpoint falls outside them (the value lies inside).
    if (below >= rank) return std::clamp(bucket_midpoint(b), min_s_, max_s_);
  }
  EDGEPART_ASSERT(false, "histogram counts fewer latencies than completed requests");
  return 0;
}

int64_t RequestLog::completed_at_most(double d_s) const {
  if (exact()) {
    const auto& v = sorted();
    return static_cast<int64_t>(std::upper_bound(v.begin(), v.end(), d_s) - v.begin());
  }
  // Outside [min, max] the count is exact; inside, a bucket counts whole by its midpoint.
  if (d_s >= max_s_) return completed();
  if (d_s < min_s_) return 0;
  int64_t n = zeros_;
  for (size_t b = 0; b < histogram_.size() && bucket_midpoint(b) <= d_s; ++b) n += histogram_[b];
  return n;
}

size_t RequestLog::memory_bytes() const {
  return sizeof(*this) + exact_.capacity() * sizeof(double) + histogram_.capacity() * sizeof(int64_t);
}

}  // namespace edgepart::sim
