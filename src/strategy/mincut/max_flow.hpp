#pragma once
// Minimum s-t cut through Boost.Graph's boykov_kolmogorov_max_flow (STYLE §1.6): this adapter
// builds the Boost graph with its reverse edges, runs the solver and reads the cut back from the
// residual graph. No Boost type appears here, so the rest of edgepart never sees Boost.
#include <limits>
#include <vector>

namespace edgepart::strategy::mincut {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

// A directed edge with a capacity >= 0 (kInfinity for "never cut this edge").
struct FlowEdge {
  int from = 0;
  int to = 0;
  double capacity = 0;
};

struct MinCut {
  double value = 0;                // the maximum flow = the capacity of the minimum cut
  std::vector<bool> source_side;   // per vertex: reachable from the source in the residual graph
};

// The minimum cut between `source` and `sink` of a graph with vertices 0..num_vertices-1.
// source_side is the smallest source side among all minimum cuts (vertices reachable from the
// source through edges with residual capacity left). Infinite capacities are replaced by a
// finite value larger than the sum of all finite ones, which no minimum cut can afford; a graph
// whose every s-t cut is infinite is a bug of the caller (InternalError).
MinCut min_cut(int num_vertices, const std::vector<FlowEdge>& edges, int source, int sink);

// The capacity of the cut (source_side, rest): the sum over edges leaving source_side.
double cut_capacity(const std::vector<FlowEdge>& edges, const std::vector<bool>& source_side);

}  // namespace edgepart::strategy::mincut
