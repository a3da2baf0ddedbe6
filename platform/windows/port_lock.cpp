#include "platform/port_lock.hpp"

namespace dfu::platform {

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
