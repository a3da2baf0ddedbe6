#pragma once
// What `dfuhost list` shows, as the wire kinds (cli/wire_kind.hpp) add it: one section per
// kind of device found, each both a JSON array and lines of text, and the problems met.
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "transports/device_match.hpp"

namespace dfu::cli {

struct ListSection {
    std::string key;    // in the JSON result: "serial_ports"
    std::string title;  // in the text: "Serial ports (--uart)"
    nlohmann::json items = nlohmann::json::array();
    std::vector<std::string> lines;  // the text, one line per item
};

struct WireListing {
    std::vector<ListSection> sections;
    std::vector<std::string> problems;

    ListSection& add_section(std::string key, std::string title) {
        ListSection& s = sections.emplace_back();
        s.key = std::move(key);
        s.title = std::move(title);
        return s;
    }
    bool has_section(std::string_view key) const {
        for (const ListSection& s : sections)
            if (s.key == key) return true;
        return false;
    }

    // One kind of device that cannot be listed (no USB access, a missing library service)
    // must not hide the others: its failure becomes a note in the listing.
    template <typename F>
    auto gather(const std::string& what, F&& find) -> decltype(find()) {
        try {
            return find();
        } catch (const std::exception& e) {
            problems.push_back(fmt::format("{}: {}", what, e.what()));
            return {};
        }
    }
};

// "058b:f21d"
std::string vid_pid(std::uint16_t vid, std::uint16_t pid);
// A USB device's JSON: vid_pid, serial, path, description.
nlohmann::json usb_json(const transports::UsbCandidate& u);

}  // namespace dfu::cli
