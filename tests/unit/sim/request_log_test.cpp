// RequestLog against exact sorting (the oracle): below its exact limit every percentile equals the
// sorted value at its nearest rank; past it, every rank is within the stated relative error, on
// random and adversarial samples; memory stays bounded.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "edgepart/sim/request_log.hpp"

namespace edgepart::sim {
namespace {

RequestRecord completed(double arrival_s, double latency_s) {
  RequestRecord r;
  r.arrival_s = arrival_s;
  r.done_s = arrival_s + latency_s;
  return r;
}

// A log of requests arriving at 0 with these latencies, stored exactly up to `exact_limit`.
RequestLog log_of(const std::vector<double>& latencies_s, int64_t exact_limit) {
  RequestLog log(std::nullopt, exact_limit);
  for (double l : latencies_s) log.add(completed(0, l));
  return log;
}

// The ranks of the log against the sorted values: equal when exact, else within the bound. Every
// rank of the first and last 50 and about 1000 between (a histogram query scans its buckets).
void expect_ranks_within_bound(const std::vector<double>& latencies_s, int64_t exact_limit) {
  const RequestLog log = log_of(latencies_s, exact_limit);
  std::vector<double> sorted = latencies_s;
  std::sort(sorted.begin(), sorted.end());
  ASSERT_EQ(log.completed(), static_cast<int64_t>(sorted.size()));
  EXPECT_EQ(log.exact(), static_cast<int64_t>(sorted.size()) <= exact_limit);
  const size_t n = sorted.size(), stride = std::max<size_t>(1, n / 1000);
  for (size_t i = 0; i < n; i += (i < 50 || i + 50 >= n) ? 1 : stride) {
    const double got = log.latency_at_rank(static_cast<int64_t>(i + 1)), want = sorted[i];
    if (log.exact())
      ASSERT_EQ(got, want) << "rank " << i + 1;
    else
      ASSERT_LE(std::abs(got - want), RequestLog::kRelativeError * want) << "rank " << i + 1 << " of " << want;
  }
  EXPECT_EQ(log.max_latency_s(), sorted.back());
}

TEST(RequestLog, BoundIsTwoToTheMinusThirteen) {
  // 12 mantissa bits per bucket: width 2^(e-12), midpoint error at most half of it over x >= 2^e.
  EXPECT_EQ(RequestLog::kRelativeError, 1.0 / 8192);
}

TEST(RequestLog, LatenciesBelowTheHistogramAreKept) {
  // A one-request prediction of a model with almost no work takes picoseconds (its times are
  // doubles): exact while the log is exact, counted in the lowest bucket once it is not (the
  // bucket's midpoint, 2^-34 s, is then clamped to the exact extremes seen: 1 to 2 ps).
  EXPECT_EQ(log_of({1e-12}, 1).latency_at_rank(1), 1e-12);
  const RequestLog past = log_of({1e-12, 2e-12}, 1);
  EXPECT_EQ(past.completed(), 2);
  EXPECT_GE(past.latency_at_rank(1), 1e-12);
  EXPECT_LE(past.latency_at_rank(2), 2e-12);
}

TEST(RequestLog, ExactBelowTheLimit) {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> d(-1.0, 1.5);
  std::vector<double> v(5000);
  for (auto& x : v) x = d(rng);
  expect_ranks_within_bound(v, 5000);
  // Mean: the ascending sum, as the report always computed it.
  std::vector<double> s = v;
  std::sort(s.begin(), s.end());
  double sum = 0;
  for (double x : s) sum += x;
  EXPECT_EQ(log_of(v, 5000).mean_latency_s(), sum / 5000);
}

TEST(RequestLog, RandomSamplesPastTheLimit) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> lognormal(-2.0, 2.0);
  std::uniform_real_distribution<double> uniform(0.05, 0.06);
  std::exponential_distribution<double> expo(3.0);
  std::vector<double> a(20000), b(20000), c(20000);
  for (auto& x : a) x = lognormal(rng);
  for (auto& x : b) x = uniform(rng);
  for (auto& x : c) x = std::max(1e-9, expo(rng));
  for (int64_t limit : {0, 1000, 19999}) {
    expect_ranks_within_bound(a, limit);
    expect_ranks_within_bound(b, limit);
    expect_ranks_within_bound(c, limit);
  }
}

TEST(RequestLog, AdversarialSamplesPastTheLimit) {
  std::vector<std::vector<double>> cases;
  // Bucket edges: powers of two and the doubles either side of them, across the whole range.
  std::vector<double> edges;
  for (int e = RequestLog::kMinExponent; e < RequestLog::kMaxExponent; ++e) {
    const double p = std::ldexp(1.0, e);
    edges.push_back(p);
    edges.push_back(std::nextafter(p, 0.0));
    edges.push_back(std::nextafter(p, 1e300));
    edges.push_back(p * (1 + 1.0 / 4096));                    // the next bucket's lower edge
    edges.push_back(std::nextafter(p * (1 + 1.0 / 4096), 0.0));  // the top of the first bucket
  }
  edges.erase(std::remove_if(edges.begin(), edges.end(),
                             [](double x) { return x < std::ldexp(1.0, RequestLog::kMinExponent); }),
              edges.end());
  cases.push_back(edges);
  // Zeros, ties and two far clusters (a bimodal run: cache hits and misses).
  std::vector<double> ties(3000, 0.125);
  ties.insert(ties.end(), 500, 0.0);
  ties.insert(ties.end(), 2000, 3600.0);
  ties.insert(ties.end(), 1, 1e-9);
  cases.push_back(ties);
  // All equal; strictly descending (worst order for a streaming structure); one huge outlier.
  cases.push_back(std::vector<double>(4097, 0.7071));
  std::vector<double> desc;
  for (int i = 6000; i > 0; --i) desc.push_back(i * 1e-4);
  cases.push_back(desc);
  std::vector<double> outlier(4000, 0.01);
  outlier.push_back(1e10);
  cases.push_back(outlier);
  for (const auto& c : cases) {
    expect_ranks_within_bound(c, 0);
    expect_ranks_within_bound(c, static_cast<int64_t>(c.size()) / 2);
  }
}

TEST(RequestLog, CountsDeadlineHitsExactlyEvenPastTheLimit) {
  RequestLog log(0.5, 2);
  for (double l : {0.1, 0.5, 0.5000001, 0.7, 0.2}) log.add(completed(1, l));
  RequestRecord failed = completed(9, 0);
  failed.failed = true;
  log.add(failed);
  EXPECT_FALSE(log.exact());
  EXPECT_EQ(log.requests(), 6);
  EXPECT_EQ(log.failed(), 1);
  EXPECT_EQ(log.met_deadline(), 3);  // 0.1, 0.5, 0.2
  EXPECT_EQ(log.first_arrival_s(), 1);
  EXPECT_EQ(log.last_done_s(), 9);
  EXPECT_NEAR(log.mean_latency_s(), (0.1 + 0.5 + 0.5000001 + 0.7 + 0.2) / 5, 1e-15);
  // completed_at_most: exact outside [min, max].
  EXPECT_EQ(log.completed_at_most(0.05), 0);
  EXPECT_EQ(log.completed_at_most(0.7), 5);
  EXPECT_EQ(log.completed_at_most(0.3), 2);  // 0.1 and 0.2: no bucket midpoint near 0.3
}

TEST(RequestLog, MemoryStaysBounded) {
  RequestLog log(std::nullopt, 1 << 16);
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> d(0.0, 3.0);
  for (int i = 0; i < 2'000'000; ++i) log.add(completed(0, std::clamp(d(rng), 1e-9, 1e9)));
  // The histogram: 68 octaves x 4096 buckets x 8 B = 2.2 MiB, whatever the number of requests.
  EXPECT_LE(log.memory_bytes(), size_t{68} * 4096 * 8 + 4096);
}

}  // namespace
}  // namespace edgepart::sim
