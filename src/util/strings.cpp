#include "edgepart/util/strings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace edgepart {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

namespace {
// Words and candidates longer than this get no hint: it bounds one comparison to 64 x 64 steps.
// Real names (layers, devices, keys) are far shorter.
constexpr size_t kMaxHintNameLength = 64;
}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  // A typo changes a few characters; a third of the word is the usual threshold for hints.
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  // The cost is bounded by name length: edit_distance is |word| x |candidate|, and a hostile file
  // with 200,000-character names would spend minutes on hints (docs/robustness.md). No one
  // misspells a name that long, so such words and candidates get no hint.
  if (word.size() > kMaxHintNameLength) return "";
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const auto& c : candidates) {
    if (c.size() > kMaxHintNameLength) continue;
    // The distance is at least the difference in length: such candidates cannot be within limit.
    const size_t length_gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (length_gap > limit) continue;
    size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  if (best_distance <= limit) return best;
  // The word without its unit suffix ("bandwidth" for bandwidth_mbps, "deadline" for
  // deadline_ms): too far by edit distance, but the one plausible meaning. Only when exactly one
  // candidate extends the word so.
  std::string extended;
  for (const auto& c : candidates)
    if (!word.empty() && c.size() > word.size() + 1 && c.compare(0, word.size(), word) == 0 && c[word.size()] == '_') {
      if (!extended.empty()) return "";
      extended = c;
    }
  return extended;
}

size_t display_width(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

std::string shortened(std::string_view text, size_t max_chars) {
  if (text.size() <= max_chars) return std::string(text);
  size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  return std::string(text.substr(0, cut)) + "... (" + std::to_string(display_width(text)) + " characters)";
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string with_thousands(int64_t value) {
  // The magnitude as unsigned: -INT64_MIN does not fit int64.
  uint64_t magnitude = value < 0 ? uint64_t{0} - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::string digits = std::to_string(magnitude);
  std::string out;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count && count % 3 == 0) out.push_back(',');
    out.push_back(*it);
    ++count;
  }
  if (value < 0) out.push_back('-');
  return std::string(out.rbegin(), out.rend());
}

std::string format_number(double value) {
  char buf[64];
  // Whole numbers below 2^53 print as integers ("100", not "1e+02", which %g picks for 100 at
  // one significant digit).
  if (std::isfinite(value) && std::floor(value) == value && std::fabs(value) < 9007199254740992.0) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

}  // namespace edgepart
