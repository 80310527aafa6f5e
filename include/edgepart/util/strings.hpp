#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace edgepart {

// Levenshtein distance, for "did you mean" hints.
size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate when it is close enough to be a plausible typo, or else the one candidate
// that is the word plus a suffix ("bandwidth" -> "bandwidth_mbps": keys carry their unit), else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// Terminal columns of UTF-8 text, counted as code points (every byte that is not a continuation
// byte 10xxxxxx starts one), so "Gerät-α" is 7 wide, not 9. Not handled: East Asian wide
// characters (2 columns) and combining marks (0); names in scenarios are rarely either.
size_t display_width(std::string_view utf8);

// `text` for quoting in a message: whole up to `max_chars` bytes, else its start (cut at a UTF-8
// character boundary) and its length in characters: "9999999999... (309 characters)".
std::string shortened(std::string_view text, size_t max_chars = 40);

std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Formats with thousands separators: 138357544 -> "138,357,544".
std::string with_thousands(int64_t value);

// Shortest decimal text that parses back to the same double ("%.17g" trimmed), for messages.
std::string format_number(double value);

}  // namespace edgepart
