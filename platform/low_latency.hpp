#pragma once
// Received bytes passed on at once, for as long as a serial port is open. A USB serial adapter
// holds what it receives until its buffer fills or its latency timer runs out (16 ms by
// default on FTDI chips); with a round trip per packet that can cost more than the wire.
//
// Linux: the port's ASYNC_LOW_LATENCY flag (TIOCGSERIAL/TIOCSSERIAL, <linux/serial.h>); the
// ftdi_sio driver turns it into a 1 ms latency timer. Set on open, put back as it was when the
// port closes (the run's end, an error or Ctrl-C: the port is closed by its owner's
// destructor). A driver without TIOCGSERIAL (a pty, cdc-acm on some kernels) leaves it as it is.
// Other systems: nothing to set from here; on Windows the FTDI latency timer is a driver
// setting (Device Manager, the port's Advanced properties), see README.md.
#include <string>

struct sp_port;  // libserialport

namespace dfu::platform {

class LowLatency {
public:
    LowLatency() = default;
    // A termios descriptor (POSIX only; never called elsewhere).
    explicit LowLatency(int fd);
    // A port libserialport has open.
    explicit LowLatency(sp_port* port);
    ~LowLatency() { restore(); }
    LowLatency(const LowLatency&) = delete;
    LowLatency& operator=(const LowLatency&) = delete;

    // Puts the flag back as it was; called before the descriptor closes. Idempotent.
    void restore() noexcept;
    // Empty when the flag is set; else why not ("... does not support low-latency mode: ...").
    const std::string& note() const noexcept { return note_; }

private:
    int fd_ = -1;
    int old_flags_ = 0;
    bool changed_ = false;
    std::string note_;
};

}  // namespace dfu::platform
