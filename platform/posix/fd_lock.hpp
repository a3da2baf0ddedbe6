#pragma once
// POSIX side of platform/port_lock.hpp, for code that holds a file descriptor itself (the
// termios tty, Linux i2c-dev and spidev nodes).
#include <optional>
#include <string>

namespace dfu::platform {

// Takes an exclusive advisory lock (flock LOCK_EX|LOCK_NB) on the node open as `fd`. flock
// binds root as much as anyone and works on pseudo-terminals, hidraw, i2c-dev and spidev
// nodes alike. Throws OpenError "SHOWN: busy: in use by another process (PID N, NAME)" when
// another open file description holds it; the PID is named where the system tells it.
void lock_open_node(int fd, const std::string& shown);

// Also sets TIOCEXCL on a tty: the kernel then refuses other open()s of it outright (root
// excepted), which keeps out programs that never ask for a lock (terminal programs,
// ModemManager probing new ports). Cleared by the last close.
void set_tty_exclusive(int fd);

// The process holding a flock on the file open as `fd`, from /proc/locks; nullopt where
// the system does not say.
std::optional<long> flock_holder(int fd);

}  // namespace dfu::platform
