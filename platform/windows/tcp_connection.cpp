// Winsock 2.
#include "platform/tcp_connection.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>

#include <fmt/format.h>

#include <climits>
#include <mutex>

#include "platform/errors.hpp"
#include "platform/windows/error_text.hpp"

namespace dfu::platform {
namespace {

using Clock = std::chrono::steady_clock;

int ms_until(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>((left + 999) / 1000, INT_MAX));
}

// WSAStartup once per process; the reference count it keeps is released at exit.
void start_winsock(const std::string& shown) {
    static std::once_flag once;
    static int result = 0;
    std::call_once(once, [] {
        WSADATA data;
        result = ::WSAStartup(MAKEWORD(2, 2), &data);
    });
    if (result != 0) throw OpenError(fmt::format("{}: cannot start Winsock: {}", shown, windows_error_text(result)));
}

class WinsockTcp final : public TcpConnection {
public:
    WinsockTcp(SOCKET s, std::string shown) : s_(s), shown_(std::move(shown)) {}
    ~WinsockTcp() override { ::closesocket(s_); }

    void send_all(std::span<const std::uint8_t> bytes) override {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const int chunk = static_cast<int>(std::min<std::size_t>(bytes.size() - done, INT_MAX));
            const int n = ::send(s_, reinterpret_cast<const char*>(bytes.data() + done), chunk, 0);
            if (n > 0) {
                done += static_cast<std::size_t>(n);
                continue;
            }
            const int err = ::WSAGetLastError();
            if (err != WSAEWOULDBLOCK) fail("send", err);
            WSAPOLLFD p{s_, POLLWRNORM, 0};
            if (::WSAPoll(&p, 1, 1000) == SOCKET_ERROR) fail("poll", ::WSAGetLastError());
        }
    }

    std::size_t receive_some(std::span<std::uint8_t> buffer, Clock::time_point deadline) override {
        for (;;) {
            const int want = static_cast<int>(std::min<std::size_t>(buffer.size(), INT_MAX));
            const int n = ::recv(s_, reinterpret_cast<char*>(buffer.data()), want, 0);
            if (n > 0) return static_cast<std::size_t>(n);
            if (n == 0) throw IoError(fmt::format("{}: the server closed the connection", shown_));
            const int err = ::WSAGetLastError();
            if (err != WSAEWOULDBLOCK) fail("recv", err);
            const int wait = ms_until(deadline);
            if (wait == 0) return 0;
            WSAPOLLFD p{s_, POLLRDNORM, 0};
            if (::WSAPoll(&p, 1, wait) == SOCKET_ERROR) fail("poll", ::WSAGetLastError());
        }
    }

    void drain() override {
        char sink[4096];
        // Non-blocking socket: recv fails with WSAEWOULDBLOCK once nothing is left.
        while (::recv(s_, sink, sizeof sink, 0) > 0) {
        }
    }

private:
    [[noreturn]] void fail(const char* what, int err) const {
        throw IoError(fmt::format("{}: {} failed: {}", shown_, what, windows_error_text(err)));
    }
    SOCKET s_;
    std::string shown_;
};

// Non-blocking connect bounded by the deadline; INVALID_SOCKET with `err` set on failure.
SOCKET connect_one(const addrinfo& ai, Clock::time_point deadline, int& err) {
    SOCKET s = ::socket(ai.ai_family, ai.ai_socktype, ai.ai_protocol);
    if (s == INVALID_SOCKET) {
        err = ::WSAGetLastError();
        return s;
    }
    u_long non_blocking = 1;
    ::ioctlsocket(s, FIONBIO, &non_blocking);
    if (::connect(s, ai.ai_addr, static_cast<int>(ai.ai_addrlen)) == 0) return s;
    err = ::WSAGetLastError();
    if (err == WSAEWOULDBLOCK) {
        // A refused connect shows as POLLERR/POLLHUP; SO_ERROR then says why.
        WSAPOLLFD p{s, POLLWRNORM, 0};
        const int r = ::WSAPoll(&p, 1, ms_until(deadline));
        if (r == 0) {
            err = WSAETIMEDOUT;
        } else if (r == SOCKET_ERROR) {
            err = ::WSAGetLastError();
        } else {
            int so_error = 0;
            int len = sizeof so_error;
            ::getsockopt(s, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&so_error), &len);
            if (so_error == 0 && (p.revents & (POLLERR | POLLHUP)) == 0) return s;
            err = so_error ? so_error : WSAECONNREFUSED;
        }
    }
    ::closesocket(s);
    return INVALID_SOCKET;
}

}  // namespace

std::unique_ptr<TcpConnection> TcpConnection::connect(const std::string& host, const std::string& port,
                                                      std::chrono::milliseconds timeout, const std::string& shown) {
    start_winsock(shown);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
        throw OpenError(fmt::format("{}: cannot resolve '{}': {}", shown, host, windows_error_text(rc)));
    const auto deadline = Clock::now() + timeout;
    SOCKET s = INVALID_SOCKET;
    int last_error = 0;
    for (const addrinfo* ai = found; ai && s == INVALID_SOCKET; ai = ai->ai_next) s = connect_one(*ai, deadline, last_error);
    ::freeaddrinfo(found);
    if (s == INVALID_SOCKET)
        throw OpenError(fmt::format("{}: cannot connect: {} (is the serial server running and the port right?)",
                                    shown, windows_error_text(last_error)));
    const BOOL one = TRUE;
    ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof one);
    return std::make_unique<WinsockTcp>(s, shown);
}

}  // namespace dfu::platform
