#include "cli/wire_listing.hpp"

#include <algorithm>

namespace dfu::cli {

ListSection& WireListing::add_section(std::string key, std::string title, ListPlace place) {
    ListSection& s = sections_.emplace_back();
    s.key = std::move(key);
    s.title = std::move(title);
    s.place = place;
    return s;
}

bool WireListing::has_section(std::string_view key) const {
    return std::any_of(sections_.begin(), sections_.end(), [&](const ListSection& s) { return s.key == key; });
}

std::vector<const ListSection*> WireListing::in_order() const {
    std::vector<const ListSection*> order;
    for (const ListSection& s : sections_) order.push_back(&s);
    std::stable_sort(order.begin(), order.end(),
                     [](const ListSection* a, const ListSection* b) { return a->place < b->place; });
    return order;
}

std::string vid_pid(std::uint16_t vid, std::uint16_t pid) {
    return fmt::format("{:04x}:{:04x}", vid, pid);
}

nlohmann::json usb_json(const transports::UsbCandidate& u) {
    return {{"vid_pid", vid_pid(u.vid, u.pid)}, {"serial", u.serial}, {"path", u.path}, {"description", u.description}};
}

}  // namespace dfu::cli
