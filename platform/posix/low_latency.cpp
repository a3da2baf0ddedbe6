#include "platform/low_latency.hpp"

#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#if defined(__linux__)
#include <linux/serial.h>
#endif

namespace dfu::platform {

LowLatency::LowLatency(int fd) {
#if defined(__linux__) && defined(TIOCGSERIAL) && defined(ASYNC_LOW_LATENCY)
    serial_struct s{};
    if (::ioctl(fd, TIOCGSERIAL, &s) != 0) {
        note_ = std::string("the serial driver does not support low-latency mode (TIOCGSERIAL: ") +
                std::strerror(errno) + ")";
        return;
    }
    old_flags_ = s.flags;
    if (s.flags & ASYNC_LOW_LATENCY) return;  // already set: nothing to put back
    s.flags |= ASYNC_LOW_LATENCY;
    if (::ioctl(fd, TIOCSSERIAL, &s) != 0) {
        note_ = std::string("the serial driver refused low-latency mode (TIOCSSERIAL: ") + std::strerror(errno) + ")";
        return;
    }
    fd_ = fd;
    changed_ = true;
#else
    (void)fd;
    note_ = "low-latency mode is set only on Linux";
#endif
}

void LowLatency::restore() noexcept {
    if (!changed_) return;
    changed_ = false;
#if defined(__linux__) && defined(TIOCGSERIAL)
    serial_struct s{};
    if (::ioctl(fd_, TIOCGSERIAL, &s) != 0) return;
    s.flags = old_flags_;
    ::ioctl(fd_, TIOCSSERIAL, &s);
#endif
}

}  // namespace dfu::platform
