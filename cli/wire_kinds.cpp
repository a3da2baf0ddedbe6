#include "cli/wire_kind.hpp"

#include <fmt/format.h>

namespace dfu::cli {

// The entries, each defined in its own file (cli/wire_<kind>.cpp).
WireKind uart_wire_kind();
WireKind i2c_wire_kind();
WireKind spi_wire_kind();
WireKind usb_hid_wire_kind();

const std::vector<WireKind>& wire_kinds() {
    static const std::vector<WireKind> table{
        uart_wire_kind(),
        i2c_wire_kind(),
        spi_wire_kind(),
        usb_hid_wire_kind(),
    };
    return table;
}

const WireKind* wire_kind_of_option(std::string_view option) {
    for (const WireKind& k : wire_kinds()) {
        if (k.option == option) return &k;
        for (const std::string& own : k.options)
            if (own == option) return &k;
    }
    return nullptr;
}

std::string wire_option_list(bool values, const char* last) {
    const auto& kinds = wire_kinds();
    std::string text;
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        if (i > 0) text += i + 1 == kinds.size() ? fmt::format(" {} ", last) : ", ";
        text += values ? kinds[i].option + " " + kinds[i].value : kinds[i].option;
    }
    return text;
}

std::vector<std::string> wire_node_values(const RawOptions& o) {
    std::vector<std::string> nodes;
    for (const WireKind& k : wire_kinds())
        if (k.names_nodes)
            for (const std::string& device : o.wires.devices_of(k.option)) nodes.push_back(device);
    return nodes;
}

}  // namespace dfu::cli
