#pragma once
// Which wires the user named (--uart, --i2c, --spi, --usb-hid: the kinds of cli/wire_kind.hpp),
// checked before the device is touched, and how to open each, again and again for .mtbdfu
// reconnects.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/wire_kind.hpp"
#include "transports/transport.hpp"

namespace dfu::cli {

struct TransportChoice {
    const WireKind* kind = nullptr;
    std::shared_ptr<const Wire> wire;  // shared: one device's choice is copied into its thread

    // "uart /dev/ttyUSB0", "i2c kitprog3 @ 0x0C", "usb-hid 058b:f21d": for events and messages.
    std::string label() const { return wire->label(); }
    // Throws transports::OpenError (exit 4) with the device named. What the wire could not set up
    // (low-latency mode) goes to `debug` (a --debug line of the run or of one of its devices).
    std::unique_ptr<transports::Transport> open(const std::function<void(const std::string&)>& debug) const;
    // What the user asked for that this wire will not do (an I2C speed the kernel owns):
    // said once, before the first open, since open() runs again on every reconnect.
    std::vector<std::string> warnings() const { return wire->warnings(); }
};

// The devices named: one wire option, given once per device (--uart A --uart B); throws
// dfu::Error(usage) naming the options when none, two kinds or one device twice are given.
std::vector<TransportChoice> transport_choices(const RawOptions& o);
// The same for a command that drives one device (`command` names it in the refusal).
TransportChoice transport_choice(const RawOptions& o, const std::string& command);

// --packet-size auto tries whole-row packets only where the wire kind says so (byte streams).
void choose_packet_size(EngineOptions& engine, const TransportChoice& wire);

// Without --packet-size, a wire that carries less than the 64-byte default (CP2112: 61)
// gets its own maximum rather than a refusal.
void fit_packet_size(EngineOptions& engine, const RawOptions& o, const transports::Transport& t);

}  // namespace dfu::cli
