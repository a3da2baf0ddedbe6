#include "cli/device_outcome.hpp"

#include <fmt/format.h>

namespace dfu::cli {

namespace {

using nlohmann::json;

std::string hex32(std::uint64_t v) {
    return fmt::format("0x{:08X}", v);
}

}  // namespace

RunCost run_cost(const RunResult& r) {
    return {r.elapsed, r.recoveries, r.commands, r.wire};
}

json flash_result_json(const RunResult& r, const FirmwareJob& job, int exit_code, const std::string& error) {
    json j{{"rows_done", r.rows_done},
           {"rows_total", r.rows_total},
           {"bytes_done", r.bytes_done},
           {"bytes_total", r.bytes_total},
           {"rate_bytes_per_s", r.elapsed.count() > 0 ? static_cast<double>(r.bytes_done) / r.elapsed.count() : 0.0},
           {"packet_size", r.packet_size}};
    if (r.first_row) j["range"] = {{"start", hex32(*r.first_row)}, {"end", hex32(r.end_address)}};
    if (r.app_valid) j["app_valid"] = *r.app_valid;
    if (!r.mismatched_rows.empty()) {
        json rows = json::array();
        for (auto a : r.mismatched_rows) rows.push_back(hex32(a));
        j["mismatched_rows"] = rows;
    }
    CommandResult result(action_name(r.action), std::move(j));
    result.file = job.source;
    result.code = static_cast<ExitCode>(exit_code);
    result.error = error;
    result.cost = run_cost(r);
    return result_json(result);
}

json DeviceOutcome::tagged_result() const {
    json j = result;
    j["device"] = device;
    j["phase"] = phase;
    return j;
}

}  // namespace dfu::cli
