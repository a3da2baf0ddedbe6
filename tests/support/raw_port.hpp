// The host end of a pseudo-terminal in raw mode, byte by byte: for tests that speak to a
// device (dfu-sim, the firmware under QEMU) below dfuhost, with exact bytes and timeouts.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace testsupport {

class RawPort {
public:
    explicit RawPort(const std::string& path) {
        fd_ = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
        if (fd_ < 0) throw std::runtime_error("cannot open " + path);
        termios t{};
        if (::tcgetattr(fd_, &t) != 0) throw std::runtime_error("tcgetattr failed on " + path);
        ::cfmakeraw(&t);
        if (::tcsetattr(fd_, TCSANOW, &t) != 0) throw std::runtime_error("tcsetattr failed on " + path);
    }
    ~RawPort() {
        if (fd_ >= 0) ::close(fd_);
    }
    RawPort(const RawPort&) = delete;
    RawPort& operator=(const RawPort&) = delete;

    // One write: the bytes leave together (a device that frames by idle gaps sees one burst).
    bool send(const std::vector<std::uint8_t>& b) {
        return ::write(fd_, b.data(), b.size()) == static_cast<ssize_t>(b.size());
    }
    // Up to n bytes, stopping at the timeout.
    std::vector<std::uint8_t> read_n(std::size_t n, std::chrono::milliseconds timeout) {
        std::vector<std::uint8_t> got;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (got.size() < n) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, int(left.count())) <= 0) continue;
            std::uint8_t buf[512];
            const ssize_t r = ::read(fd_, buf, std::min(sizeof buf, n - got.size()));
            if (r > 0) got.insert(got.end(), buf, buf + r);
        }
        return got;
    }
    // One packet as framed by its header (4 bytes, then N + 3); what arrived on timeout.
    std::vector<std::uint8_t> read_packet(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        std::vector<std::uint8_t> h = read_n(4, timeout);
        if (h.size() < 4) return h;
        const std::size_t n = h[2] | (h[3] << 8);
        const std::vector<std::uint8_t> rest = read_n(n + 3, timeout);
        h.insert(h.end(), rest.begin(), rest.end());
        return h;
    }

private:
    int fd_ = -1;
};

}  // namespace testsupport
