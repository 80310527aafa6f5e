// cic (Yang et al., IJCNN 2022: compress the graph, then compute the cuts offline so that the
// online partition decision is a lookup). Same optimum as dads at every uplink rate, decided
// faster:
//
// Offline, 1. compression. We merge a layer u into its only consumer v when the cut between them
// is dominated at every rate: moving u from the device to the server changes T by
//   t_srv(u) - t_dev(u) + sum_{p in inputs(u)} t_up(p) - t_up(u)        (at most; p may already
// be sent for another consumer). It is <= 0 at every rate B when t_srv(u) <= t_dev(u),
// sum bytes(p) <= bytes(u) and (|inputs(u)| - 1) * latency <= 0. Then from any optimal split
// we can move such layers to the server until no merged pair is separated, without raising T;
// so some optimal split keeps every merged pair together, and the min cut on the contracted graph
// has the optimal value. This catches element-wise layers after the layer that made their input
// (relu, batch-norm: equal bytes), channel-expanding convolutions and concatenations (with zero
// link latency). The paper also merges the insides of residual/inception blocks. For a residual
// block with an identity shortcut that is exact too (rule 2 in cic_compress: its input is sent
// anyway when the block is cut inside); for inception blocks and projection shortcuts it is not
// (a branch tensor can be smaller than the block's input), and cic must equal dads, so we do not.
//
// Offline, 2. the hull. T(split) = A + D x with x = 1/B (two_party::Line), so the optimal latency
// min_split (A + D x) is concave and piecewise linear in x, and the splits optimal for some B are
// the pieces of this lower envelope. Eisner-Severance parametric search: take the optimal splits
// at x = 0 (infinite rate: minimum A) and x = infinity (all local: D = 0, the only split that
// sends nothing); where two known lines cross, run one min cut; if it is below both lines there is
// a new piece (recurse on both sides), otherwise the crossing is a breakpoint. Each piece costs at
// most two min cuts.
//
// Online: the entry whose band [lower_mbps[i], lower_mbps[i+1]) holds the current uplink rate, by
// binary search (cic_decide; the plan stores the entries as variants and Plan::variant_for_rate
// does the same search).
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <sstream>

#include "edgepart/sim/prediction.hpp"
#include "edgepart/util/error.hpp"
#include "strategy/two_party_strategies.hpp"

