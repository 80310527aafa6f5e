#include "strategy/mincut/max_flow.hpp"

#include <cmath>
#include <string>

// Boost 1.74's edge iterators trip g++ 12's -Wmaybe-uninitialized (a false positive inside
// boost/graph/detail/adj_list_edge_iterator.hpp, instantiated by the solver); silence it for
// Boost's headers only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/boykov_kolmogorov_max_flow.hpp>
#pragma GCC diagnostic pop

#include "edgepart/util/error.hpp"

namespace edgepart::strategy::mincut {

namespace {

using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using Graph = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS, boost::no_property,
    boost::property<boost::edge_capacity_t, double,
                    boost::property<boost::edge_residual_capacity_t, double,
                                    boost::property<boost::edge_reverse_t, Traits::edge_descriptor>>>>;

}  // namespace

MinCut min_cut(int num_vertices, const std::vector<FlowEdge>& edges, int source, int sink) {
  EDGEPART_ASSERT(num_vertices >= 2 && source >= 0 && sink >= 0 && source < num_vertices &&
                      sink < num_vertices && source != sink,
                  "min_cut: bad source/sink");
  // A stand-in for infinity: more than every finite capacity together, so a cut through an
  // "infinite" edge always costs more than any cut through finite edges only.
  double finite_sum = 0;
  for (const FlowEdge& e : edges) {
    EDGEPART_ASSERT(e.from >= 0 && e.from < num_vertices && e.to >= 0 && e.to < num_vertices,
                    "min_cut: edge endpoint out of range");
    EDGEPART_ASSERT(e.capacity >= 0 && !std::isnan(e.capacity), "min_cut: negative or NaN capacity");
    if (std::isfinite(e.capacity)) finite_sum += e.capacity;
  }
  const double big = 2 * finite_sum + 1;

  Graph g(static_cast<size_t>(num_vertices));
  auto capacity = boost::get(boost::edge_capacity, g);
  auto reverse = boost::get(boost::edge_reverse, g);
  auto residual = boost::get(boost::edge_residual_capacity, g);
  // Boykov-Kolmogorov needs an explicit reverse edge (capacity 0) for every edge.
  for (const FlowEdge& e : edges) {
    if (e.from == e.to) continue;  // a self loop never crosses a cut
    auto forward = boost::add_edge(static_cast<size_t>(e.from), static_cast<size_t>(e.to), g).first;
    auto backward = boost::add_edge(static_cast<size_t>(e.to), static_cast<size_t>(e.from), g).first;
    capacity[forward] = std::isfinite(e.capacity) ? e.capacity : big;
    capacity[backward] = 0;
    reverse[forward] = backward;
    reverse[backward] = forward;
  }
  std::vector<boost::default_color_type> color(static_cast<size_t>(num_vertices));
  const double flow = boost::boykov_kolmogorov_max_flow(
      g, capacity, residual, reverse,
      boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, g)),
      boost::get(boost::vertex_index, g), static_cast<size_t>(source), static_cast<size_t>(sink));
  if (flow >= big) throw InternalError("min_cut: every cut crosses an infinite edge");

  // The cut from residual reachability (BGL's own advice): the solver stops when no path with
  // residual capacity > 0 reaches the sink, so this set excludes the sink and every edge leaving
  // it is saturated.
  MinCut result;
  result.value = flow;
  result.source_side.assign(static_cast<size_t>(num_vertices), false);
  std::vector<size_t> stack{static_cast<size_t>(source)};
  result.source_side[static_cast<size_t>(source)] = true;
  while (!stack.empty()) {
    size_t v = stack.back();
    stack.pop_back();
    for (auto [it, end] = boost::out_edges(v, g); it != end; ++it) {
      size_t w = boost::target(*it, g);
      if (!result.source_side[w] && residual[*it] > 0) {
        result.source_side[w] = true;
        stack.push_back(w);
      }
    }
  }
  EDGEPART_ASSERT(!result.source_side[static_cast<size_t>(sink)], "min_cut: sink reachable after max flow");
  return result;
}

double cut_capacity(const std::vector<FlowEdge>& edges, const std::vector<bool>& source_side) {
  double sum = 0;
  for (const FlowEdge& e : edges)
    if (source_side.at(static_cast<size_t>(e.from)) && !source_side.at(static_cast<size_t>(e.to)))
      sum += e.capacity;
  return sum;
}

}  // namespace edgepart::strategy::mincut
