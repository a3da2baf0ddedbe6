#include "cli/command_line.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "cli/completion.hpp"
#include "cli/env_defaults.hpp"
#include "cli/usage.hpp"
#include "cli/wire_kind.hpp"
#include "core/error.hpp"
#include "core/protocol.hpp"

namespace dfu::cli {

namespace {

constexpr const char* kExitCodes =
    "Options of the Output group are accepted before the command too (dfuhost --json program ...).\n"
    "@FILE anywhere is replaced by the words of FILE. DFUHOST_PORT, DFUHOST_BAUD and DFUHOST_PRODUCT_ID\n"
    "stand for --uart, --baud and --product-id when those are not given. Run as dfuh-cli, dfuhost takes\n"
    "Infineon dfuh-cli's options (dfuh-cli --help).\n"
    "Exit codes: 0 ok, 1 internal error, 2 usage, 3 input file invalid, 4 transport cannot open,\n"
    "5 no response / timeout, 6 device reported an error status, 7 verify failed,\n"
    "8 device identity mismatch, 130 interrupted.";

Error usage(const std::string& message) {
    return Error(ExitCode::usage, message);
}

bool is_option_word(const std::string& word) {
    return word.size() > 1 && word[0] == '-';
}

bool takes_value(const CLI::Option& o) {
    return o.get_type_size_max() > 0 && o.get_expected_max() > 0;
}

// Every spelling of the named options of `app`: "--baud", "-q", "--quiet", ...
std::vector<std::string> option_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::Option* o : app.get_options()) {
        for (const auto& l : o->get_lnames()) names.push_back("--" + l);
        for (const auto& s : o->get_snames()) names.push_back("-" + s);
    }
    return names;
}

// One option word split into its name and, for --name=value and -oVALUE, its attached value.
struct OptionWord {
    std::string name;
    std::optional<std::string> value;
};

OptionWord split_option(const std::string& word) {
    if (word.starts_with("--")) {
        const auto eq = word.find('=');
        if (eq == std::string::npos) return {word, std::nullopt};
        return {word.substr(0, eq), word.substr(eq + 1)};
    }
    if (word.size() > 2) return {word.substr(0, 2), word.substr(2)};
    return {word, std::nullopt};
}

// The wire kinds' selectors (--uart, --i2c, --spi, --usb-hid): given once per device.
bool is_wire_option(const CLI::Option& o) {
    for (const WireKind& w : wire_kinds())
        if (o.check_name(w.option)) return true;
    return false;
}

}  // namespace

struct CommandLine::Context {
    UsageContext usage;
};

