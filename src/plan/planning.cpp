// The planning rate (docs/timing.md "The planning rate"): which variant of a plan is "the" plan.
#include "edgepart/plan/plan.hpp"
#include "edgepart/util/error.hpp"

namespace edgepart::plan {

namespace {

int cluster_index(const Plan& plan, const scenario::Cluster& cluster, int plan_device) {
  const std::string& name = plan.devices.at(static_cast<size_t>(plan_device));
  for (int d = 0; d < cluster.size(); ++d)
    if (cluster.devices[static_cast<size_t>(d)].name == name) return d;
  throw InputError("", "/devices/" + std::to_string(plan_device), "the plan's device '" + name + "' is not in the scenario");
}

}  // namespace

int rate_peer_of(const Plan& plan, const scenario::Cluster& cluster, const std::vector<int>& plan_to_cluster, int source) {
  if (plan.rate_peer >= 0) {
    const int peer = plan_to_cluster.at(static_cast<size_t>(plan.rate_peer));
    if (peer != source) return peer;
  }
  for (int d : cluster.by_speed())
    if (d != source) return d;
  return -1;
}

PlanningPoint planning_point(const Plan& plan, const scenario::Cluster& cluster) {
  EDGEPART_ASSERT(!plan.variants.empty(), "plan without variants");
  std::vector<int> to_cluster(plan.devices.size());
  for (size_t i = 0; i < plan.devices.size(); ++i) to_cluster[i] = cluster_index(plan, cluster, static_cast<int>(i));
  PlanningPoint p;
  p.source = to_cluster.at(static_cast<size_t>(plan.source));
  p.peer = rate_peer_of(plan, cluster, to_cluster, p.source);
  p.rate_mbps = p.peer < 0 ? cluster.network.bandwidth_mbps : cluster.rate_mbps(p.source, p.peer);
  p.variant = static_cast<size_t>(&plan.variant_for_rate(p.rate_mbps) - plan.variants.data());
  return p;
}

}  // namespace edgepart::plan
