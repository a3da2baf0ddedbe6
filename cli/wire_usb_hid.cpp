// --usb-hid: a device whose bootloader speaks DFU over USB HID reports itself.
#include <fmt/format.h>

#include "cli/wire_kind.hpp"
#include "cli/wire_listing.hpp"
#include "transports/usb_hid.hpp"

namespace dfu::cli {
namespace {

class UsbHidWire : public Wire {
public:
    explicit UsbHidWire(std::string selector) : selector_(std::move(selector)) {}
    std::string label() const override { return fmt::format("usb-hid {}", selector_); }
    std::unique_ptr<transports::Transport> open() const override { return transports::open_usb_hid(selector_); }

private:
    std::string selector_;  // VID:PID[:SERIAL]
};

void add_options(CLI::App& cmd, WireOptionText& text, const std::string& g) {
    cmd.add_option("--usb-hid", text.devices_slot("--usb-hid"),
                   "USB-HID DFU device: VID:PID[:SERIAL] in hex (default 058b:f21d); program, verify, erase: "
                   "repeatable")
        ->type_name("[VID:PID[:SERIAL]]")
        ->expected(0, 1)
        ->group(g);
}

std::shared_ptr<const Wire> choose(const RawOptions&, const std::string& selector) {
    // Given without a value: the Infineon bootloader's own VID:PID.
    return std::make_shared<UsbHidWire>(selector.empty() ? "058b:f21d" : selector);
}

void list(WireListing& listing) {
    ListSection& section = listing.add_section("usb_hid", "USB-HID DFU devices (--usb-hid)", ListPlace::usb);
    const auto found = section.gather("USB-HID DFU devices", [] { return transports::find_usb_hid_devices(); });
    for (const auto& d : found) {
        section.items.push_back(usb_json(d.usb));
        section.lines.push_back(fmt::format("{}  serial {}  path {}  {}", vid_pid(d.usb.vid, d.usb.pid),
                                            d.usb.serial.empty() ? "-" : d.usb.serial, d.usb.path, d.usb.description));
    }
}

}  // namespace

WireKind usb_hid_wire_kind() {
    return {.option = "--usb-hid",
            .value = "[VID:PID]",
            .options = {},
            .whole_row_packets = false,
            .names_nodes = false,
            .add_options = add_options,
            .choose = choose,
            .list = list};
}

}  // namespace dfu::cli
