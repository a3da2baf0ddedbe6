#include "cli/result_json.hpp"

namespace dfu::cli {

RunCost& RunCost::operator+=(const RunCost& other) noexcept {
    recoveries += other.recoveries;
    commands += other.commands;
    wire.bytes_sent += other.wire.bytes_sent;
    wire.bytes_received += other.wire.bytes_received;
    wire.packets_sent += other.wire.packets_sent;
    wire.frames_received += other.wire.frames_received;
    wire.bytes_discarded += other.wire.bytes_discarded;
    return *this;
}

nlohmann::json result_json(const CommandResult& r) {
    const int code = static_cast<int>(r.code);
    nlohmann::json j{{"ok", code == 0}, {"exit_code", code}};
    if (!r.action.empty()) j["action"] = r.action;
    if (r.file) j["file"] = *r.file;
    if (r.cost) {
        j["elapsed_s"] = r.cost->elapsed.count();
        j["recoveries"] = r.cost->recoveries;
        j["wire"] = {{"commands", r.cost->commands},
                     {"bytes_sent", r.cost->wire.bytes_sent},
                     {"bytes_received", r.cost->wire.bytes_received},
                     {"bytes_discarded", r.cost->wire.bytes_discarded}};
    }
    if (r.findings.is_object()) j.update(r.findings);
    if (!r.error.empty()) j["error"] = r.error;
    return j;
}

}  // namespace dfu::cli
