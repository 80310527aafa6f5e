// `dpfp` (Li, Iosifidis, Zhang, ICC 2022; docs/design.md §5): receptive-field-based segmentation with a
// dynamic program over fused blocks.
//
// Model. Block ends are single-tensor cut points of the DAG inside the spatial prefix (a residual
// or inception block is never cut inside). A distributed block (a, b] covers the layers after cut
// a up to cut b; its output rows are split among the participants in proportion to speed
// (rf::split_rows). Each participant first receives the rows of the block's input it needs and
// does not hold (first block: from the source; later blocks: from the participants that computed
// them in the previous block), then computes its rows of every layer of the block (halo included).
// Blocks are bulk-synchronous: a block's transfers and computes wait for every compute of the
// previous block, so block costs add up. After the last distributed block the outputs are gathered
// on the tail device, which runs the rest (global pooling, FC head; possibly nothing) and returns
// the result to the source. With no distributed block the whole model runs on the tail device.
//
// DP: T*(0) = 0, T*(b) = min_{a<b} T*(a) + T_block(a, b); latency = min_{t, g} T*(t) + T_tail(t, g).
// For a fixed block end b the block is extended backwards one segment at a time, updating each
// participant's required interval and compute time, so all blocks ending at b cost O(L N) and the
// whole DP O(L^2 N) (plus the exchange evaluation). T_block and T_tail are evaluated with the
// timing model's rules (docs/timing.md) on the block's own transfers, which all become ready at
// the block's start, so the DP's figure equals the simulator engine's one-request timing of the built plan (tested).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "edgepart/sim/prediction.hpp"
#include "edgepart/rf/backward.hpp"
#include "edgepart/rf/block.hpp"
#include "edgepart/rf/segmentation.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/limits.hpp"
#include "strategy/plan_builder.hpp"
#include "strategy/spatial.hpp"

namespace edgepart::strategy {

using rf::Interval;
using rf::Region;
using scenario::Cluster;
using scenario::NetworkKind;
using scenario::Sharing;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------------------------
// Exchange phases: transfers that all become ready at the same instant (a block start), evaluated
// with the timing model's network rules. Returns, per transfer, its end relative to that instant.

struct Xfer {
  int from, to;
  double bytes;
  Interval rows;  // of the block's input tensor
};

struct Net {
  NetworkKind kind;
  Sharing sharing;
  int n;
  std::vector<double> latency_s, rate_mbps;  // [from * n + to]

