// dfuhost: update MCU firmware over a DFU bootloader's command-response protocol.
#include <atomic>
#include <cstdio>
#include <filesystem>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/inspect.hpp"
#include "cli/list.hpp"
#include "cli/reporter.hpp"
#include "cli/run_failure.hpp"
#include "cli/script_commands.hpp"
#include "cli/send_command.hpp"
#include "cli/usage.hpp"
#include "core/error.hpp"
#include "platform/interrupt.hpp"
#include "platform/utf8_console.hpp"

namespace {

// Ctrl-C is process-wide; the engine only ever reads this between packets.
std::atomic<bool> g_interrupted{false};

}  // namespace

int main(int argc, char** argv) {
    using namespace dfu;
    using namespace dfu::cli;

    platform::use_utf8_console();
    CommandLine command_line;
    if (const auto done = command_line.parse(argc, argv)) return *done;
    const RawOptions& raw = command_line.options();
    const std::string& command = command_line.command();

    platform::install_interrupt_handlers(g_interrupted);
    std::unique_ptr<Reporter> out;
    // Every failure ends the same way: one result event (unless the command sent a
    // richer one), one error line, the exit code of the phase that failed.
    auto fail = [&](ExitCode code, const std::string& message) {
        if (out) {
            try {
                out->open_log();  // when the run failed before it opened the log itself
            } catch (const Error&) {
            }
            out->result(failure_result({raw.output.json, command, raw.file}, code, message));
            out->error(message);
        } else {
            std::fprintf(stderr, "dfuhost: error: %s\n", message.c_str());
        }
        return static_cast<int>(code);
    };
    try {
        OutputOptions output = raw.output;
        output.command_line.assign(argv, argv + argc);
        out = std::make_unique<Reporter>(output);
        if (!raw.file.empty()) out->protect(raw.file, "the input file");
        for (const auto* wires : {&raw.uart, &raw.i2c, &raw.spi})
            for (const std::string& wire : *wires) {
                std::error_code ec;
                if (std::filesystem::is_character_file(wire, ec)) out->protect(wire, "the device node");
            }
        // A .mtbdfu run and generate know further files only once they have read their input.
        if (command != "run" && command != "generate") out->open_log();
        if (command == "program") return run_flash(Action::program, raw, *out, g_interrupted);
        if (command == "verify") return run_flash(Action::verify, raw, *out, g_interrupted);
        if (command == "erase") return run_flash(Action::erase, raw, *out, g_interrupted);
        if (command == "info") return run_info(raw, *out, g_interrupted);
        if (command == "send") return run_send(raw, *out, g_interrupted);
        if (command == "run") return run_mtbdfu(raw, *out, g_interrupted);
        if (command == "generate") return run_generate(raw, *out);
        if (command == "inspect") return run_inspect(raw, *out);
        if (command == "list") return run_list(raw, *out);
        return fail(ExitCode::usage, "no command given");
    } catch (...) {
        const Failure f = failure_of(std::current_exception());
        return fail(f.code, f.message);
    }
}
