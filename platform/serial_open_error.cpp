#include "platform/serial_open_error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#if !defined(_WIN32)
#include <grp.h>
#include <sys/stat.h>
#endif

namespace dfu::platform {

namespace {

std::string permission_text(const std::string& port) {
    std::error_code ec;
    const std::filesystem::path real = std::filesystem::canonical(port, ec);
    const std::string node = ec ? port : real.string();
    const std::string shown = node == port ? port : fmt::format("{} (which is {})", port, node);
#if !defined(_WIN32)
    struct stat st {};
    if (::stat(node.c_str(), &st) == 0) {
        if (const group* g = ::getgrgid(st.st_gid)) {
            const std::string name = g->gr_name;
            return fmt::format(
                "{}: permission denied: {} belongs to group '{}' (mode {:04o}); add yourself to group '{}' "
                "(sudo usermod -aG {} $USER, then log in again) or install the udev rules, see README",
                shown, node, name, st.st_mode & 07777, name, name);
        }
    }
#endif
    return fmt::format("{}: permission denied: your user may not open {}; install the udev rules, see README", shown,
                       node);
}

}  // namespace

OpenError serial_open_error(const std::string& port, int error) {
    switch (error) {
        case ENOENT:
        case ENODEV:
        case ENXIO:
            return OpenError(fmt::format("{}: no such serial port; see `dfuhost list` for the ports present", port));
        case EACCES:
        case EPERM:
            return OpenError(permission_text(port));
        case EBUSY:
            return OpenError(fmt::format("{}: busy: in use by another process", port));
        default:
            return OpenError(fmt::format("{}: cannot open: {}", port, std::strerror(error)));
    }
}

}  // namespace dfu::platform
