// A worker refuses a coordinator without the token, and a frame larger than the plan allows; a
// garbled frame closes that connection with an error and the worker keeps serving.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <utility>

#include <boost/asio.hpp>
#include <cstring>
#include <thread>

#include "edgepart/runtime/protocol.hpp"
#include "edgepart/runtime/worker.hpp"

namespace edgepart::runtime {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class WorkerFixture : public ::testing::Test {
protected:
  void SetUp() override {
    server_ = std::make_unique<WorkerServer>("127.0.0.1", 0, "t0k3n");
    thread_ = std::thread([this] { server_->run(false); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  tcp::socket connect() {
    tcp::socket s(io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    timeval tv{10, 0};  // a test never waits forever on a silent worker
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
  }
  static void send(tcp::socket& s, const std::vector<uint8_t>& bytes) { asio::write(s, asio::buffer(bytes)); }
  // The next message, or nullopt when the worker closed the connection.
  static std::optional<Message> receive(tcp::socket& s) {
    std::vector<uint8_t> header(kFrameHeaderBytes);
    boost::system::error_code ec;
    asio::read(s, asio::buffer(header), ec);
    if (ec) return std::nullopt;
    FrameHeader h = decode_header(header, uint64_t{1} << 30);
    std::vector<uint8_t> payload(h.payload_bytes);
    asio::read(s, asio::buffer(payload), ec);
    if (ec) return std::nullopt;
    return decode_payload(h.type, payload);
  }
  static std::string error_of(const std::optional<Message>& m) {
    if (!m) return "(connection closed without an error)";
    if (auto* e = std::get_if<Error>(&*m)) return e->message;
    return std::string("(got ") + message_name(type_of(*m)) + ")";
  }

  asio::io_context io_;
  std::unique_ptr<WorkerServer> server_;
  std::thread thread_;
};

TEST_F(WorkerFixture, RefusesAWrongToken) {
  tcp::socket s = connect();
  send(s, encode(Hello{Role::coordinator, -1, "guess", 1 << 20}));
  EXPECT_NE(error_of(receive(s)).find("wrong token"), std::string::npos);
  EXPECT_FALSE(receive(s).has_value()) << "the connection stays open after a wrong token";
}

TEST_F(WorkerFixture, RefusesAnEmptyTokenAndAPrefixOfTheToken) {
  for (std::string t : {"", "t0k", "t0k3n "}) {
    tcp::socket s = connect();
    send(s, encode(Hello{Role::coordinator, -1, t, 1 << 20}));
    EXPECT_NE(error_of(receive(s)).find("wrong token"), std::string::npos) << "token '" << t << "'";
  }
}

TEST_F(WorkerFixture, RefusesAnythingButHelloFirst) {
  tcp::socket s = connect();
  send(s, encode(Ping{1}));
  EXPECT_NE(error_of(receive(s)).find("expected hello"), std::string::npos);
}

TEST_F(WorkerFixture, RefusesAFrameLargerThanThePlanAllows) {
  tcp::socket s = connect();
  const uint64_t max_frame = 8192;  // what the coordinator derived from its plan
  send(s, encode(Hello{Role::coordinator, -1, "t0k3n", max_frame}));
  auto ok = receive(s);
  ASSERT_TRUE(ok && std::holds_alternative<HelloOk>(*ok)) << error_of(ok);
  // A setup frame whose header announces 1 MiB: refused before the payload is read.
  std::vector<uint8_t> frame = encode(runtime::Setup{std::string(1 << 20, 'x'), "", 1, 0, {}, {}});
  send(s, std::vector<uint8_t>(frame.begin(), frame.begin() + kFrameHeaderBytes));
  std::string why = error_of(receive(s));
  EXPECT_NE(why.find("exceeds the maximum of 8192 bytes"), std::string::npos) << why;
}

TEST_F(WorkerFixture, RefusesAnOversizedHelloBeforeAuthentication) {
  tcp::socket s = connect();
  send(s, encode(Hello{Role::coordinator, -1, std::string(10000, 'a'), 1 << 20}));
  EXPECT_NE(error_of(receive(s)).find("exceeds the maximum"), std::string::npos);
}

TEST_F(WorkerFixture, AGarbledFrameClosesOnlyThatConnection) {
  tcp::socket bad = connect();
  std::vector<uint8_t> junk(64, 0xab);
  send(bad, junk);
  EXPECT_NE(error_of(receive(bad)).find("bad magic"), std::string::npos);
  // The worker still serves.
  tcp::socket s = connect();
  send(s, encode(Hello{Role::coordinator, -1, "t0k3n", 1 << 20}));
  auto ok = receive(s);
  EXPECT_TRUE(ok && std::holds_alternative<HelloOk>(*ok)) << error_of(ok);
}

TEST_F(WorkerFixture, ASetupThatIsNotAModelIsAnError) {
  tcp::socket s = connect();
  send(s, encode(Hello{Role::coordinator, -1, "t0k3n", 1 << 20}));
  ASSERT_TRUE(receive(s).has_value());
  send(s, encode(runtime::Setup{"not json", "{}", 1, 0, {"127.0.0.1:1"}, {}}));
  EXPECT_NE(error_of(receive(s)).find("setup failed"), std::string::npos);
}

TEST_F(WorkerFixture, WeightsNoSetupAnnouncedAreRefused) {
  tcp::socket s = connect();
  send(s, encode(Hello{Role::coordinator, -1, "t0k3n", 1 << 20}));
  ASSERT_TRUE(receive(s).has_value());
  send(s, encode(runtime::Weights{0, {1, 2, 3}, {}, {}}));
  EXPECT_NE(error_of(receive(s)).find("a weights frame that no setup announced"), std::string::npos);
}

}  // namespace
}  // namespace edgepart::runtime
