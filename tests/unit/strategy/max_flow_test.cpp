// The Boost.Graph max-flow adapter against brute-force enumeration of every s-t cut (STYLE §1.6:
// BGL's own max_flow_test compares solvers on seeded random graphs; we compare with the definition).
#include "strategy/mincut/max_flow.hpp"

#include <gtest/gtest.h>

#include "unit/strategy/two_party_fixture.hpp"

namespace edgepart::strategy::mincut {
namespace {

using test::uniform;
using test::uniform_int;

double brute_min_cut(int n, const std::vector<FlowEdge>& edges, int s, int t) {
  double best = kInfinity;
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    if (!((mask >> s) & 1u) || ((mask >> t) & 1u)) continue;
    double c = 0;
    for (const FlowEdge& e : edges)
      if (((mask >> e.from) & 1u) && !((mask >> e.to) & 1u)) c += e.capacity;
    best = std::min(best, c);
  }
  return best;
}

TEST(MaxFlow, EqualsBruteForceOnSeededRandomGraphs) {
  std::mt19937_64 rng(20240611);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = uniform_int(rng, 2, 12);
    const int m = uniform_int(rng, 0, 3 * n);
    std::vector<FlowEdge> edges;
    for (int i = 0; i < m; ++i) {
      FlowEdge e{uniform_int(rng, 0, n - 1), uniform_int(rng, 0, n - 1), uniform(rng, 0, 10)};
      if (uniform(rng, 0, 1) < 0.15) e.capacity = kInfinity;
      if (uniform(rng, 0, 1) < 0.1) e.capacity = 0;
      edges.push_back(e);
    }
    const int s = 0, t = n - 1;
    const double expected = brute_min_cut(n, edges, s, t);
    if (std::isinf(expected)) {
      EXPECT_THROW(min_cut(n, edges, s, t), InternalError) << "trial " << trial;
      continue;
    }
    const MinCut cut = min_cut(n, edges, s, t);
    EXPECT_NEAR(cut.value, expected, 1e-9 * std::max(1.0, expected)) << "trial " << trial;
    // The reported side is a real s-t cut of that capacity.
    ASSERT_EQ(cut.source_side.size(), static_cast<size_t>(n));
    EXPECT_TRUE(cut.source_side[static_cast<size_t>(s)]);
    EXPECT_FALSE(cut.source_side[static_cast<size_t>(t)]);
    EXPECT_NEAR(cut_capacity(edges, cut.source_side), expected, 1e-9 * std::max(1.0, expected)) << "trial " << trial;
  }
}

TEST(MaxFlow, HandExampleAndSmallestSourceSide) {
  // s=0 -> 1 (3), s -> 2 (2), 1 -> 2 (5), 1 -> t=3 (2), 2 -> t (3): the max flow is 5 (every cut
  // around s or t is 5: {s}: 3+2, {s,1,2}: 2+3); the smallest source side is {s}.
  const std::vector<FlowEdge> edges{{0, 1, 3}, {0, 2, 2}, {1, 2, 5}, {1, 3, 2}, {2, 3, 3}};
  const MinCut cut = min_cut(4, edges, 0, 3);
  EXPECT_DOUBLE_EQ(cut.value, 5);
  EXPECT_EQ(cut.source_side, (std::vector<bool>{true, false, false, false}));
}

TEST(MaxFlow, InfiniteEdgesAreNeverCut) {
  // s -> a (inf), a -> t (4), s -> t (1): the only finite cut is {s, a}: 4 + 1.
  const MinCut cut = min_cut(3, {{0, 1, kInfinity}, {1, 2, 4}, {0, 2, 1}}, 0, 2);
  EXPECT_DOUBLE_EQ(cut.value, 5);
  EXPECT_EQ(cut.source_side, (std::vector<bool>{true, true, false}));
}

}  // namespace
}  // namespace edgepart::strategy::mincut
