#include "platform/node_access.hpp"

namespace dfu::platform {

// A Windows HID path ("\\?\hid#vid_04d8&pid_00dd#...") is an interface name, not a file the
// C runtime can check; hidapi's own error text says why an open failed.
int node_access_errno(const std::string&) {
    return 0;
}

}  // namespace dfu::platform
