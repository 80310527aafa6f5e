#pragma once
// Channel models (docs/design.md §6, STYLE §3): a link's rate is a piecewise-constant profile. One
// interface, non-virtual public calls over private virtual hooks (ns-3's NVI), one file per model
// in src/sim/channels/, one explicit registry table (channel_registry.cpp).
//
// Contract: calls come with non-decreasing times (the simulator's clock); rate_mbps_at(t) is the
// rate on [t, next_change_after(t)). A stochastic model draws from its own RngStream, named after
// the link ("channel/es0->es1"), one draw per block whether or not anything is sent, so the draws
// of a link never depend on the traffic or on other links.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edgepart/scenario/scenario.hpp"
#include "edgepart/sim/time.hpp"

namespace edgepart::sim {

class Channel {
public:
  virtual ~Channel() = default;
  // Rate in Mbit/s from t until next_change_after(t); may be 0 (a deep fade: nothing moves).
  double rate_mbps_at(SimTime t) { return do_rate_mbps_at(t); }
  // The next time after t at which the rate may change; SimTime::max() for never.
  SimTime next_change_after(SimTime t) { return do_next_change_after(t); }

private:
  virtual double do_rate_mbps_at(SimTime t) = 0;
  virtual SimTime do_next_change_after(SimTime t) = 0;
};

struct ChannelInfo {
  std::string_view kind;     // as in the scenario ("rayleigh")
  std::string_view summary;  // one line for `edgepart list channels`
  std::string_view keys;     // the scenario keys of its `channel` object (docs/formats.md)
};
const std::vector<ChannelInfo>& channel_table();

// Builds the model for `spec` on a link of bandwidth `bandwidth_mbps` (Cluster::rate_mbps, the
// planning rate), which the constant, Rayleigh and Gilbert-Elliott channels scale (a trace is
// absolute); `stream_name` names the link's random stream under `seed`.
std::unique_ptr<Channel> make_channel(const scenario::ChannelSpec& spec, double bandwidth_mbps,
                                      uint64_t seed, const std::string& stream_name);

}  // namespace edgepart::sim
