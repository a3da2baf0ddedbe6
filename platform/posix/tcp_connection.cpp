// BSD sockets.
#include "platform/tcp_connection.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "platform/errors.hpp"

namespace dfu::platform {
namespace {

using Clock = std::chrono::steady_clock;

int ms_until(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>((left + 999) / 1000);
}

class PosixTcp final : public TcpConnection {
public:
    PosixTcp(int fd, std::string shown) : fd_(fd), shown_(std::move(shown)) {}
    ~PosixTcp() override { ::close(fd_); }

    void send_all(std::span<const std::uint8_t> bytes) override {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
            if (n > 0) {
                done += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                pollfd p{fd_, POLLOUT, 0};
                if (::poll(&p, 1, 1000) < 0 && errno != EINTR) fail("poll");
                continue;
            }
            fail("send");
        }
    }

    std::size_t receive_some(std::span<std::uint8_t> buffer, Clock::time_point deadline) override {
        for (;;) {
            const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
            if (n > 0) return static_cast<std::size_t>(n);
            if (n == 0) throw IoError(fmt::format("{}: the server closed the connection", shown_));
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) fail("recv");
            const int wait = ms_until(deadline);
            if (wait == 0) return 0;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, wait) < 0 && errno != EINTR) fail("poll");
        }
    }

    void drain() override {
        std::uint8_t sink[4096];
        while (::recv(fd_, sink, sizeof sink, MSG_DONTWAIT) > 0) {
        }
    }

private:
    [[noreturn]] void fail(const char* what) const {
        throw IoError(fmt::format("{}: {} failed: {}", shown_, what, std::strerror(errno)));
    }
    int fd_;
    std::string shown_;
};

// Non-blocking connect bounded by the deadline; returns the socket or -1 with errno set.
int connect_one(const addrinfo& ai, Clock::time_point deadline) {
    const int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
    if (fd < 0) return -1;
    if (::connect(fd, ai.ai_addr, ai.ai_addrlen) == 0) return fd;
    if (errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        int r;
        do r = ::poll(&p, 1, ms_until(deadline));
        while (r < 0 && errno == EINTR);
        int err = r == 0 ? ETIMEDOUT : 0;
        socklen_t len = sizeof err;
        if (r > 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == 0 && r > 0) return fd;
        errno = err ? err : errno;
    }
    const int e = errno;
    ::close(fd);
    errno = e;
    return -1;
}

}  // namespace

std::unique_ptr<TcpConnection> TcpConnection::connect(const std::string& host, const std::string& port,
                                                      std::chrono::milliseconds timeout, const std::string& shown) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
        throw OpenError(fmt::format("{}: cannot resolve '{}': {}", shown, host, ::gai_strerror(rc)));
    const auto deadline = Clock::now() + timeout;
    int fd = -1;
    int last_errno = 0;
    for (const addrinfo* ai = found; ai && fd < 0; ai = ai->ai_next) {
        fd = connect_one(*ai, deadline);
        if (fd < 0) last_errno = errno;
    }
    ::freeaddrinfo(found);
    if (fd < 0)
        throw OpenError(fmt::format("{}: cannot connect: {} (is the serial server running and the port right?)",
                                    shown, std::strerror(last_errno)));
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return std::make_unique<PosixTcp>(fd, shown);
}

}  // namespace dfu::platform