  explicit Net(const Cluster& c) : kind(c.network.kind), sharing(c.network.sharing), n(c.size()) {
    latency_s.resize(static_cast<size_t>(n * n));
    rate_mbps.resize(static_cast<size_t>(n * n));
    for (int f = 0; f < n; ++f)
      for (int t = 0; t < n; ++t) {
        latency_s[static_cast<size_t>(f * n + t)] = c.fixed_transfer_s(f, t);
        rate_mbps[static_cast<size_t>(f * n + t)] = c.rate_mbps(f, t);
      }
  }
  double lat(int f, int t) const { return latency_s[static_cast<size_t>(f * n + t)]; }
  double rate(int f, int t) const { return rate_mbps[static_cast<size_t>(f * n + t)]; }
  // Cluster::transfer_time_s, same formula and order of operations.
  double time(const Xfer& x) const { return lat(x.from, x.to) + x.bytes * 8.0 / (rate(x.from, x.to) * 1e6); }
};

void exchange(const Net& net, const std::vector<Xfer>& xs, std::vector<double>& end) {
  end.assign(xs.size(), 0);
  if (xs.empty()) return;
  if (net.kind == NetworkKind::shared && net.sharing == Sharing::fifo) {
    double t = 0;
    for (size_t i = 0; i < xs.size(); ++i) end[i] = t = t + net.time(xs[i]);
    return;
  }
  if (net.kind == NetworkKind::switched && net.sharing == Sharing::fifo) {
    // Greedy list scheduling: at each instant, transfers in id order start when the sender's
    // uplink and the receiver's downlink are both free.
    std::vector<double> up(static_cast<size_t>(net.n), 0), down(static_cast<size_t>(net.n), 0);
    std::vector<bool> started(xs.size(), false);
    size_t left = xs.size();
    double now = 0;
    while (left > 0) {
      for (size_t i = 0; i < xs.size(); ++i) {
        if (started[i]) continue;
        const Xfer& x = xs[i];
        if (up[static_cast<size_t>(x.from)] <= now && down[static_cast<size_t>(x.to)] <= now) {
          end[i] = now + net.time(x);
          up[static_cast<size_t>(x.from)] = down[static_cast<size_t>(x.to)] = end[i];
          started[i] = true;
          --left;
        }
      }
      double next = kInf;
      for (size_t i = 0; i < xs.size(); ++i)
        if (started[i] && end[i] > now) next = std::min(next, end[i]);
      if (left > 0) now = next;
    }
    return;
  }
  // Fair sharing: each transfer waits its latency, then active transfers share the network, each
  // at its pair's rate divided by the number of active transfers (shared medium) or by the larger
  // of the active transfers on its sender's uplink and on its receiver's downlink (switched), as in
  // the simulator (docs/timing.md).
  const bool shared = net.kind == NetworkKind::shared;
  std::vector<double> bits(xs.size());
  std::vector<int> state(xs.size(), 0);  // 0 latency, 1 active, 2 done
  std::vector<double> lat_end(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) lat_end[i] = net.lat(xs[i].from, xs[i].to);
  std::vector<double> divisor(xs.size());
  std::vector<int> up(static_cast<size_t>(net.n)), down(static_cast<size_t>(net.n));
  double now = 0;
  size_t done = 0;
  while (done < xs.size()) {
    double n_active = 0;
    std::fill(up.begin(), up.end(), 0);
    std::fill(down.begin(), down.end(), 0);
    for (size_t i = 0; i < xs.size(); ++i)
      if (state[i] == 1) {
        n_active += 1;
        ++up[static_cast<size_t>(xs[i].from)];
        ++down[static_cast<size_t>(xs[i].to)];
      }
    for (size_t i = 0; i < xs.size(); ++i)
      divisor[i] = shared ? n_active
                          : static_cast<double>(std::max(up[static_cast<size_t>(xs[i].from)], down[static_cast<size_t>(xs[i].to)]));
    double next = kInf;
    for (size_t i = 0; i < xs.size(); ++i) {
      if (state[i] == 0) next = std::min(next, lat_end[i]);
      if (state[i] == 1) next = std::min(next, now + bits[i] * divisor[i] / (net.rate(xs[i].from, xs[i].to) * 1e6));
    }
    std::vector<size_t> finished;
    for (size_t i = 0; i < xs.size(); ++i) {
      if (state[i] != 1) continue;
      const double r = net.rate(xs[i].from, xs[i].to) * 1e6;
      if (now + bits[i] * divisor[i] / r == next) finished.push_back(i);
      else bits[i] -= (next - now) * r / divisor[i];
    }
    for (size_t i = 0; i < xs.size(); ++i)
      if (state[i] == 0 && lat_end[i] == next) {
        state[i] = 1;
        bits[i] = xs[i].bytes * 8.0;
      }
    for (size_t i : finished) {
      state[i] = 2;
      end[i] = next;
      ++done;
    }
    now = next;
  }
}

// ---------------------------------------------------------------------------------------------
// The model's structure as DPFP sees it.

struct Structure {
  std::vector<LayerIndex> pos;  // pos[0] = -1 (model input), pos[k] = k-th block-end candidate
  // Segment k (1..K): layers pos[k-1]+1 .. pos[k]. `simple`: one layer with one input, mapped by
  // its backward step alone (the fast path); otherwise the block's compiled regions. Both are
  // rf's one rule for how a layer reads its inputs, so regions equal rf::propagate_block's.
  struct Segment {
    LayerIndex first = 0, last = 0;
    bool simple = false;
    rf::InputStep step;                        // simple segments
    std::optional<rf::CompiledBlock> block;    // the others
    size_t block_input = 0;                    // index of pos[k-1] in block->outside_producers()
  };
  std::vector<Segment> seg;  // seg[k], seg[0] unused
  int K() const { return static_cast<int>(pos.size()) - 1; }
};

Structure make_structure(const PlanRequest& r) {
  Structure s;
  s.pos.push_back(-1);
  for (LayerIndex p : dpfp_positions(r)) s.pos.push_back(p);
  s.seg.resize(s.pos.size());
  for (size_t k = 1; k < s.pos.size(); ++k) {
    auto& g = s.seg[k];
    g.first = s.pos[k - 1] + 1;
    g.last = s.pos[k];
    const model::Layer& l = r.graph.layer(g.last);
    if (g.first == g.last && l.inputs.size() == 1) {
      g.simple = true;
      g.step = rf::backward_steps(r.graph, r.analysis, g.last).front();
      continue;
    }
    g.block.emplace(r.graph, r.analysis, g.first, g.last);
    const auto& outside = g.block->outside_producers();
    const auto at = std::find(outside.begin(), outside.end(), s.pos[k - 1]);
    EDGEPART_ASSERT(at != outside.end(), "dpfp: a block that does not read the previous block end");
    g.block_input = static_cast<size_t>(at - outside.begin());
  }
  return s;
}

// Row shares of the tensor at position k among the participants (slot order); the model input
// (k = 0) is held whole by the source.
std::vector<Interval> shares(const PlanRequest& r, const Structure& s, const std::vector<int>& parts, int k) {
  std::vector<Interval> out(parts.size(), Interval::empty_interval());
  if (k == 0) return out;
  std::vector<double> speeds;
  for (int d : parts) speeds.push_back(r.cluster.devices[static_cast<size_t>(d)].speed_gflops);
  for (const auto& sh : rf::split_rows(r.analysis.shapes[static_cast<size_t>(s.pos[static_cast<size_t>(k)])].h, speeds))
    out[static_cast<size_t>(sh.device)] = sh.rows;
  return out;
}

// Bytes per row of the tensor at position k (all columns and channels).
double row_bytes(const PlanRequest& r, const Structure& s, int k) {
  const model::Shape& sh = r.analysis.shape_of(s.pos[static_cast<size_t>(k)]);
  return static_cast<double>(sh.c) * static_cast<double>(sh.w) * static_cast<double>(r.graph.dtype_bytes);
}

// The transfers that bring participant slot i its needed rows `need` of the tensor at position a:
// from the source for a = 0, else from every other holder (slot order).
void needed_transfers(const PlanRequest& r, const std::vector<int>& parts, const std::vector<Interval>& held, int a,
                      double bytes_per_row, int slot, const Interval& need, std::vector<Xfer>& out) {
  const int dev = parts[static_cast<size_t>(slot)];
  if (need.empty()) return;
  if (a == 0) {
    if (dev != r.cluster.source) {
      out.push_back(Xfer{r.cluster.source, dev, static_cast<double>(need.length()) * bytes_per_row, need});
    }
    return;
  }
  for (size_t j = 0; j < parts.size(); ++j) {
    if (static_cast<int>(j) == slot || held[j].empty()) continue;
    if (held[j].begin > need.end) break;  // shares ascend in slot order: no later one overlaps
    if (held[j].end < need.begin) continue;
    Interval o = need.intersect(held[j]);
    if (o.empty()) continue;
    out.push_back(Xfer{parts[j], dev, static_cast<double>(o.length()) * bytes_per_row, o});
  }
}

// A non-empty row share of a tensor and the participant slot that holds it.
struct Holder {
  Interval rows;
  size_t slot;
};

struct Dp {
  const PlanRequest& r;
  const Structure& s;
  std::vector<int> parts;
  Net net;
  std::vector<std::vector<Interval>> held;  // [k][slot]
  std::vector<double> rowb;                 // [k]
  double min_latency_s = 0, max_rate_mbps = 0;    // over all ordered pairs (for lower bounds)
  bool fifo = false;                              // one shared FIFO medium
  bool uniform_fifo = false;                      // ... with one rate and latency for all pairs
  std::vector<std::vector<Holder>> holders;       // [k]: non-empty shares, ascending
  mutable std::vector<Region> regions_, inputs_;  // scratch of propagate()

