#pragma once
// How the HID bridges name themselves and their settings in messages.
#include <string>

#include <fmt/format.h>

#include "transports/device_match.hpp"

namespace dfu::transports {

// 100000 -> "100 kHz", 1000000 -> "1 MHz", 1500 -> "1.5 kHz".
inline std::string format_rate(unsigned hz) {
    if (hz >= 1000000 && hz % 1000 == 0) return fmt::format("{:g} MHz", hz / 1e6);
    if (hz >= 1000) return fmt::format("{:g} kHz", hz / 1e3);
    return fmt::format("{} Hz", hz);
}

// "mcp2221 /dev/hidraw3 (serial 0001234567)": the keyword, then where it is.
inline std::string bridge_name(const char* keyword, const UsbCandidate& usb) {
    if (usb.serial.empty()) return fmt::format("{} {}", keyword, usb.path);
    return fmt::format("{} {} (serial {})", keyword, usb.path, usb.serial);
}

}  // namespace dfu::transports
