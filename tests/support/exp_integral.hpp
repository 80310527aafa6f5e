#pragma once
// The exponential integral for tests, written independently of the code under test (which uses
// std::expint): E1(x) = -gamma - ln x - sum_{k>=1} (-x)^k / (k k!) (Abramowitz & Stegun 5.1.11).
// Accurate for the small x of the tests (x = 1/snr <= 1).
#include <cmath>
#include <numbers>

namespace edgepart::testing {

inline double exp_integral_e1(double x) {
  const double gamma = 0.57721566490153286061;  // Euler-Mascheroni
  double sum = 0, term = 1;
  for (int k = 1; k < 200; ++k) {
    term *= -x / k;  // (-x)^k / k!
    sum += term / k;
    if (std::fabs(term) < 1e-18) break;
  }
  return -gamma - std::log(x) - sum;
}

// The ergodic Shannon capacity per Hz of a Rayleigh channel of mean SNR `snr` (linear):
// E[log2(1 + snr g)] = e^(1/snr) E1(1/snr) / ln 2 for g ~ Exp(1).
inline double rayleigh_capacity_per_hz(double snr) {
  return std::exp(1 / snr) * exp_integral_e1(1 / snr) / std::numbers::ln2;
}

}  // namespace edgepart::testing