  Dp(const PlanRequest& req, const Structure& st, std::vector<int> p) : r(req), s(st), parts(std::move(p)), net(req.cluster) {
    for (int k = 0; k <= s.K(); ++k) {
      held.push_back(shares(r, s, parts, k));
      rowb.push_back(row_bytes(r, s, k));
    }
    min_latency_s = std::numeric_limits<double>::infinity();
    for (int f = 0; f < net.n; ++f)
      for (int t = 0; t < net.n; ++t)
        if (f != t) {
          min_latency_s = std::min(min_latency_s, net.lat(f, t));
          max_rate_mbps = std::max(max_rate_mbps, net.rate(f, t));
        }
    if (net.n < 2) min_latency_s = 0, max_rate_mbps = 1;
    fifo = net.kind == NetworkKind::shared && net.sharing == Sharing::fifo;
    uniform_fifo = fifo && req.cluster.network.links.empty();
    for (const auto& h : held) {
      holders.emplace_back();
      for (size_t i = 0; i < h.size(); ++i)
        if (!h[i].empty()) holders.back().push_back(Holder{h[i], i});
    }
  }

  // Extends participant slot i's requirement through segment k (output rows `need` and columns
  // `cols` at pos[k] become the needed input rows at pos[k-1]); adds the compute time of that
  // region (timing::CostModel::layer_time_s of each layer's region). Columns are the same for every
  // participant; the caller maps them with next_cols.
  void extend(size_t i, int k, Interval& need, const Interval& cols, double& time) const {
    const auto& g = s.seg[static_cast<size_t>(k)];
    if (need.empty()) return;
    if (g.simple) {
      time += r.costs.layer_time_s(parts[i], g.last, Region{need, cols});
      need = g.step.rows.apply(need);
      return;
    }
    propagate(g, Region{need, cols});
    for (LayerIndex l = g.first; l <= g.last; ++l) time += r.costs.layer_time_s(parts[i], l, regions_[static_cast<size_t>(l - g.first)]);
    need = inputs_[g.block_input].rows;
  }

  // The block's regions into the scratch buffers (no allocation once they have grown).
  void propagate(const Structure::Segment& g, const Region& of_last) const {
    regions_.resize(g.block->size());
    inputs_.resize(g.block->outside_producers().size());
    g.block->propagate(of_last, regions_, inputs_);
  }

  // The columns of pos[k-1] read to compute columns `cols` (all rows) of pos[k].
  Interval next_cols(int k, const Interval& cols) const {
    const auto& g = s.seg[static_cast<size_t>(k)];
    if (g.simple) return g.step.cols.apply(cols);
    const model::Shape& out = r.analysis.shapes[static_cast<size_t>(g.last)];
    propagate(g, Region{Interval::whole(out.h), cols});
    return inputs_[g.block_input].cols;
  }
};

}  // namespace

std::vector<LayerIndex> dpfp_positions(const PlanRequest& r) {
  const LayerIndex end = spatial_end(r);
  std::vector<LayerIndex> out;
  for (LayerIndex c : cut_points(r.graph))
    if (c <= end) out.push_back(c);
  return out;
}

