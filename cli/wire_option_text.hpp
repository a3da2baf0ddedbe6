#pragma once
// What the command line gave for the wires, as text, before any wire checks it: the devices
// named on each wire option and the values of the options only one wire takes. Kept by
// option name, so a wire kind's file registers and reads its own options (cli/wire_kind.hpp)
// without a field of its own in RawOptions.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dfu::cli {

struct WireOptionText {
    // "--uart" -> {"/dev/ttyUSB0", "usb:A1"}: one device each time the option is given
    // ("" for --usb-hid given without a value).
    std::map<std::string, std::vector<std::string>, std::less<>> devices;
    // "--baud" -> "115200": each wire-specific option's value, its default until given.
    std::map<std::string, std::string, std::less<>> values;
    // "--spi-lsb-first" -> true: the wire-specific flags.
    std::map<std::string, bool, std::less<>> flags;

    // Where CLI11 stores the option's text (map nodes stay put); starts out as `fallback`.
    std::vector<std::string>& devices_slot(const std::string& option) { return devices[option]; }
    std::string& value_slot(const std::string& option, const std::string& fallback) {
        return values.try_emplace(option, fallback).first->second;
    }
    bool& flag_slot(const std::string& option) { return flags[option]; }

    const std::vector<std::string>& devices_of(std::string_view option) const {
        static const std::vector<std::string> none;
        const auto it = devices.find(option);
        return it == devices.end() ? none : it->second;
    }
    // The option's text; `fallback` when it was never registered (the command takes no wire).
    std::string value(std::string_view option, std::string_view fallback) const {
        const auto it = values.find(option);
        return it == values.end() ? std::string(fallback) : it->second;
    }
    bool flag(std::string_view option) const {
        const auto it = flags.find(option);
        return it != flags.end() && it->second;
    }
};

}  // namespace dfu::cli
