#pragma once
// The real HidDevice: hidapi over Linux hidraw (hidapi-hidraw). Kept thin on purpose:
// enumerate, open by path, move reports; everything a bridge does with the reports
// lives above the HidDevice seam, where tests can reach it.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "transports/device_match.hpp"
#include "transports/hid_device.hpp"

namespace dfu::transports {

struct HidCandidate {
    UsbCandidate usb;  // path is the hidraw node ("/dev/hidraw3"), description the product string
    int interface_number = -1;
    std::uint16_t usage_page = 0;
    std::uint16_t usage = 0;
};

// Every HID interface present with this VID:PID, one entry per node, in path order.
// Throws OpenError when hidapi cannot start.
std::vector<HidCandidate> hidapi_enumerate(std::uint16_t vid, std::uint16_t pid);

// Opens `device.path` and drops any input report already queued. `what` names the
// kind of device ("MCP2221A") for messages. Throws OpenError; when the node is not
// readable and writable by this user, the message names it and the udev rules.
std::unique_ptr<HidDevice> hidapi_open(const UsbCandidate& device, std::string_view what);

// What to say about a HID node this user may not open.
std::string hid_permission_advice(std::string_view node);

}  // namespace dfu::transports
