#pragma once
// The kernel's own I2C and SPI nodes, and what listing a bus target finds. Each way to reach a
// target returns the same BusPort seam (the polled-bus transport goes on top) and throws
// OpenError with a message that names the device and says what to do (permissions, a missing
// driver, several matches); the USB bridges declare theirs in their own headers, and
// bus_bridges.hpp is the table of them all.
#include <memory>
#include <string>
#include <vector>

#include "transports/bus_port.hpp"
#include "transports/bus_settings.hpp"
#include "transports/device_match.hpp"

namespace dfu::transports {

// Linux i2c-dev ("/dev/i2c-1") through I2C_RDWR; spidev ("/dev/spidev0.0") through SPI_IOC_MESSAGE.
// Built on Linux only; elsewhere (no_linux_wires.cpp) kernel_bus_nodes_available() is false
// and opening one throws OpenError with no_kernel_bus_nodes_text() (bus_bridges.hpp).
bool kernel_bus_nodes_available() noexcept;                           // linux_dev_node.cpp
std::unique_ptr<BusPort> open_i2c_dev(const I2cSettings& settings);  // i2c_dev.cpp
std::unique_ptr<BusPort> open_spidev(const SpiSettings& settings);   // spidev.cpp

// What `dfuhost list` shows of these.
struct FoundBridge {
    std::string kind;  // "kitprog3", "mcp2221", "cp2112", "mcp2210", "usb-hid"
    UsbCandidate usb;
    std::vector<std::string> capabilities;  // "i2c", "spi"; empty with `note` saying why
    std::string note;                       // "dual-UART mode: no I2C/SPI bridge", "held by hid_mcp2221"
};

struct FoundNode {
    std::string path;  // "/dev/i2c-1", "/dev/spidev0.0"
    std::string name;  // adapter name from sysfs where there is one
};
std::vector<FoundNode> find_i2c_nodes();  // i2c_dev.cpp
std::vector<FoundNode> find_spi_nodes();  // spidev.cpp

}  // namespace dfu::transports
