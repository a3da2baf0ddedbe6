// What `dfuhost list` shows of the HID bridges: one enumeration per kind.
#include "transports/bus_open.hpp"
#include "transports/cp2112.hpp"
#include "transports/mcp2210.hpp"
#include "transports/mcp2221.hpp"

namespace dfu::transports {

std::vector<FoundBridge> find_hid_bridges() {
    std::vector<FoundBridge> out;
    try {
        for (auto* find : {+[] { return find_mcp2221_bridges(); }, +[] { return find_cp2112_bridges(); },
                           +[] { return find_mcp2210_bridges(); }})
            for (auto& b : find()) out.push_back(std::move(b));
    } catch (const OpenError&) {
        // No hidapi on this system: there is nothing HID to list.
    }
    return out;
}

}  // namespace dfu::transports
