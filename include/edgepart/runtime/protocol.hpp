#pragma once
// The wire protocol between `edgepart run` (the coordinator) and `edgepart worker`s, and between
// workers (docs/runtime.md has the message table). A frame is
//   "EPRT" | version u16 | type u16 | payload length u64 | payload
// all integers little-endian. Decoding is a pure function of a byte span with bounds checks: a
// truncated, garbled or oversized frame is a ProtocolError naming what is wrong, never a crash.
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace edgepart::runtime {

inline constexpr uint16_t kProtocolVersion = 3;
inline constexpr size_t kFrameHeaderBytes = 16;
// Before a connection has authenticated, only a Hello fits: a token and a few integers.
inline constexpr uint64_t kMaxHelloFrameBytes = 4096;
// Room for a tensor message's fields besides its floats (request, task, box, counts): 128 bytes
// of fixed fields, rounded up generously.
inline constexpr uint64_t kTensorMessageOverheadBytes = 256;

class ProtocolError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

enum class MessageType : uint16_t {
  hello = 1, hello_ok = 2, setup = 3, setup_ok = 4, ping = 5, pong = 6, start = 7, data = 8,
  notice = 9, report = 10, done = 11, error = 12, cancel = 13, shutdown = 14, assign = 15, forward = 16,
  weights = 17, quantized_data = 18,
};
const char* message_name(MessageType type);

// A box of a tensor: channels x rows x cols, inclusive ranges (plan::TensorPiece's content).
struct Box {
  int32_t tensor = -1;  // producer layer index, -1 = the model input
  int64_t c0 = 0, c1 = -1, r0 = 0, r1 = -1, x0 = 0, x1 = -1;
  int64_t elements() const;  // 0 when any range is empty
  bool operator==(const Box&) const = default;
};

// A dense float32 tensor on the wire (c x h x w, row-major in each channel plane).
struct WireTensor {
  int64_t c = 0, h = 0, w = 0;
  std::vector<float> values;
  bool operator==(const WireTensor&) const = default;
};

enum class Role : uint8_t { coordinator = 0, peer = 1 };

struct Hello {  // first frame on every connection
  Role role = Role::coordinator;
  int32_t device = -1;            // peer: the sending worker's device index
  std::string token;
  uint64_t max_frame_bytes = 0;   // coordinator: the largest frame the plan needs
  bool operator==(const Hello&) const = default;
};
struct HelloOk { int64_t clock_ns = 0; bool operator==(const HelloOk&) const = default; };
struct Setup {
  std::string model_json, plan_json;
  uint64_t weight_seed = 1;
  int32_t device = -1;
  std::vector<std::string> peers;  // HOST:PORT of every device's worker, by device index
  // Per destination device: a delay added before each transfer to it (the scenario's latency when
  // the emulated network does not apply it, docs/netemu.md); empty: none.
  std::vector<int64_t> delay_ns;
  // Layers whose parameters follow as Weights frames (a model file's real weights); the
  // worker's other layers draw theirs from weight_seed. SetupOk comes after the last one.
  uint32_t weight_layers = 0;
  bool operator==(const Setup&) const = default;
};
struct SetupOk { bool operator==(const SetupOk&) const = default; };
struct Ping { int64_t clock_ns = 0; bool operator==(const Ping&) const = default; };
struct Pong { int64_t echo_ns = 0, clock_ns = 0; bool operator==(const Pong&) const = default; };
struct Start {  // coordinator -> every device of the request
  uint64_t request = 0;
  uint32_t variant = 0;
  bool want_output = false;       // the source sends the model output back in Done
  bool has_input = false;         // the source receives the model input
  WireTensor input;
  bool operator==(const Start&) const = default;
};
struct Data {  // worker -> worker: one transfer's piece
  uint64_t request = 0;
  uint32_t variant = 0;
  int32_t task = 0;
  Box box;
  std::vector<float> values;      // box.elements() values, channel-major
  bool operator==(const Data&) const = default;
};
struct Notice {  // worker -> worker: task `task` is done (a dependency without data)
  uint64_t request = 0;
  uint32_t variant = 0;
  int32_t task = 0;
  bool operator==(const Notice&) const = default;
};
enum class SpanKind : uint8_t { task = 0, send = 1, receive = 2 };
struct Report {  // worker -> coordinator: a measured span (worker's steady clock)
  uint64_t request = 0;
  int32_t task = 0;
  SpanKind kind = SpanKind::task;
  uint8_t leg = 0;                // pull tasks' transfers: 1 input (in_from -> taker), 2 output (taker -> out_to)
  int64_t start_ns = 0, end_ns = 0;
  int64_t work_ns = 0;            // task: the executor's own time (the rest is runtime overhead)
  // task: the compute thread's CPU time over the executor calls (CLOCK_THREAD_CPUTIME_ID);
  // work_ns - work_cpu_ns is time the thread was runnable or stalled but not on a CPU.
  int64_t work_cpu_ns = 0;
  bool operator==(const Report&) const = default;
};
struct Done {  // worker -> coordinator: every task of the request on this worker is done
  uint64_t request = 0;
  int64_t output_ns = -1;         // source: when the model output was complete, -1 otherwise
  uint64_t notices_sent = 0;
  bool has_output = false;
  WireTensor output;
  bool operator==(const Done&) const = default;
};
struct Error {
  uint64_t request = UINT64_MAX;  // UINT64_MAX: not about one request (the connection closes)
  std::string message;
  bool operator==(const Error&) const = default;
};
struct Cancel { uint64_t request = 0; bool operator==(const Cancel&) const = default; };
struct Shutdown { bool operator==(const Shutdown&) const = default; };
struct Assign {  // coordinator -> worker: take pull task `task` of the request
  uint64_t request = 0;
  uint32_t variant = 0;
  int32_t task = 0;
  bool operator==(const Assign&) const = default;
};
struct Forward {  // coordinator -> a pull task's in_from: send its input to device `to`
  uint64_t request = 0;
  uint32_t variant = 0;
  int32_t task = 0, to = -1;
  bool operator==(const Forward&) const = default;
};

struct Weights {  // coordinator -> worker, after Setup: one layer's parameters (exec::LayerParams)
  int32_t layer = -1;
  std::vector<float> weight, bias, scale;
  bool operator==(const Weights&) const = default;
};

struct QuantizedData {  // worker -> worker: a compressed pull task's output (FDSP), see quantize.hpp
  uint64_t request = 0;
  uint32_t variant = 0;
  int32_t task = 0;
  Box box;
  uint8_t bits = 8;               // 1..31 per value
  float lo = 0, step = 0;         // value = lo + step * code
  std::vector<uint8_t> codes;     // box.elements() codes, packed least significant bit first
  bool operator==(const QuantizedData&) const = default;
};

using Message = std::variant<Hello, HelloOk, Setup, SetupOk, Ping, Pong, Start, Data, Notice, Report, Done, Error,
                             Cancel, Shutdown, Assign, Forward, Weights, QuantizedData>;
MessageType type_of(const Message& m);

struct FrameHeader {
  MessageType type = MessageType::hello;
  uint64_t payload_bytes = 0;
};

// A whole frame (header + payload).
std::vector<uint8_t> encode(const Message& m);
// The header of a frame (exactly kFrameHeaderBytes): magic, version and type checked, the payload
// length checked against `max_frame_bytes` (header included). ProtocolError otherwise.
FrameHeader decode_header(std::span<const uint8_t> bytes, uint64_t max_frame_bytes);
// A payload of the given type. ProtocolError when truncated, garbled or with trailing bytes.
Message decode_payload(MessageType type, std::span<const uint8_t> payload);
// A whole frame: decode_header then decode_payload; the frame must be exactly header + payload.
Message decode_frame(std::span<const uint8_t> frame, uint64_t max_frame_bytes);

// Compares two byte strings in time independent of where they differ (tokens).
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace edgepart::runtime
