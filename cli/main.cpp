// dfuhost: update MCU firmware over a DFU bootloader's command-response protocol.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/args_file.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/dfuh_cli.hpp"
#include "cli/inspect.hpp"
#include "cli/list.hpp"
#include "cli/reporter.hpp"
#include "cli/run_failure.hpp"
#include "cli/script_commands.hpp"
#include "cli/send_command.hpp"
#include "cli/usage.hpp"
#include "cli/wire_kind.hpp"
#include "core/error.hpp"
#include "platform/interrupt.hpp"
#include "platform/utf8_console.hpp"

namespace {

// Ctrl-C is process-wide; the engine only ever reads this between packets.
std::atomic<bool> g_interrupted{false};

// The words the parser sees: @FILE expanded, and under the name dfuh-cli its command line
// translated into dfuhost's. Returns the exit code when the process ends here.
std::optional<int> prepare_args(std::vector<std::string>& args) {
    using namespace dfu::cli;
    const bool as_dfuh_cli = dfuh::invoked_as_dfuh_cli(args.front());
    const std::vector<std::string> given(args.begin() + 1, args.end());
    try {
        std::vector<std::string> words = expand_args_files(given);
        if (as_dfuh_cli) {
            if (std::find_if(words.begin(), words.end(), [](const auto& w) { return w == "-h" || w == "--help"; }) !=
                words.end()) {
                std::fputs(dfuh::help_text().c_str(), stdout);
                return 0;
            }
            words = dfuh::to_dfuhost_args(words);
        }
        args.resize(1);
        args.insert(args.end(), words.begin(), words.end());
        return std::nullopt;
    } catch (const dfu::Error& e) {
        if (as_dfuh_cli) {
            std::fprintf(stderr, "dfuh-cli: error: %s\nRun 'dfuh-cli --help' for its options.\n", e.what());
            return static_cast<int>(dfu::ExitCode::usage);
        }
        UsageContext context;
        context.json = std::find(given.begin(), given.end(), "--json") != given.end();
        return report_usage_error(context, e.what());
    }
}

}  // namespace

int main(int argc, char** argv) {
    using namespace dfu;
    using namespace dfu::cli;

    platform::use_utf8_console();
    std::vector<std::string> args(argv, argv + argc);
    if (args.empty()) args.emplace_back("dfuhost");
    if (const auto done = prepare_args(args)) return *done;
    std::vector<char*> words;
    for (std::string& a : args) words.push_back(a.data());
    CommandLine command_line;
    if (const auto done = command_line.parse(static_cast<int>(words.size()), words.data())) return *done;
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
        for (const std::string& wire : wire_node_values(raw)) {
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
