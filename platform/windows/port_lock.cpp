#include "platform/port_lock.hpp"

namespace dfu::platform {

// libserialport opens a COM port with CreateFile and share mode 0: Windows itself then
// refuses every other open of the port (ERROR_ACCESS_DENIED, reported as busy), so there is
// nothing more to take here.
void lock_serial_port(sp_port*, const std::string&) {}

// hidapi opens HID interfaces shared (other readers such as the HID class driver must keep
// them), and Windows offers no advisory lock on a device interface: this lock holds nothing.
NodeLock::~NodeLock() = default;

NodeLock& NodeLock::operator=(NodeLock&& other) noexcept {
    fd_ = other.fd_;
    other.fd_ = -1;
    return *this;
}

NodeLock NodeLock::take(const std::string&, const std::string&) {
    return {};
}

}  // namespace dfu::platform
