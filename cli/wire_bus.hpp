#pragma once
// What the two bus wires (--i2c, --spi; cli/wire_i2c.cpp, cli/wire_spi.cpp) share: the bridge
// table's entry for a device, their number and speed options, the polled-bus framing, and
// the one listing of the USB bridges that carry either bus.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/wire_option_text.hpp"
#include "transports/bus_bridges.hpp"
#include "transports/transport.hpp"

namespace dfu::cli {

class WireListing;

// The bridge table's entry for `device`, checked before anything is opened: a name no entry
// has is refused with every form the bus takes, and i2c-dev and spidev nodes are Linux's.
const transports::BusBridge& bus_bridge(const char* option, const std::string& device, transports::Bus bus);

bool is_kernel_node(const std::string& device);

// "0x0C" in lo..hi; throws dfu::Error(usage) naming the option.
std::uint64_t number_option(const char* name, const std::string& text, std::uint64_t lo, std::uint64_t hi);
// "400k", "1M", "100000": SI multiples here, since bus speeds are written that way.
unsigned speed_option(const char* name, const std::string& text, unsigned lo, unsigned hi);

// A bus port framed as DFU packets, asked for the largest packet its transaction size allows.
std::unique_ptr<transports::Transport> polled_bus(std::unique_ptr<transports::BusPort> port);

// "--i2c DEV" or "--spi DEV", its help naming every form the bridge table gives the bus.
void add_bus_selector(CLI::App& cmd, WireOptionText& text, transports::Bus bus, const std::string& group);

// A bus's sections of `dfuhost list`: the USB bridges (once for both buses), then its kernel
// nodes as `key` ("i2c"), found by `find`; `what` names them in problems ("I2C adapters").
void list_bus(WireListing& listing, const char* key, const char* what, const char* title,
              std::vector<transports::FoundNode> (*find)());

}  // namespace dfu::cli
