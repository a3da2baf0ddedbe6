#include "cli/commands.hpp"

#include <fmt/format.h>

#include "cli/transport_choice.hpp"
#include "core/error.hpp"
#include "core/row_packing.hpp"

namespace dfu::cli {

namespace {

using nlohmann::json;

std::string hex32(std::uint64_t v) {
    return fmt::format("0x{:08X}", v);
}

std::string rate_text(double bytes, double seconds) {
    if (seconds <= 0) return "-";
    const double r = bytes / seconds;
    return r >= 1024 * 1024 ? fmt::format("{:.2f} MiB/s", r / (1024 * 1024)) : fmt::format("{:.1f} KiB/s", r / 1024);
}

json result_json(const RunResult& r, const FirmwareJob& job, int exit_code, const std::string& error) {
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

std::string summary(const RunResult& r, const FirmwareJob& job) {
    const char* verb = r.action == Action::program ? "Programmed" : r.action == Action::verify ? "Verified" : "Erased";
    std::string s = fmt::format("{} {} rows ({} bytes", verb, r.rows_done, r.bytes_done);
    if (r.first_row) s += fmt::format(", {}..{}", hex32(*r.first_row), hex32(r.end_address));
    s += fmt::format(") in {:.2f} s, {}", r.elapsed.count(),
                     rate_text(static_cast<double>(r.bytes_done), r.elapsed.count()));
    if (r.recoveries) s += fmt::format(", {} recoveries", r.recoveries);
    if (r.packet_size) s += fmt::format(", {}-byte packets", r.packet_size);
    s += ".";
    if (r.app_valid)
        s += fmt::format(" Application {} valid.", job.app_id);
    else if (r.action != Action::erase && !job.app)
        s += " Application not checked (no app range: give --app-start/--app-length).";
    return s;
}

}  // namespace

int run_flash(Action action, const RawOptions& raw, Reporter& out, const std::atomic<bool>& interrupted) {
    // Everything about the input is checked before the port is opened.
    EngineOptions engine = engine_options(raw);
    const TransportChoice wire = transport_choice(raw);
    choose_packet_size(engine, wire);
    const FirmwareJob job = load_firmware_job(raw.file, image_options(raw));
    for (const auto& w : job.warnings) out.warning(w);

    json start{{"action", action_name(action)},
               {"file", job.source},
               {"format", job.format},
               {"transport", wire.label()},
               {"rows", job.row_count()},
               {"bytes", job.payload_bytes()},
               {"row_size", job.row_size},
               {"packet_size", engine.packet_size_auto ? whole_row_packet_size(job.row_size) : engine.packet_size},
               {"packet_size_auto", engine.packet_size_auto},
               {"product_id", hex32(job.product_id)},
               {"checksum", job.checksum == ChecksumType::crc16 ? "crc16" : "sum"}};
    if (job.app)
        start["app"] = {{"id", job.app_id},
                        {"start", hex32(job.app->start)},
                        {"length", job.app->length},
                        {"origin", job.app_origin}};
    out.start(start);

    for (const auto& w : wire.warnings()) out.warning(w);
    auto transport = wire.open(out);
    fit_packet_size(engine, raw, *transport);
    out.say(fmt::format("{} {} ({}, {} rows of {} bytes) over {}, {}",
                        action == Action::program  ? "Programming"
                        : action == Action::verify ? "Verifying"
                                                   : "Erasing",
                        job.source, job.format, job.row_count(), job.row_size, transport->description(),
                        engine.packet_size_auto
                            ? fmt::format("{}-byte packets (whole rows; {} if the device refuses them)",
                                          whole_row_packet_size(job.row_size), engine.packet_size)
                            : fmt::format("{}-byte packets", engine.packet_size)));
    Flasher flasher(*transport, job, engine, out, &interrupted);
    try {
        const RunResult r = flasher.run(action);
        out.end_progress();
        out.result(result_json(r, job, 0, ""));
        out.say(summary(r, job));
        return 0;
    } catch (const Error& e) {
        out.end_progress();
        const RunResult& r = flasher.result();
        if (action == Action::program && r.rows_done < r.rows_total && r.rows_done > 0)
            out.warning(fmt::format("{} of {} rows were written before the failure", r.rows_done, r.rows_total));
        out.result(result_json(r, job, static_cast<int>(e.code()), e.what()));
        throw;
    }
}

int run_info(const RawOptions& raw, Reporter& out, const std::atomic<bool>& interrupted) {
    const EngineOptions engine = engine_options(raw);
    const std::uint32_t product_id = product_id_option(raw);
    const TransportChoice wire = transport_choice(raw);
    for (const auto& w : wire.warnings()) out.warning(w);
    auto transport = wire.open(out);
    const DeviceIdentity id = [&] {
        try {
            return query_device(*transport, checksum_option(raw), product_id, engine, out, &interrupted);
        } catch (const Error& e) {
            // program and verify take the product ID from their file; info has none to take it from.
            if (e.code() != ExitCode::identity_mismatch || !raw.product_id.empty()) throw;
            throw Error(e.code(), fmt::format("the device refused product ID 0 (no --product-id given): info has no "
                                              "file to take it from, so give --product-id HEX (as in the .cyacd2 "
                                              "header or the .mtbdfu \"Product Id\")"));
        }
    }();
    out.result({{"event", "result"},
                {"ok", true},
                {"exit_code", 0},
                {"action", "info"},
                {"silicon_id", hex32(id.silicon_id)},
                {"silicon_rev", fmt::format("0x{:02X}", id.silicon_rev)},
                {"sdk_version", fmt::format("{}.{}.{}", id.sdk_major, id.sdk_minor, id.sdk_build)}});
    out.say(fmt::format("Device on {}", transport->description()));
    out.say(fmt::format("  silicon ID    0x{:08X}{}", id.silicon_id, id.silicon_id == 0 ? " (not reported)" : ""));
    out.say(fmt::format("  silicon rev   0x{:02X}", id.silicon_rev));
    out.say(fmt::format("  DFU SDK       {}.{} (build {})", id.sdk_major, id.sdk_minor, id.sdk_build));
    return 0;
}

}  // namespace dfu::cli