CommandLine::CommandLine()
    : app_("dfuhost " DFUHOST_VERSION
           ": update MCU firmware through a DFU bootloader (Infineon DFU protocol)\n"
           "over UART, I2C, SPI or USB-HID. Inputs: Intel .hex, .bin (with --base), .cyacd2, ELF, S-records\n"
           "(- for standard input, with --format), .mtbdfu sessions.",
           "dfuhost") {
    // CLI11 takes /x as an option on Windows by default; dfuhost's options are the same
    // everywhere, and an argument such as /dev/i2c-1 or a POSIX path under wine is a value.
    // Subcommands inherit this setting when they are added.
    app_.allow_windows_style_options(false);
    app_.set_version_flag("-V,--version", "dfuhost " DFUHOST_VERSION);
    app_.footer(kExitCodes);
    app_.require_subcommand(1, 1);
    add_output_options(app_, raw_);

    struct FlashCommand {
        const char* name;
        const char* help;
        bool erase;
    };
    const FlashCommand flash_commands[] = {
        {"program", "Write FILE into the device, then check the application", false},
        {"verify", "Compare the device's flash with FILE", false},
        {"erase", "Erase the rows FILE covers, or those of --range", true},
    };
    for (const auto& c : flash_commands) {
        CLI::App* sub = app_.add_subcommand(c.name, c.help);
        CLI::Option* file =
            sub->add_option("FILE", raw_.file, ".hex, .bin, .cyacd2, .elf or .srec; - reads standard input");
        if (!c.erase) file->required();  // erase takes FILE or --range
        add_transport_options(*sub, raw_);
        add_image_options(*sub, raw_);
        add_session_options(*sub, raw_);
        if (!c.erase)
            sub->add_flag("--send-data-no-response", raw_.send_without_response,
                          "Send row chunks as Send Data Without Response (0x47), keeping the line's quiet gap "
                          "after each; slower on UART, see README")
                ->group("Session");
        add_station_options(*sub, raw_);
        add_reset_options(*sub, raw_);
        add_output_options(*sub, raw_);
        commands_.push_back(sub);
    }
    // erase --range ADDR:LEN: rows by address instead of a file's rows.
    find_command("erase")
        ->add_option("--range", raw_.erase_range,
                     "Erase the rows of ADDR..ADDR+LEN instead of FILE's (whole rows of --row-size, default 512)")
        ->group("Image")
        ->type_name("ADDR:LEN");

    // info and send have no file to take the product ID and checksum type from.
    const auto add_identity_options = [this](CLI::App& cmd) {
        cmd.add_option("--product-id", raw_.product_id, "Product ID in hex (default 0)")
            ->group("Image")
            ->type_name("HEX");
        cmd.add_option("--checksum", raw_.checksum, "Packet checksum: sum or crc16 (default sum)")
            ->group("Image")
            ->check(one_of({"sum", "crc16"}));
    };
    CLI::App* info = app_.add_subcommand(
        "info",
        "Enter DFU, print the device's silicon ID, revision and SDK version, each application's metadata "
        "(start, length) and whether it is valid, Exit");
    add_transport_options(*info, raw_);
    add_identity_options(*info);
    info->add_option("--apps", raw_.info_apps, "Applications to show: 0 to N-1 (the middleware template keeps 2)")
        ->group("Image")
        ->type_name("N")
        ->capture_default_str()
        ->transform(number_check("2", 0, 63));
    add_session_options(*info, raw_);
    add_output_options(*info, raw_);
    commands_.push_back(info);

    // send COMMAND [--data HEX]: one command in a session of its own, its answer printed.
    CLI::App* send = app_.add_subcommand(
        "send",
        "Enter DFU, send one command (a code such as 0x51, or a name such as get-metadata), print its "
        "status and data, Exit");
    send->add_option("COMMAND", raw_.send_command, "Command code 0x00..0xFF or name (dfuhost help send lists them)")
        ->required();
    send->add_option("--data", raw_.send_data, "The command's data bytes in hex, e.g. 00000800")
        ->group("Image")
        ->type_name("HEX");
    add_transport_options(*send, raw_);
    add_identity_options(*send);
    add_session_options(*send, raw_);
    add_output_options(*send, raw_);
    std::vector<std::string> command_words;
    for (unsigned c = 0; c < 0x50; ++c)
        if (std::string w = command_word(static_cast<std::uint8_t>(c)); !w.empty())
            command_words.push_back(fmt::format("{} (0x{:02X})", w, c));
    send->footer(
        fmt::format("Command names: {}. Codes 0x50-0xFF are the firmware's custom commands.\n"
                    "Exit codes: 0 SUCCESS, 6 any other status, 5 no answer.",
                    fmt::join(command_words, ", ")));
    commands_.push_back(send);

    CLI::App* run = app_.add_subcommand("run", "Run the DFU sessions of a .mtbdfu file");
    run->add_option("FILE", raw_.file, ".mtbdfu session file")->required();
    add_transport_options(*run, raw_);
    run->add_option("--row-size", raw_.row_size, "Row size where the file gives no flashRowLength")
        ->group("Image")
        ->type_name("N");
    add_session_options(*run, raw_);
    add_output_options(*run, raw_);
    commands_.push_back(run);

    CLI::App* generate =
        app_.add_subcommand("generate", "Write a .mtbdfu that programs, verifies or erases an image");
    generate->add_option("FILE", raw_.file, ".hex, .bin, .elf or .srec image; - reads standard input")->required();
    generate->add_option("-o,--output", raw_.output_file, "The .mtbdfu to write; - for standard output")
        ->required()
        ->type_name("OUT");
    generate->add_option("--action", raw_.action, "What the sessions do")
        ->capture_default_str()
        ->check(one_of({"program", "verify", "erase"}));
    add_image_options(*generate, raw_);
    generate
        ->add_option("--packet-size", raw_.packet_size,
                     "Largest packet, frame included: sets the command set's packing")
        ->group("Session")
        ->type_name("N")
        ->capture_default_str();
    add_output_options(*generate, raw_);
    commands_.push_back(generate);

    CLI::App* inspect = app_.add_subcommand(
        "inspect", "Show what an image (.hex, .bin, .cyacd2, .elf, .srec) or .mtbdfu holds and would send; no device");
    inspect->add_option("FILE", raw_.file, "The file to look at")->required();
    add_image_options(*inspect, raw_);
    inspect->add_option("--packet-size", raw_.packet_size, "Largest packet, frame included, for the plan")
        ->group("Session")
        ->type_name("N")
        ->capture_default_str();
    add_output_options(*inspect, raw_);
    commands_.push_back(inspect);

    CLI::App* list = app_.add_subcommand(
        "list",
        "List serial ports, USB bridges (KitProg3, MCP2221A, CP2112, MCP2210), HID DFU devices, I2C and SPI nodes");
    add_output_options(*list, raw_);
    commands_.push_back(list);

    CLI::App* completion = app_.add_subcommand(
        "completion", "Print a shell completion script: bash, zsh or fish (source it, or install it; see README)");
    completion->add_option("SHELL", completion_shell_, "bash, zsh or fish")->required()->check(one_of(completion_shells()));
    commands_.push_back(completion);

    CLI::App* help = app_.add_subcommand("help", "Show the help of COMMAND, or this help");
    help->add_option("COMMAND", help_topic_, "The command to explain");
    commands_.push_back(help);
}

