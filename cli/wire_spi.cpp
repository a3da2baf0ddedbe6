// --spi: a target on an SPI bus, reached through the kernel's spidev nodes or a USB bridge
// (transports/bus_bridges.hpp), at --spi-clock in --spi-mode.
#include <fmt/format.h>

#include "cli/wire_bus.hpp"
#include "cli/wire_kind.hpp"

namespace dfu::cli {
namespace {

class SpiWire : public Wire {
public:
    explicit SpiWire(transports::SpiSettings s) : settings_(std::move(s)) {}
    std::string label() const override { return fmt::format("spi {}", settings_.device); }
    std::unique_ptr<transports::Transport> open() const override {
        return polled_bus(bus_bridge("--spi", settings_.device, transports::Bus::spi).open_spi(settings_));
    }

private:
    transports::SpiSettings settings_;
};

void add_options(CLI::App& cmd, WireOptionText& text, const std::string& g) {
    add_bus_selector(cmd, text, transports::Bus::spi, g);
    cmd.add_option("--spi-clock", text.value_slot("--spi-clock", "1M"), "SPI clock")
        ->type_name("HZ")
        ->group(g)
        ->capture_default_str();
    cmd.add_option("--spi-mode", text.value_slot("--spi-mode", "0"), "SPI mode (CPOL << 1 | CPHA)")
        ->type_name("0-3")
        ->group(g)
        ->capture_default_str()
        ->transform(number_check("0", 0, 3));
    cmd.add_flag("--spi-lsb-first", text.flag_slot("--spi-lsb-first"), "Least significant bit first")->group(g);
}

std::shared_ptr<const Wire> choose(const RawOptions& o, const std::string& device) {
    transports::SpiSettings s;
    s.device = device;
    s.clock_hz = speed_option("--spi-clock", o.wires.value("--spi-clock", "1M"), 1000, 100000000);
    s.mode = static_cast<std::uint8_t>(std::stoul(o.wires.value("--spi-mode", "0")));  // number_check: 0..3
    s.lsb_first = o.wires.flag("--spi-lsb-first");
    bus_bridge("--spi", device, transports::Bus::spi);
    return std::make_shared<SpiWire>(std::move(s));
}

void list(WireListing& listing) {
    list_bus(listing, "spi", "SPI devices", "SPI devices (--spi)", transports::find_spi_nodes);
}

}  // namespace

WireKind spi_wire_kind() {
    return {.option = "--spi",
            .value = "DEV",
            .options = {"--spi-clock", "--spi-mode", "--spi-lsb-first"},
            .whole_row_packets = false,
            .names_nodes = true,
            .add_options = add_options,
            .choose = choose,
            .list = list};
}

}  // namespace dfu::cli
