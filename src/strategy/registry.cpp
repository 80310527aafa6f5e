// The explicit strategy table (docs/design.md §2, §5; STYLE §2.4): name, one-line summary, citation,
// plan maker and applicability. No static self-registration.
#include <algorithm>

#include "edgepart/strategy/strategy.hpp"
#include "edgepart/util/error.hpp"
#include "edgepart/util/strings.hpp"
#include "strategy/spatial.hpp"
#include "strategy/two_party_strategies.hpp"

namespace edgepart::strategy {

namespace {

bool always(const PlanRequest&, std::string&) { return true; }

bool several_devices(const PlanRequest& r, std::string& why) {
  if (r.cluster.size() >= 2) return true;
  why = "needs at least two devices";
  return false;
}

}  // namespace

const std::vector<StrategyInfo>& strategy_table() {
  static const std::vector<StrategyInfo> table = {
      {"local", "the whole model on one device (the source, or option device)", "baseline: the pre-trained model on one device",
       make_local_plan, always},
      {"dpfp", "fused blocks split by rows among devices, block boundaries chosen by dynamic programming",
       "Li, Iosifidis, Zhang: Distributed inference with receptive-field-based segmentation (RFS/DPFP), ICC 2022",
       make_dpfp_plan, spatial_applicable},
      {"modnn", "layer-wise split by rows (FC by output neurons), scatter and gather through the source",
       "Mao et al.: MoDNN: local distributed mobile computing system for deep neural network, DATE 2017",
       make_modnn_plan, several_devices},
      {"ftp", "first layers fused, N x M tiles with overlap pulled by idle devices, gateway runs the rest",
       "Zhao, Barijough, Gerstlauer: DeepThings: distributed adaptive deep learning inference on resource-constrained IoT edge clusters, IEEE TCAD 2018",
       make_ftp_plan, spatial_applicable},
      {"fdsp", "tiles without halo (zero padding at borders, approximate), compressed outputs, pulled by idle devices",
       "Zhang, Lin, Zhang: Towards real-time cooperative deep inference over the cloud and edge end devices (ADCNN), ICPP 2020",
       make_fdsp_plan, spatial_applicable},
      {"neurosurgeon", "two-party: the layer order cut once between the source and a server (scan of every cut point)",
       "Kang et al.: Neurosurgeon: collaborative intelligence between the cloud and mobile edge, ASPLOS 2017",
       make_neurosurgeon_plan, two_party::applicable},
      {"dads", "two-party: the DAG split between the source and a server by a minimum s-t cut (Boost.Graph max flow)",
       "Hu, Bao, Wang, Liang, Yang: Dynamic adaptive DNN surgery for inference acceleration on the edge, INFOCOM 2019",
       make_dads_plan, two_party::applicable},
      {"cic", "two-party: the dads optimum for every uplink rate, precomputed (compressed graph, parametric min cut), looked up online",
       "Yang et al.: CIC, IJCNN 2022 (as docs/design.md §5 cites it; full title not verified)",
       make_cic_plan, two_party::applicable},
      {"ccied", "two-party: one cut plus an LRU cache of split-layer features on the source (hit: skip the rest), pruned transfer",
       "Hu, Bai, Wang, Liu, Wang: CCIED: cache-aided collaborative intelligence between edge devices, HPCC 2020",
       make_ccied_plan, two_party::applicable},
  };
  return table;
}

std::vector<std::string> strategy_names() {
  std::vector<std::string> names;
  for (const auto& s : strategy_table()) names.emplace_back(s.name);
  return names;
}

const StrategyInfo& find_strategy(const std::string& name) {
  for (const auto& s : strategy_table())
    if (s.name == name) return s;
  auto names = strategy_names();
  std::string hint = closest_match(name, names);
  throw InputError("", "", "unknown strategy '" + name + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                               " (valid: " + join(names, ", ") + ")");
}

std::vector<std::string> split_strategy_list(const std::vector<std::string>& options) {
  std::vector<std::string> names;
  for (const auto& text : options) {
    size_t start = 0;
    while (start <= text.size()) {
      size_t comma = text.find(',', start);
      if (comma == std::string::npos) comma = text.size();
      if (comma > start) names.push_back(text.substr(start, comma - start));
      start = comma + 1;
    }
  }
  if (names.size() > 1 && std::find(names.begin(), names.end(), "all") != names.end())
    throw InputError("", "--strategy", "'all' cannot be combined with other names");
  for (size_t i = 0; i < names.size(); ++i)
    if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) != names.begin() + static_cast<std::ptrdiff_t>(i))
      throw InputError("", "--strategy", "'" + names[i] + "' is named twice");
  return names;
}

plan::Plan make_plan(const std::string& name, const PlanRequest& request, const Json& options, const std::string& file,
                     const std::string& options_pointer) {
  const StrategyInfo& info = find_strategy(name);
  Json::json_pointer ptr;
  if (!options_pointer.empty() && options_pointer != "/") ptr = Json::json_pointer(options_pointer);
  JsonCursor cursor(options, file, ptr);
  cursor.expect_object();
  return info.make(request, cursor);
}

plan::Plan make_plan_for_scenario(const std::string& name, const PlanRequest& request, const scenario::StrategySpec& own,
                                  const std::string& scenario_file) {
  const bool is_own = name == own.name;
  return make_plan(name, request, is_own ? own.options : Json::object(), scenario_file, is_own ? "/strategy/options" : "");
}

}  // namespace edgepart::strategy
