#include "platform/node_access.hpp"

#include <unistd.h>

#include <cerrno>

namespace dfu::platform {

int node_access_errno(const std::string& path) {
    return ::access(path.c_str(), R_OK | W_OK) == 0 ? 0 : errno;
}

}  // namespace dfu::platform