DpfpResult dpfp_optimise(const PlanRequest& r, const std::vector<int>& participants, DpfpPartition partition, double below_s) {
  EDGEPART_ASSERT(!participants.empty(), "dpfp without participants");
  Structure s = make_structure(r);
  Dp dp(r, s, participants);
  const int K = s.K();
  const size_t n = participants.size();
  const Cluster& c = r.cluster;
  std::vector<double> overhead_s(n);  // per participant slot, read in every block's cost
  for (size_t i = 0; i < n; ++i) overhead_s[i] = r.costs.task_overhead_s(participants[i]);

  // Only layouts strictly below `below_s` matter to the caller, and every cost is >= 0, so a prefix
  // T*(b) at or above it can never lead to one: starting every T*(b) at `below_s` lets the bounds
  // below prune those blocks too. arg[b] < 0 then means "no prefix ending at b below the bound".
  std::vector<double> best(static_cast<size_t>(K + 1), below_s);
  std::vector<int> arg(static_cast<size_t>(K + 1), -1);
  best[0] = 0;
  std::vector<Interval> need(n);
  std::vector<double> time(n);
  std::vector<Xfer> xs;
  std::vector<int> owner;  // transfer -> receiving slot
  std::vector<double> ends;
  std::vector<double> arrive(n, 0);
  for (int b = 1; b <= K; ++b) {
    for (size_t i = 0; i < n; ++i) {
      need[i] = dp.held[static_cast<size_t>(b)][i];
      time[i] = 0;
    }
    Interval cols = Interval::whole(r.analysis.shapes[static_cast<size_t>(s.pos[static_cast<size_t>(b)])].w);
    for (int a = b - 1; a >= 0; --a) {
      for (size_t i = 0; i < n; ++i) dp.extend(i, a + 1, need[i], cols, time[i]);
      cols = dp.next_cols(a + 1, cols);
      if (partition == DpfpPartition::each && a != b - 1) break;
      if (partition == DpfpPartition::one && a != 0) continue;
      // Compute-only lower bound first: most long blocks are pruned before their exchange.
      double lower = 0;
      for (size_t i = 0; i < n; ++i)
        if (!dp.held[static_cast<size_t>(b)][i].empty())
          lower = std::max(lower, time[i] + overhead_s[i]);
      // Extending the block further back only adds compute to every participant, so once the
      // compute alone reaches the best T*(b) no longer block can win (T*(a) >= 0).
      if (lower >= best[static_cast<size_t>(b)]) break;
      if (best[static_cast<size_t>(a)] + lower >= best[static_cast<size_t>(b)]) continue;
      // A cheap bound with the exchange: a receiver that lacks R rows waits at least the smallest
      // latency plus R rows at the highest rate (whatever the sharing), and on a shared FIFO
      // medium the receivers' transfers also add up. Pruning on a true lower bound never changes
      // the optimum (ties keep the first block found, as the strict < below does).
      {
        double bound = lower, serial = 0;
        for (size_t i = 0; i < n; ++i) {
          if (dp.held[static_cast<size_t>(b)][i].empty() || need[i].empty()) continue;
          int64_t missing = need[i].length();
          if (a == 0) {
            if (participants[i] == c.source) missing = 0;
          } else {
            missing -= need[i].intersect(dp.held[static_cast<size_t>(a)][i]).length();
          }
          if (missing <= 0) continue;
          const double wait = dp.min_latency_s + static_cast<double>(missing) * dp.rowb[static_cast<size_t>(a)] * 8.0 / (dp.max_rate_mbps * 1e6);
          serial += wait;
          bound = std::max(bound, wait + time[i] + overhead_s[i]);
        }
        if (dp.fifo) bound = std::max(bound, serial);
        if (best[static_cast<size_t>(a)] + bound >= best[static_cast<size_t>(b)]) continue;
      }
      if (dp.uniform_fifo) {
        // One FIFO medium, the same rate and latency for every pair: the transfers go one after
        // the other in receiver order, so receiver i's last transfer ends at the running sum of
        // (transfers x latency + bytes x 8 / rate) over receivers 0..i. O(N log N) per block
        // instead of building up to N(N-1) transfers; the same sum as exchange() in another
        // association order (equal to rounding).
        double clock = 0, cost = 0;
        const auto& hs = dp.holders[static_cast<size_t>(a)];
        for (size_t i = 0; i < n; ++i) {
          if (dp.held[static_cast<size_t>(b)][i].empty()) continue;
          double arrival = 0;
          const Interval& nd = need[i];
          if (!nd.empty()) {
            int64_t count = 0, rows = 0;
            if (a == 0) {
              if (participants[i] != c.source) count = 1, rows = nd.length();
            } else {
              // Holders are contiguous and ascending: those overlapping nd form one range.
              auto lo = std::lower_bound(hs.begin(), hs.end(), nd.begin, [](const Holder& h, int64_t v) { return h.rows.end < v; });
              auto hi = std::upper_bound(hs.begin(), hs.end(), nd.end, [](int64_t v, const Holder& h) { return v < h.rows.begin; });
              count = hi - lo;
              rows = nd.length();
              const Interval& own = dp.held[static_cast<size_t>(a)][i];
              if (!own.empty() && own.end >= nd.begin && own.begin <= nd.end) {
                --count;
                rows -= nd.intersect(own).length();
              }
            }
            if (count > 0) {
              clock += static_cast<double>(count) * dp.min_latency_s +
                       static_cast<double>(rows) * dp.rowb[static_cast<size_t>(a)] * 8.0 / (dp.max_rate_mbps * 1e6);
              arrival = clock;
            }
          }
          cost = std::max(cost, arrival + time[i] + overhead_s[i]);
        }
        if (best[static_cast<size_t>(a)] + cost < best[static_cast<size_t>(b)]) {
          best[static_cast<size_t>(b)] = best[static_cast<size_t>(a)] + cost;
          arg[static_cast<size_t>(b)] = a;
        }
        continue;
      }
      xs.clear();
      owner.clear();
      for (size_t i = 0; i < n; ++i) {
        if (dp.held[static_cast<size_t>(b)][i].empty()) continue;
        size_t before = xs.size();
        needed_transfers(r, participants, dp.held[static_cast<size_t>(a)], a, dp.rowb[static_cast<size_t>(a)], static_cast<int>(i),
                         need[i], xs);
        owner.insert(owner.end(), xs.size() - before, static_cast<int>(i));
      }
      exchange(dp.net, xs, ends);
      std::fill(arrive.begin(), arrive.end(), 0.0);
      for (size_t x = 0; x < xs.size(); ++x) arrive[static_cast<size_t>(owner[x])] = std::max(arrive[static_cast<size_t>(owner[x])], ends[x]);
      double cost = 0;
      for (size_t i = 0; i < n; ++i)
        if (!dp.held[static_cast<size_t>(b)][i].empty())
          cost = std::max(cost, arrive[i] + time[i] + overhead_s[i]);
      if (best[static_cast<size_t>(a)] + cost < best[static_cast<size_t>(b)]) {
        best[static_cast<size_t>(b)] = best[static_cast<size_t>(a)] + cost;
        arg[static_cast<size_t>(b)] = a;
      }
    }
  }

  // Where the distributed part stops (t) and which device runs the tail (g).
  const LayerIndex last = r.graph.output();
  std::vector<double> weights_prefix(static_cast<size_t>(K + 1), 0);
  for (int k = 1; k <= K; ++k)
    weights_prefix[static_cast<size_t>(k)] = weights_prefix[static_cast<size_t>(k - 1)] +
                                             weight_bytes(r, s.pos[static_cast<size_t>(k - 1)] + 1, s.pos[static_cast<size_t>(k)]);
  // The tail's compute time on every device for every t (layers after pos[t], whole, plus one task
  // overhead), accumulated from the back: O(devices x L), not O(devices x L^2).
  std::vector<std::vector<double>> tail_s(static_cast<size_t>(c.size()), std::vector<double>(static_cast<size_t>(K + 1)));
  for (int g = 0; g < c.size(); ++g) {
    double acc = 0;
    LayerIndex next = last;  // layers > next are in acc
    for (int t = K; t >= 0; --t) {
      for (LayerIndex l = next; l > s.pos[static_cast<size_t>(t)]; --l) acc += r.costs.whole_layer_time_s(g, l);
      next = s.pos[static_cast<size_t>(t)];
      tail_s[static_cast<size_t>(g)][static_cast<size_t>(t)] = r.costs.task_overhead_s(g) + acc;
    }
  }
  const double weights_all = weight_bytes(r, 0, last);
  // Memory bound per (t, g): weights of what a device runs plus the largest whole-map input +
  // output of one of its layers. A device's part of a map is never larger than the map, so a
  // layout within this bound always fits (memory_problem on the built plan cannot fail), at the
  // price of refusing some layouts that would fit with their actual (smaller) parts.
  std::vector<double> act_upto(r.graph.size(), 0);
  for (LayerIndex l = 0; l <= last; ++l) {
    double in_b = 0;
    for (LayerIndex p : r.graph.layer(l).inputs) in_b += tensor_bytes(r, p);
    act_upto[static_cast<size_t>(l)] = std::max(l > 0 ? act_upto[static_cast<size_t>(l - 1)] : 0.0, in_b + tensor_bytes(r, l));
  }
  std::vector<double> act_after(r.graph.size() + 1, 0);  // [l]: largest over layers >= l
  for (LayerIndex l = last; l >= 0; --l) {
    double in_b = 0;
    for (LayerIndex p : r.graph.layer(l).inputs) in_b += tensor_bytes(r, p);
    act_after[static_cast<size_t>(l)] = std::max(act_after[static_cast<size_t>(l + 1)], in_b + tensor_bytes(r, l));
  }
  auto mem_ok = [&](int d, double bytes) {
    const auto& m = c.devices[static_cast<size_t>(d)].memory_mb;
    return !m || bytes <= *m * kBytesPerMb;
  };
  const double in_bytes = tensor_bytes(r, model::kModelInput), out_bytes = tensor_bytes(r, last);
  DpfpResult result;
  result.latency_s = below_s;
  for (int t = 0; t <= K; ++t) {
    if (t > 0 && arg[static_cast<size_t>(t)] < 0) continue;
    const LayerIndex tail_first = s.pos[static_cast<size_t>(t)] + 1;
    const bool tail_empty = tail_first > last;
    const double act_prefix = t > 0 ? act_upto[static_cast<size_t>(s.pos[static_cast<size_t>(t)])] : 0.0;
    const double act_tail = tail_empty ? 0.0 : act_after[static_cast<size_t>(tail_first)];
    bool parts_fit = true;
    if (t > 0)
      for (size_t i = 0; i < n; ++i) parts_fit = parts_fit && mem_ok(participants[i], weights_prefix[static_cast<size_t>(t)] + act_prefix);
    if (!parts_fit) continue;
    for (int g = 0; g < c.size(); ++g) {
      if (tail_empty && g != c.source) continue;  // nothing to run: gather on the source itself
      const bool in_parts = std::find(participants.begin(), participants.end(), g) != participants.end();
      const bool both = t > 0 && in_parts;
      double need_bytes = weights_all - weights_prefix[static_cast<size_t>(t)] + (both ? weights_prefix[static_cast<size_t>(t)] : 0) +
                          std::max(act_tail, both ? act_prefix : 0.0);
      if (!tail_empty && !mem_ok(g, need_bytes)) continue;
      double cost = 0;
      if (t == 0) {
        cost = c.transfer_time_s(c.source, g, in_bytes) + tail_s[static_cast<size_t>(g)][static_cast<size_t>(t)] + c.transfer_time_s(g, c.source, out_bytes);
      } else {
        xs.clear();
        for (size_t j = 0; j < n; ++j) {
          const Interval& h = dp.held[static_cast<size_t>(t)][j];
          if (h.empty() || participants[j] == g) continue;
          xs.push_back(Xfer{participants[j], g, static_cast<double>(h.length()) * dp.rowb[static_cast<size_t>(t)], h});
        }
        exchange(dp.net, xs, ends);
        double gathered = 0;
        for (double e : ends) gathered = std::max(gathered, e);
        cost = gathered;
        if (!tail_empty) cost += tail_s[static_cast<size_t>(g)][static_cast<size_t>(t)] + c.transfer_time_s(g, c.source, out_bytes);
      }
      const double total = best[static_cast<size_t>(t)] + cost;
      if (total < result.latency_s) {
        result.latency_s = total;
        result.feasible = true;
        result.layout.participants = participants;
        result.layout.tail_device = g;
        result.layout.ends.clear();
        for (int k = t; k > 0; k = arg[static_cast<size_t>(k)]) result.layout.ends.push_back(s.pos[static_cast<size_t>(k)]);
        std::reverse(result.layout.ends.begin(), result.layout.ends.end());
      }
    }
  }
  return result;
}

