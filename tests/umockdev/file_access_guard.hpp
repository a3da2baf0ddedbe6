#pragma once
// Makes file permissions bite even when the tests run as root (containers, CI): while a
// guard lives, the calling thread's effective CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
// are dropped, so opening a mode-000 node fails with EACCES as it would for a user.
// capset(2) on the raw syscall acts on the calling thread only; the permitted set is
// kept, so the destructor can raise them again.
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <stdexcept>

namespace umock {

class FileAccessGuard {
public:
    FileAccessGuard() {
        if (::geteuid() != 0) return;  // an ordinary user is checked anyway
        if (::syscall(SYS_capget, &header_, saved_) != 0) throw std::runtime_error("capget failed");
        __user_cap_data_struct reduced[2] = {saved_[0], saved_[1]};
        reduced[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
        if (::syscall(SYS_capset, &header_, reduced) != 0) throw std::runtime_error("capset failed");
        dropped_ = true;
    }
    ~FileAccessGuard() {
        if (dropped_) ::syscall(SYS_capset, &header_, saved_);
    }
    FileAccessGuard(const FileAccessGuard&) = delete;
    FileAccessGuard& operator=(const FileAccessGuard&) = delete;

private:
    __user_cap_header_struct header_{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct saved_[2]{};
    bool dropped_ = false;
};

}  // namespace umock
