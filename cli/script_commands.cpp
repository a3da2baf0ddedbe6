#include "cli/script_commands.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "cli/output_paths.hpp"
#include "cli/result_json.hpp"
#include "cli/transport_choice.hpp"
#include "core/error.hpp"
#include "core/flasher.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "core/job_plan.hpp"
#include "core/plan_document.hpp"
#include "core/script_runner.hpp"
#include "formats/file_bytes.hpp"
#include "formats/input_error.hpp"
#include "formats/intel_hex.hpp"
#include "formats/mtbdfu.hpp"
#include "formats/mtbdfu_writer.hpp"
#include "transports/uart.hpp"

namespace dfu::cli {

namespace {

using nlohmann::json;

std::string count(std::size_t n, const char* noun) {
    return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
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
        for (const std::string& wire : wire_node_values(raw))
            refuse_overwrite("outFile", log, {{wire, "the device node"}});
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
        plan, [wire, &out] { return wire.open([&out](const std::string& line) { out.debug(line); }); }, engine, out.events(), &interrupted);
    auto run_result = [&](const ScriptResult& r, ExitCode code, const std::string& error) {
        CommandResult result("run", {{"sessions_done", r.sessions_done},
                                     {"sessions_total", plan.sessions.size()},
                                     {"packets_sent", r.packets_sent},
                                     {"retries", r.retries},
                                     {"reconnects", r.reconnects}});
        result.file = plan.file;
        result.code = code;
        result.error = error;
        result.cost = RunCost{r.elapsed, r.retries + r.reconnects, r.packets_sent, r.wire};
        return result_json(result);
    };
    try {
        const ScriptResult r = runner.run();
        out.result(run_result(r, ExitCode::ok, ""));
        out.say(fmt::format(
            "Ran {}: {}, {} bytes of data file rows, in {:.2f} s{}.", count(r.sessions_done, "session"),
            count(r.packets_sent, "packet"), plan.data_file_bytes(), r.elapsed.count(),
            r.retries || r.reconnects ? fmt::format(" ({} retries, {} reconnects)", r.retries, r.reconnects) : ""));
        return 0;
    } catch (const Error& e) {
        out.result(run_result(runner.result(), e.code(), e.what()));
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

    // The document is the plan `program` (or verify, erase) sends, written out; each command
    // carries --retries as retriesCount, so `run` recovers as `program` does.
    DocumentOptions d;
    d.data_file = ref;
    d.row_size = job.row_size;
    d.app_id = job.app_id;
    d.retries = engine.retries;
    const std::string text = formats::write_mtbdfu(document_of_plan(plan_job(job, action, engine.packet_size), d));
    out.open_log();
    if (to_stdout) {
        if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
            throw Error(ExitCode::internal, fmt::format("-o -: writing standard output failed: {}", std::strerror(errno)));
        return 0;
    }
    errno = 0;
    std::ofstream f(out_path, std::ios::out | std::ios::trunc);
    if (!f) throw Error(ExitCode::usage, fmt::format("-o: cannot write {}: {}", out_path.string(), std::strerror(errno)));
    f << text;
    f.close();
    if (!f) throw Error(ExitCode::internal, fmt::format("writing {} failed: {}", out_path.string(), std::strerror(errno)));

    CommandResult result("generate", {{"data_file", ref.generic_string()}, {"rows", job.row_count()}});
    result.file = out_path.string();
    out.result(result_json(result));
    out.say(fmt::format("Wrote {} ({} of {} rows from {}{})", out_path.string(), action_name(action), job.row_count(),
                        ref.generic_string(), job.app ? fmt::format(", app {} checked", job.app_id) : ""));
    return 0;
}

}  // namespace dfu::cli
