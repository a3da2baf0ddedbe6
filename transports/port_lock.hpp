#pragma once
// One process per port. Two runs that share a port interleave their packets, each reads
// the other's answers, and both can end "successfully" with the wrong rows in flash. So
// every port dfuhost opens is taken exclusively, and a second opener is refused (exit 4).
#include <optional>
#include <string>

namespace dfu::transports {

// Takes an exclusive advisory lock (flock LOCK_EX|LOCK_NB) on the node open as `fd`. flock
// binds root as much as anyone and works on pseudo-terminals, hidraw, i2c-dev and spidev
// nodes alike. Throws OpenError "SHOWN: busy: in use by another process (PID N, NAME)" when
// another open file description holds it; the PID is named where the system tells it.
void lock_open_node(int fd, const std::string& shown);

// Also sets TIOCEXCL on a tty: the kernel then refuses other open()s of it outright (root
// excepted), which keeps out programs that never ask for a lock (terminal programs,
// ModemManager probing new ports). Cleared by the last close.
void set_tty_exclusive(int fd);

// A node opened only to hold its lock, for libraries that do not share their descriptor
// (hidapi). The lock lives as long as this object.
class NodeLock {
public:
    NodeLock() = default;
    ~NodeLock();
    NodeLock(NodeLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    NodeLock& operator=(NodeLock&& other) noexcept;
    NodeLock(const NodeLock&) = delete;
    NodeLock& operator=(const NodeLock&) = delete;

    // Opens `path` without reading or writing it and locks it; a path that cannot be opened
    // at all is left to the library's own open to report. Throws OpenError when busy.
    static NodeLock take(const std::string& path, const std::string& shown);

private:
    int fd_ = -1;
};

// The process holding a flock on the file open as `fd`, from /proc/locks; nullopt where
// the system does not say.
std::optional<long> flock_holder(int fd);

}  // namespace dfu::transports
