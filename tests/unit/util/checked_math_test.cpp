#include "edgepart/util/checked_math.hpp"

#include <gtest/gtest.h>

namespace edgepart {

TEST(CheckedMath, MultiplyOverflowThrows) {
  // 2^32 * 2^31 = 2^63 does not fit int64 (max 2^63 - 1).
  EXPECT_THROW(checked_mul(int64_t{1} << 32, int64_t{1} << 31), OverflowError);
  EXPECT_EQ(checked_mul(int64_t{1} << 32, int64_t{1} << 30), int64_t{1} << 62);
}

TEST(CheckedMath, FloorAndCeilDivisionRoundTowardInfinities) {
  EXPECT_EQ(floor_div(-1, 2), -1);
  EXPECT_EQ(floor_div(7, 2), 3);
  EXPECT_EQ(ceil_div(7, 2), 4);
  EXPECT_EQ(ceil_div(-7, 2), -3);
}

}  // namespace edgepart
