#pragma once
// Every way to reach an I2C or SPI target, each returning the same BusPort seam; the
// polled-bus transport goes on top. Each function throws OpenError with a message that
// names the device and says what to do (permissions, a missing driver, several matches).
#include <memory>
#include <string>
#include <vector>

#include "transports/bus_port.hpp"
#include "transports/bus_settings.hpp"
#include "transports/device_match.hpp"

namespace dfu::transports {

// Linux i2c-dev ("/dev/i2c-1") through I2C_RDWR; spidev ("/dev/spidev0.0") through SPI_IOC_MESSAGE.
// Built on Linux only; elsewhere (no_linux_wires.cpp) kernel_bus_nodes_available() is false
// and opening one throws OpenError with kNoKernelBusNodes.
bool kernel_bus_nodes_available() noexcept;                           // linux_dev_node.cpp
std::unique_ptr<BusPort> open_i2c_dev(const I2cSettings& settings);  // i2c_dev.cpp
std::unique_ptr<BusPort> open_spidev(const SpiSettings& settings);   // spidev.cpp
inline constexpr const char* kNoKernelBusNodes =
    "not available on this operating system; use a USB bridge (kitprog3, mcp2221, cp2112, mcp2210)";

// KitProg3 / MiniProg4 over libusb: settings.device is "kitprog3" or "kitprog3:SELECTOR".
std::unique_ptr<BusPort> open_kitprog3_i2c(const I2cSettings& settings);  // kitprog3.cpp
std::unique_ptr<BusPort> open_kitprog3_spi(const SpiSettings& settings);  // kitprog3.cpp

// HID bridges over hidapi: "mcp2221[:SELECTOR]", "cp2112[:SELECTOR]", "mcp2210[:SELECTOR]".
std::unique_ptr<BusPort> open_mcp2221_i2c(const I2cSettings& settings);  // mcp2221.cpp
std::unique_ptr<BusPort> open_cp2112_i2c(const I2cSettings& settings);   // cp2112.cpp
std::unique_ptr<BusPort> open_mcp2210_spi(const SpiSettings& settings);  // mcp2210.cpp

// What `dfuhost list` shows of these.
struct FoundBridge {
    std::string kind;  // "kitprog3", "mcp2221", "cp2112", "mcp2210", "usb-hid"
    UsbCandidate usb;
    std::vector<std::string> capabilities;  // "i2c", "spi"; empty with `note` saying why
    std::string note;                       // "dual-UART mode: no I2C/SPI bridge", "held by hid_mcp2221"
};
std::vector<FoundBridge> find_kitprogs();     // kitprog3.cpp
std::vector<FoundBridge> find_hid_bridges();  // hid_bridges_list.cpp: MCP2221A, CP2112, MCP2210

struct FoundNode {
    std::string path;  // "/dev/i2c-1", "/dev/spidev0.0"
    std::string name;  // adapter name from sysfs where there is one
};
std::vector<FoundNode> find_i2c_nodes();  // i2c_dev.cpp
std::vector<FoundNode> find_spi_nodes();  // spidev.cpp

}  // namespace dfu::transports
