#pragma once
// The future event set (docs/design.md §6, STYLE §3): a binary heap of {time, sequence, event} ordered by
// (time, sequence), so events at the same time run in the order they were scheduled (ns-3's
// EventKey) and never in an order that depends on addresses (SimGrid's FutureEvtSet). Events are
// small plain structs in a std::variant: no std::function, no allocation per event beyond the
// heap's own vector.
#include <cstdint>
#include <variant>
#include <vector>

#include "edgepart/sim/time.hpp"

namespace edgepart::sim {

// A request arrives at a source (index into the simulator's source list); at_s is the exact
// arrival time (the event's SimTime is it rounded to the ns).
struct RequestArrival {
  int32_t source = 0;
  double at_s = 0;
};
// A compute or cache-lookup task of the request in `slot` finishes (gen: the run's generation,
// stale when the device's speed changed or it failed meanwhile).
struct TaskDone {
  int32_t slot = 0;
  int32_t task = 0;
  uint32_t gen = 0;
};
// A transfer's fluid state must be looked at: it finishes, its latency phase ends, or its
// channel's rate changes first (gen: stale after the transfer was rescheduled).
struct TransferWake {
  int32_t transfer = 0;
  uint32_t gen = 0;
};
// A device's speed factor changes (index into its speed profile).
struct SpeedChange {
  int32_t device = 0;
  int32_t change = 0;
};
using Event = std::variant<RequestArrival, TaskDone, TransferWake, SpeedChange>;

class EventQueue {
public:
  struct Entry {
    SimTime time;
    uint64_t seq = 0;
    Event event;
  };

  void push(SimTime time, const Event& event);
  // The earliest entry (ties: the first pushed). Precondition: !empty().
  const Entry& top() const { return heap_.front(); }
  Entry pop();
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  uint64_t pushed() const { return next_seq_; }
  void clear() {
    heap_.clear();
    next_seq_ = 0;
  }
  void reserve(size_t n) { heap_.reserve(n); }

private:
  static bool before(const Entry& a, const Entry& b) {
    return a.time < b.time || (a.time == b.time && a.seq < b.seq);
  }
  std::vector<Entry> heap_;
  uint64_t next_seq_ = 0;
};

}  // namespace edgepart::sim
