#include "platform/port_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#if __has_include(<sys/sysmacros.h>)
#include <sys/sysmacros.h>  // makedev() on glibc; <sys/types.h> has it elsewhere
#endif
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "platform/errors.hpp"
#include "platform/posix/fd_lock.hpp"

namespace dfu::platform {
namespace {

// The command name of a process, for the message; empty when it cannot be read.
std::string process_name(long pid) {
    std::ifstream f(fmt::format("/proc/{}/comm", pid));
    std::string name;
    std::getline(f, name);
    return name;
}

std::string holder_text(int fd) {
    const auto pid = flock_holder(fd);
    if (!pid) return {};
    const std::string name = process_name(*pid);
    return name.empty() ? fmt::format(" (PID {})", *pid) : fmt::format(" (PID {}, {})", *pid, name);
}

}  // namespace

std::optional<long> flock_holder(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return std::nullopt;
    // Lines read "1: FLOCK  ADVISORY  WRITE 4242 fe:00:10953133 0 EOF": major and minor of
    // the file's device in hex, then its inode in decimal.
    std::ifstream locks("/proc/locks");
    std::string line;
    while (std::getline(locks, line)) {
        std::istringstream in(line);
        std::string index, kind, mode, access, where;
        long pid = 0;
        if (!(in >> index >> kind)) continue;
        if (kind == "->") in >> kind;  // a waiter, listed under the holder
        if (!(in >> mode >> access >> pid >> where) || kind != "FLOCK") continue;
        unsigned major = 0, minor = 0;
        unsigned long long inode = 0;
        if (std::sscanf(where.c_str(), "%x:%x:%llu", &major, &minor, &inode) != 3) continue;
        if (inode == static_cast<unsigned long long>(st.st_ino) &&
            static_cast<unsigned long long>(st.st_dev) ==
                static_cast<unsigned long long>(makedev(major, minor)))
            return pid;
    }
    return std::nullopt;
}

void lock_open_node(int fd, const std::string& shown) {
    int r;
    do r = ::flock(fd, LOCK_EX | LOCK_NB);
    while (r != 0 && errno == EINTR);
    if (r == 0) return;
    if (errno == EWOULDBLOCK)
        throw OpenError(fmt::format("{}: busy: in use by another process{}", shown, holder_text(fd)));
    // A file system without flock support (some network mounts) cannot hold a lock; a
    // device node always can, so anything else is worth saying.
    if (errno != ENOLCK && errno != EOPNOTSUPP && errno != EINVAL)
        throw OpenError(fmt::format("{}: cannot lock the port: {}", shown, std::strerror(errno)));
}

void set_tty_exclusive(int fd) {
    ::ioctl(fd, TIOCEXCL);
}

NodeLock::~NodeLock() {
    if (fd_ >= 0) ::close(fd_);
}

NodeLock& NodeLock::operator=(NodeLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

NodeLock NodeLock::take(const std::string& path, const std::string& shown) {
    NodeLock lock;
    // O_RDONLY|O_NONBLOCK opens any node kind at once (a FIFO too) and reads nothing.
    lock.fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (lock.fd_ < 0) return lock;
    lock_open_node(lock.fd_, shown);
    return lock;
}

}  // namespace dfu::platform
