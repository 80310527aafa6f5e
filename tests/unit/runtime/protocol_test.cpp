// The wire protocol: every message survives encode -> decode unchanged; truncated, garbled and
// oversized frames are ProtocolErrors with a message, never a crash (run under ASan + UBSan by
// `make test`).
#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "edgepart/runtime/protocol.hpp"

namespace edgepart::runtime {
namespace {

constexpr uint64_t kBig = uint64_t{1} << 30;

std::vector<Message> samples() {
  return {
      Hello{Role::coordinator, -1, "s3cret", 123456},
      Hello{Role::peer, 3, "", kMaxHelloFrameBytes},
      HelloOk{-42},
      Setup{"{\"model\": 1}", "{\"plan\": 2}", 77, 2, {"127.0.0.1:1", "10.0.0.2:7100", "[::1]:9"}, {0, 2000000, 5}},
      Setup{"{}", "{}", 1, 0, {"h:1"}, {}, 4},
      SetupOk{},
      Ping{123},
      Pong{123, 456},
      Start{9, 1, true, true, WireTensor{2, 1, 3, {1, 2, 3, 4, 5, 6}}},
      Start{10, 0, false, false, {}},
      Data{5, 0, 17, Box{-1, 0, 1, 2, 3, 4, 4}, {0.5f, -1, 2, 3}},
      Notice{5, 2, 8},
      Report{5, 8, SpanKind::send, 2, 100, 250, 0, 0},
      Report{6, 9, SpanKind::task, 0, 100, 900, 700, 650},
      Assign{3, 0, 4},
      Forward{3, 0, 4, 2},
      Done{5, -1, 3, false, {}},
      Done{0, 999, 0, true, WireTensor{3, 1, 1, {1, 2, 3}}},
      Error{UINT64_MAX, "refused: wrong token"},
      Cancel{12},
      Shutdown{},
      Weights{3, {0.25f, -1, 7}, {2}, {}},
      Weights{0, {}, {1, 2}, {3, 4}},
      QuantizedData{5, 1, 3, Box{2, 0, 0, 0, 1, 0, 4}, 3, -1.5f, 0.25f, {0x12, 0x34, 0x56, 0x07}},  // 10 x 3 bits
  };
}

TEST(Protocol, EveryMessageRoundTrips) {
  for (const Message& m : samples()) {
    std::vector<uint8_t> frame = encode(m);
    ASSERT_GE(frame.size(), kFrameHeaderBytes);
    EXPECT_EQ(std::memcmp(frame.data(), "EPRT", 4), 0);
    Message back = decode_frame(frame, kBig);
    EXPECT_EQ(back.index(), m.index()) << message_name(type_of(m));
    EXPECT_TRUE(back == m) << message_name(type_of(m));
  }
}

TEST(Protocol, HeaderLayoutIsLittleEndianWithPayloadLength) {
  std::vector<uint8_t> frame = encode(Cancel{0x0102030405060708});
  // magic(4) version(2)=kProtocolVersion type(2)=13 length(8)=8, then the request id little-endian
  ASSERT_EQ(frame.size(), 16u + 8u);
  EXPECT_EQ(frame[4], kProtocolVersion);
  EXPECT_EQ(frame[5], 0);
  EXPECT_EQ(frame[6], 13);
  EXPECT_EQ(frame[8], 8);
  EXPECT_EQ(frame[16], 0x08);
  EXPECT_EQ(frame[23], 0x01);
}

TEST(Protocol, TruncatedFramesAreErrors) {
  for (const Message& m : samples()) {
    std::vector<uint8_t> frame = encode(m);
    for (size_t n = 0; n < frame.size(); ++n) {
      std::span<const uint8_t> cut(frame.data(), n);
      EXPECT_THROW(decode_frame(cut, kBig), ProtocolError) << message_name(type_of(m)) << " cut at " << n;
    }
  }
}

TEST(Protocol, TrailingBytesAreErrors) {
  std::vector<uint8_t> frame = encode(Ping{1});
  frame.push_back(0);
  uint64_t len = 9;
  std::memcpy(frame.data() + 8, &len, 8);
  try {
    decode_frame(frame, kBig);
    FAIL() << "accepted a trailing byte";
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("trailing"), std::string::npos) << e.what();
  }
}

TEST(Protocol, OversizedFramesAreRefusedFromTheHeaderAlone) {
  std::vector<uint8_t> frame = encode(Data{1, 0, 2, Box{-1, 0, 0, 0, 9, 0, 9}, std::vector<float>(100, 1.0f)});
  // 100 floats + fields: more than 256 bytes; the header says so before any payload is read.
  std::span<const uint8_t> header(frame.data(), kFrameHeaderBytes);
  try {
    decode_header(header, 256);
    FAIL() << "accepted an oversized frame";
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("exceeds the maximum of 256 bytes"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(decode_header(header, frame.size()));
  EXPECT_THROW(decode_header(header, frame.size() - 1), ProtocolError);
}

TEST(Protocol, BadMagicVersionAndTypeAreNamed) {
  std::vector<uint8_t> frame = encode(Ping{1});
  auto expect_error = [](std::vector<uint8_t> f, const std::string& part) {
    try {
      decode_frame(f, kBig);
      FAIL() << "accepted a frame with bad " << part;
    } catch (const ProtocolError& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  auto f = frame;
  f[0] = 'X';
  expect_error(f, "magic");
  f = frame;
  f[4] = 9;
  expect_error(f, "version 9");
  f = frame;
  f[6] = 99;
  expect_error(f, "unknown message type 99");
}

TEST(Protocol, CountsLargerThanThePayloadAreRefusedWithoutAllocating) {
  // A Data message claiming 2^60 floats in a small payload.
  std::vector<uint8_t> frame = encode(Data{1, 0, 2, Box{-1, 0, 0, 0, 0, 0, 0}, {1.0f}});
  uint64_t huge = uint64_t{1} << 60;
  std::memcpy(frame.data() + frame.size() - 4 - 8, &huge, 8);
  EXPECT_THROW(decode_frame(frame, kBig), ProtocolError);
}

TEST(Protocol, QuantizedCodesMustMatchTheBoxAndBits) {
  // 10 elements at 3 bits need 4 bytes of codes (30 bits).
  QuantizedData q{1, 0, 2, Box{0, 0, 0, 0, 1, 0, 4}, 3, 0, 1, std::vector<uint8_t>(4)};
  EXPECT_NO_THROW(decode_frame(encode(q), kBig));
  q.codes.resize(5);
  EXPECT_THROW(decode_frame(encode(q), kBig), ProtocolError);
  q.codes.resize(4);
  q.bits = 0;
  EXPECT_THROW(decode_frame(encode(q), kBig), ProtocolError);
  q.bits = 3;
  q.step = -1;
  EXPECT_THROW(decode_frame(encode(q), kBig), ProtocolError);
  q.step = 1;
  q.box = Box{0, 0, (1LL << 31), 0, (1LL << 31), 0, (1LL << 31)};  // a count that saturates
  EXPECT_THROW(decode_frame(encode(q), kBig), ProtocolError);
}

TEST(Protocol, DataBoxMustMatchItsValues) {
  std::vector<uint8_t> frame = encode(Data{1, 0, 2, Box{-1, 0, 0, 0, 1, 0, 0}, {1.0f}});  // box of 2, 1 value
  EXPECT_THROW(decode_frame(frame, kBig), ProtocolError);
}

// Bounds of up to 2^31 per axis are in range one by one, but their product (2^93 elements) is
// not an int64: the count check must refuse the frame rather than overflow.
TEST(Protocol, BoxesTooLargeToCountAreRefused) {
  const int64_t max_index = int64_t{1} << 31;
  Box huge{-1, 0, max_index, 0, max_index, 0, max_index};
  EXPECT_EQ(huge.elements(), std::numeric_limits<int64_t>::max());
  std::vector<uint8_t> frame = encode(Data{1, 0, 2, huge, {1.0f}});
  EXPECT_THROW(decode_frame(frame, kBig), ProtocolError);
}

// 2^31 x 2^31 x 2^31 wraps to 0 in 64 bits: an empty payload must not pass for such a tensor.
TEST(Protocol, TensorShapesWhoseCountWrapsAreRefused) {
  const int64_t side = int64_t{1} << 31;
  std::vector<uint8_t> frame = encode(Start{1, 0, false, true, WireTensor{side, side, side, {}}});
  EXPECT_THROW(decode_frame(frame, kBig), ProtocolError);
}

// Every single-byte corruption of every sample either decodes or is a ProtocolError.
TEST(Protocol, ByteFlipsNeverCrash) {
  int64_t decoded = 0, refused = 0;
  for (const Message& m : samples()) {
    const std::vector<uint8_t> frame = encode(m);
    for (size_t i = 0; i < frame.size(); ++i)
      for (uint8_t x : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
        std::vector<uint8_t> f = frame;
        f[i] ^= x;
        try {
          decode_frame(f, kBig);
          ++decoded;
        } catch (const ProtocolError&) {
          ++refused;
        }
      }
  }
  EXPECT_GT(decoded, 0);
  EXPECT_GT(refused, 0);
}

TEST(Protocol, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace edgepart::runtime
