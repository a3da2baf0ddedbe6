#include "cli/wire_listing.hpp"

namespace dfu::cli {

std::string vid_pid(std::uint16_t vid, std::uint16_t pid) {
    return fmt::format("{:04x}:{:04x}", vid, pid);
}

nlohmann::json usb_json(const transports::UsbCandidate& u) {
    return {{"vid_pid", vid_pid(u.vid, u.pid)}, {"serial", u.serial}, {"path", u.path}, {"description", u.description}};
}

}  // namespace dfu::cli