CLI::App* CommandLine::find_command(const std::string& name) const {
    for (CLI::App* c : commands_)
        if (c->get_name() == name) return c;
    return nullptr;
}

std::vector<std::string> CommandLine::command_names() const {
    std::vector<std::string> names;
    for (const CLI::App* c : commands_) names.push_back(c->get_name());
    return names;
}

void CommandLine::scan(const std::vector<std::string>& args, Context& context) const {
    std::size_t i = 0;
    bool asks_help_or_version = false;
    // Before the command: the options of the Output group, --help and --version.
    for (; i < args.size() && args[i] != "--" && is_option_word(args[i]); ++i) {
        const OptionWord w = split_option(args[i]);
        if (w.name == "--json") context.usage.json = true;
        const CLI::Option* o = app_.get_option_no_throw(w.name);
        if (!o) {
            for (const CLI::App* c : commands_)
                if (c->get_option_no_throw(w.name))
                    throw usage(fmt::format("{} is an option of a command: write it after the command "
                                            "(dfuhost {} ... {})",
                                            w.name, c->get_name(), w.name));
            throw usage(fmt::format("unknown option '{}'{}", w.name, did_you_mean(w.name, option_names(app_))));
        }
        if (o == app_.get_help_ptr() || o == app_.get_version_ptr()) asks_help_or_version = true;
        if (takes_value(*o) && !w.value) {
            if (++i == args.size()) throw usage(fmt::format("{} needs a value", w.name));
        }
    }
    if (i == args.size() || args[i] == "--") {
        if (asks_help_or_version) return;
        throw usage(fmt::format("no command given; the commands are {}", fmt::join(command_names(), ", ")));
    }
    const std::string& word = args[i];
    const CLI::App* sub = find_command(word);
    if (!sub) {
        const std::string hint = did_you_mean(word, command_names());
        throw usage(fmt::format("unknown command '{}'{}", word,
                                hint.empty() ? fmt::format("; the commands are {}", fmt::join(command_names(), ", "))
                                             : hint));
    }
    context.usage.command = word;

    // After the command: its own options, each known, given a value where it takes one, and at
    // most once where a second value would silently replace the first.
    std::map<std::string, std::string> values;
    std::set<std::string> devices;
    bool positional_only = false;
    int positionals = 0;
    bool asks_help = false;
    for (++i; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (positional_only || !is_option_word(a)) {
            if (a == "--" && !positional_only) {
                positional_only = true;
                continue;
            }
            if (++positionals == 1 && word != "list") {
                if (word != "help" && word != "completion" && word != "send") context.usage.file = a;
                continue;
            }
            throw usage(fmt::format("unexpected argument '{}': {} takes {}", a, word,
                                    word == "list"                     ? "no file"
                                    : word == "help" || word == "send" ? "one command"
                                    : word == "completion"             ? "one shell"
                                                                       : "one file"));
        }
        const OptionWord w = split_option(a);
        if (w.name == "--json") context.usage.json = true;
        const CLI::Option* o = sub->get_option_no_throw(w.name);
        if (!o) {
            const std::string hint = did_you_mean(w.name, option_names(*sub));
            std::vector<std::string> owners;
            for (const CLI::App* c : commands_)
                if (c->get_option_no_throw(w.name)) owners.push_back(c->get_name());
            if (!owners.empty() && hint.empty())
                throw usage(fmt::format("{} is not an option of {} (only of {})", w.name, word, fmt::join(owners, ", ")));
            throw usage(fmt::format("unknown option '{}' for {}{}", w.name, word, hint));
        }
        if (o == sub->get_help_ptr()) asks_help = true;
        if (!takes_value(*o)) continue;
        std::string value;
        if (w.value) {
            value = *w.value;
        } else if (o->get_expected_min() == 0) {  // --usb-hid [VID:PID]: the value is optional
            if (i + 1 < args.size() && !is_option_word(args[i + 1])) value = args[++i];
        } else {
            if (i + 1 == args.size()) throw usage(fmt::format("{} needs a value", w.name));
            value = args[++i];
        }
        const std::string key = o->get_name();
        if (is_wire_option(*o)) {
            // Repeatable, one device each; the same device twice would be driven by two threads.
            if (!devices.insert(key + " " + value).second)
                throw usage(fmt::format("{} {} given twice; name each device once", w.name, value));
            continue;
        }
        if (const auto seen = values.find(key); seen != values.end())
            throw usage(fmt::format("{} given twice ('{}', then '{}'); give it once", w.name, seen->second, value));
        values.emplace(key, value);
    }
    const CLI::Option* file = sub->get_option_no_throw("FILE");
    if (file && file->get_required() && positionals == 0 && !asks_help)
        throw usage(fmt::format("{} needs FILE ({}): dfuhost {} FILE ...", word, file->get_description(), word));
}

