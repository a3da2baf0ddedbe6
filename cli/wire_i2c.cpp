// --i2c: a target on an I2C bus, reached through the kernel's i2c-dev nodes or a USB bridge
// (transports/bus_bridges.hpp), at --i2c-address and --i2c-speed.
#include <fmt/format.h>

#include "cli/wire_bus.hpp"
#include "cli/wire_kind.hpp"
#include "transports/i2c_dev.hpp"

namespace dfu::cli {
namespace {

class I2cWire : public Wire {
public:
    explicit I2cWire(transports::I2cSettings s) : settings_(std::move(s)) {}
    std::string label() const override { return fmt::format("i2c {} @ 0x{:02X}", settings_.device, settings_.address); }
    std::unique_ptr<transports::Transport> open() const override {
        return polled_bus(bus_bridge("--i2c", settings_.device, transports::Bus::i2c).open_i2c(settings_));
    }
    // The kernel sets an i2c-dev adapter's speed (device tree), not the program using it.
    std::vector<std::string> warnings() const override {
        if (!is_kernel_node(settings_.device)) return {};
        auto note = transports::i2c_dev_bus_speed(settings_.device, settings_.speed_hz).note;
        if (note.empty()) return {};
        return {std::move(note)};
    }

private:
    transports::I2cSettings settings_;
};

void add_options(CLI::App& cmd, WireOptionText& text, const std::string& g) {
    add_bus_selector(cmd, text, transports::Bus::i2c, g);
    cmd.add_option("--i2c-address", text.value_slot("--i2c-address", "0x0C"), "7-bit I2C address of the device")
        ->type_name("ADDR")
        ->group(g)
        ->capture_default_str();
    cmd.add_option("--i2c-speed", text.value_slot("--i2c-speed", "100k"), "I2C clock: 100k, 400k, 1M")
        ->type_name("HZ")
        ->group(g)
        ->capture_default_str();
}

std::shared_ptr<const Wire> choose(const RawOptions& o, const std::string& device) {
    transports::I2cSettings s;
    s.device = device;
    s.address =
        static_cast<std::uint8_t>(number_option("--i2c-address", o.wires.value("--i2c-address", "0x0C"), 0x08, 0x77));
    s.speed_hz = speed_option("--i2c-speed", o.wires.value("--i2c-speed", "100k"), 1000, 5000000);
    bus_bridge("--i2c", device, transports::Bus::i2c);
    return std::make_shared<I2cWire>(std::move(s));
}

void list(WireListing& listing) {
    list_bus(listing, "i2c", "I2C adapters", "I2C adapters (--i2c)", transports::find_i2c_nodes);
}

}  // namespace

WireKind i2c_wire_kind() {
    return {.option = "--i2c",
            .value = "DEV",
            .options = {"--i2c-address", "--i2c-speed"},
            .whole_row_packets = false,
            .names_nodes = true,
            .add_options = add_options,
            .choose = choose,
            .list = list};
}

}  // namespace dfu::cli
