#pragma once
// Which wire the user named (--uart, --i2c, --spi, --usb-hid), checked before the device
// is touched, and how to open it, again and again for .mtbdfu reconnects.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "transports/bus_settings.hpp"
#include "transports/transport.hpp"
#include "transports/uart.hpp"

namespace dfu::cli {

struct TransportChoice {
    enum class Kind { uart, i2c, spi, usb_hid } kind = Kind::uart;
    transports::UartSettings uart;
    transports::I2cSettings i2c;
    transports::SpiSettings spi;
    std::string usb_hid;  // VID:PID[:SERIAL]

    // "uart /dev/ttyUSB0", "i2c kitprog3 @ 0x0C", "usb-hid 058b:f21d": for events and messages.
    std::string label() const;
    // Throws transports::OpenError (exit 4) with the device named. What the wire could not set up
    // (low-latency mode) goes to `debug` (a --debug line of the run or of one of its devices).
    std::unique_ptr<transports::Transport> open(const std::function<void(const std::string&)>& debug) const;
    // What the user asked for that this wire will not do (an I2C speed the kernel owns):
    // said once, before the first open, since open() runs again on every reconnect.
    std::vector<std::string> warnings() const;

private:
    std::unique_ptr<transports::Transport> open_wire() const;
};

// The devices named: one wire option, given once per device (--uart A --uart B); throws
// dfu::Error(usage) naming the options when none, two kinds or one device twice are given.
std::vector<TransportChoice> transport_choices(const RawOptions& o);
// The same for a command that drives one device (`command` names it in the refusal).
TransportChoice transport_choice(const RawOptions& o, const std::string& command);

// Only byte-stream wires (UART, USB-CDC, socket://) try whole-row packets for --packet-size auto:
// a bridge keeps the size its transaction limit sets.
void choose_packet_size(EngineOptions& engine, const TransportChoice& wire);

// Without --packet-size, a wire that carries less than the 64-byte default (CP2112: 61)
// gets its own maximum rather than a refusal.
void fit_packet_size(EngineOptions& engine, const RawOptions& o, const transports::Transport& t);

}  // namespace dfu::cli
