// POSIX termios ttys, for those libserialport cannot open (pseudo-terminals).
#include "platform/tty.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "platform/errors.hpp"
#include "platform/low_latency.hpp"
#include "platform/posix/fd_lock.hpp"
#include "platform/serial_open_error.hpp"

namespace dfu::platform {
namespace {

speed_t to_speed(unsigned baud) {
    switch (baud) {
        case 1200:
            return B1200;
        case 2400:
            return B2400;
        case 4800:
            return B4800;
        case 9600:
            return B9600;
        case 19200:
            return B19200;
        case 38400:
            return B38400;
        case 57600:
            return B57600;
        case 115200:
            return B115200;
        case 230400:
            return B230400;
        case 460800:
            return B460800;
        case 500000:
            return B500000;
        case 576000:
            return B576000;
        case 921600:
            return B921600;
        case 1000000:
            return B1000000;
        case 1152000:
            return B1152000;
        case 1500000:
            return B1500000;
        case 2000000:
            return B2000000;
        case 3000000:
            return B3000000;
        case 4000000:
            return B4000000;
        default:
            return 0;
    }
}

using Clock = std::chrono::steady_clock;

int ms_until(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
    if (left <= 0) return 0;
    return static_cast<int>((left + 999) / 1000);
}

class TermiosTty final : public Tty {
public:
    TermiosTty(int fd, std::string path) : fd_(fd), path_(std::move(path)), low_latency_(fd) {}
    ~TermiosTty() override {
        low_latency_.restore();  // before the descriptor goes
        ::close(fd_);
    }

    void write_all(std::span<const std::uint8_t> bytes) override {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
            if (n > 0) {
                done += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) {
                pollfd p{fd_, POLLOUT, 0};
                if (::poll(&p, 1, 1000) < 0 && errno != EINTR)
                    throw IoError(fmt::format("{}: poll: {}", path_, std::strerror(errno)));
                continue;
            }
            throw IoError(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
        }
    }

    std::size_t read_some(std::span<std::uint8_t> buffer, Clock::time_point deadline) override {
        for (;;) {
            // With VMIN = VTIME = 0 an empty tty reads 0: that is "nothing yet", not end of file.
            const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
            if (n > 0) return static_cast<std::size_t>(n);
            // Once the other end has hung up, what it sent before has been read: a read of
            // nothing is the end, and poll() would report the hang-up at once for ever.
            if ((n == 0 && hung_up_) || (n < 0 && errno == EIO))
                throw IoError(fmt::format("{}: device disconnected", path_));
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                throw IoError(fmt::format("{}: read failed: {}", path_, std::strerror(errno)));
            const int wait = ms_until(deadline);
            if (wait == 0) return 0;
            pollfd p{fd_, POLLIN, 0};
            const int r = ::poll(&p, 1, wait);
            if (r < 0 && errno != EINTR)
                throw IoError(fmt::format("{}: poll: {}", path_, std::strerror(errno)));
            if (r > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
                if (!(p.revents & POLLIN)) throw IoError(fmt::format("{}: device disconnected", path_));
                hung_up_ = true;
            }
            if (r == 0 && Clock::now() >= deadline) return 0;
        }
    }

    void flush_input() override { ::tcflush(fd_, TCIFLUSH); }
    std::string setup_note() const override { return low_latency_.note(); }

    void set_modem_line(ModemLine line, bool on) override {
        // One line at a time (TIOCMBIS/TIOCMBIC), so the other keeps whatever it was set to.
        const int bit = line == ModemLine::dtr ? TIOCM_DTR : TIOCM_RTS;
        if (::ioctl(fd_, on ? TIOCMBIS : TIOCMBIC, &bit) != 0)
            throw IoError(fmt::format("{}: cannot {} {}: {}", path_, on ? "set" : "clear",
                                      line == ModemLine::dtr ? "DTR" : "RTS", std::strerror(errno)));
    }

private:
    int fd_;
    std::string path_;
    LowLatency low_latency_;
    bool hung_up_ = false;
};

}  // namespace

std::unique_ptr<Tty> Tty::open(const std::string& path, const TtyLine& line) {
    const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        throw serial_open_error(path, errno);
    }
    termios t{};
    if (!::isatty(fd) || ::tcgetattr(fd, &t) != 0) {
        ::close(fd);
        throw OpenError(fmt::format("{}: not a serial port or terminal", path));
    }
    try {
        lock_open_node(fd, path);
    } catch (...) {
        ::close(fd);
        throw;
    }
    set_tty_exclusive(fd);
    const speed_t speed = to_speed(line.baud);
    if (speed == 0) {
        ::close(fd);
        throw OpenError(fmt::format("{}: baud rate {} is not supported on this kind of tty", path, line.baud));
    }
    ::cfmakeraw(&t);
    ::cfsetispeed(&t, speed);
    ::cfsetospeed(&t, speed);
    t.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
    t.c_cflag |= CLOCAL | CREAD;
    switch (line.data_bits) {
        case 5:
            t.c_cflag |= CS5;
            break;
        case 6:
            t.c_cflag |= CS6;
            break;
        case 7:
            t.c_cflag |= CS7;
            break;
        default:
            t.c_cflag |= CS8;
            break;
    }
    if (line.parity != 'N') t.c_cflag |= PARENB | (line.parity == 'O' ? PARODD : 0);
    if (line.two_stop_bits) t.c_cflag |= CSTOPB;
    t.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (::tcsetattr(fd, TCSANOW, &t) != 0) {
        const int e = errno;
        ::close(fd);
        throw OpenError(fmt::format("{}: cannot configure the tty: {}", path, std::strerror(e)));
    }
    ::tcflush(fd, TCIOFLUSH);
    return std::make_unique<TermiosTty>(fd, path);
}

bool Tty::opens_every_port() noexcept {
    return false;
}

}  // namespace dfu::platform
