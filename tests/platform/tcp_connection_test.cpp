// platform::TcpConnection failing to connect: what `--uart socket://` users see when the
// serial server is not there. Runs on Linux (BSD sockets) and under wine (Winsock).
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "platform/errors.hpp"
#include "platform/tcp_connection.hpp"

using dfu::platform::OpenError;
using dfu::platform::TcpConnection;

namespace {

// The message of the OpenError `connect` throws; empty when it connected.
std::string connect_error(const std::string& host, const std::string& port, std::chrono::milliseconds timeout) {
    try {
        TcpConnection::connect(host, port, timeout, "socket://" + host + ":" + port);
    } catch (const OpenError& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("TcpConnection: a refused connection is an OpenError naming the URL, at once") {
    // Port 1 (tcpmux) has no listener on a test machine; loopback refuses it immediately.
    const auto start = std::chrono::steady_clock::now();
    const std::string message = connect_error("127.0.0.1", "1", std::chrono::seconds(20));
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(message.find("socket://127.0.0.1:1: cannot connect: ") == 0);
    CHECK(message.find("is the serial server running") != std::string::npos);
    CHECK(took < std::chrono::seconds(10));  // refused, not left to time out
}

TEST_CASE("TcpConnection: an unresolvable host is an OpenError naming it") {
    const std::string message = connect_error("no-such-host.invalid", "4000", std::chrono::seconds(2));
    CHECK(message.find("socket://no-such-host.invalid:4000: cannot resolve 'no-such-host.invalid'") == 0);
}
