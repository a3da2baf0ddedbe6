#pragma once
// One process per port. Two runs that share a port interleave their packets, each reads
// the other's answers, and both can end "successfully" with the wrong rows in flash. So
// every port dfuhost opens is taken exclusively, and a second opener is refused (exit 4).
//
// POSIX: an advisory flock on the node (binds root as much as anyone, works on ptys, hidraw,
// i2c-dev and spidev alike) plus TIOCEXCL on ttys. Windows: CreateFile with share mode 0,
// which libserialport uses for COM ports, already makes the open exclusive.
#include <string>

struct sp_port;  // libserialport

namespace dfu::platform {

// Holds the serial port libserialport has open exclusively, for as long as it stays open.
// Throws OpenError "SHOWN: busy: in use by another process (PID N, NAME)" when another
// process has it (the PID where the system tells it).
void lock_serial_port(sp_port* port, const std::string& shown);

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
    int fd_ = -1;  // POSIX descriptor; unused on Windows
};

}  // namespace dfu::platform
