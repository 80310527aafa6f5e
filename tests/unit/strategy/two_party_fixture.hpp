#pragma once
// Shared inputs of the two-party strategy tests: zoo models, a hand-built Raspberry-Pi-plus-server
// cluster, random two-party problems on seeded random DAGs, and an independent evaluation of a
// split (written here again, not taken from src/strategy/two_party.cpp).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "edgepart/cost/analysis.hpp"
#include "edgepart/model/load.hpp"
#include "edgepart/scenario/cluster.hpp"
#include "edgepart/strategy/strategy.hpp"
#include "edgepart/timing/cost_model.hpp"
#include "strategy/two_party.hpp"

namespace edgepart::strategy::test {

struct ZooModel {
  model::ModelGraph graph;
  cost::ModelAnalysis analysis;
};

inline const ZooModel& zoo(const std::string& name) {
  static std::map<std::string, ZooModel> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    ZooModel m;
    m.graph = model::load_model(std::string(EDGEPART_SOURCE_DIR) + "/models/" + name + ".json");
    m.analysis = cost::analyze(m.graph);
    it = cache.emplace(name, std::move(m)).first;
  }
  return it->second;
}

// A cost model kept for the whole test binary: a PlanRequest refers to its cost model, so helpers
// that return a request need one that outlives them.
inline const timing::CostModel& kept_costs(const model::ModelGraph& g, const cost::ModelAnalysis& a, const scenario::Cluster& c) {
  static std::deque<timing::CostModel> kept;  // a deque never moves its elements
  return kept.emplace_back(g, a, c);
}

// A Raspberry-Pi-class source and an edge server. Speeds are round figures of the right order
// (a Pi 3/4 CPU sustains a few GFLOP/s on CNNs, a CPU server a few hundred), not measurements;
// the tests compare algorithms under one cost model, so only the ratios shape the splits.
inline scenario::Cluster pi_and_server(double bandwidth_mbps, double latency_s = 0.002) {
  scenario::Cluster c;
  scenario::Device pi;
  pi.name = "pi";
  pi.speed_gflops = 3;
  pi.is_source = true;
  scenario::Device es;
  es.name = "server";
  es.speed_gflops = 300;
  c.devices = {pi, es};
  c.network.kind = scenario::NetworkKind::shared;
  c.network.bandwidth_mbps = bandwidth_mbps;
  c.network.latency_s = latency_s;
  c.source = 0;
  return c;
}

// A deterministic uniform double in [lo, hi) from a standard engine (mt19937_64's output sequence
// is fixed by the standard; std::*_distribution is not, so we do not use it).
inline double uniform(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * static_cast<double>(rng() >> 11) * 0x1.0p-53;
}
inline int uniform_int(std::mt19937_64& rng, int lo, int hi) {  // inclusive
  return lo + static_cast<int>(rng() % static_cast<uint64_t>(hi - lo + 1));
}

// A random two-party problem: `n` layers in topological order; each reads 1-3 earlier tensors (the
// model input included), or only the previous layer when `chain`. Times and sizes are random over
// several orders of magnitude, so that every kind of split wins somewhere.
inline two_party::Problem random_problem(std::mt19937_64& rng, int n, bool chain, double rate_mbps,
                                         double latency_s) {
  two_party::Problem pb;
  pb.device = 0;
  pb.server = 1;
  pb.layers = n;
  pb.t_device_s.resize(static_cast<size_t>(n));
  pb.t_server_s.resize(static_cast<size_t>(n));
  pb.inputs.resize(static_cast<size_t>(n));
  pb.consumers.assign(static_cast<size_t>(n) + 1, {});
  pb.tensor_bytes.resize(static_cast<size_t>(n) + 1);
  pb.t_up_s.resize(static_cast<size_t>(n) + 1);
  for (int v = 0; v < n; ++v) {
    pb.t_device_s[static_cast<size_t>(v)] = uniform(rng, 0, 0.05);
    pb.t_server_s[static_cast<size_t>(v)] = pb.t_device_s[static_cast<size_t>(v)] * uniform(rng, 0.01, 1.5);
    std::vector<int> ins;
    if (chain) {
      ins.push_back(v);  // tensor v = layer v - 1 (tensor 0 = input)
    } else {
      const int k = uniform_int(rng, 1, 3);
      for (int i = 0; i < k; ++i) ins.push_back(uniform_int(rng, 0, v));
      // Favour the previous layer so the DAG is deep, not a fan.
      if (uniform(rng, 0, 1) < 0.7) ins.push_back(v);
      std::sort(ins.begin(), ins.end());
      ins.erase(std::unique(ins.begin(), ins.end()), ins.end());
    }
    pb.inputs[static_cast<size_t>(v)] = ins;
    for (int t : ins) pb.consumers[static_cast<size_t>(t)].push_back(v);
  }
  for (int t = 0; t <= n; ++t) {
    pb.tensor_bytes[static_cast<size_t>(t)] = std::floor(std::pow(10.0, uniform(rng, 2, 6)));
    pb.t_up_s[static_cast<size_t>(t)] = latency_s + pb.tensor_bytes[static_cast<size_t>(t)] * 8 / (rate_mbps * 1e6);
  }
  pb.up_rate_mbps = pb.down_rate_mbps = rate_mbps;
  pb.up_latency_s = pb.down_latency_s = latency_s;
  pb.t_down_s = latency_s + pb.tensor_bytes[static_cast<size_t>(n)] * 8 / (rate_mbps * 1e6);
  return pb;
}

// Independent evaluation of a split (bit v of `server_mask` set = layer v on the server):
// returns -1 when the device side is not closed under predecessors.
inline double brute_latency(const two_party::Problem& pb, uint32_t server_mask) {
  auto on_server = [&](int v) { return ((server_mask >> v) & 1u) != 0; };
  double t = 0;
  std::vector<bool> sent(static_cast<size_t>(pb.layers) + 1, false);
  for (int v = 0; v < pb.layers; ++v) {
    t += on_server(v) ? pb.t_server_s[static_cast<size_t>(v)] : pb.t_device_s[static_cast<size_t>(v)];
    for (int tensor : pb.inputs[static_cast<size_t>(v)]) {
      const bool producer_on_server = tensor > 0 && on_server(tensor - 1);
      if (producer_on_server && !on_server(v)) return -1;  // server -> device: not allowed
      if (!producer_on_server && on_server(v) && !sent[static_cast<size_t>(tensor)]) {
        sent[static_cast<size_t>(tensor)] = true;  // paid once, whatever the number of consumers
        t += pb.t_up_s[static_cast<size_t>(tensor)];
      }
    }
  }
  if (on_server(pb.layers - 1)) t += pb.t_down_s;
  return t;
}

// The best latency over every predecessor-closed split, by enumeration (n <= 20).
inline double brute_best(const two_party::Problem& pb) {
  double best = -1;
  for (uint32_t mask = 0; mask < (1u << pb.layers); ++mask) {
    const double t = brute_latency(pb, mask);
    if (t >= 0 && (best < 0 || t < best)) best = t;
  }
  return best;
}

inline scenario::Workload no_cache_workload() { return scenario::Workload{}; }

}  // namespace edgepart::strategy::test
