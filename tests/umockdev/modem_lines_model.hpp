#pragma once
// The modem control lines of a USB serial adapter on a pty-backed testbed node. umockdev
// backs "N: ttyUSB0" with a pty, which has no modem lines, and libserialport's sp_open()
// reads them (TIOCMGET) and sets DTR/RTS (TIOCMBIS/TIOCMBIC): without this model it
// fails with "Inappropriate ioctl for device". Every other ioctl runs on the pty itself.
#include <sys/ioctl.h>

#include <mutex>

#include "testbed.hpp"

namespace umock {

class ModemLinesModel final : public IoctlHandler {
public:
    long ioctl(IoctlCall& call) override;
    int lines() const;          // TIOCM_* bits as the program left them
    unsigned requests() const;  // TIOCM* requests answered

private:
    mutable std::mutex mutex_;
    unsigned requests_ = 0;
    int lines_ = TIOCM_CTS | TIOCM_CAR | TIOCM_DSR;  // a device is attached
};

}  // namespace umock
