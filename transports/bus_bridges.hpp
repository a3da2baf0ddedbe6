#pragma once
// The one table of ways to reach an I2C or SPI target: what the user writes after --i2c or
// --spi, how to open it on each bus, and how `dfuhost list` finds it. Adding a bridge means
// its own file (a BusPort, its open and find functions) and one entry in bus_bridges.cpp;
// the option help, the refusal of an unknown name, the dispatch and the listing all read
// the table.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "transports/bus_open.hpp"

namespace dfu::transports {

enum class Bus { i2c, spi };

struct BusBridge {
    // What a device name starts with: "kitprog3" (alone or followed by ":SERIAL"), or "/dev/"
    // for the kernel's own nodes.
    std::string_view selector;
    // How help and messages write it per bus ("mcp2221[:SERIAL]", "/dev/i2c-N"); empty where
    // the bridge does not carry that bus.
    std::string_view i2c_form, spi_form;
    std::unique_ptr<BusPort> (*open_i2c)(const I2cSettings&);  // nullptr where it carries no I2C
    std::unique_ptr<BusPort> (*open_spi)(const SpiSettings&);
    // `dfuhost list`'s USB bridges (nullptr: listed in a section of its own, as the kernel's
    // nodes are), and the name a failure of that listing is reported under.
    std::vector<FoundBridge> (*find)();
    std::string_view list_name;

    bool carries(Bus bus) const noexcept { return !(bus == Bus::i2c ? i2c_form : spi_form).empty(); }
};

const std::vector<BusBridge>& bus_bridges();

// The entry `device` names on `bus` ("/dev/i2c-1", "mcp2221", "cp2112:ABC"), or nullptr.
const BusBridge* find_bus_bridge(std::string_view device, Bus bus);

// Every form `bus` takes, for help and refusals: "/dev/i2c-N, kitprog3[:SERIAL], ... or
// cp2112[:SERIAL]".
std::string bus_forms(Bus bus);

// What opening a kernel node says where there are none: the bridges to use instead.
std::string no_kernel_bus_nodes_text();

}  // namespace dfu::transports
