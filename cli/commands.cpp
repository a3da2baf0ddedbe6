#include "cli/commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "cli/device_run.hpp"
#include "cli/results_table.hpp"
#include "cli/run_failure.hpp"
#include "cli/run_report.hpp"
#include "cli/transport_choice.hpp"
#include "core/device_query.hpp"
#include "core/error.hpp"
#include "core/protocol.hpp"
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

// The job of program, verify or erase: FILE's rows, or for erase those of --range.
FirmwareJob flash_job(Action action, const RawOptions& raw) {
    const std::optional<AddressRange> range = erase_range_option(raw);
    if (action == Action::erase && !raw.file.empty() && range)
        throw Error(ExitCode::usage, "erase takes FILE or --range ADDR:LEN, not both");
    if (action == Action::erase && raw.file.empty() && !range)
        throw Error(ExitCode::usage, "erase needs FILE (erases the rows it covers) or --range ADDR:LEN");
    if (range) return erase_range_job(*range, image_options(raw));
    return load_firmware_job(raw.file, image_options(raw));
}

}  // namespace

int run_flash(Action action, const RawOptions& raw, Reporter& out, const std::atomic<bool>& interrupted) {
    // Everything about the input, the devices named and the report is checked before a port is opened.
    FlashRequest request;
    request.action = action;
    request.raw = &raw;
    request.engine = engine_options(raw);
    request.wait = std::chrono::seconds(raw.wait_s);
    request.interrupted = &interrupted;
    const std::vector<TransportChoice> wires = transport_choices(raw);
    if (!raw.report_file.empty()) {
        report_format(raw.report_file);
        out.refuse_overwrite_by("--report", raw.report_file);
    }
    choose_packet_size(request.engine, wires.front());  // one kind of wire per run
    const FirmwareJob job = flash_job(action, raw);
    request.job = &job;
    if (!raw.report_file.empty()) check_report_writable(raw.report_file);
    for (const auto& w : job.warnings) out.warning(w);

    ReportRun run{DFUHOST_VERSION, out.command_line(), std::chrono::system_clock::now(), action_name(action),
                  job.source};
    const auto began = std::chrono::steady_clock::now();
    json start{{"action", action_name(action)},
               {"file", job.source},
               {"format", job.format},
               {"rows", job.row_count()},
               {"bytes", job.payload_bytes()},
               {"row_size", job.row_size},
               {"packet_size", request.engine.packet_size_auto ? whole_row_packet_size(job.row_size)
                                                               : request.engine.packet_size},
               {"packet_size_auto", request.engine.packet_size_auto},
               {"product_id", hex32(job.product_id)},
               {"checksum", job.checksum == ChecksumType::crc16 ? "crc16" : "sum"}};
    if (job.app)
        start["app"] = {{"id", job.app_id},
                        {"start", hex32(job.app->start)},
                        {"length", job.app->length},
                        {"origin", job.app_origin}};
    std::vector<std::string> labels;
    for (const auto& w : wires) labels.push_back(w.label());
    const std::vector<DeviceChannel*> channels = out.open_devices(labels);
    for (std::size_t i = 0; i < wires.size(); ++i) {
        start["transport"] = labels[i];
        channels[i]->start(start);
    }
    for (std::size_t i = 0; i < wires.size(); ++i)
        for (const auto& w : wires[i].warnings()) channels[i]->warning(w);
    const char* doing = action == Action::program ? "Programming" : action == Action::verify ? "Verifying" : "Erasing";

    std::vector<DeviceOutcome> outcomes(wires.size());
    if (wires.size() == 1) {
        outcomes[0] = flash_device(
            request, wires[0], *channels[0], [&](const transports::Transport& t, const EngineOptions& engine) {
                out.say(fmt::format("{} {} ({}, {} rows of {} bytes) over {}, {}", doing, job.source, job.format,
                                    job.row_count(), job.row_size, t.description(),
                                    engine.packet_size_auto
                                        ? fmt::format("{}-byte packets (whole rows; {} if the device refuses them)",
                                                      whole_row_packet_size(job.row_size), engine.packet_size)
                                        : fmt::format("{}-byte packets", engine.packet_size)));
            });
    } else {
        out.say(fmt::format("{} {} ({}, {} rows of {} bytes) on {} devices at once", doing, job.source, job.format,
                            job.row_count(), job.row_size, wires.size()));
        // One thread per device, each with the engine of a single run: a slow, failing or
        // vanished board holds up nobody else, and every one of them ends with an outcome.
        std::vector<std::jthread> threads;
        for (std::size_t i = 0; i < wires.size(); ++i)
            threads.emplace_back([&, i] {
                outcomes[i] = flash_device(request, wires[i], *channels[i]);
                channels[i]->result(outcomes[i].tagged_result());
                channels[i]->finished(outcomes[i].ok() ? "done"
                                                       : fmt::format("failed (exit {}): {}",
                                                                     static_cast<int>(outcomes[i].code),
                                                                     outcomes[i].error));
            });
    }
    out.end_progress();

    std::vector<ExitCode> codes;
    for (const auto& o : outcomes) codes.push_back(o.code);
    run.exit_code = worst_exit(codes);
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    const std::size_t failed = static_cast<std::size_t>(std::count_if(
        outcomes.begin(), outcomes.end(), [](const DeviceOutcome& o) { return !o.ok(); }));
    std::string error;
    if (wires.size() == 1) {
        out.result(outcomes[0].result);
        error = outcomes[0].error;
        if (outcomes[0].ok()) out.say(summary(outcomes[0].run, job));
    } else {
        json devices = json::array();
        RunCost cost;
        for (const auto& o : outcomes) {
            devices.push_back(o.tagged_result());
            cost += run_cost(o.run);
        }
        cost.elapsed = std::chrono::duration<double>(run.seconds);
        if (failed > 0) {
            error = fmt::format("{} of {} devices failed", failed, wires.size());
            for (const auto& o : outcomes)
                if (!o.ok()) error += fmt::format("; {}: {}", o.device, o.error);
        }
        CommandResult all(action_name(action),
                          {{"devices_total", wires.size()}, {"devices_ok", wires.size() - failed}, {"devices", devices}});
        all.file = job.source;
        all.code = run.exit_code;
        if (failed > 0) all.error = error;
        all.cost = cost;
        out.result(result_json(all));
        out.say(results_table(outcomes));
    }
    if (!raw.report_file.empty()) write_report(raw.report_file, run, outcomes);
    if (run.exit_code != ExitCode::ok) throw Error(run.exit_code, error);
    return 0;
}

