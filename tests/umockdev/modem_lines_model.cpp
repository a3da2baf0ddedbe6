#include "modem_lines_model.hpp"

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

long ModemLinesModel::ioctl(IoctlCall& call) {
    const unsigned long request = call.request();
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
    return 0;
}

}  // namespace umock