plan::Plan dpfp_build(const PlanRequest& r, const DpfpLayout& layout, const Json& options) {
  const Cluster& c = r.cluster;
  const int src = c.source;
  const LayerIndex last = r.graph.output();
  const int g = layout.tail_device;
  const auto& parts = layout.participants;
  PlanBuilder b(r, "dpfp", options);
  std::vector<double> speeds;
  for (int d : parts) speeds.push_back(c.devices[static_cast<size_t>(d)].speed_gflops);
  auto name = [&](int d) { return device_name(r, d); };

  // Holders of the current block input: per slot, rows (empty for the model input, held by src).
  std::vector<Interval> held(parts.size(), Interval::empty_interval());
  LayerIndex prev = model::kModelInput;
  std::vector<int> prev_computes;
  for (size_t bi = 0; bi < layout.ends.size(); ++bi) {
    const LayerIndex end = layout.ends[bi];
    const LayerIndex first = prev + 1;
    const model::Shape& out = r.analysis.shapes[static_cast<size_t>(end)];
    std::vector<Interval> own(parts.size(), Interval::empty_interval());
    for (const auto& sh : rf::split_rows(out.h, speeds)) own[static_cast<size_t>(sh.device)] = sh.rows;
    plan::Stage stage;
    stage.first_layer = first;
    stage.last_layer = end;
    stage.split = "rows";
    std::vector<rf::BlockRegions> regions(parts.size());
    for (size_t i = 0; i < parts.size(); ++i) {
      if (own[i].empty()) continue;
      regions[i] = rf::propagate_block(r.graph, r.analysis, first, end, Region{own[i], Interval::whole(out.w)});
      plan::DeviceRegion dr;
      dr.device = parts[i];
      for (LayerIndex l = first; l <= end; ++l) {
        dr.rows.push_back(span(regions[i].output(l).rows));
        dr.cols.push_back(span(regions[i].output(l).cols));
      }
      Region in = regions[i].input_of(prev);
      dr.input_rows = span(in.rows);
      dr.input_cols = span(in.cols);
      stage.regions.push_back(dr);
    }
    const int st = b.add_stage(stage);
    const std::string tag = "b" + std::to_string(bi);
    const model::Shape& in_shape = r.analysis.shape_of(prev);
    const double bytes_per_row = static_cast<double>(in_shape.c) * static_cast<double>(in_shape.w) * static_cast<double>(r.graph.dtype_bytes);
    // Transfers, receiver by receiver (the order the DP evaluates them in).
    std::vector<std::vector<int>> incoming(parts.size());
    for (size_t i = 0; i < parts.size(); ++i) {
      if (own[i].empty()) continue;
      std::vector<Xfer> xs;
      needed_transfers(r, parts, held, bi == 0 ? 0 : 1, bytes_per_row, static_cast<int>(i), regions[i].input_of(prev).rows, xs);
      for (const Xfer& x : xs) {
        auto t = b.transfer(x.from, x.to, x.bytes, piece(r, prev, Region{x.rows, Interval::whole(in_shape.w)}), prev_computes, tag + "/" + name(x.from) + "->" + name(x.to), st);
        incoming[i].insert(incoming[i].end(), t.begin(), t.end());
      }
    }
    const double w = weight_bytes(r, first, end);
    std::vector<int> computes;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (own[i].empty()) continue;
      FlopsByOp f;
      double act = 0;
      for (LayerIndex l = first; l <= end; ++l) {
        add_flops(f, region_flops(r, l, regions[i].output(l)));
        double in_b = 0;
        const auto& ins = regions[i].input(l);
        for (size_t k = 0; k < ins.size(); ++k) in_b += tensor_bytes(r, r.graph.layer(l).inputs[k], ins[k]);
        act = std::max(act, in_b + tensor_bytes(r, l, regions[i].output(l)));
      }
      std::vector<int> deps = prev_computes;
      for (int x : incoming[i]) {
        if (std::find(prev_computes.begin(), prev_computes.end(), x) == prev_computes.end()) deps.push_back(x);
      }
      computes.push_back(b.compute(parts[i], f, deps, tag + "/" + name(parts[i]), st, act, w));
    }
    held = own;
    prev = end;
    prev_computes = computes;
  }

  // Gather on the tail device, the tail, the result back to the source.
  const LayerIndex tail_first = prev + 1;
  std::vector<int> ready = prev_computes;
  if (layout.ends.empty()) {
    ready = b.transfer(src, g, tensor_bytes(r, model::kModelInput), piece(r, model::kModelInput), {}, "input/" + name(src) + "->" + name(g));
  } else {
    const model::Shape& sh = r.analysis.shapes[static_cast<size_t>(prev)];
    const double bytes_per_row = static_cast<double>(sh.c) * static_cast<double>(sh.w) * static_cast<double>(r.graph.dtype_bytes);
    for (size_t j = 0; j < parts.size(); ++j) {
      if (held[j].empty() || parts[j] == g) continue;
      auto t = b.transfer(parts[j], g, static_cast<double>(held[j].length()) * bytes_per_row,
                          piece(r, prev, Region{held[j], Interval::whole(sh.w)}), prev_computes,
                          "gather/" + name(parts[j]) + "->" + name(g));
      ready.insert(ready.end(), t.begin(), t.end());
    }
  }
  if (tail_first <= last) {
    const WholeStage tail = whole_stage(r, g, prev, tail_first, last);
    const double act = tail.activation_bytes;
    const int st = b.add_stage(tail.stage);
    int t = b.compute(g, range_flops(r, tail_first, last), ready, "tail/" + name(g), st, act, weight_bytes(r, tail_first, last));
    b.transfer(g, src, tensor_bytes(r, last), piece(r, last), {t}, "result/" + name(g) + "->" + name(src), st);
  }
  return b.finish();
}

