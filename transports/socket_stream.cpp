#include "transports/socket_stream.hpp"

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

namespace dfu::transports {
namespace {

int ms_until(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>((left + 999) / 1000);
}

class SocketStream final : public ByteStream {
public:
    SocketStream(int fd, UartSettings s) : fd_(fd), settings_(std::move(s)) {}
    ~SocketStream() override { ::close(fd_); }

    void write_all(std::span<const std::uint8_t> bytes) override {
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

    std::size_t read_some(std::span<std::uint8_t> buffer, Clock::time_point deadline) override {
        for (;;) {
            const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
            if (n > 0) return static_cast<std::size_t>(n);
            if (n == 0) throw IoError(fmt::format("{}: the server closed the connection", settings_.port));
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) fail("recv");
            const int wait = ms_until(deadline);
            if (wait == 0) return 0;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, wait) < 0 && errno != EINTR) fail("poll");
        }
    }

    void flush_input() override {
        std::uint8_t sink[4096];
        while (::recv(fd_, sink, sizeof sink, MSG_DONTWAIT) > 0) {
        }
    }

    std::chrono::microseconds wire_time(std::size_t bytes) const noexcept override {
        return uart_wire_time(settings_, bytes);
    }

    std::string description() const override { return fmt::format("{} @ {}", settings_.port, uart_format(settings_)); }

private:
    [[noreturn]] void fail(const char* what) const {
        throw IoError(fmt::format("{}: {} failed: {}", settings_.port, what, std::strerror(errno)));
    }
    int fd_;
    UartSettings settings_;
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

bool is_socket_url(std::string_view port) noexcept {
    return port.starts_with(kSocketScheme);
}

std::pair<std::string, std::string> parse_socket_url(std::string_view url) {
    std::string_view rest = url.substr(kSocketScheme.size());
    std::string host;
    std::string_view port;
    if (rest.starts_with('[')) {
        const auto close = rest.find(']');
        if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
            throw OpenError(fmt::format("{}: expected socket://[IPv6 address]:PORT", url));
        host = std::string(rest.substr(1, close - 1));
        port = rest.substr(close + 2);
    } else {
        const auto colon = rest.rfind(':');
        if (colon == std::string_view::npos || colon == 0)
            throw OpenError(fmt::format("{}: expected socket://HOST:PORT", url));
        host = std::string(rest.substr(0, colon));
        port = rest.substr(colon + 1);
    }
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoul(std::string(port)) == 0 || std::stoul(std::string(port)) > 65535)
        throw OpenError(fmt::format("{}: the port must be a number from 1 to 65535", url));
    return {host, std::string(port)};
}

std::unique_ptr<ByteStream> open_socket_stream(const UartSettings& settings,
                                               std::chrono::milliseconds connect_timeout) {
    const auto [host, port] = parse_socket_url(settings.port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
        throw OpenError(fmt::format("{}: cannot resolve '{}': {}", settings.port, host, ::gai_strerror(rc)));
    const auto deadline = Clock::now() + connect_timeout;
    int fd = -1;
    int last_errno = 0;
    for (const addrinfo* ai = found; ai && fd < 0; ai = ai->ai_next) {
        fd = connect_one(*ai, deadline);
        if (fd < 0) last_errno = errno;
    }
    ::freeaddrinfo(found);
    if (fd < 0)
        throw OpenError(fmt::format("{}: cannot connect: {} (is the serial server running and the port right?)",
                                    settings.port, std::strerror(last_errno)));
    // Every packet is a small write answered before the next: Nagle's delay would add a
    // round trip per packet.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return std::make_unique<SocketStream>(fd, settings);
}

}  // namespace dfu::transports
