// The event queue against a hand-built timeline with simultaneous events (STYLE §4.7).
#include <gtest/gtest.h>

#include "edgepart/sim/event_queue.hpp"

namespace edgepart::sim {
namespace {

int tag(const Event& e) { return std::get<TaskDone>(e).task; }

TEST(EventQueue, OrdersByTimeThenInsertionForTies) {
  EventQueue q;
  // Pushed: (5 ns, tag 0), (3, 1), (5, 2), (3, 3), (0, 4), (5, 5), (3, 6).
  // Expected pops: time 0: 4; time 3: 1, 3, 6 (insertion order); time 5: 0, 2, 5.
  const int64_t times[] = {5, 3, 5, 3, 0, 5, 3};
  for (int i = 0; i < 7; ++i) q.push(SimTime::from_ns(times[i]), TaskDone{0, i, 0});
  const int expected_tags[] = {4, 1, 3, 6, 0, 2, 5};
  const int64_t expected_times[] = {0, 3, 3, 3, 5, 5, 5};
  for (int i = 0; i < 7; ++i) {
    ASSERT_FALSE(q.empty());
    auto e = q.pop();
    EXPECT_EQ(e.time.ns(), expected_times[i]) << i;
    EXPECT_EQ(tag(e.event), expected_tags[i]) << i;
  }
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, TiesStayFifoWhenPushedWhilePopping) {
  // A handler at time 10 schedules two more events at time 10: they run after the ones already
  // queued for time 10, in the order pushed.
  EventQueue q;
  q.push(SimTime::from_ns(10), TaskDone{0, 1, 0});
  q.push(SimTime::from_ns(10), TaskDone{0, 2, 0});
  q.push(SimTime::from_ns(20), TaskDone{0, 9, 0});
  std::vector<int> order;
  while (!q.empty()) {
    auto e = q.pop();
    order.push_back(tag(e.event));
    if (tag(e.event) == 1) {
      q.push(SimTime::from_ns(10), TaskDone{0, 3, 0});
      q.push(SimTime::from_ns(10), TaskDone{0, 4, 0});
    }
  }
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4, 9}));
}

TEST(EventQueue, LargeRandomOrderMatchesSortedReference) {
  // 10,000 pushes with many equal times: the pop order must equal a stable sort by time
  // (an independent reference: std::stable_sort keeps insertion order for ties).
  EventQueue q;
  std::vector<std::pair<int64_t, int>> ref;
  uint64_t x = 12345;
  for (int i = 0; i < 10000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;  // Knuth's MMIX LCG
    int64_t t = static_cast<int64_t>((x >> 33) % 50);
    q.push(SimTime::from_ns(t), TaskDone{0, i, 0});
    ref.emplace_back(t, i);
  }
  std::stable_sort(ref.begin(), ref.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (const auto& [t, i] : ref) {
    auto e = q.pop();
    ASSERT_EQ(e.time.ns(), t);
    ASSERT_EQ(tag(e.event), i);
  }
}

TEST(SimTime, RoundsToNearestNanosecond) {
  EXPECT_EQ(SimTime::from_seconds(1.5e-9).ns(), 2);   // nearbyint: ties to even -> 2
  EXPECT_EQ(SimTime::from_seconds(0.2).ns(), 200000000);
  EXPECT_EQ(SimTime::from_seconds(1e30), SimTime::max());
  EXPECT_DOUBLE_EQ(SimTime::from_ns(250000000).seconds(), 0.25);
}

}  // namespace
}  // namespace edgepart::sim
