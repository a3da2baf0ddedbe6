#pragma once
// USB-HID DFU devices: one packet per 64-byte report, zero padded (docs/protocol.md, "Transports").
#include <memory>
#include <string_view>
#include <vector>

#include "transports/bus_open.hpp"
#include "transports/transport.hpp"

namespace dfu::transports {

// `spec` is "VID:PID[:SERIAL]" in hex ("058b:f21d"); empty means the default 058b:f21d.
std::unique_ptr<Transport> open_usb_hid(std::string_view spec);
// HID DFU devices present with the given (or default) VID:PID, for `dfuhost list`.
std::vector<FoundBridge> find_usb_hid_devices(std::string_view spec = {});

}  // namespace dfu::transports
