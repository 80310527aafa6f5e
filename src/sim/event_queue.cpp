#include "edgepart/sim/event_queue.hpp"

#include <utility>

namespace edgepart::sim {

// A hand-written binary heap (rather than std::priority_queue) so that pop() can move the entry
// out and the sift loops compare (time, seq) without a comparator object.
void EventQueue::push(SimTime time, const Event& event) {
  heap_.push_back(Entry{time, next_seq_++, event});
  size_t i = heap_.size() - 1;
  Entry item = std::move(heap_[i]);
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!before(item, heap_[parent])) break;
    heap_[i] = std::move(heap_[parent]);
    i = parent;
  }
  heap_[i] = std::move(item);
}

EventQueue::Entry EventQueue::pop() {
  Entry out = std::move(heap_.front());
  Entry last = std::move(heap_.back());
  heap_.pop_back();
  size_t n = heap_.size();
  if (n > 0) {
    size_t i = 0;
    while (true) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
      if (!before(heap_[child], last)) break;
      heap_[i] = std::move(heap_[child]);
      i = child;
    }
    heap_[i] = std::move(last);
  }
  return out;
}

}  // namespace edgepart::sim
