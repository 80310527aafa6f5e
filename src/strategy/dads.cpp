// dads (Hu, Bao, Wang, Liang, Yang, "Dynamic Adaptive DNN Surgery for Inference Acceleration on
// the Edge", INFOCOM 2019): the best two-party split of a DAG is a minimum s-t cut (docs/design.md §5).
// Source e stands for the edge device, sink c for the server (the paper's cloud):
//   cap(e, v) = t_srv(v)     paid when v is on the server side,
//   cap(v, c) = t_dev(v)     paid when v is on the device side,
//   cap(p, v) = t_up(p)      paid when p is on the device and v on the server,
// plus, as in the paper, an auxiliary vertex for a tensor with several consumers (its transfer is
// paid once, not once per consumer), an infinite reverse edge for every DAG edge (the device side
// is closed under predecessors: nothing comes back from the server), and the model input as a
// vertex tied to e by an infinite edge (it is on the device). The result return t_down(output) is
// added to cap(e, output). The minimum cut value is then T(split) of two_party.hpp: the latency
// under the sequential sum-of-times model. The max flow is Boost.Graph's Boykov-Kolmogorov
// solver (strategy/mincut/max_flow).
#include <algorithm>
#include <cmath>

#include "edgepart/sim/prediction.hpp"
#include "edgepart/util/error.hpp"
#include "strategy/two_party_strategies.hpp"

namespace edgepart::strategy {

using namespace two_party;
using mincut::FlowEdge;
using mincut::kInfinity;

namespace {
constexpr int kE = 0, kC = 1, kInputVertex = 2, kFirstGroup = 3;
}

CutNetwork dads_network(const Problem& problem, const std::vector<int>& group, int groups) {
  CutNetwork net;
  net.vertices = kFirstGroup + groups;
  auto& edges = net.edges;
  edges.reserve(static_cast<size_t>(problem.layers) * 5 + 4);
  std::vector<double> t_srv(static_cast<size_t>(groups), 0), t_dev(static_cast<size_t>(groups), 0);
  for (int v = 0; v < problem.layers; ++v) {
    t_srv[static_cast<size_t>(group[static_cast<size_t>(v)])] += problem.t_server_s[static_cast<size_t>(v)];
    t_dev[static_cast<size_t>(group[static_cast<size_t>(v)])] += problem.t_device_s[static_cast<size_t>(v)];
  }
  t_srv[static_cast<size_t>(group[static_cast<size_t>(problem.output())])] += problem.t_down_s;
  edges.push_back(FlowEdge{kE, kInputVertex, kInfinity});
  for (int g = 0; g < groups; ++g) {
    if (t_srv[static_cast<size_t>(g)] > 0) edges.push_back(FlowEdge{kE, kFirstGroup + g, t_srv[static_cast<size_t>(g)]});
    if (t_dev[static_cast<size_t>(g)] > 0) edges.push_back(FlowEdge{kFirstGroup + g, kC, t_dev[static_cast<size_t>(g)]});
  }
  std::vector<int> targets;
  for (int t = 0; t <= problem.layers; ++t) {
    const int producer = t == kInputTensor ? kInputVertex : kFirstGroup + group[static_cast<size_t>(t - 1)];
    targets.clear();
    for (int c : problem.consumers[static_cast<size_t>(t)]) {
      const int cv = kFirstGroup + group[static_cast<size_t>(c)];
      if (cv != producer) targets.push_back(cv);
    }
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    if (targets.empty()) continue;
    const double cost = problem.t_up_s[static_cast<size_t>(t)];
    if (targets.size() == 1) {
      edges.push_back(FlowEdge{producer, targets.front(), cost});
    } else {
      const int aux = net.vertices++;
      edges.push_back(FlowEdge{producer, aux, cost});
      for (int cv : targets) edges.push_back(FlowEdge{aux, cv, kInfinity});
    }
    // Closure: a consumer on the device side forces its producer there too. The model input is
    // on the device anyway (e -> input is infinite).
    if (producer != kInputVertex)
      for (int cv : targets) edges.push_back(FlowEdge{cv, producer, kInfinity});
  }
  return net;
}

CutNetwork dads_network(const Problem& problem) {
  std::vector<int> group(static_cast<size_t>(problem.layers));
  for (int v = 0; v < problem.layers; ++v) group[static_cast<size_t>(v)] = v;
  return dads_network(problem, group, problem.layers);
}

DadsResult dads_solve(const Problem& problem, const std::vector<int>& group, int groups) {
  const CutNetwork net = dads_network(problem, group, groups);
  const mincut::MinCut cut = mincut::min_cut(net.vertices, net.edges, kE, kC);
  DadsResult r;
  r.cut_value = cut.value;
  r.on_server.resize(static_cast<size_t>(problem.layers));
  for (int v = 0; v < problem.layers; ++v)
    r.on_server[static_cast<size_t>(v)] = !cut.source_side[static_cast<size_t>(kFirstGroup + group[static_cast<size_t>(v)])];
  r.latency_s = split_latency_s(problem, r.on_server);
  // The cut value and the independent evaluation of the split are the same sum, added in another
  // order (the network prices one task per layer, so the all-local split's single-task saving is
  // added back); a real difference is a bug in the network.
  const double as_cut = r.latency_s + all_local_saving_s(problem, r.on_server);
  EDGEPART_ASSERT(std::abs(as_cut - r.cut_value) <= 1e-9 * std::max(1.0, as_cut),
                  "dads: cut value differs from the split's latency");
  // The all-local split runs as one task (build_variant), which the per-layer network cannot
  // price: compare it separately.
  const Split local(static_cast<size_t>(problem.layers), false);
  if (const double t = split_latency_s(problem, local); t < r.latency_s) {
    r.on_server = local;
    r.latency_s = t;
  }
  return r;
}

DadsResult dads_solve(const Problem& problem) {
  std::vector<int> group(static_cast<size_t>(problem.layers));
  for (int v = 0; v < problem.layers; ++v) group[static_cast<size_t>(v)] = v;
  return dads_solve(problem, group, problem.layers);
}

plan::Plan make_dads_plan(const PlanRequest& request, const JsonCursor& options) {
  options.expect_object();
  options.no_unknown_keys({"server"});
  const int server = choose_server(request, options);
  const Problem problem = make_problem(request, server);
  const DadsResult r = dads_solve(problem);
  // The min cut has no memory constraint (nor has the paper's formulation): say so rather than
  // hand out a plan that cannot run.
  if (auto why = split_memory_problem(request, problem, r.on_server))
    throw InputError(options.file(), "/devices",
                     "dads: the minimum-latency split does not fit: " + *why +
                         "; DADS has no memory constraint (neurosurgeon skips splits that do not fit)");

  Json normalised = Json::object();
  normalised["server"] = request.cluster.devices.at(static_cast<size_t>(server)).name;
  PlanBuilder b(request, "dads", normalised);
  build_variant(b, problem, r.on_server);
  b.note("minimum cut: " + describe_split(request, problem, r.on_server));
  return b.finish();
}

}  // namespace edgepart::strategy
