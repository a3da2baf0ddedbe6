#pragma once
// Makes file permissions bite even when the tests run as root (containers, CI): while a
// guard lives, the calling thread's effective CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
// are dropped, so opening a mode-000 node fails with EACCES as it would for a user.
// capset(2) on the raw syscall acts on the calling thread only; the permitted set is
// kept, so the destructor can raise them again.
#include <linux/capability.h>
#include <sys/prctl.h>
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

// The same for a program about to be exec'd (in the child, between fork and exec): a guard
// does not survive execve(), which gives root its full capabilities back. Here they leave
// the bounding set as well, so the program runs as root without file-permission override.
// Raw system calls only (async-signal-safe); false when they are refused.
inline bool drop_file_access_for_exec() noexcept {
    if (::geteuid() != 0) return true;
    constexpr unsigned mask = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH);
    if (::prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) != 0) return false;
    if (::prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0) != 0) return false;
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct caps[2]{};
    if (::syscall(SYS_capget, &header, caps) != 0) return false;
    caps[0].effective &= ~mask;
    caps[0].permitted &= ~mask;
    caps[0].inheritable &= ~mask;  // and with it the ambient set
    return ::syscall(SYS_capset, &header, caps) == 0;
}

}  // namespace umock
