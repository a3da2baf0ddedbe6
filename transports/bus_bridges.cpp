#include "transports/bus_bridges.hpp"

#include "transports/cp2112.hpp"
#include "transports/kitprog3.hpp"
#include "transports/mcp2210.hpp"
#include "transports/mcp2221.hpp"

namespace dfu::transports {
namespace {

// A system without hidapi has no HID bridge to list: nothing, rather than a problem.
template <std::vector<FoundBridge> (*Find)()>
std::vector<FoundBridge> quiet_without_hidapi() {
    try {
        return Find();
    } catch (const OpenError&) {
        return {};
    }
}

std::vector<FoundBridge> find_mcp2221() {
    return find_mcp2221_bridges();
}

}  // namespace

const std::vector<BusBridge>& bus_bridges() {
    // selector, I2C form, SPI form, open on I2C, open on SPI, find for `list`, listed as
    static const std::vector<BusBridge> table{
        {"/dev/", "/dev/i2c-N", "/dev/spidevB.C", open_i2c_dev, open_spidev, nullptr, ""},
        {"kitprog3", "kitprog3[:SERIAL]", "kitprog3[:SERIAL]", open_kitprog3_i2c, open_kitprog3_spi, find_kitprogs,
         "KitProg3/MiniProg4"},
        {"mcp2221", "mcp2221[:SERIAL]", "", open_mcp2221_i2c, nullptr, quiet_without_hidapi<find_mcp2221>,
         "MCP2221A"},
        {"cp2112", "cp2112[:SERIAL]", "", open_cp2112_i2c, nullptr, quiet_without_hidapi<find_cp2112_bridges>,
         "CP2112"},
        {"mcp2210", "", "mcp2210[:SERIAL]", nullptr, open_mcp2210_spi, quiet_without_hidapi<find_mcp2210_bridges>,
         "MCP2210"},
    };
    return table;
}

const BusBridge* find_bus_bridge(std::string_view device, Bus bus) {
    for (const BusBridge& b : bus_bridges()) {
        if (!b.carries(bus)) continue;
        if (b.selector.ends_with('/') ? device.starts_with(b.selector) : split_selector(device).first == b.selector)
            return &b;
    }
    return nullptr;
}

std::string bus_forms(Bus bus) {
    std::vector<std::string_view> forms;
    for (const BusBridge& b : bus_bridges())
        if (b.carries(bus)) forms.push_back(bus == Bus::i2c ? b.i2c_form : b.spi_form);
    std::string text;
    for (std::size_t i = 0; i < forms.size(); ++i)
        text += std::string(i == 0 ? "" : i + 1 == forms.size() ? " or " : ", ") + std::string(forms[i]);
    return text;
}

std::string no_kernel_bus_nodes_text() {
    std::string names;
    for (const BusBridge& b : bus_bridges())
        if (b.find) names += (names.empty() ? "" : ", ") + std::string(b.selector);
    return "not available on this operating system; use a USB bridge (" + names + ")";
}

}  // namespace dfu::transports
