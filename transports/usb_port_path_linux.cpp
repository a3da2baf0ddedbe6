#include "transports/usb_port_path.hpp"

#include <fmt/format.h>

#include "transports/linux_dev_node.hpp"

namespace dfu::transports {

// The USB device's `devpath` attribute ("1.4") after the bus number. The tty's `device`
// link leads to the interface or the usb-serial port below the USB device, so look a few
// levels up, as libserialport itself does for busnum.
std::string usb_port_path_of_tty(const std::string& port_name, int bus) {
    const std::string base = "/sys/class/tty/" + dev_node_name(port_name) + "/device/";
    std::string up;
    for (int level = 0; level < 5; ++level) {
        up += "../";
        const std::string devpath = read_sysfs_line(base + up + "devpath");
        if (!devpath.empty() && read_sysfs_line(base + up + "busnum") == std::to_string(bus))
            return fmt::format("{}-{}", bus, devpath);
    }
    return {};
}

}  // namespace dfu::transports
