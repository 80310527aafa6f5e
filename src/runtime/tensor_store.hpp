#pragma once
// The tensors one worker holds for one request: each tensor it touches is kept full-size with its
// coverage, so reading a box that is not fully present is detected exactly, whatever mix of
// computed and received pieces filled it. Coverage is kept per row (channel, y) as disjoint column
// intervals: a box's pieces are whole column ranges, so bookkeeping costs O(rows), not
// O(elements) (a per-element mask made every task pay passes over its tensors: measured as
// ~0.9 ms per task on ResNet-18). Thread-safe: the compute thread reads and writes while the
// network thread pastes received pieces.
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/exec/tensor.hpp"
#include "edgepart/runtime/protocol.hpp"

namespace edgepart::runtime {

class TensorStore {
public:
  explicit TensorStore(const cost::ModelAnalysis& analysis) : analysis_(analysis) {}

  // Whether the box lies inside its tensor.
  bool fits(const Box& b) const;
  // Whether every element of the box is present.
  bool has(const Box& b) const;
  // The box's values, channel-major (precondition: has(b)).
  std::vector<float> get(const Box& b) const;
  // Writes the elements of the box not yet present (precondition: fits(b), `values` holds
  // b.elements() floats). Returns true when the tensor became complete with this write.
  bool put(const Box& b, const float* values);
  // The full-size tensor (precondition: some box of it was put), for compute inputs to read in
  // place without a copy. Safe against concurrent put()s: an element, once present, is never
  // written again (put writes only what is not yet covered; pieces that overlap carry the same
  // values, the first write wins), and a tensor never moves once created.
  const exec::Tensor& view(int tensor) const;
  bool complete(int tensor) const;

private:
  // Covered columns of one row: disjoint, sorted, non-adjacent closed intervals.
  using Intervals = std::vector<std::pair<int64_t, int64_t>>;
  struct Entry {
    exec::Tensor t;
    std::vector<Intervals> rows;  // index c * h + y
    int64_t covered = 0;          // elements
  };
  Entry& entry(int tensor);  // created zero-filled on first use (lock held)
  const model::Shape& shape(int tensor) const { return analysis_.shape_of(tensor); }

  const cost::ModelAnalysis& analysis_;
  mutable std::mutex mu_;
  std::map<int, Entry> entries_;
};

}  // namespace edgepart::runtime
