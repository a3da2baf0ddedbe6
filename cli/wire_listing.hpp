#pragma once
// What `dfuhost list` shows, as the wire kinds (cli/wire_kind.hpp) add it: one section per
// kind of device found, each both a JSON array and lines of text, with the problems met
// while looking.
#include <cstdint>
#include <deque>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "transports/device_match.hpp"

namespace dfu::cli {

// Where a section is shown: serial ports first, then what sits on USB, then the kernel's
// bus nodes; in the order of the wire kinds within each.
enum class ListPlace { serial, usb, kernel_node };

struct ListSection {
    std::string key;    // in the JSON result: "serial_ports"
    std::string title;  // in the text: "Serial ports (--uart)"
    ListPlace place = ListPlace::serial;
    nlohmann::json items = nlohmann::json::array();
    std::vector<std::string> lines;     // the text, one line per item
    std::vector<std::string> problems;  // "serial ports: ...": what could not be looked at

    // One kind of device that cannot be listed (no USB access, a missing library service)
    // must not hide the others: its failure becomes a problem of the listing.
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

class WireListing {
public:
    ListSection& add_section(std::string key, std::string title, ListPlace place);
    bool has_section(std::string_view key) const;
    // The sections by place, each place in the order they were added.
    std::vector<const ListSection*> in_order() const;

private:
    std::deque<ListSection> sections_;  // a section added stays where it is while the next are added
};

// "058b:f21d"
std::string vid_pid(std::uint16_t vid, std::uint16_t pid);
// A USB device's JSON: vid_pid, serial, path, description.
nlohmann::json usb_json(const transports::UsbCandidate& u);

}  // namespace dfu::cli
