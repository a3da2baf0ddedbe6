#pragma once
// The wire kinds of the command line (--uart, --i2c, --spi, --usb-hid) as one table. A kind
// is one entry: its selector option and the options only it takes, how it registers them for
// --help, how it checks a device named on it, how it opens that device (again for each
// reconnect), how `dfuhost list` finds its devices, and what it can do. Adding a wire kind
// is its own file (cli/wire_<kind>.cpp, defining its entry) plus one line in
// cli/wire_kinds.cpp; the help, the refusals, the dispatch, the listing and the environment
// defaults all read the table. What an I2C or SPI value may name is the bridge table's
// (transports/bus_bridges.hpp).
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/options.hpp"
#include "transports/transport.hpp"

namespace dfu::cli {

class WireListing;

// One device named on a wire, its settings checked; opened as often as the run needs.
class Wire {
public:
    virtual ~Wire() = default;
    // "uart /dev/ttyUSB0", "i2c kitprog3 @ 0x0C", "usb-hid 058b:f21d": for events and messages,
    // and to refuse one device named twice.
    virtual std::string label() const = 0;
    // Throws transports::OpenError (exit 4) with the device named.
    virtual std::unique_ptr<transports::Transport> open() const = 0;
    // What the user asked for that this wire will not do (an I2C speed the kernel owns).
    virtual std::vector<std::string> warnings() const { return {}; }
};

struct WireKind {
    std::string option;                // "--uart"
    std::string value;                 // "PORT": how refusals write its value
    std::vector<std::string> options;  // the options only this wire takes; refused with another wire
    // --packet-size auto tries whole-row packets: byte streams (UART, USB-CDC, socket://) only;
    // a bridge keeps the size its transaction limit sets.
    bool whole_row_packets = false;
    // Its values may be device nodes (/dev/ttyUSB0, /dev/i2c-1), which no output file may overwrite.
    bool names_nodes = false;
    // Registers the selector option and its own options in `group`, in the order --help shows.
    void (*add_options)(CLI::App& cmd, WireOptionText& text, const std::string& group) = nullptr;
    // Checks one device named on it before anything is opened; throws dfu::Error(usage) naming
    // the option.
    std::shared_ptr<const Wire> (*choose)(const RawOptions& o, const std::string& device) = nullptr;
    // Adds what `dfuhost list` finds for it; a failure to look becomes a problem, not an error.
    void (*list)(WireListing& listing) = nullptr;
};

// Every wire kind, in the order help and messages name them.
const std::vector<WireKind>& wire_kinds();

// The kind whose selector or own option `option` is ("--baud" -> --uart's), or nullptr.
const WireKind* wire_kind_of_option(std::string_view option);

// "--uart, --i2c, --spi and --usb-hid", or with `values` and `last` "or":
// "--uart PORT, --i2c DEV, --spi DEV or --usb-hid [VID:PID]".
std::string wire_option_list(bool values, const char* last);

// Every device given on a wire whose values may be device nodes.
std::vector<std::string> wire_node_values(const RawOptions& o);

}  // namespace dfu::cli
