// dfuhost: update MCU firmware over a DFU bootloader's command-response protocol.
#include <fmt/format.h>

#include <atomic>
#include <cstdio>
#include <filesystem>

#include "cli/commands.hpp"
#include "cli/inspect.hpp"
#include "cli/list.hpp"
#include "cli/options.hpp"
#include "cli/reporter.hpp"
#include "cli/script_commands.hpp"
#include "core/error.hpp"
#include "formats/input_error.hpp"
#include "platform/interrupt.hpp"
#include "platform/utf8_console.hpp"
#include "transports/transport.hpp"

namespace {

// Ctrl-C is process-wide; the engine only ever reads this between packets.
std::atomic<bool> g_interrupted{false};

constexpr const char* kExitCodes =
    "Exit codes: 0 ok, 1 internal error, 2 usage, 3 input file invalid, 4 transport cannot open,\n"
    "5 no response / timeout, 6 device reported an error status, 7 verify failed,\n"
    "8 device identity mismatch, 130 interrupted.";

}  // namespace

int main(int argc, char** argv) {
    using namespace dfu;
    using namespace dfu::cli;

    platform::use_utf8_console();
    CLI::App app{"dfuhost " DFUHOST_VERSION
                 ": update MCU firmware through a DFU bootloader (Infineon DFU protocol)\n"
                 "over UART. Inputs: Intel .hex, .bin (with --base), .cyacd2, .mtbdfu sessions.",
                 "dfuhost"};
    // CLI11 takes /x as an option on Windows by default; dfuhost's options are the same
    // everywhere, and an argument such as /dev/i2c-1 or a POSIX path under wine is a value.
    // Subcommands inherit this setting when they are added.
    app.allow_windows_style_options(false);
    app.set_version_flag("--version", "dfuhost " DFUHOST_VERSION);
    app.footer(kExitCodes);
    app.require_subcommand(1, 1);

    RawOptions raw;

    struct FlashCommand {
        const char* name;
        const char* help;
        Action action;
    };
    const FlashCommand flash_commands[] = {
        {"program", "Write FILE into the device, then check the application", Action::program},
        {"verify", "Compare the device's flash with FILE", Action::verify},
        {"erase", "Erase the rows FILE covers", Action::erase},
    };
    std::vector<std::pair<CLI::App*, Action>> flash_apps;
    for (const auto& c : flash_commands) {
        CLI::App* sub = app.add_subcommand(c.name, c.help);
        sub->add_option("FILE", raw.file, ".hex, .bin or .cyacd2")->required();
        add_transport_options(*sub, raw);
        add_image_options(*sub, raw);
        add_session_options(*sub, raw);
        if (c.action != Action::erase)
            sub->add_flag("--send-data-no-response", raw.send_without_response,
                          "Send row chunks as Send Data Without Response (0x47), keeping the line's quiet gap "
                          "after each; slower on UART, see README")
                ->group("Session");
        add_output_options(*sub, raw);
        flash_apps.emplace_back(sub, c.action);
    }
    CLI::App* info =
        app.add_subcommand("info", "Enter DFU, print the device's silicon ID, revision and SDK version, Exit");
    add_transport_options(*info, raw);
    info->add_option("--product-id", raw.product_id, "Product ID in hex (default 0)")->group("Image")->type_name("HEX");
    info->add_option("--checksum", raw.checksum, "Packet checksum: sum or crc16 (default sum)")
        ->group("Image")
        ->check(CLI::IsMember({"sum", "crc16"}));
    add_session_options(*info, raw);
    add_output_options(*info, raw);

    CLI::App* run = app.add_subcommand("run", "Run the DFU sessions of a .mtbdfu file");
    run->add_option("FILE", raw.file, ".mtbdfu session file")->required();
    add_transport_options(*run, raw);
    run->add_option("--row-size", raw.row_size, "Row size where the file gives no flashRowLength")
        ->group("Image")
        ->type_name("N");
    add_session_options(*run, raw);
    add_output_options(*run, raw);

    CLI::App* generate = app.add_subcommand("generate", "Write a .mtbdfu that programs, verifies or erases an image");
    generate->add_option("FILE", raw.file, ".hex or .bin image")->required();
    generate->add_option("-o,--output", raw.output_file, "The .mtbdfu to write")->required()->type_name("OUT");
    generate->add_option("--action", raw.action, "What the sessions do")
        ->capture_default_str()
        ->check(CLI::IsMember({"program", "verify", "erase"}));
    add_image_options(*generate, raw);
    generate
        ->add_option("--packet-size", raw.packet_size, "Largest packet, frame included: sets the command set's packing")
        ->group("Session")
        ->type_name("N")
        ->capture_default_str();
    add_output_options(*generate, raw);

    CLI::App* inspect =
        app.add_subcommand("inspect", "Show what a .hex, .bin, .cyacd2 or .mtbdfu holds and would send; no device");
    inspect->add_option("FILE", raw.file, "The file to look at")->required();
    add_image_options(*inspect, raw);
    inspect->add_option("--packet-size", raw.packet_size, "Largest packet, frame included, for the plan")
        ->group("Session")
        ->type_name("N")
        ->capture_default_str();
    add_output_options(*inspect, raw);

    CLI::App* list = app.add_subcommand(
        "list",
        "List serial ports, USB bridges (KitProg3, MCP2221A, CP2112, MCP2210), HID DFU devices, I2C and SPI nodes");
    add_output_options(*list, raw);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "dfuhost: error: %s\nRun 'dfuhost --help' for usage.\n", e.what());
        return static_cast<int>(ExitCode::usage);
    }

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
            out->result(
                {{"event", "result"}, {"ok", false}, {"exit_code", static_cast<int>(code)}, {"error", message}});
            out->error(message);
        } else {
            std::fprintf(stderr, "dfuhost: error: %s\n", message.c_str());
        }
        return static_cast<int>(code);
    };
    try {
        out = std::make_unique<Reporter>(raw.output);
        if (!raw.file.empty()) out->protect(raw.file, "the input file");
        for (const std::string* wire : {&raw.uart, &raw.i2c, &raw.spi}) {
            std::error_code ec;
            if (!wire->empty() && std::filesystem::is_character_file(*wire, ec))
                out->protect(*wire, "the device node");
        }
        // A .mtbdfu run and generate know further files only once they have read their input.
        if (!run->parsed() && !generate->parsed()) out->open_log();
        for (const auto& [sub, action] : flash_apps)
            if (sub->parsed()) return run_flash(action, raw, *out, g_interrupted);
        if (info->parsed()) return run_info(raw, *out, g_interrupted);
        if (run->parsed()) return run_mtbdfu(raw, *out, g_interrupted);
        if (generate->parsed()) return run_generate(raw, *out);
        if (inspect->parsed()) return run_inspect(raw, *out);
        if (list->parsed()) return run_list(raw, *out);
        return fail(ExitCode::usage, "no command given");
    } catch (const formats::InputError& e) {
        return fail(ExitCode::input_invalid, e.what());
    } catch (const transports::OpenError& e) {
        return fail(ExitCode::transport_open, e.what());
    } catch (const transports::IoError& e) {
        return fail(ExitCode::no_response, e.what());
    } catch (const Error& e) {
        return fail(e.code(), e.what());
    } catch (const std::exception& e) {
        return fail(ExitCode::internal, fmt::format("internal error: {}", e.what()));
    }
}