namespace {

std::string layout_note(const PlanRequest& r, const DpfpLayout& l) {
  std::string s = std::to_string(l.ends.size()) + " distributed block(s) on";
  for (int d : l.participants) s += " " + device_name(r, d);
  s += "; tail on " + device_name(r, l.tail_device);
  return s;
}

}  // namespace

DpfpResult dpfp_best_set(const PlanRequest& r, const std::vector<std::vector<int>>& sets, DpfpPartition partition) {
  // Every set is optimised; each DP only looks for layouts below the best so far, so the minimum
  // over the sets is exact and most sets are cut short. "Below" means by more than a relative
  // 1e-12: two sets whose layouts are equally fast up to floating-point rounding (the same
  // all-on-one-device layout found through different sets) keep the first set tried.
  constexpr double kTie = 1e-12;
  DpfpResult best;
  best.latency_s = kInf;
  for (const auto& set : sets) {
    DpfpResult res = dpfp_optimise(r, set, partition, best.latency_s * (1 - kTie));
    if (res.feasible) best = res;
  }
  return best;
}

int dpfp_subset_search_max_devices() {
  // 8 devices: 255 subsets, about 18 ms of CPU for VGG-16 (bench/README.md, BM_DpfpDeviceSearchVgg16;
  // each further device doubles it). The papers of docs/design.md §5 use at most ~10 devices.
  return static_cast<int>(limits::from_env("EDGEPART_DPFP_SUBSET_DEVICES", 8));
}

