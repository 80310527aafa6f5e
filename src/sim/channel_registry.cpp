// The one registry of channel models (STYLE §2.4: an explicit table, no self-registration).
#include <type_traits>

#include "channels/channels.hpp"

namespace edgepart::sim {

const std::vector<ChannelInfo>& channel_table() {
  static const std::vector<ChannelInfo> table = {
      {"constant", "the link's planning rate (network bandwidth_mbps or the per-pair override), never changes", ""},
      {"gilbert_elliott", "two-state Markov chain (good_mbps / bad_mbps), one step every step_ms",
       "good_mbps, bad_mbps, p_good_to_bad, p_bad_to_good, step_ms"},
      {"rayleigh", "block fading: rate = B log2(1 + snr |h|^2), |h|^2 ~ Exp(1) redrawn every coherence_ms",
       "bandwidth_mhz, snr_db, coherence_ms"},
      {"trace", "measured (time_s, rate_mbps) points from a CSV file, piecewise constant, looping", "file, loop"},
  };
  return table;
}

std::unique_ptr<Channel> make_channel(const scenario::ChannelSpec& spec, double planning_rate_mbps,
                                      uint64_t seed, const std::string& stream_name) {
  return std::visit(
      [&](const auto& s) -> std::unique_ptr<Channel> {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, scenario::ConstantChannel>)
          return std::make_unique<detail::ConstantChannel>(planning_rate_mbps);
        else if constexpr (std::is_same_v<T, scenario::RayleighChannel>)
          return std::make_unique<detail::RayleighChannel>(s, RngStream(seed, stream_name));
        else if constexpr (std::is_same_v<T, scenario::GilbertElliottChannel>)
          return std::make_unique<detail::GilbertElliottChannel>(s, RngStream(seed, stream_name));
        else
          return std::make_unique<detail::TraceChannel>(s);
      },
      spec);
}

}  // namespace edgepart::sim
