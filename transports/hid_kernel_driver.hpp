#pragma once
// Linux: which HID devices a kernel driver has claimed (sysfs). The hid-mcp2221 driver
// turns an MCP2221A into a kernel I2C adapter and GPIO chip; while it is bound, its
// hidraw node is missing (older kernels) or shared with the driver's own traffic, and
// the user has to be told what to do instead of seeing a vague open failure.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dfu::transports {

struct KernelBoundHid {
    std::string hid_id;       // sysfs name, "0003:04D8:00DD.0005"
    std::string serial;       // HID_UNIQ from its uevent; may be empty
    std::string hidraw;       // "/dev/hidraw3" when a node exists beside the driver, else empty
    std::string i2c_adapter;  // "/dev/i2c-7" when the driver made an I2C adapter, else empty
};

// HID devices with this VID:PID bound to the kernel driver named `driver` ("mcp2221"),
// read from `sysfs_root` ("/sys"; tests pass a tree of their own). Empty when there is
// no such driver or sysfs.
std::vector<KernelBoundHid> hid_devices_bound_to(std::string_view driver, std::uint16_t vid, std::uint16_t pid,
                                                 const std::string& sysfs_root = "/sys");

}  // namespace dfu::transports