std::vector<std::vector<int>> dpfp_device_sets(const PlanRequest& r) {
  const Cluster& c = r.cluster;
  const int n = c.size();
  // The n-fastest prefixes first: a good incumbent early prunes the other sets' DPs.
  std::vector<std::vector<int>> sets;
  const std::vector<int> order = c.by_speed();
  for (size_t k = 1; k <= order.size(); ++k) {
    std::vector<int> set(order.begin(), order.begin() + static_cast<long>(k));
    std::sort(set.begin(), set.end());
    sets.push_back(std::move(set));
  }
  if (n > std::min(dpfp_subset_search_max_devices(), 62)) return sets;  // 62: the bit masks below
  const size_t prefixes = sets.size();
  for (uint64_t mask = 1; mask < (uint64_t{1} << static_cast<unsigned>(n)); ++mask) {
    std::vector<int> set;
    for (int d = 0; d < n; ++d)
      if (mask & (uint64_t{1} << static_cast<unsigned>(d))) set.push_back(d);
    if (std::find(sets.begin(), sets.begin() + static_cast<long>(prefixes), set) == sets.begin() + static_cast<long>(prefixes))
      sets.push_back(std::move(set));
  }
  return sets;
}

plan::Plan make_dpfp_plan(const PlanRequest& r, const JsonCursor& options) {
  options.no_unknown_keys({"device_search", "devices", "partition"});
  const Cluster& c = r.cluster;
  std::string partition_name = options.string_or("partition", "dp");
  if (auto p = options.find("partition")) partition_name = p->as_choice({"dp", "each", "one"});
  const DpfpPartition partition = partition_name == "each" ? DpfpPartition::each : partition_name == "one" ? DpfpPartition::one : DpfpPartition::dp;
  bool search = options.bool_or("device_search", true);
  std::vector<std::vector<int>> candidates;
  Json normalised{{"partition", partition_name}};
  if (auto list = options.find("devices")) {
    list->expect_array();
    std::vector<int> chosen;
    Json names = Json::array();
    for (const auto& e : list->elements()) {
      std::string nm = e.as_string();
      auto it = std::find_if(c.devices.begin(), c.devices.end(), [&](const scenario::Device& d) { return d.name == nm; });
      if (it == c.devices.end()) e.fail("unknown device '" + nm + "'");
      int d = static_cast<int>(it - c.devices.begin());
      if (std::find(chosen.begin(), chosen.end(), d) != chosen.end()) e.fail("device '" + nm + "' listed twice");
      chosen.push_back(d);
      names.push_back(nm);
    }
    if (chosen.empty()) list->fail("needs at least one device");
    std::sort(chosen.begin(), chosen.end());
    candidates.push_back(chosen);
    normalised["devices"] = names;
    search = false;
  } else if (search) {
    candidates = dpfp_device_sets(r);
  } else {
    std::vector<int> all(static_cast<size_t>(c.size()));
    for (int d = 0; d < c.size(); ++d) all[static_cast<size_t>(d)] = d;
    candidates.push_back(all);
  }
  normalised["device_search"] = search;
  // The DP over block ends is quadratic in the candidate positions (every block (a, b] is costed;
  // 'one' also extends every candidate tail start back to the input); only 'each' is linear.
  // Refuse a search that would run for minutes (docs/robustness.md).
  const auto positions = static_cast<int64_t>(dpfp_positions(r).size());
  if (partition != DpfpPartition::each && positions > limits::max_dpfp_positions())
    options.fail("dpfp: the model has " + with_thousands(positions) + " candidate block ends, over the " +
                 with_thousands(limits::max_dpfp_positions()) + " its quadratic search allows" +
                 limits::raise_hint("EDGEPART_MAX_DPFP_POSITIONS") + "; partition 'each' (a block per candidate) is linear");
  // The device search multiplies that by the devices of every set it tries (limits.hpp).
  int64_t set_devices = 0;
  for (const auto& set : candidates) set_devices += static_cast<int64_t>(set.size());
  const double work = static_cast<double>(partition == DpfpPartition::each ? positions : positions * positions) *
                      static_cast<double>(set_devices);
  if (work > static_cast<double>(limits::max_dpfp_work()))
    options.fail("dpfp: " + with_thousands(positions) + " candidate block ends over " + with_thousands(static_cast<int64_t>(candidates.size())) +
                 " device set(s) of " + with_thousands(set_devices) + " devices in all is a search of about " +
                 with_thousands(static_cast<int64_t>(std::min(work, 9e18))) + " units, over the " +
                 with_thousands(limits::max_dpfp_work()) + limits::raise_hint("EDGEPART_MAX_DPFP_WORK") +
                 "; fewer devices (\"devices\"), \"device_search\": false or \"partition\": \"each\" shorten it");

  const DpfpResult best = dpfp_best_set(r, candidates, partition);
  if (!best.feasible)
    throw InputError("", "/devices", "dpfp: no plan fits in the devices' memory (memory_mb): the weights of every split exceed some device");
  plan::Plan p = dpfp_build(r, best.layout, normalised);
  p.notes.push_back(layout_note(r, best.layout));
  if (search && c.size() > dpfp_subset_search_max_devices())
    p.notes.push_back("device search: only the " + std::to_string(candidates.size()) + " n-fastest prefixes (over " +
                      std::to_string(dpfp_subset_search_max_devices()) + " devices; EDGEPART_DPFP_SUBSET_DEVICES raises it)");
  if (auto problem = memory_problem(p, c)) throw InputError("", "/devices", "dpfp: the best plan does not fit: " + *problem);
  return p;
}

}  // namespace edgepart::strategy
