#include "cli/script_commands.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "cli/output_paths.hpp"
#include "cli/transport_choice.hpp"
#include "core/error.hpp"
#include "core/flasher.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "core/row_packing.hpp"
#include "core/script_runner.hpp"
#include "formats/file_bytes.hpp"
#include "formats/input_error.hpp"
#include "formats/intel_hex.hpp"
#include "formats/mtbdfu.hpp"
#include "transports/uart.hpp"

namespace dfu::cli {

namespace {

using nlohmann::json;

std::string hex(std::uint64_t v) {
    return fmt::format("0x{:X}", v);
}

std::string count(std::size_t n, const char* noun) {
    return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

// The command set that moves one row, packed as `program` packs it.
json row_command_set(std::uint32_t row_size, std::size_t packet_size, std::uint8_t final_command) {
    json set = json::array();
    if (final_command == cmd::erase_data) {
        set.push_back({{"cmdId", hex(cmd::erase_data)}, {"dataLength", "0x4"}});
        return set;
    }
    const RowPacking packing = pack_row(row_size, packet_size);
    for (std::size_t i = 0; i < packing.send_data.size();) {
        std::size_t j = i;
        while (j < packing.send_data.size() && packing.send_data[j] == packing.send_data[i]) ++j;
        json c{{"cmdId", hex(cmd::send_data)}, {"dataLength", hex(packing.send_data[i])}};
        if (j - i > 1) c["repeat"] = hex(j - i);
        set.push_back(c);
        i = j;
    }
    set.push_back({{"cmdId", hex(final_command)}, {"dataLength", hex(8 + packing.tail)}});
    return set;
}

}  // namespace

int run_mtbdfu(const RawOptions& raw, Reporter& out, const std::atomic<bool>& interrupted) {
    if (input_format_of_extension(raw.file))
        throw Error(ExitCode::usage, fmt::format("run takes a .mtbdfu session file; use `dfuhost program {}` for a {}",
                                                 raw.file, lower_extension(raw.file)));
    const EngineOptions engine = engine_options(raw);
    const TransportChoice wire = transport_choice(raw, "run");
    const formats::Mtbdfu doc = formats::load_mtbdfu(raw.file);
    ScriptOptions so;
    so.default_timeout = std::chrono::duration_cast<std::chrono::microseconds>(engine.timeout);
    so.row_size = image_options(raw).row_size;
    so.enter_retries = engine.retries;
    const ScriptPlan plan = plan_script(doc, so);
    for (const auto& data : formats::data_files(doc)) out.protect(data, "a data file of the session");
    for (const auto& log : plan.logs) {
        out.protect(log, "an outFile of the session");
        for (const auto* wires : {&raw.uart, &raw.i2c, &raw.spi})
            for (const std::string& wire : *wires) refuse_overwrite("outFile", log, {{wire, "the device node"}});
    }
    out.open_log();

    out.start({{"action", "run"},
               {"file", plan.file},
               {"transport", wire.label()},
               {"sessions", plan.sessions.size()},
               {"packets", plan.packet_count()},
               {"bytes_to_device", plan.bytes_to_device()},
               {"product_id", fmt::format("0x{:08X}", plan.product_id)},
               {"checksum", plan.checksum == ChecksumType::crc16 ? "crc16" : "sum"}});
    out.say(fmt::format("Running {} ({}, {}) over {}", plan.file, count(plan.sessions.size(), "session"),
                        count(plan.packet_count(), "packet"), wire.label()));
    for (const auto& w : wire.warnings()) out.warning(w);
    ScriptRunner runner(
        plan, [wire, &out] { return wire.open([&out](const std::string& line) { out.debug(line); }); }, engine, out, &interrupted);
    auto result_json = [&](const ScriptResult& r, int code, const std::string& error) {
        json j{{"ok", code == 0},
               {"exit_code", code},
               {"action", "run"},
               {"file", plan.file},
               {"sessions_done", r.sessions_done},
               {"sessions_total", plan.sessions.size()},
               {"packets_sent", r.packets_sent},
               {"retries", r.retries},
               {"reconnects", r.reconnects},
               {"recoveries", r.retries + r.reconnects},
               {"elapsed_s", r.elapsed.count()},
               {"wire", {{"bytes_sent", r.wire.bytes_sent}, {"bytes_received", r.wire.bytes_received}}}};
        if (!error.empty()) j["error"] = error;
        return j;
    };
    try {
        const ScriptResult r = runner.run();
        out.result(result_json(r, 0, ""));
        out.say(fmt::format(
            "Ran {}: {}, {} bytes of data file rows, in {:.2f} s{}.", count(r.sessions_done, "session"),
            count(r.packets_sent, "packet"), plan.data_file_bytes(), r.elapsed.count(),
            r.retries || r.reconnects ? fmt::format(" ({} retries, {} reconnects)", r.retries, r.reconnects) : ""));
        return 0;
    } catch (const Error& e) {
        out.result(result_json(runner.result(), static_cast<int>(e.code()), e.what()));
        throw;
    }
}

int run_generate(const RawOptions& raw, Reporter& out) {
    const std::filesystem::path input = raw.file;
    const std::string ext = lower_extension(input);
    const ImageOptions io = image_options(raw);
    if (ext == ".mtbdfu")
        throw Error(ExitCode::usage, "generate takes a .hex, .bin, .elf or .srec image, not a .mtbdfu");
    const InputFormat format = resolve_input_format(input, io.format);
    if (format == InputFormat::cyacd2)
        throw Error(ExitCode::usage, "generate takes a .hex, .bin, .elf or .srec image, not a .cyacd2");
    // A .mtbdfu's dataFile is an Intel HEX file (a .bin would be read at address 0): any other
    // input, and a .hex that comes on standard input, is written as a companion .hex beside it.
    const bool companion = format != InputFormat::intel_hex || formats::is_standard_input(input);
    if (io.fill != 0)
        throw Error(ExitCode::usage, "--fill: a .mtbdfu cannot say how to fill gaps; its rows are padded with 0x00");
    const EngineOptions engine = engine_options(raw);
    const FirmwareJob job = load_firmware_job(input, io);
    const Action action = raw.action == "verify"  ? Action::verify
                          : raw.action == "erase" ? Action::erase
                                                  : Action::program;

    // -o - writes the document to standard output; its dataFile is then the input's absolute
    // path, since where the document will be kept is not known.
    const bool to_stdout = raw.output_file == "-";
    if (to_stdout && out.json())
        throw Error(ExitCode::usage, "-o -: the .mtbdfu and the --json events would both go to standard output; "
                                     "drop one");
    if (to_stdout && companion)
        throw Error(ExitCode::usage,
                    fmt::format("-o -: a .mtbdfu for {} needs the image as a .hex file written next to it, and "
                                "standard output has no folder: give -o FILE.mtbdfu (FILE.hex is written beside it)",
                                formats::is_standard_input(input) ? std::string("standard input")
                                                                  : fmt::format("a {} file", job.format)));
    const std::filesystem::path out_path = raw.output_file;
    const std::filesystem::path out_dir =
        to_stdout ? std::filesystem::current_path() : std::filesystem::absolute(out_path).parent_path();
    std::filesystem::path data_file = std::filesystem::absolute(input);
    if (!to_stdout) {
        refuse_overwrite("-o", out_path, {{input, "the input image"}});
        out.protect(out_path, "the -o output");
    }
    if (companion) {
        data_file = out_dir / (out_path.stem().string() + ".hex");
        if (std::filesystem::absolute(out_path).lexically_normal() == data_file.lexically_normal())
            throw Error(ExitCode::usage,
                        fmt::format("-o {}: the .mtbdfu and the Intel HEX it needs for the image's data would be the "
                                    "same file: name the output OUT.mtbdfu",
                                    out_path.string()));
        out.protect(data_file, "the companion .hex of the -o output");
        // Never overwrite a file of the user's: this name is ours only if it is not taken.
        if (std::filesystem::exists(data_file))
            throw Error(ExitCode::usage,
                        fmt::format("-o {}: the .mtbdfu needs its image as {}, which already exists; remove it or "
                                    "choose another -o name",
                                    out_path.string(), data_file.string()));
        out.open_log();
        formats::SparseImage image;
        for (const Step& s : job.steps)
            if (const auto* r = std::get_if<RowStep>(&s)) image.add(r->address, r->data);
        errno = 0;
        std::ofstream hex(data_file, std::ios::out | std::ios::trunc);
        hex << formats::write_intel_hex(image);
        hex.close();
        if (!hex)
            throw Error(ExitCode::usage, fmt::format("-o: cannot write the companion {}: {}", data_file.string(),
                                                     std::strerror(errno)));
    }
    std::error_code ec;
    std::filesystem::path ref = to_stdout ? data_file : std::filesystem::relative(data_file, out_dir, ec);
    if (ec || ref.empty()) ref = data_file;

    json app_info{{"File Version", "0x1"},
                  {"Product Id", fmt::format("{:08X}", job.product_id)},
                  {"Packet Checksum Type", hex(static_cast<unsigned>(job.checksum))},
                  {"Application Id", hex(job.app_id)},
                  {"flashRowLength", hex(job.row_size)}};
    json commands = json::array();
    if (action == Action::program && job.app) {
        std::vector<std::uint8_t> md{job.app_id};
        append_le32(md, job.app->start);
        append_le32(md, job.app->length);
        commands.push_back({{"comment", fmt::format("Set Application Metadata: app {}, 0x{:08X}, {} bytes ({})",
                                                    job.app_id, job.app->start, job.app->length, job.app_origin)},
                            {"cmdId", hex(cmd::set_app_metadata)},
                            {"dataLength", "0x9"},
                            {"data", hex_bytes(md)}});
    }
    const std::uint8_t final_command = action == Action::program  ? cmd::program_data
                                       : action == Action::verify ? cmd::verify_data
                                                                  : cmd::erase_data;
    commands.push_back({{"comment", fmt::format("{} rows of {} bytes, {}-byte packets", job.row_count(), job.row_size,
                                                engine.packet_size)},
                        {"dataFile", ref.generic_string()},
                        {"flashRowLength", hex(job.row_size)},
                        {"repeat", "EoF"},
                        {"commandSet", row_command_set(job.row_size, engine.packet_size, final_command)}});
    if (action != Action::erase && job.app) {
        const std::uint8_t app[1] = {job.app_id};
        commands.push_back({{"comment", "Verify Application"},
                            {"cmdId", hex(cmd::verify_app)},
                            {"dataLength", "0x1"},
                            {"data", hex_bytes(app)}});
    }
    const json doc{{"APPInfo", app_info}, {"commands", commands}};
    out.open_log();
    if (to_stdout) {
        const std::string text = doc.dump(2) + '\n';
        if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
            throw Error(ExitCode::internal, fmt::format("-o -: writing standard output failed: {}", std::strerror(errno)));
        return 0;
    }
    errno = 0;
    std::ofstream f(out_path, std::ios::out | std::ios::trunc);
    if (!f) throw Error(ExitCode::usage, fmt::format("-o: cannot write {}: {}", out_path.string(), std::strerror(errno)));
    f << doc.dump(2) << '\n';
    f.close();
    if (!f) throw Error(ExitCode::internal, fmt::format("writing {} failed: {}", out_path.string(), std::strerror(errno)));

    out.result({{"ok", true},
                {"exit_code", 0},
                {"action", "generate"},
                {"file", out_path.string()},
                {"data_file", ref.generic_string()},
                {"rows", job.row_count()}});
    out.say(fmt::format("Wrote {} ({} of {} rows from {}{})", out_path.string(), action_name(action), job.row_count(),
                        ref.generic_string(), job.app ? fmt::format(", app {} checked", job.app_id) : ""));
    return 0;
}

}  // namespace dfu::cli
