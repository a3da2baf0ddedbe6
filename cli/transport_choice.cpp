#include "cli/transport_choice.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"
#include "transports/bus_bridges.hpp"
#include "transports/i2c_dev.hpp"
#include "transports/polled_bus_transport.hpp"
#include "transports/usb_hid.hpp"

namespace dfu::cli {
namespace {

Error usage(const std::string& m) {
    return Error(ExitCode::usage, m);
}

// Largest packet the polled buses are asked for; the bridge's transaction size caps it.
constexpr std::size_t kBusPacketLimit = 0xFFFF + 7;

std::uint64_t number_option(const char* name, const std::string& text, std::uint64_t lo, std::uint64_t hi) {
    const auto v = parse_number(text);
    if (!v || *v < lo || *v > hi)
        throw usage(fmt::format("{}: '{}' is not a number from {} to {}", name, text, lo, hi));
    return *v;
}

// "400k", "1M", "100000": SI multiples here, since bus speeds are written that way.
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

bool is_node(const std::string& device) {
    return device.starts_with("/dev/");
}

// The bridge table's entry for `device`, checked before anything is opened: a name no entry
// has is refused with every form the bus takes, and i2c-dev and spidev nodes are Linux's.
const transports::BusBridge& bus_bridge(const char* option, const std::string& device, transports::Bus bus) {
    if (is_node(device) && !transports::kernel_bus_nodes_available())
        throw usage(fmt::format("{} {}: {}", option, device, transports::no_kernel_bus_nodes_text()));
    const transports::BusBridge* b = transports::find_bus_bridge(device, bus);
    if (!b) throw usage(fmt::format("{} {}: expected {}", option, device, transports::bus_forms(bus)));
    return *b;
}

}  // namespace

std::vector<TransportChoice> transport_choices(const RawOptions& o) {
    const int given = !o.uart.empty() + !o.i2c.empty() + !o.spi.empty() + !o.usb_hid.empty();
    if (given == 0) throw usage("name the device's wire: " + wire_option_list(true, "or"));
    if (given > 1) throw usage(fmt::format("give one of {}, not several", wire_option_list(false, "and")));
    std::vector<TransportChoice> choices;
    for (const std::string& port : o.uart) {
        TransportChoice c;
        c.kind = TransportChoice::Kind::uart;
        c.uart = uart_settings(o, port);
        choices.push_back(std::move(c));
    }
    for (const std::string& device : o.i2c) {
        TransportChoice c;
        c.kind = TransportChoice::Kind::i2c;
        c.i2c.device = device;
        c.i2c.address = static_cast<std::uint8_t>(number_option("--i2c-address", o.i2c_address, 0x08, 0x77));
        c.i2c.speed_hz = speed_option("--i2c-speed", o.i2c_speed, 1000, 5000000);
        bus_bridge("--i2c", device, transports::Bus::i2c);
        choices.push_back(std::move(c));
    }
    for (const std::string& device : o.spi) {
        TransportChoice c;
        c.kind = TransportChoice::Kind::spi;
        c.spi.device = device;
        c.spi.clock_hz = speed_option("--spi-clock", o.spi_clock, 1000, 100000000);
        c.spi.mode = static_cast<std::uint8_t>(o.spi_mode);
        c.spi.lsb_first = o.spi_lsb_first;
        bus_bridge("--spi", device, transports::Bus::spi);
        choices.push_back(std::move(c));
    }
    for (const std::string& selector : o.usb_hid) {
        TransportChoice c;
        c.kind = TransportChoice::Kind::usb_hid;
        c.usb_hid = selector.empty() ? "058b:f21d" : selector;
        choices.push_back(std::move(c));
    }
    for (std::size_t i = 0; i < choices.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (choices[i].label() == choices[j].label())
                throw usage(fmt::format("{} is named twice; name each device once", choices[i].label()));
    return choices;
}

TransportChoice transport_choice(const RawOptions& o, const std::string& command) {
    std::vector<TransportChoice> choices = transport_choices(o);
    if (choices.size() > 1)
        throw usage(fmt::format("{} drives one device, and {} are named; several at once are for program, verify "
                                "and erase",
                                command, choices.size()));
    return std::move(choices.front());
}

std::string TransportChoice::label() const {
    switch (kind) {
        case Kind::uart:
            return fmt::format("uart {}", uart.port);
        case Kind::i2c:
            return fmt::format("i2c {} @ 0x{:02X}", i2c.device, i2c.address);
        case Kind::spi:
            return fmt::format("spi {}", spi.device);
        case Kind::usb_hid:
            break;
    }
    return fmt::format("usb-hid {}", usb_hid);
}

std::unique_ptr<transports::Transport> TransportChoice::open(
    const std::function<void(const std::string&)>& debug) const {
    auto t = open_wire();
    if (const std::string note = t->setup_note(); !note.empty() && debug)
        debug(fmt::format("{}: {}", t->description(), note));
    return t;
}

std::unique_ptr<transports::Transport> TransportChoice::open_wire() const {
    using namespace transports;
    switch (kind) {
        case Kind::uart:
            return open_uart(uart);
        case Kind::i2c:
            return std::make_unique<PolledBusTransport>(bus_bridge("--i2c", i2c.device, Bus::i2c).open_i2c(i2c),
                                                        kBusPacketLimit);
        case Kind::spi:
            return std::make_unique<PolledBusTransport>(bus_bridge("--spi", spi.device, Bus::spi).open_spi(spi),
                                                        kBusPacketLimit);
        case Kind::usb_hid:
            break;
    }
    return open_usb_hid(usb_hid);
}

std::vector<std::string> TransportChoice::warnings() const {
    std::vector<std::string> w;
    if (kind == Kind::i2c && is_node(i2c.device)) {
        auto note = transports::i2c_dev_bus_speed(i2c.device, i2c.speed_hz).note;
        if (!note.empty()) w.push_back(std::move(note));
    }
    return w;
}

void choose_packet_size(EngineOptions& engine, const TransportChoice& wire) {
    if (wire.kind != TransportChoice::Kind::uart) engine.packet_size_auto = false;
}

void fit_packet_size(EngineOptions& engine, const RawOptions& o, const transports::Transport& t) {
    if (engine.packet_size_auto || o.packet_size.empty())
        engine.packet_size = std::min<std::size_t>(engine.packet_size, t.capabilities().max_packet);
}

}  // namespace dfu::cli
