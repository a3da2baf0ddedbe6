#include "modem_lines_model.hpp"

#include <linux/serial.h>
#include <sys/ioctl.h>

#include <cerrno>

namespace umock {

int ModemLinesModel::lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

unsigned ModemLinesModel::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::vector<int> ModemLinesModel::changes() const {
    std::lock_guard lock(mutex_);
    return changes_;
}

int ModemLinesModel::serial_flags() const {
    std::lock_guard lock(mutex_);
    return serial_flags_;
}

std::vector<int> ModemLinesModel::serial_flags_set() const {
    std::lock_guard lock(mutex_);
    return serial_flags_set_;
}

long ModemLinesModel::serial(IoctlCall& call) {
    if (!serial_support_) return -ENOTTY;
    ClientMemory value = call.pointee(sizeof(serial_struct));
    if (!value.valid()) return -EFAULT;
    serial_struct& s = value.as<serial_struct>();
    std::lock_guard lock(mutex_);
    if (call.request() == TIOCGSERIAL) {
        s = serial_struct{};
        s.type = PORT_16550A;
        s.flags = serial_flags_;
        s.baud_base = 24'000'000;
    } else {
        serial_flags_ = s.flags;
        serial_flags_set_.push_back(s.flags);
    }
    return 0;
}

long ModemLinesModel::ioctl(IoctlCall& call) {
    const unsigned long request = call.request();
    if (request == TIOCGSERIAL || request == TIOCSSERIAL) return serial(call);
    if (request != TIOCMGET && request != TIOCMSET && request != TIOCMBIS && request != TIOCMBIC)
        return call.run_in_caller();
    ClientMemory value = call.pointee(sizeof(int));
    if (!value.valid()) return -EFAULT;
    int& v = value.as<int>();
    std::lock_guard lock(mutex_);
    ++requests_;
    switch (request) {
        case TIOCMGET:
            v = lines_;
            break;
        case TIOCMSET:
            lines_ = v;
            break;
        case TIOCMBIS:
            lines_ |= v;
            break;
        default:
            lines_ &= ~v;
            break;
    }
    if (request != TIOCMGET) changes_.push_back(lines_);
    return 0;
}

}  // namespace umock