int run_info(const RawOptions& raw, Reporter& out, const std::atomic<bool>& interrupted) {
    const EngineOptions engine = engine_options(raw);
    const std::uint32_t product_id = product_id_option(raw);
    const TransportChoice wire = transport_choice(raw, "info");
    for (const auto& w : wire.warnings()) out.warning(w);
    auto transport = wire.open([&out](const std::string& line) { out.debug(line); });
    const DeviceReport report = [&] {
        try {
            return read_device_report(*transport, checksum_option(raw), product_id, raw.info_apps, engine, out.events(),
                                      &interrupted);
        } catch (const Error& e) {
            // program and verify take the product ID from their file; info has none to take it from.
            if (e.code() != ExitCode::identity_mismatch || !raw.product_id.empty()) throw;
            throw Error(e.code(), fmt::format("the device refused product ID 0 (no --product-id given): info has no "
                                              "file to take it from, so give --product-id HEX (as in the .cyacd2 "
                                              "header or the .mtbdfu \"Product Id\")"));
        }
    }();
    const DeviceIdentity& id = report.identity;
    json apps = json::array();
    for (const AppStatus& a : report.apps) {
        json j{{"app", a.app}};
        if (a.start) j["start"] = hex32(*a.start);
        if (a.length) j["length"] = *a.length;
        if (a.valid) j["valid"] = *a.valid;
        apps.push_back(j);
    }
    json findings{{"silicon_id", hex32(id.silicon_id)},
                  {"silicon_rev", fmt::format("0x{:02X}", id.silicon_rev)},
                  {"sdk_version", fmt::format("{}.{}.{}", id.sdk_major, id.sdk_minor, id.sdk_build)},
                  {"apps", apps}};
    std::string refusal;
    if (report.refused_status) {
        const bool bad_row = report.refused_command == cmd::get_metadata && *report.refused_status == status::verify;
        refusal =
            fmt::format("{} answered {}: {}", command_name(report.refused_command), status_name(*report.refused_status),
                        bad_row ? "the metadata row fails its own CRC-32C, so it records no application (as on "
                                  "a device never programmed)"
                                : std::string(status_meaning(*report.refused_status)));
        findings["refused"] = refusal;
    }
    out.result(result_json(CommandResult("info", std::move(findings))));
    out.say(fmt::format("Device on {}", transport->description()));
    out.say(fmt::format("  silicon ID    0x{:08X}{}", id.silicon_id, id.silicon_id == 0 ? " (not reported)" : ""));
    out.say(fmt::format("  silicon rev   0x{:02X}", id.silicon_rev));
    out.say(fmt::format("  DFU SDK       {}.{} (build {})", id.sdk_major, id.sdk_minor, id.sdk_build));
    for (const AppStatus& a : report.apps) {
        const std::string entry = a.start && a.length ? fmt::format("0x{:08X}, {} bytes", *a.start, *a.length)
                                                      : std::string("metadata not read");
        const char* valid = !a.valid ? "validity not asked" : *a.valid ? "valid" : "not valid";
        out.say(fmt::format("  app {:<9} {}; {}", a.app, entry, valid));
    }
    if (!refusal.empty()) out.say(fmt::format("  note          {}", refusal));
    return 0;
}

}  // namespace dfu::cli
