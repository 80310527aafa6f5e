#pragma once
// What to build for a scenario's network, as data (docs/netemu.md): names, addresses and the
// shaping of every interface. Pure (no system calls), so the shaping rules are unit-tested without
// root; commands.cpp turns a layout into `ip`/`tc` argument vectors.
#include <cstdint>
#include <string>
#include <vector>

#include "edgepart/scenario/scenario.hpp"

namespace edgepart::netemu {

// Largest frame on the emulated links: MTU 1500 + the 14-byte Ethernet header that tc counts
// (segmentation offload is switched off, so no larger packet reaches a qdisc).
inline constexpr int64_t kFrameBytes = 1514;

// Token-bucket depth of an HTB class at `rate_bps` (docs/netemu.md, "Burst"): what the link sends
// in 1 ms at its rate, at least two full frames. `bps` = bit/s.
int64_t burst_bytes(int64_t rate_bps);
// Queue of a class (packets): 100 ms at its rate (a bottleneck buffer of one 100 ms BDP), at least
// 64 packets, plus the packets in flight inside the delay line (`delay_s` at the rate).
int64_t queue_packets(int64_t rate_bps, double delay_s);

// One HTB leaf class: traffic matching (src, dst) ("" = any) at `rate_bps`, delayed by `delay_s`.
struct ShapedClass {
  int minor = 0;  // class 1:minor (hexadecimal in tc)
  std::string match_src, match_dst;
  int64_t rate_bps = 0;
  double delay_s = 0;
};

// The shaping of one interface's egress: an HTB root class at `ceiling_bps` (the fastest of its
// classes) over the classes; the first class is the default (unmatched traffic, e.g. ARP).
struct Shaper {
  std::string ns, dev;
  int64_t ceiling_bps = 0;
  std::vector<ShapedClass> classes;
};

struct Layout {
  bool shared = false;                     // one medium (ifb0 in the hub) or per-device links
  std::string hub_ns;                      // <prefix>-hub: bridge br0, ports p<i>, ifb0 (shared)
  std::vector<std::string> device_ns;      // <prefix>-d<i>: interface eth0
  std::vector<std::string> address;        // 10.77.x.y, device i = host i + 1
  std::vector<Shaper> shapers;
};

inline constexpr int kDefaultClass = 0x10;    // 1:10
inline constexpr int kFirstPairClass = 0x100;  // 1:100 + index of the peer (or of the pair)

// The layout of `scenario`'s network under `prefix`. InputError for a rate tc cannot express.
Layout layout_network(const scenario::Scenario& scenario, const std::string& prefix);
// Checks a prefix: 1-32 characters of [a-z0-9] (InputError otherwise).
void check_prefix(const std::string& prefix);
// 10.77.0.0/16 host `host` (1..65534).
std::string device_address(int host);

}  // namespace edgepart::netemu