namespace edgepart::strategy {

using namespace two_party;

namespace {

constexpr double kBitsPerByte = 8;
constexpr double kBitsPerMegabit = 1e6;
// A crossing is a breakpoint when the min cut there is not below the known lines by more than
// this relative margin: floating-point sums of a few hundred terms are exact to ~1e-14.
constexpr double kHullRelTol = 1e-12;

// The problem with transfers priced at x = 1 / B (B in Mbit/s; x = 0: infinite rate).
Problem at_inverse_rate(const Problem& problem, double x) {
  Problem pb = problem;
  for (size_t t = 0; t < pb.t_up_s.size(); ++t)
    pb.t_up_s[t] = pb.up_latency_s + pb.tensor_bytes[t] * kBitsPerByte / kBitsPerMegabit * x;
  const double ratio = problem.down_rate_mbps / problem.up_rate_mbps;
  pb.t_down_s = pb.down_latency_s +
                pb.tensor_bytes[static_cast<size_t>(tensor_of_layer(pb.output()))] * kBitsPerByte / kBitsPerMegabit / ratio * x;
  return pb;
}

// A rate for messages: "100", "5.85" (6 significant digits).
std::string mbps_text(double rate_mbps) {
  std::ostringstream os;
  os << rate_mbps;
  return os.str();
}

int find_root(std::vector<int>& parent, int v) {
  while (parent[static_cast<size_t>(v)] != v) {
    parent[static_cast<size_t>(v)] = parent[static_cast<size_t>(parent[static_cast<size_t>(v)])];
    v = parent[static_cast<size_t>(v)];
  }
  return v;
}

}  // namespace

std::vector<int> cic_compress(const Problem& problem, int& groups) {
  const int n = problem.layers;
  std::vector<int> parent(static_cast<size_t>(n));
  std::iota(parent.begin(), parent.end(), 0);
  for (int u = 0; u < n; ++u) {
    const auto& cons = problem.consumers[static_cast<size_t>(tensor_of_layer(u))];
    if (cons.size() != 1) continue;
    if (problem.t_server_s[static_cast<size_t>(u)] > problem.t_device_s[static_cast<size_t>(u)]) continue;
    const auto& ins = problem.inputs[static_cast<size_t>(u)];
    if (ins.size() > 1 && problem.up_latency_s > 0) continue;
    double in_bytes = 0;
    for (int p : ins) in_bytes += problem.tensor_bytes[static_cast<size_t>(p)];
    if (in_bytes > problem.tensor_bytes[static_cast<size_t>(tensor_of_layer(u))]) continue;
    const int a = find_root(parent, u), b = find_root(parent, cons.front());
    if (a != b) parent[static_cast<size_t>(a)] = b;
  }
  // Rule 2, identity shortcuts: a layer j reads a tensor x and the end of a chain b_1 .. b_k that
  // starts at x (each b single input, single consumer; a residual block with an identity
  // shortcut). A cut inside the chain puts j on the server (closure), so x is sent anyway; moving
  // the chain's device part to the server then changes T by sum (t_srv(b) - t_dev(b)) - t_up(b_i)
  // <= 0 when the server is not slower on every b. So the chain and j stay together.
  for (int j = 0; j < n; ++j) {
    const auto& j_inputs = problem.inputs[static_cast<size_t>(j)];
    if (j_inputs.size() < 2) continue;
    for (int start : j_inputs) {
      std::vector<int> chain;
      bool closed = false;
      for (int t = start; t != kInputTensor && static_cast<int>(chain.size()) < n;) {
        const int b = t - 1;
        if (problem.consumers[static_cast<size_t>(t)].size() != 1 || problem.inputs[static_cast<size_t>(b)].size() != 1 ||
            problem.t_server_s[static_cast<size_t>(b)] > problem.t_device_s[static_cast<size_t>(b)])
          break;
        chain.push_back(b);
        t = problem.inputs[static_cast<size_t>(b)].front();
        if (t != start && std::find(j_inputs.begin(), j_inputs.end(), t) != j_inputs.end()) {
          closed = true;  // the chain starts at x = t, which j also reads
          break;
        }
      }
      if (!closed) continue;
      for (int b : chain) {
        const int a = find_root(parent, b), r = find_root(parent, j);
        if (a != r) parent[static_cast<size_t>(a)] = r;
      }
    }
  }
  std::vector<int> id(static_cast<size_t>(n), -1), group(static_cast<size_t>(n));
  groups = 0;
  for (int v = 0; v < n; ++v) {
    const int r = find_root(parent, v);
    if (id[static_cast<size_t>(r)] < 0) id[static_cast<size_t>(r)] = groups++;
    group[static_cast<size_t>(v)] = id[static_cast<size_t>(r)];
  }
  return group;
}

CicTable cic_build(const Problem& problem, bool compress) {
  CicTable table;
  std::vector<int> group(static_cast<size_t>(problem.layers));
  if (compress) {
    group = cic_compress(problem, table.groups);
  } else {
    std::iota(group.begin(), group.end(), 0);
    table.groups = problem.layers;
  }
  auto solve = [&](double x) {
    ++table.min_cuts;
    return dads_solve(at_inverse_rate(problem, x), group, table.groups).on_server;
  };
  struct Piece {
    Split split;
    Line line;
  };
  // Pieces in the order of increasing x (decreasing D), with the breakpoint x between neighbours.
  std::vector<Piece> pieces;
  std::vector<double> breaks;
  const Split first = solve(0);
  const Split local(static_cast<size_t>(problem.layers), false);
  const Piece left{first, split_line(problem, first)};
  const Piece right{local, split_line(problem, local)};
  pieces.push_back(left);
  std::function<void(const Piece&, const Piece&)> search = [&](const Piece& l, const Piece& r) {
    // l is optimal just right of the previous breakpoint, r at larger x; l.line.d > r.line.d.
    const double x = (r.line.a - l.line.a) / (l.line.d - r.line.d);
    const Split s = solve(x);
    const Line m = split_line(problem, s);
    const double known = l.line.at(x);
    if (m.at(x) < known - kHullRelTol * std::abs(known) && m.d < l.line.d && m.d > r.line.d) {
      const Piece mid{s, m};
      search(l, mid);
      search(mid, r);
      return;
    }
    breaks.push_back(x);
    pieces.push_back(r);
  };
  if (left.line.d > 0) {
    // left is optimal at x = 0 and local is the only split with D = 0, so r.a >= l.a and the
    // crossing is at x >= 0. When A is equal the local split wins for every x > 0.
    if (right.line.a <= left.line.a) {
      pieces.back() = right;
    } else {
      search(left, right);
    }
  }
  // Entries by ascending rate: the last piece (largest x) first.
  const size_t k = pieces.size();
  for (size_t i = 0; i < k; ++i) {
    const size_t src = k - 1 - i;
    table.splits.push_back(pieces[src].split);
    table.lines.push_back(pieces[src].line);
    // Piece src is optimal for x in [breaks[src-1], breaks[src]], i.e. B from 1/breaks[src].
    table.lower_mbps.push_back(src == k - 1 ? 0.0 : 1.0 / breaks[src]);
  }
  return table;
}

int cic_decide(const CicTable& table, double rate_mbps) {
  const auto it = std::upper_bound(table.lower_mbps.begin(), table.lower_mbps.end(), rate_mbps);
  return static_cast<int>(it - table.lower_mbps.begin()) - 1;
}

plan::Plan make_cic_plan(const PlanRequest& request, const JsonCursor& options) {
  options.expect_object();
  options.no_unknown_keys({"compress", "server"});
  const int server = choose_server(request, options);
  const bool compress = options.bool_or("compress", true);
  const Problem problem = make_problem(request, server);
  const CicTable table = cic_build(problem, compress);

  Json normalised = Json::object();
  normalised["server"] = request.cluster.devices.at(static_cast<size_t>(server)).name;
  normalised["compress"] = compress;
  // Memory: a band whose split does not fit cannot be used; say which.
  for (size_t i = 0; i < table.splits.size(); ++i)
    if (auto why = split_memory_problem(request, problem, table.splits[i]))
      throw InputError(options.file(), "/devices",
                       "cic: the split optimal from " + mbps_text(table.lower_mbps[i]) +
                           " Mbit/s does not fit: " + *why + "; CIC has no memory constraint");
  PlanBuilder b(request, "cic", normalised);
  for (size_t i = 0; i < table.splits.size(); ++i) {
    const double upper = i + 1 < table.splits.size() ? table.lower_mbps[i + 1] : std::numeric_limits<double>::infinity();
    if (i == 0) {
      b.variant().min_rate_mbps = table.lower_mbps[i];
      b.variant().max_rate_mbps = upper;
    } else {
      b.new_variant(table.lower_mbps[i], upper);
    }
    build_variant(b, problem, table.splits[i]);
  }
  std::ostringstream os;
  os << "offline: " << problem.layers << " layers compressed to " << table.groups << " vertices; "
     << table.splits.size() << " split(s) optimal for some uplink rate, found with " << table.min_cuts
     << " min cuts";
  b.note(os.str());
  const int chosen = cic_decide(table, problem.up_rate_mbps);
  b.note("at the planning rate " + mbps_text(problem.up_rate_mbps) + " Mbit/s: " +
         describe_split(request, problem, table.splits[static_cast<size_t>(chosen)]));
  plan::Plan plan = b.finish();
  // Online, the band is chosen by the rate of the link to this server, not to the fastest device.
  plan.rate_peer = server;
  sim::predict(plan, request.cluster);
  return plan;
}

}  // namespace edgepart::strategy
