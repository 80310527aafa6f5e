// Sweep axes, grid order and shards (include/edgepart/sweep/sweep.hpp). Expected values are
// written out by hand from the definitions; shards are checked against brute-force enumeration.
#include <gtest/gtest.h>

#include "edgepart/sweep/sweep.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::sweep {
namespace {

std::vector<std::string> texts(const Axis& a) {
  std::vector<std::string> out;
  for (const auto& v : a.values) out.push_back(cell_text(v));
  return out;
}

TEST(Axis, IntegerRangeIncludesTheEndWhenItLands) {
  Axis a = parse_axis("/network/bandwidth_mbps=10:50:10");
  EXPECT_EQ(a.pointer, "/network/bandwidth_mbps");
  EXPECT_EQ(texts(a), (std::vector<std::string>{"10", "20", "30", "40", "50"}));
  EXPECT_TRUE(a.values[0].is_number_integer());
  // 1, 5, 9: the next step (13) passes the end 10, which is not a value.
  EXPECT_EQ(texts(parse_axis("/x=1:10:4")), (std::vector<std::string>{"1", "5", "9"}));
  // Descending with a negative step; a single value when a == b.
  EXPECT_EQ(texts(parse_axis("/x=3:1:-1")), (std::vector<std::string>{"3", "2", "1"}));
  EXPECT_EQ(texts(parse_axis("/x=7:7:2")), (std::vector<std::string>{"7"}));
}

TEST(Axis, IntegerRangeIsExactNearTheEndsOfInt64) {
  // Doubles cannot tell 2^63 - 2 from 2^63 - 1: the values must come from the integers.
  EXPECT_EQ(texts(parse_axis("/seed=9223372036854775805:9223372036854775807:1")),
            (std::vector<std::string>{"9223372036854775805", "9223372036854775806", "9223372036854775807"}));
  EXPECT_EQ(texts(parse_axis("/x=-9223372036854775808:9223372036854775807:9223372036854775807")),
            (std::vector<std::string>{"-9223372036854775808", "-1", "9223372036854775806"}));
  // Beyond int64 (was a double converted to int64: undefined behaviour, "got -9223372036854775808").
  try {
    parse_axis("/seed=18446744073709551615:18446744073709551615:1");
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.message(), "the integer 18446744073709551615 is out of range (at most 9223372036854775807)");
  }
  EXPECT_THROW(parse_axis("/x=0:9223372036854775807:1"), InputError);  // far too many values
}

TEST(Axis, FloatRangeHasNoDrift) {
  // 0 + i*0.1 for i = 0..10: (1-0)/0.1 = 9.999999999999998 in doubles, yet 1 lands; 3*0.1 is
  // 0.30000000000000004 in doubles and is written 0.3.
  Axis a = parse_axis("/x=0:1:0.1");
  EXPECT_EQ(texts(a), (std::vector<std::string>{"0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"}));
  EXPECT_EQ(a.values[3].get<double>(), 0.3);
  // 0.5 to 2 by 0.5: 4 values.
  EXPECT_EQ(texts(parse_axis("/x=0.5:2:0.5")), (std::vector<std::string>{"0.5", "1.0", "1.5", "2.0"}));
}

TEST(Axis, ListsParseJsonElseStrings) {
  Axis a = parse_axis("/network/channel=rayleigh,{\"kind\":\"constant\"},[1,2],\"q,r\",true,2.5");
  ASSERT_EQ(a.values.size(), 6u);
  EXPECT_EQ(a.values[0], Json("rayleigh"));
  EXPECT_EQ(a.values[1], Json::parse(R"({"kind":"constant"})"));
  EXPECT_EQ(a.values[2], Json::parse("[1,2]"));
  EXPECT_EQ(a.values[3], Json("q,r"));
  EXPECT_EQ(a.values[4], Json(true));
  EXPECT_EQ(a.values[5], Json(2.5));
  EXPECT_EQ(cell_text(a.values[0]), "rayleigh");
  EXPECT_EQ(cell_text(a.values[2]), "[1,2]");
}

TEST(Axis, MalformedSpecs) {
  EXPECT_THROW(parse_axis("network=1,2"), InputError);     // not a pointer
  EXPECT_THROW(parse_axis("/x"), InputError);              // no '='
  EXPECT_THROW(parse_axis("/x="), InputError);             // no values
  EXPECT_THROW(parse_axis("/x=1:2"), InputError);          // range without a step
  EXPECT_THROW(parse_axis("/x=1:10:0"), InputError);       // zero step
  EXPECT_THROW(parse_axis("/x=10:1:1"), InputError);       // step away from the end
  EXPECT_THROW(parse_axis("/x=1,,2"), InputError);         // empty item
  EXPECT_THROW(parse_axis("/x=0:1e12:1"), InputError);     // absurdly many values
}

TEST(Grid, FirstAxisVariesSlowest) {
  Grid g({parse_axis("/a=1,2"), parse_axis("/b=x,y,z")});
  ASSERT_EQ(g.size(), 6u);
  // Points 0..5: (1,x) (1,y) (1,z) (2,x) (2,y) (2,z).
  EXPECT_EQ(g.indices(0), (std::vector<size_t>{0, 0}));
  EXPECT_EQ(g.indices(2), (std::vector<size_t>{0, 2}));
  EXPECT_EQ(g.indices(3), (std::vector<size_t>{1, 0}));
  EXPECT_EQ(g.indices(5), (std::vector<size_t>{1, 2}));
  EXPECT_EQ(Grid({}).size(), 1u);  // no axis: the scenario as is
}

TEST(Shards, ConcatenateToEveryPointOnceInOrder) {
  // Brute force: for every P and N, shards 1..N are contiguous, in order, cover [0, P) exactly,
  // and differ in size by at most one.
  for (uint64_t points : {0ull, 1ull, 2ull, 7ull, 10ull, 11ull, 100ull, 1001ull}) {
    for (int n = 1; n <= 12; ++n) {
      uint64_t expect_begin = 0, smallest = UINT64_MAX, largest = 0;
      for (int k = 1; k <= n; ++k) {
        PointRange r = shard_range(points, k, n);
        EXPECT_EQ(r.begin, expect_begin) << points << " " << k << "/" << n;
        EXPECT_LE(r.begin, r.end);
        smallest = std::min(smallest, r.end - r.begin);
        largest = std::max(largest, r.end - r.begin);
        expect_begin = r.end;
      }
      EXPECT_EQ(expect_begin, points);
      EXPECT_LE(largest - smallest, 1u);
    }
  }
  // No overflow of k * P for huge P: the last shard still ends at P.
  const uint64_t huge = UINT64_MAX - 5;
  EXPECT_EQ(shard_range(huge, 7, 7).end, huge);
  EXPECT_EQ(shard_range(huge, 1, 7).end, huge / 7);  // floor(P/7)
}

TEST(Shards, ParseKOverN) {
  EXPECT_EQ(parse_shard("3/8"), (std::pair<int, int>{3, 8}));
  EXPECT_EQ(parse_shard("1/1"), (std::pair<int, int>{1, 1}));
  for (const char* bad : {"0/3", "4/3", "3", "a/b", "1/0", "-1/2", "1/2/3", ""})
    EXPECT_THROW(parse_shard(bad), InputError) << bad;
}

}  // namespace
}  // namespace edgepart::sweep
