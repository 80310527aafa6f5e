// libFuzzer harness: runtime wire frames (docs/runtime.md). Any bytes either decode or are a
// ProtocolError (what a worker answers with an Error frame before closing the connection);
// whatever decodes encodes back to a frame that decodes and re-encodes to the same bytes (bytes,
// not message ==: a NaN value is carried bit for bit but never compares equal to itself).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "edgepart/runtime/protocol.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgepart::runtime;
  return edgepart::fuzz::run_guarded([&] {
    Message m;
    try {
      m = decode_frame(std::span<const uint8_t>(data, size), uint64_t{1} << 30);
    } catch (const ProtocolError&) {
      return;  // the expected answer to garbage
    }
    const std::vector<uint8_t> frame = encode(m);
    if (encode(decode_frame(frame, uint64_t{1} << 31)) != frame) {
      std::fprintf(stderr, "edgepart fuzz: a decoded %s does not survive encode -> decode\n", message_name(type_of(m)));
      std::abort();
    }
  });
}
