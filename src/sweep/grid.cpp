// Sweep axes, the point grid and shards (include/edgepart/sweep/sweep.hpp).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>

#include "edgepart/util/json_checks.hpp"
#include "edgepart/sweep/sweep.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/json_read.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::sweep {

namespace {

// More values than this on one axis is certainly a typo: refused before allocating. The grid's own
// limit (--max-points) applies to the product. Hardening (found by fuzz_sweep_spec): it was
// 10^8, which let "/seed=0:1e8:1" allocate 1.6 GB of JSON values (16 bytes each) and spend tens of
// seconds filling them before --max-points (default 10^7) could refuse the sweep; 10^7 (160 MB) is
// the default points limit, which one axis alone cannot usefully exceed.
constexpr uint64_t kMaxAxisValues = 10'000'000;

// Tolerance, in steps, for the end of a range to count as landed on: (b - a) / step computed in
// doubles may come out as 9.999999999999998 for an exact 10 (e.g. 0:1:0.1).
constexpr double kRangeLandingSteps = 1e-9;

// A number of a range, as a double and, when written as an integer that fits int64, exactly.
struct RangeNumber {
  double value = 0;
  std::optional<int64_t> exact;
};

std::optional<RangeNumber> parse_number(const std::string& text, const std::string& where) {
  if (text.empty()) return std::nullopt;
  const std::optional<Json> v = parse_json_if_json(text, "", where);
  if (!v || !v->is_number()) return std::nullopt;
  RangeNumber n;
  n.value = v->get<double>();
  if (!std::isfinite(n.value)) return std::nullopt;
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    throw InputError("", where, "the integer " + text + " is out of range (at most " + std::to_string(INT64_MAX) + ")");
  if (v->is_number_integer()) n.exact = v->get<int64_t>();
  return n;
}

std::vector<std::string> split_top_level(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string cur;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      cur += c;
      if (c == '\\' && i + 1 < text.size()) cur += text[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') ++depth;
    else if ((c == ']' || c == '}') && depth > 0) --depth;
    if (c == sep && depth == 0) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

// Drops the last bits of float noise of a + i*step (0.30000000000000004 -> 0.3): 15 significant
// digits is the most that every double round-trips through decimal.
double tidy(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return std::strtod(buf, nullptr);
}

__extension__ typedef __int128 Int128;  // GCC and clang; __extension__ keeps -Wpedantic quiet

// a:b:step of integers, exactly (a seed near 2^63 has no exact double, and a double beyond int64
// converted to int64 is undefined behaviour). 128-bit intermediates: b - a spans up to 2^64.
Axis integer_range(Axis axis, int64_t a, int64_t b, int64_t step, const std::string& where) {
  if (step == 0) throw InputError("", where, "the step of a range must not be 0");
  const Int128 span = static_cast<Int128>(b) - a;
  if ((span < 0 && step > 0) || (span > 0 && step < 0))
    throw InputError("", where, "the step goes away from the end of the range (" + std::to_string(a) + " to " +
                                    std::to_string(b) + " by " + std::to_string(step) + ")");
  const Int128 count = span / step + 1;
  if (count > static_cast<Int128>(kMaxAxisValues))
    throw InputError("", where, "the range has more than " + with_thousands(static_cast<int64_t>(kMaxAxisValues)) + " values");
  axis.values.reserve(static_cast<size_t>(count));
  for (Int128 i = 0; i < count; ++i) axis.values.emplace_back(static_cast<int64_t>(a + i * step));
  return axis;
}

}  // namespace

Axis parse_axis(const std::string& spec) {
  const std::string where = "--set " + spec;
  const size_t eq = spec.find('=');
  if (spec.empty() || spec[0] != '/' || eq == std::string::npos)
    throw InputError("", where, "expected /json/pointer=a:b:step or /json/pointer=v1,v2,...");
  Axis axis;
  axis.pointer = spec.substr(0, eq);
  try {
    (void)Json::json_pointer(axis.pointer);
  } catch (const Json::exception&) {
    throw InputError("", where, "malformed JSON pointer '" + axis.pointer + "'");
  }
  const std::string rhs = spec.substr(eq + 1);
  if (rhs.empty()) throw InputError("", where, "no values after '='");
  // Hardening (found by fuzz_scenario): a value that is not valid UTF-8 would become a
  // JSON string that cannot be written out (nlohmann throws on dump: an internal error later).
  try {
    (void)Json(spec).dump();
  } catch (const Json::type_error&) {
    throw InputError("", "--set", "the axis is not valid UTF-8 text");
  }

  // A range: exactly three numbers separated by ':'.
  const std::vector<std::string> colon = split_top_level(rhs, ':');
  if (colon.size() >= 2) {
    std::optional<RangeNumber> num[3];
    bool all_numbers = true;
    for (size_t i = 0; i < colon.size() && i < 3; ++i) {
      num[i] = parse_number(colon[i], where);
      all_numbers = all_numbers && num[i].has_value();
    }
    if (all_numbers && colon.size() != 3)
      throw InputError("", where, "a range is a:b:step (got " + std::to_string(colon.size()) + " numbers)");
    if (all_numbers && num[0]->exact && num[1]->exact && num[2]->exact)
      return integer_range(std::move(axis), *num[0]->exact, *num[1]->exact, *num[2]->exact, where);
    if (all_numbers) {
      const double a = num[0]->value, b = num[1]->value, step = num[2]->value;
      if (step == 0) throw InputError("", where, "the step of a range must not be 0");
      const double q = (b - a) / step;
      if (q < -kRangeLandingSteps)
        throw InputError("", where, "the step goes away from the end of the range (" + format_number(a) + " to " +
                                        format_number(b) + " by " + format_number(step) + ")");
      const double count = std::floor(q + kRangeLandingSteps) + 1;
      if (!(count <= static_cast<double>(kMaxAxisValues)))
        throw InputError("", where, "the range has " + format_number(count) + " values, more than " +
                                        with_thousands(static_cast<int64_t>(kMaxAxisValues)));
      const auto n = static_cast<uint64_t>(count);
      axis.values.reserve(n);
      for (uint64_t i = 0; i < n; ++i) axis.values.emplace_back(tidy(a + static_cast<double>(i) * step));
      return axis;
    }
  }
  // A list.
  for (const std::string& item : split_top_level(rhs, ',')) {
    if (item.empty()) throw InputError("", where, "an empty value in the list");
    axis.values.push_back(parse_json_if_json(item, "", where).value_or(Json(item)));
  }
  return axis;
}

std::string cell_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

Grid::Grid(std::vector<Axis> axes) : axes_(std::move(axes)) {
  for (const auto& a : axes_) {
    const uint64_t n = a.values.size();
    if (n == 0) throw InputError("", "--set " + a.pointer, "no values");
    if (size_ > std::numeric_limits<uint64_t>::max() / n)
      throw InputError("", "--set", "the sweep has more than 2^64 points");
    size_ *= n;
  }
}

std::vector<size_t> Grid::indices(uint64_t p) const {
  std::vector<size_t> idx(axes_.size());
  // The last axis varies fastest (mixed-radix digits of p).
  for (size_t i = axes_.size(); i-- > 0;) {
    const uint64_t n = axes_[i].values.size();
    idx[i] = static_cast<size_t>(p % n);
    p /= n;
  }
  return idx;
}

PointRange shard_range(uint64_t points, int k, int n) {
  EDGEPART_ASSERT(n >= 1 && k >= 1 && k <= n, "shard out of range");
  // floor(k P / n) without overflow of k * P: P = q n + r, so k P / n = k q + floor(k r / n).
  const uint64_t q = points / static_cast<uint64_t>(n), r = points % static_cast<uint64_t>(n);
  auto bound = [&](uint64_t kk) { return kk * q + (kk * r) / static_cast<uint64_t>(n); };
  return {bound(static_cast<uint64_t>(k - 1)), bound(static_cast<uint64_t>(k))};
}

std::pair<int, int> parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  auto bad = [&]() { return InputError("", "--shard " + text, "expected K/N with 1 <= K <= N (e.g. 3/8)"); };
  if (slash == std::string::npos) throw bad();
  const std::string ks = text.substr(0, slash), ns = text.substr(slash + 1);
  auto digits = [](const std::string& s) { return !s.empty() && s.size() <= 9 && s.find_first_not_of("0123456789") == std::string::npos; };
  if (!digits(ks) || !digits(ns)) throw bad();
  const int k = std::atoi(ks.c_str()), n = std::atoi(ns.c_str());
  if (n < 1 || k < 1 || k > n) throw bad();
  return {k, n};
}

}  // namespace edgepart::sweep
