#include "cli/wire_bus.hpp"

#include <fmt/format.h>

#include <iterator>

#include "cli/options.hpp"
#include "cli/wire_listing.hpp"
#include "core/error.hpp"
#include "transports/polled_bus_transport.hpp"

namespace dfu::cli {
namespace {

Error usage(const std::string& m) {
    return Error(ExitCode::usage, m);
}

// Largest packet the polled buses are asked for; the bridge's transaction size caps it.
constexpr std::size_t kBusPacketLimit = 0xFFFF + 7;

}  // namespace

bool is_kernel_node(const std::string& device) {
    return device.starts_with("/dev/");
}

const transports::BusBridge& bus_bridge(const char* option, const std::string& device, transports::Bus bus) {
    if (is_kernel_node(device) && !transports::kernel_bus_nodes_available())
        throw usage(fmt::format("{} {}: {}", option, device, transports::no_kernel_bus_nodes_text()));
    const transports::BusBridge* b = transports::find_bus_bridge(device, bus);
    if (!b) throw usage(fmt::format("{} {}: expected {}", option, device, transports::bus_forms(bus)));
    return *b;
}

std::uint64_t number_option(const char* name, const std::string& text, std::uint64_t lo, std::uint64_t hi) {
    const auto v = parse_number(text);
    if (!v || *v < lo || *v > hi)
        throw usage(fmt::format("{}: '{}' is not a number from {} to {}", name, text, lo, hi));
    return *v;
}

unsigned speed_option(const char* name, const std::string& text, unsigned lo, unsigned hi) {
    std::string t = text;
    unsigned scale = 1;
    if (!t.empty() && (t.back() == 'k' || t.back() == 'K')) scale = 1000, t.pop_back();
    if (!t.empty() && t.back() == 'M') scale = 1000000, t.pop_back();
    const auto v = parse_number(t);
    if (!v || *v * scale < lo || *v * scale > hi)
        throw usage(fmt::format("{}: '{}' is not a speed from {} to {} Hz (400k, 1M)", name, text, lo, hi));
    return static_cast<unsigned>(*v * scale);
}

void add_bus_selector(CLI::App& cmd, WireOptionText& text, transports::Bus bus, const std::string& group) {
    const bool i2c = bus == transports::Bus::i2c;
    const std::string option = i2c ? "--i2c" : "--spi";
    cmd.add_option(
           option, text.devices_slot(option),
           fmt::format("{}: {}; program, verify, erase: repeatable", i2c ? "I2C" : "SPI", transports::bus_forms(bus)))
        ->type_name("DEV")
        ->group(group);
}

std::unique_ptr<transports::Transport> polled_bus(std::unique_ptr<transports::BusPort> port) {
    return std::make_unique<transports::PolledBusTransport>(std::move(port), kBusPacketLimit);
}

namespace {

void list_bus_bridges(WireListing& listing) {
    if (listing.has_section("bridges")) return;
    ListSection& section = listing.add_section("bridges", "USB bridges (--i2c/--spi KIND[:SERIAL])", ListPlace::usb);
    std::vector<transports::FoundBridge> bridges;
    for (const transports::BusBridge& b : transports::bus_bridges()) {
        if (!b.find) continue;
        auto found = section.gather(std::string(b.list_name), b.find);
        bridges.insert(bridges.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    }
    for (const auto& b : bridges) {
        nlohmann::json e = usb_json(b.usb);
        e.update({{"kind", b.kind}, {"capabilities", b.capabilities}, {"note", b.note}});
        section.items.push_back(e);
        std::string caps;
        for (const auto& c : b.capabilities) caps += (caps.empty() ? "" : ", ") + c;
        section.lines.push_back(fmt::format("{:<9} {}  serial {}  path {}  {}{}{}", b.kind,
                                            vid_pid(b.usb.vid, b.usb.pid), b.usb.serial.empty() ? "-" : b.usb.serial,
                                            b.usb.path, caps.empty() ? "no bridge" : caps, b.note.empty() ? "" : ": ",
                                            b.note));
    }
}

}  // namespace

void list_bus(WireListing& listing, const char* key, const char* what, const char* title,
              std::vector<transports::FoundNode> (*find)()) {
    list_bus_bridges(listing);
    ListSection& section = listing.add_section(key, title, ListPlace::kernel_node);
    for (const auto& n : section.gather(what, find)) {
        section.items.push_back({{"path", n.path}, {"name", n.name}});
        section.lines.push_back(fmt::format("{:<16} {}", n.path, n.name));
    }
}

}  // namespace dfu::cli
