#include "strategy/mincut/max_flow.hpp"

#include <cmath>
#include <string>

#include <boost/graph/boykov_kolmogorov_max_flow.hpp>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/range/iterator_range.hpp>

#include "edgepart/util/error.hpp"

namespace edgepart::strategy::mincut {

namespace {

// A compressed-sparse-row graph: the arcs live in one array (an adjacency_list with edge
// properties allocates every edge on the heap, which dominated DADS's run time).
struct Arc {
  double capacity = 0;
  double residual = 0;
  size_t id = 0;  // position in the arc list we built: 2k for edge k, 2k + 1 for its reverse
};
using Graph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, Arc>;
using Edge = boost::graph_traits<Graph>::edge_descriptor;

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

  // Boykov-Kolmogorov needs an explicit reverse arc (capacity 0) for every edge. The arc lists
  // only feed the CSR constructor, so they are dropped before the solver's own arrays exist.
  Graph g = [&] {
    std::vector<std::pair<size_t, size_t>> ends;
    std::vector<Arc> arcs;
    ends.reserve(2 * edges.size());
    arcs.reserve(2 * edges.size());
    for (const FlowEdge& e : edges) {
      if (e.from == e.to) continue;  // a self loop never crosses a cut
      const auto from = static_cast<size_t>(e.from), to = static_cast<size_t>(e.to);
      ends.emplace_back(from, to);
      arcs.push_back(Arc{std::isfinite(e.capacity) ? e.capacity : big, 0, arcs.size()});
      ends.emplace_back(to, from);
      arcs.push_back(Arc{0, 0, arcs.size()});
    }
    return Graph(boost::edges_are_unsorted_multi_pass, ends.begin(), ends.end(), arcs.begin(),
                 static_cast<size_t>(num_vertices));
  }();
  // The CSR graph reorders the arcs by source; find each arc's partner through the ids: the
  // reverse of an arc u -> v is the arc whose id is its id ^ 1, stored among v's out-arcs.
  const size_t arc_count = boost::num_edges(g);
  std::vector<size_t> index_of_id(arc_count);
  for (const Edge e : boost::make_iterator_range(boost::edges(g))) index_of_id[g[e].id] = boost::get(boost::edge_index, g, e);
  std::vector<Edge> reverse(arc_count);
  for (const Edge e : boost::make_iterator_range(boost::edges(g)))
    reverse[boost::get(boost::edge_index, g, e)] = Edge(boost::target(e, g), index_of_id[g[e].id ^ 1u]);
  const auto edge_index = boost::get(boost::edge_index, g);
  auto residual = boost::get(&Arc::residual, g);
  std::vector<boost::default_color_type> color(static_cast<size_t>(num_vertices));
  const double flow = boost::boykov_kolmogorov_max_flow(
      g, boost::get(&Arc::capacity, g), residual, boost::make_iterator_property_map(reverse.begin(), edge_index),
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
    const size_t v = stack.back();
    stack.pop_back();
    for (auto [it, end] = boost::out_edges(v, g); it != end; ++it) {
      const size_t w = boost::target(*it, g);
      if (!result.source_side[w] && g[*it].residual > 0) {
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
