// The one registry of channel models (STYLE §2.4: an explicit table, no self-registration).
#include <type_traits>

#include "channels/channels.hpp"

namespace edgepart::sim {

const std::vector<ChannelInfo>& channel_table() {
  static const std::vector<ChannelInfo> table = {
      {"constant", "the link's bandwidth_mbps (network or per-pair override), never changes", ""},
      {"gilbert_elliott", "two-state Markov chain: bandwidth x good_factor / bad_factor, one step every step_ms",
       "good_factor, bad_factor, p_good_to_bad, p_bad_to_good, step_ms"},
      {"rayleigh", "block fading of mean bandwidth: R log2(1 + snr |h|^2) / E[log2(1 + snr |h|^2)], |h|^2 ~ Exp(1) redrawn every coherence_ms",
       "snr_db, coherence_ms"},
      {"trace", "measured (time_s, rate_mbps) points from a CSV file, piecewise constant, looping (absolute rates)", "file, loop"},
  };
  return table;
}

std::unique_ptr<Channel> make_channel(const scenario::ChannelSpec& spec, double bandwidth_mbps,
                                      uint64_t seed, const std::string& stream_name) {
  return std::visit(
      [&](const auto& s) -> std::unique_ptr<Channel> {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, scenario::ConstantChannel>)
          return std::make_unique<detail::ConstantChannel>(bandwidth_mbps);
        else if constexpr (std::is_same_v<T, scenario::RayleighChannel>)
          return std::make_unique<detail::RayleighChannel>(s, bandwidth_mbps, RngStream(seed, stream_name));
        else if constexpr (std::is_same_v<T, scenario::GilbertElliottChannel>)
          return std::make_unique<detail::GilbertElliottChannel>(s, bandwidth_mbps, RngStream(seed, stream_name));
        else
          return std::make_unique<detail::TraceChannel>(s);
      },
      spec);
}

}  // namespace edgepart::sim
