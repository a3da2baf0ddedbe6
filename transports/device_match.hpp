#pragma once
// Choosing one USB device among those present: by serial number or by path, and when
// the choice is ambiguous, stopping with the candidates named rather than guessing.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace dfu::transports {

struct UsbCandidate {
    std::uint16_t vid = 0;
    std::uint16_t pid = 0;
    std::string serial;       // may be empty
    std::string path;         // OS path: "/dev/hidraw3", "1-2.4" (bus-ports), ...
    std::string description;  // "KitProg3 CMSIS-DAP", "MCP2221 USB-I2C/UART Combo"
};

// `selector` is empty (any one), a serial number, or a path. `what` names the kind of
// device for messages ("KitProg3", "MCP2221A"), `keyword` is how the command line names
// it ("kitprog3", "mcp2221"). Throws OpenError when nothing matches or
// more than one does, listing every candidate with its serial number and path.
const UsbCandidate& choose_device(std::span<const UsbCandidate> found, std::string_view selector, std::string_view what,
                                  std::string_view keyword);

// Splits "kitprog3:ABC123" into ("kitprog3", "ABC123"); no colon gives an empty selector.
std::pair<std::string, std::string> split_selector(std::string_view device);

}  // namespace dfu::transports
