// Row splits by speed (largest remainder) and tile grids, with shares computed by hand.
#include <gtest/gtest.h>

#include "edgepart/rf/segmentation.hpp"

namespace edgepart::rf {
namespace {

TEST(SplitRows, EqualSpeedsTiesGoToLowerIndex) {
  // 10 rows, 3 devices: quotas 3.33 each, floors 3+3+3 = 9, one row left; equal remainders ->
  // device 0. Shares 4, 3, 3.
  EXPECT_EQ(split_rows(10, {1, 1, 1}),
            (std::vector<RowShare>{{0, {0, 3}}, {1, {4, 6}}, {2, {7, 9}}}));
}

TEST(SplitRows, ProportionalToSpeed) {
  // 7 rows, speeds 1:2:4 -> quotas exactly 1, 2, 4.
  EXPECT_EQ(split_rows(7, {1, 2, 4}), (std::vector<RowShare>{{0, {0, 0}}, {1, {1, 2}}, {2, {3, 6}}}));
  // 224 rows, speeds 3 and 1: 168 and 56.
  EXPECT_EQ(split_rows(224, {3, 1}), (std::vector<RowShare>{{0, {0, 167}}, {1, {168, 223}}}));
  // 10 rows, speeds 2, 1, 1: quotas 5, 2.5, 2.5: floors 5+2+2 = 9; the left-over row goes to the
  // first of the tied remainders (device 1): 5, 3, 2.
  EXPECT_EQ(split_rows(10, {2, 1, 1}), (std::vector<RowShare>{{0, {0, 4}}, {1, {5, 7}}, {2, {8, 9}}}));
}

TEST(SplitRows, TooSlowDevicesAreLeftOut) {
  // 5 rows, speeds 10, 0.1, 1 (total 11.1): quotas 4.505, 0.045, 0.450; floors 4, 0, 0; the one
  // row left goes to the largest remainder, device 0 (0.505). Devices 1 and 2 get nothing.
  EXPECT_EQ(split_rows(5, {10, 0.1, 1}), (std::vector<RowShare>{{0, {0, 4}}}));
  // 3 rows on 4 equal devices: quotas 0.75; every floor is 0; rows to devices 0, 1, 2.
  EXPECT_EQ(split_rows(3, {1, 1, 1, 1}), (std::vector<RowShare>{{0, {0, 0}}, {1, {1, 1}}, {2, {2, 2}}}));
  EXPECT_TRUE(split_rows(0, {1, 1}).empty());
}

TEST(SplitAxis, BalancedAndDeepThings) {
  // Balanced: 10 into 4 -> 3, 3, 2, 2.
  EXPECT_EQ(split_axis(10, 4), (std::vector<Interval>{{0, 2}, {3, 5}, {6, 7}, {8, 9}}));
  // DeepThings: ceil(10/4) = 3 -> 3, 3, 3 and the remainder 1 in the last part.
  EXPECT_EQ(split_axis(10, 4, TileConvention::deepthings), (std::vector<Interval>{{0, 2}, {3, 5}, {6, 8}, {9, 9}}));
  // DeepThings on 5 rows, 4 parts: ceil = 2 -> 2, 2, 1 and nothing for the last: dropped.
  EXPECT_EQ(split_axis(5, 4, TileConvention::deepthings), (std::vector<Interval>{{0, 1}, {2, 3}, {4, 4}}));
  // YOLOv2 layer 15 output (38x38) in DeepThings' 5x5 grid: ceil(38/5) = 8 -> 8, 8, 8, 8, 6.
  auto yolo = split_axis(38, 5, TileConvention::deepthings);
  ASSERT_EQ(yolo.size(), 5u);
  EXPECT_EQ(yolo.back(), (Interval{32, 37}));
  // More parts than rows: empty parts are dropped.
  EXPECT_EQ(split_axis(2, 5).size(), 2u);
}

TEST(GridTiles, RowMajorRegions) {
  auto tiles = grid_tiles(6, 6, 2, 2);
  ASSERT_EQ(tiles.size(), 4u);
  // DeepThings Fig. 5's tile: grid row 1, column 0 -> rows 3..5, cols 0..2.
  EXPECT_EQ(tiles[2], (Tile{1, 0, Region{{3, 5}, {0, 2}}}));
  EXPECT_EQ(tiles[1], (Tile{0, 1, Region{{0, 2}, {3, 5}}}));
  auto uneven = grid_tiles(7, 5, 2, 3);
  ASSERT_EQ(uneven.size(), 6u);
  EXPECT_EQ(uneven[5].region, (Region{{4, 6}, {4, 4}}));  // rows 4,3 split; cols 2,2,1
}

TEST(SquareGrid, MostSquareFactorisation) {
  EXPECT_EQ(square_grid(1), (std::pair<int64_t, int64_t>{1, 1}));
  EXPECT_EQ(square_grid(4), (std::pair<int64_t, int64_t>{2, 2}));
  EXPECT_EQ(square_grid(6), (std::pair<int64_t, int64_t>{2, 3}));
  EXPECT_EQ(square_grid(5), (std::pair<int64_t, int64_t>{1, 5}));
  EXPECT_EQ(square_grid(12), (std::pair<int64_t, int64_t>{3, 4}));
}

}  // namespace
}  // namespace edgepart::rf
