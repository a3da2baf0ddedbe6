// Systems other than Linux have no i2c-dev or spidev nodes, no sysfs to describe USB serial
// ports by port path, and no hid_mcp2221 kernel driver. This file stands in for
// i2c_dev.cpp, spidev.cpp, linux_dev_node.cpp, usb_port_path_linux.cpp and
// hid_kernel_driver.cpp there (transports/CMakeLists.txt picks one or the other).
#include <fmt/format.h>

#include "transports/bus_bridges.hpp"
#include "transports/hid_kernel_driver.hpp"
#include "transports/i2c_dev.hpp"
#include "transports/transport.hpp"
#include "transports/usb_port_path.hpp"

namespace dfu::transports {

bool kernel_bus_nodes_available() noexcept {
    return false;
}

std::unique_ptr<BusPort> open_i2c_dev(const I2cSettings& settings) {
    throw OpenError(fmt::format("--i2c {}: {}", settings.device, no_kernel_bus_nodes_text()));
}

std::unique_ptr<BusPort> open_spidev(const SpiSettings& settings) {
    throw OpenError(fmt::format("--spi {}: {}", settings.device, no_kernel_bus_nodes_text()));
}

std::vector<FoundNode> find_i2c_nodes() {
    return {};
}

std::vector<FoundNode> find_spi_nodes() {
    return {};
}

I2cDevBusSpeed i2c_dev_bus_speed(const std::string&, unsigned) {
    return {};
}

std::string usb_port_path_of_tty(const std::string&, int) {
    return {};
}

std::vector<KernelBoundHid> hid_devices_bound_to(std::string_view, std::uint16_t, std::uint16_t, const std::string&) {
    return {};
}

}  // namespace dfu::transports
