#include "cli/device_outcome.hpp"

#include <fmt/format.h>

namespace dfu::cli {

namespace {

using nlohmann::json;

std::string hex32(std::uint64_t v) {
    return fmt::format("0x{:08X}", v);
}

}  // namespace

json flash_result_json(const RunResult& r, const FirmwareJob& job, int exit_code, const std::string& error) {
    json j{{"ok", exit_code == 0},
           {"exit_code", exit_code},
           {"action", action_name(r.action)},
           {"file", job.source},
           {"rows_done", r.rows_done},
           {"rows_total", r.rows_total},
           {"bytes_done", r.bytes_done},
           {"bytes_total", r.bytes_total},
           {"elapsed_s", r.elapsed.count()},
           {"rate_bytes_per_s", r.elapsed.count() > 0 ? static_cast<double>(r.bytes_done) / r.elapsed.count() : 0.0},
           {"packet_size", r.packet_size},
           {"recoveries", r.recoveries},
           {"wire",
            {{"commands", r.commands},
             {"bytes_sent", r.wire.bytes_sent},
             {"bytes_received", r.wire.bytes_received},
             {"bytes_discarded", r.wire.bytes_discarded}}}};
    if (r.first_row) j["range"] = {{"start", hex32(*r.first_row)}, {"end", hex32(r.end_address)}};
    if (r.app_valid) j["app_valid"] = *r.app_valid;
    if (!r.mismatched_rows.empty()) {
        json rows = json::array();
        for (auto a : r.mismatched_rows) rows.push_back(hex32(a));
        j["mismatched_rows"] = rows;
    }
    if (!error.empty()) j["error"] = error;
    return j;
}

json DeviceOutcome::tagged_result() const {
    json j = result;
    j["device"] = device;
    j["phase"] = phase;
    return j;
}

}  // namespace dfu::cli
