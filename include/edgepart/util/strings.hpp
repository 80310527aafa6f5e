#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace edgepart {

// Levenshtein distance, for "did you mean" hints.
size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate when it is close enough to be a plausible typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Formats with thousands separators: 138357544 -> "138,357,544".
std::string with_thousands(int64_t value);

// Shortest decimal text that parses back to the same double ("%.17g" trimmed), for messages.
std::string format_number(double value);

}  // namespace edgepart