void CommandLine::check_wires(const CLI::App& sub) const {
    std::vector<std::string> chosen;
    for (const WireKind& w : wire_kinds())
        if (sub.get_option_no_throw(w.option) && sub.count(w.option) > 0) chosen.push_back(w.option);
    if (chosen.size() > 1)
        throw usage(fmt::format("give one of {}, not several ({} given)", wire_option_list(false, "and"),
                                fmt::join(chosen, " and ")));
    if (chosen.empty()) return;
    for (const WireKind& w : wire_kinds()) {
        if (w.option == chosen.front()) continue;
        for (const auto& option : w.options)
            if (sub.get_option_no_throw(option) && sub.count(option) > 0)
                throw usage(fmt::format("{} is an option of {}, but this run uses {}", option, w.option,
                                        chosen.front()));
    }
}

int CommandLine::print_help(const std::string& topic, Context& context) const {
    if (topic.empty()) {
        // app_.help() would show the help of the parsed command, which is `help` itself.
        std::fputs(app_.get_formatter()->make_help(&app_, app_.get_name(), CLI::AppFormatMode::Normal).c_str(),
                   stdout);
        return 0;
    }
    const CLI::App* sub = find_command(topic);
    if (!sub) {
        const std::string hint = did_you_mean(topic, command_names());
        return report_usage_error(
            context.usage,
            fmt::format("unknown command '{}'{}", topic,
                        hint.empty() ? fmt::format("; the commands are {}", fmt::join(command_names(), ", ")) : hint));
    }
    std::fputs(sub->help(app_.get_name()).c_str(), stdout);
    return 0;
}

std::optional<int> CommandLine::parse(int argc, char** argv) {
    Context context;
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        scan(args, context);
        if (const CLI::App* sub = find_command(context.usage.command))
            add_env_defaults(args, *sub, [](const char* name) { return std::getenv(name); });
        std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
        app_.parse(reversed);
        for (CLI::App* sub : commands_)
            if (sub->parsed()) {
                command_ = sub->get_name();
                check_wires(*sub);
            }
    } catch (const CLI::CallForHelp& e) {
        return app_.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app_.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app_.exit(e);
    } catch (const CLI::ParseError& e) {
        return report_usage_error(context.usage, e.what());
    } catch (const Error& e) {
        return report_usage_error(context.usage, e.what());
    }
    if (command_ == "help") return print_help(help_topic_, context);
    if (command_ == "completion") {
        std::fputs(completion_script(app_, app_.get_name(), completion_shell_).c_str(), stdout);
        return 0;
    }
    return std::nullopt;
}

}  // namespace dfu::cli
