// --uart: a serial port (native, USB-CDC, USB serial adapter, pseudo-terminal) or a TCP
// serial server, with its line settings and, for program/verify/erase, --before/--after.
#include <fmt/format.h>

#include "cli/wire_kind.hpp"
#include "cli/wire_listing.hpp"
#include "core/error.hpp"
#include "transports/serial_list.hpp"
#include "transports/socket_stream.hpp"
#include "transports/uart.hpp"

namespace dfu::cli {
namespace {

class UartWire : public Wire {
public:
    explicit UartWire(transports::UartSettings s) : settings_(std::move(s)) {}
    std::string label() const override { return fmt::format("uart {}", settings_.port); }
    std::unique_ptr<transports::Transport> open() const override { return transports::open_uart(settings_); }

private:
    transports::UartSettings settings_;
};

void add_options(CLI::App& cmd, WireOptionText& text, const std::string& g) {
    cmd.add_option("--uart", text.devices_slot("--uart"),
                   "Serial port: /dev/ttyUSB0, /dev/ttyACM0, COM3, a pseudo-terminal, usb[:SERIAL|:PATH] (the USB "
                   "serial adapter with that serial number or hub port), or socket://HOST:PORT (TCP serial server); "
                   "program, verify and erase: repeat for several devices at once")
        ->type_name("PORT")
        ->group(g);
    cmd.add_option("--baud", text.value_slot("--baud", "115200"), "Baud rate")
        ->type_name("N")
        ->group(g)
        ->capture_default_str()
        ->transform(number_check("115200", 1, 100'000'000));
    cmd.add_option("--parity", text.value_slot("--parity", "none"), "Parity")
        ->group(g)
        ->capture_default_str()
        ->check(one_of({"none", "odd", "even"}));
    cmd.add_option("--data-bits", text.value_slot("--data-bits", "8"), "Data bits")
        ->type_name("N")
        ->group(g)
        ->capture_default_str()
        ->transform(number_check("8", 5, 8));
    cmd.add_option("--stop-bits", text.value_slot("--stop-bits", "1"), "Stop bits")
        ->group(g)
        ->capture_default_str()
        ->check(one_of({"1", "1.5", "2"}));
}

std::shared_ptr<const Wire> choose(const RawOptions& o, const std::string& port) {
    transports::UartSettings s;
    s.port = port;
    // CLI11 has checked each value (number_check, one_of); the fallbacks are the defaults.
    s.baud = static_cast<unsigned>(std::stoul(o.wires.value("--baud", "115200")));
    const std::string parity = o.wires.value("--parity", "none"), stop_bits = o.wires.value("--stop-bits", "1");
    s.parity = parity == "odd"    ? transports::Parity::odd
               : parity == "even" ? transports::Parity::even
                                  : transports::Parity::none;
    s.data_bits = static_cast<unsigned>(std::stoul(o.wires.value("--data-bits", "8")));
    s.stop_bits = stop_bits == "2"     ? transports::StopBits::two
                  : stop_bits == "1.5" ? transports::StopBits::one_and_half
                                       : transports::StopBits::one;
    s.before = line_steps(o.before, true);
    s.after = line_steps(o.after, false);
    // A TCP serial server carries bytes only; its modem lines are not ours to reach.
    if ((!s.before.empty() || !s.after.empty()) && transports::is_socket_url(port))
        throw Error(ExitCode::usage,
                    fmt::format("--before/--after: {} has no DTR/RTS lines to set (a TCP serial server)", port));
    return std::make_shared<UartWire>(std::move(s));
}

void list(WireListing& listing) {
    ListSection& section = listing.add_section("serial_ports", "Serial ports (--uart)", ListPlace::serial);
    const auto ports = section.gather("serial ports", transports::find_serial_ports);
    for (const auto& p : ports) {
        nlohmann::json e{{"name", p.name}, {"description", p.description}, {"usb", p.usb}};
        if (p.usb) e.update({{"vid_pid", vid_pid(p.vid, p.pid)}, {"serial", p.serial}, {"usb_path", p.usb_path}});
        section.items.push_back(e);
        section.lines.push_back(p.usb ? fmt::format("{:<16} {}  serial {}  usb {}  {}", p.name, vid_pid(p.vid, p.pid),
                                                    p.serial.empty() ? "-" : p.serial,
                                                    p.usb_path.empty() ? "-" : p.usb_path, p.description)
                                      : fmt::format("{:<16} {}", p.name, p.description));
    }
}

}  // namespace

WireKind uart_wire_kind() {
    return {.option = "--uart",
            .value = "PORT",
            .options = {"--baud", "--parity", "--data-bits", "--stop-bits", "--before", "--after"},
            .whole_row_packets = true,
            .names_nodes = true,
            .add_options = add_options,
            .choose = choose,
            .list = list};
}

}  // namespace dfu::cli
