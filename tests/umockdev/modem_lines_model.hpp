#pragma once
// The modem control lines of a USB serial adapter on a pty-backed testbed node. umockdev
// backs "N: ttyUSB0" with a pty, which has no modem lines, and libserialport's sp_open()
// reads them (TIOCMGET) and sets DTR/RTS (TIOCMBIS/TIOCMBIC): without this model it
// fails with "Inappropriate ioctl for device". It also answers TIOCGSERIAL/TIOCSSERIAL as a
// driver with low-latency mode does (ftdi_sio), keeping every flags word set, unless built
// without it (a driver that refuses them, as a pty does). Every other ioctl runs on the pty itself.
#include <sys/ioctl.h>

#include <mutex>
#include <vector>

#include "testbed.hpp"

namespace umock {

class ModemLinesModel final : public IoctlHandler {
public:
    // `serial_flags`: the driver's flags word (ASYNC_*) before anyone sets it.
    explicit ModemLinesModel(bool low_latency_support = true, int serial_flags = 0)
        : serial_support_(low_latency_support), serial_flags_(serial_flags) {}
    long ioctl(IoctlCall& call) override;
    int lines() const;          // TIOCM_* bits as the program left them
    unsigned requests() const;  // TIOCM* requests answered
    std::vector<int> changes() const;  // the lines after each TIOCMSET, TIOCMBIS and TIOCMBIC, in order
    int serial_flags() const;   // the flags word as the program left it
    std::vector<int> serial_flags_set() const;  // every TIOCSSERIAL's flags, in order

private:
    long serial(IoctlCall& call);

    mutable std::mutex mutex_;
    bool serial_support_;
    int serial_flags_;
    std::vector<int> serial_flags_set_;
    std::vector<int> changes_;
    unsigned requests_ = 0;
    int lines_ = TIOCM_CTS | TIOCM_CAR | TIOCM_DSR;  // a device is attached
};

}  // namespace umock
