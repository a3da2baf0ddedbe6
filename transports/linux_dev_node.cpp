#include "transports/linux_dev_node.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "platform/posix/fd_lock.hpp"
#include "transports/bus_open.hpp"
#include "transports/transport.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

namespace dfu::transports {

namespace {

// i2c-2 before i2c-10, spidev0.1 before spidev1.0: digit runs compare as numbers.
bool natural_less(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
            std::size_t ei = i, ej = j;
            while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
            while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
            const auto na = std::stoull(std::string(a.substr(i, ei - i)));
            const auto nb = std::stoull(std::string(b.substr(j, ej - j)));
            if (na != nb) return na < nb;
            i = ei;
            j = ej;
        } else {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

}  // namespace

FileDescriptor::~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

FileDescriptor open_dev_node(const std::string& path, const DevNodeKind& kind) {
    int fd;
    do fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd >= 0) {
        FileDescriptor node(fd);
        platform::lock_open_node(node.get(), path);
        return node;
    }
    const int err = errno;
    switch (err) {
        case ENOENT:
            throw OpenError(fmt::format(
                "{}: no such {} node: load the {} kernel module (sudo modprobe {}) and enable the bus in the "
                "device tree if the board needs it; `dfuhost list` shows the nodes present",
                path, kind.what, kind.module, kind.module));
        case EACCES:
        case EPERM:
            throw OpenError(fmt::format(
                "{}: permission denied: add your user to the '{}' group (sudo usermod -aG {} $USER, then log in "
                "again) or install the udev rules in scripts/udev/60-dfuhost.rules (see README.md#usb-permissions)",
                path, kind.group, kind.group));
        case ENODEV:
        case ENXIO:
            throw OpenError(fmt::format("{}: the node exists but no {} is behind it (was it unplugged or unbound?)",
                                        path, kind.what));
        case EBUSY:
            throw OpenError(fmt::format("{}: busy: in use by another process (the {})", path, kind.what));
        default:
            throw OpenError(fmt::format("{}: cannot open the {}: {}", path, kind.what, std::strerror(err)));
    }
}

std::vector<std::string> list_dev_nodes(std::string_view prefix, bool (*suffix_ok)(std::string_view)) {
    std::vector<std::string> names;
    if (DIR* dir = ::opendir("/dev")) {
        while (const dirent* e = ::readdir(dir)) {
            const std::string_view name = e->d_name;
            if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix &&
                suffix_ok(name.substr(prefix.size())))
                names.emplace_back(name);
        }
        ::closedir(dir);
    }
    std::sort(names.begin(), names.end(), natural_less);
    for (auto& n : names) n = "/dev/" + n;
    return names;
}

bool kernel_bus_nodes_available() noexcept {
    return true;
}

std::string dev_node_name(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string read_sysfs_line(const std::string& path) {
    std::ifstream f(path);
    std::string line;
    if (!f || !std::getline(f, line)) return {};
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\0')) line.pop_back();
    return line;
}

}  // namespace dfu::transports
