// neurosurgeon (Kang et al., "Neurosurgeon: Collaborative Intelligence Between the Cloud and
// Mobile Edge", ASPLOS 2017): split the layer sequence once between the mobile device and the
// server, choosing the split point j that minimises
//   T(j) = sum_{i<=j} t_dev(i) + t_up(tensor crossing at j) + sum_{i>j} t_srv(i) (+ result return),
// scanning every j (j = -1: everything on the server, the input is sent; j = L-1: all local).
// Kang et al. predict t_dev/t_srv with per-layer-type regression models; we take them from the
// cost model (docs/design.md §3). On a DAG only the cut points of the layer order where one tensor is
// live are candidates (the paper handles chains; a cut through a branch is DADS's business).
#include <cmath>
#include <limits>
#include <sstream>

#include "edgepart/sim/prediction.hpp"
#include "edgepart/util/error.hpp"
#include "strategy/two_party_strategies.hpp"

namespace edgepart::strategy {

using namespace two_party;

ChainCut neurosurgeon_best(const Problem& problem, const PlanRequest* request) {
  ChainCut best{-2, std::numeric_limits<double>::infinity()};
  for (const ChainCutCosts& c : chain_cut_costs(problem, request)) {
    if (request != nullptr && memory_problem(*request, problem, c.memory)) continue;
    const double t = c.latency_s(problem);
    if (t < best.latency_s) best = ChainCut{c.cut, t};
  }
  return best;
}

plan::Plan make_neurosurgeon_plan(const PlanRequest& request, const JsonCursor& options) {
  options.expect_object();
  options.no_unknown_keys({"server"});
  const int server = choose_server(request, options);
  const Problem problem = make_problem(request, server);
  const ChainCut best = neurosurgeon_best(problem, &request);
  if (best.cut == -2)
    throw InputError(options.file(), "/devices",
                     "neurosurgeon: no split point fits the memory_mb of '" +
                         request.cluster.devices.at(static_cast<size_t>(problem.device)).name + "' and '" +
                         request.cluster.devices.at(static_cast<size_t>(server)).name + "'");
  const Split split = split_after(problem, best.cut);

  Json normalised = Json::object();
  normalised["server"] = request.cluster.devices.at(static_cast<size_t>(server)).name;
  PlanBuilder b(request, "neurosurgeon", normalised);
  build_variant(b, problem, split);
  b.note("split after " +
         (best.cut < 0 ? std::string("the input") : "layer '" + request.graph.layer(best.cut).name + "'") + ": " +
         describe_split(request, problem, split));
  return b.finish();
}

}  // namespace edgepart::strategy
