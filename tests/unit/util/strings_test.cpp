#include "edgepart/util/strings.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace edgepart {
namespace {

TEST(Strings, EditDistanceTextbookCases) {
  // kitten -> sitten (substitute) -> sittin (substitute) -> sitting (insert): 3.
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("conv2d", "conv2d"), 0u);
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
}

TEST(Strings, ClosestMatchOnlyForPlausibleTypos) {
  std::vector<std::string> ops = {"conv2d", "maxpool2d", "avgpool2d", "linear"};
  EXPECT_EQ(closest_match("conv3d", ops), "conv2d");
  EXPECT_EQ(closest_match("maxpool", ops), "maxpool2d");
  EXPECT_EQ(closest_match("transformer", ops), "");
}

TEST(Strings, ClosestMatchTakesTheOneKeyWithTheUnitTheWordLacks) {
  const std::vector<std::string> keys = {"kind", "bandwidth_mbps", "latency_ms", "channel", "links"};
  EXPECT_EQ(closest_match("bandwidth", keys), "bandwidth_mbps");  // edit distance 5: too far as a typo
  EXPECT_EQ(closest_match("latency", keys), "latency_ms");
  // Two keys extend the word: no guess.
  EXPECT_EQ(closest_match("rate", {"rate_mbps", "rate_rps"}), "");
  // An extension without the '_' separator is not a unit.
  EXPECT_EQ(closest_match("band", {"bandwidthx"}), "");
}

TEST(Strings, DisplayWidthCountsCodePoints) {
  EXPECT_EQ(display_width(""), 0u);
  EXPECT_EQ(display_width("es0"), 3u);
  // G e r \xC3\xA4 t - \xCE\xB1: 9 bytes, 7 characters.
  EXPECT_EQ(std::string("Ger\xC3\xA4t-\xCE\xB1").size(), 9u);
  EXPECT_EQ(display_width("Ger\xC3\xA4t-\xCE\xB1"), 7u);
  EXPECT_EQ(display_width("\xF0\x9F\x98\x80"), 1u);  // a 4-byte character
}

TEST(Strings, ShortenedKeepsShortTextAndCutsLongTextAtACharacter) {
  EXPECT_EQ(shortened("12345", 5), "12345");
  EXPECT_EQ(shortened(std::string(309, '9'), 4), "9999... (309 characters)");
  // "a" then "\xC3\xA4" (2 bytes) x 3, 4 characters: a cut after byte 2 would split the first.
  EXPECT_EQ(shortened("a\xC3\xA4\xC3\xA4\xC3\xA4", 2), "a... (4 characters)");
}

TEST(Strings, ThousandsSeparators) {
  EXPECT_EQ(with_thousands(0), "0");
  EXPECT_EQ(with_thousands(999), "999");
  EXPECT_EQ(with_thousands(1000), "1,000");
  EXPECT_EQ(with_thousands(138357544), "138,357,544");
  EXPECT_EQ(with_thousands(-1234567), "-1,234,567");
  EXPECT_EQ(with_thousands(INT64_MAX), "9,223,372,036,854,775,807");
  EXPECT_EQ(with_thousands(INT64_MIN), "-9,223,372,036,854,775,808");
}

TEST(Strings, FormatNumberIsShortestRoundTrip) {
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(1e-5), "1e-05");
  EXPECT_EQ(format_number(6), "6");
  EXPECT_EQ(format_number(100), "100");  // not "1e+02", which %.1g gives
  EXPECT_EQ(format_number(-2500000), "-2500000");
  // Shortest round-trip forms, as Python's repr() prints them.
  EXPECT_EQ(format_number(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(format_number(0.1 + 0.2), "0.30000000000000004");
}

TEST(Strings, Join) {
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(join({}, ", "), "");
}

}  // namespace
}  // namespace edgepart
