#include "cli/dfuh_cli.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <iterator>
#include <map>
#include <optional>

#include "cli/options.hpp"
#include "cli/usage.hpp"
#include "core/error.hpp"

namespace dfu::cli::dfuh {

namespace {

Error usage(const std::string& message) {
    return Error(ExitCode::usage, message);
}

// dfuh-cli's words are matched without regard to case ("None", "CRC", "DFUH-CLI.EXE").
std::string lower(std::string_view s) {
    std::string out;
    std::ranges::transform(s, std::back_inserter(out), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// The dfuhost commands an option means something for.
enum Command : unsigned {
    program = 1u << 0,
    verify = 1u << 1,
    erase = 1u << 2,
    run = 1u << 3,
    generate = 1u << 4,
    list = 1u << 5,
};
constexpr unsigned kFlash = program | verify | erase;
constexpr unsigned kDevice = kFlash | run;
constexpr unsigned kImage = kFlash | generate;
constexpr unsigned kAll = kDevice | generate | list;

const char* command_name(unsigned c) {
    switch (c) {
        case program: return "program";
        case verify: return "verify";
        case erase: return "erase";
        case run: return "run";
        case generate: return "generate";
        default: return "list";
    }
}

using Translate = std::function<std::vector<std::string>(const std::string& option, const std::string& value)>;

struct Option {
    const char* name;
    const char* value;  // the value's placeholder; nullptr for a flag
    const char* wire;   // "uart", "i2c", "spi": the option names this wire; nullptr otherwise
    unsigned commands;  // where it means something
    const char* meaning;
    Translate translate;
};

// An action option: which dfuhost command it becomes. Exactly one is given.
struct Action {
    const char* name;
    const char* value;
    Command command;
    const char* meaning;
};

const std::vector<Action>& actions() {
    static const std::vector<Action> table{
        {"--program-device", "FILE", program, "program FILE (.cyacd2, .hex, .bin): dfuhost program FILE"},
        {"--verify-device", "FILE", verify, "verify the device against FILE: dfuhost verify FILE"},
        {"--erase-device", "FILE", erase, "erase the rows FILE covers: dfuhost erase FILE"},
        {"--custom-command", "FILE.mtbdfu", run, "run the sessions of a .mtbdfu: dfuhost run FILE.mtbdfu"},
        {"--generate-mtbdfu", "OUT.mtbdfu", generate,
         "write a .mtbdfu for the image of --mtbdfu-data-file: dfuhost generate IMAGE -o OUT.mtbdfu"},
        {"--display-hw", nullptr, list, "list the hardware: dfuhost list"},
    };
    return table;
}

std::uint64_t number(const std::string& option, const std::string& text, std::uint64_t lo, std::uint64_t hi,
                     const char* example) {
    const auto v = parse_number(text);
    if (!v || *v < lo || *v > hi)
        throw usage(fmt::format("{}: '{}' is not a number from {} to {}; expected e.g. {}", option, text, lo, hi,
                                example));
    return *v;
}

// A value dfuhost takes as it is, after the check that names the dfuh-cli option.
Translate same_number(const char* to, std::uint64_t lo, std::uint64_t hi, const char* example) {
    return [=](const std::string& option, const std::string& value) -> std::vector<std::string> {
        number(option, value, lo, hi, example);
        return {to, value};
    };
}

Translate passed_as(const char* to) {
    return [=](const std::string&, const std::string& value) -> std::vector<std::string> { return {to, value}; };
}

// dfuh-cli gives the SPI clock in MHz, possibly with a fraction ("0.5"); dfuhost in Hz.
std::vector<std::string> spi_clock(const std::string& option, const std::string& value) {
    std::uint64_t hz = 0, scale = 1'000'000;
    bool digits = false, point = false;
    for (char c : value) {
        if (c == '.' && !point) {
            point = true;
            continue;
        }
        if (!std::isdigit(static_cast<unsigned char>(c)) || (point && scale == 1) || hz > 1'000'000'000)
            throw usage(fmt::format("{}: '{}' is not a clock in MHz; expected e.g. 1 or 0.5", option, value));
        digits = true;
        if (point) {
            scale /= 10;
            hz += static_cast<std::uint64_t>(c - '0') * scale;
        } else {
            hz = hz * 10 + static_cast<std::uint64_t>(c - '0') * 1'000'000;
        }
    }
    if (!digits || hz < 1000 || hz > 100'000'000)
        throw usage(fmt::format("{}: '{}' is not a clock from 0.001 to 100 MHz", option, value));
    return {"--spi-clock", std::to_string(hz)};
}

const std::vector<Option>& options() {
    static const std::vector<Option> table{
        {"--hwid", "ID", nullptr, kDevice,
         "the hardware to use, as --display-hw lists it: becomes the device of --uart, --i2c or --spi", nullptr},
        {"--uart-baudrate", "N", "uart", kDevice, "--baud N", same_number("--baud", 1, 100'000'000, "115200")},
        {"--uart-databits", "N", "uart", kDevice, "--data-bits N", same_number("--data-bits", 5, 8, "8")},
        {"--uart-paritytype", "None|Odd|Even", "uart", kDevice, "--parity none|odd|even",
         [](const std::string& option, const std::string& value) -> std::vector<std::string> {
             const std::string v = lower(value);
             if (v != "none" && v != "odd" && v != "even")
                 throw usage(fmt::format("{}: '{}' is not one of None, Odd, Even", option, value));
             return {"--parity", v};
         }},
        {"--uart-stopbits", "1|1.5|2", "uart", kDevice, "--stop-bits",
         [](const std::string& option, const std::string& value) -> std::vector<std::string> {
             if (value != "1" && value != "1.5" && value != "2")
                 throw usage(fmt::format("{}: '{}' is not one of 1, 1.5, 2", option, value));
             return {"--stop-bits", value};
         }},
        {"--i2c-address", "ADDR", "i2c", kDevice, "--i2c-address (7-bit)",
         same_number("--i2c-address", 0x08, 0x77, "12 or 0x0C")},
        {"--i2c-speed", "KHZ", "i2c", kDevice, "--i2c-speed in kHz: 400 becomes 400k",
         [](const std::string& option, const std::string& value) -> std::vector<std::string> {
             return {"--i2c-speed", std::to_string(number(option, value, 1, 5000, "100 or 400")) + "k"};
         }},
        {"--spi-clockspeed", "MHZ", "spi", kDevice, "--spi-clock in MHz: 1 becomes 1000000, 0.5 500000", spi_clock},
        {"--spi-mode", "00|01|10|11", "spi", kDevice, "--spi-mode, CPOL and CPHA in binary: 10 becomes 2",
         [](const std::string& option, const std::string& value) -> std::vector<std::string> {
             if (value.size() != 2 || (value[0] != '0' && value[0] != '1') || (value[1] != '0' && value[1] != '1'))
                 throw usage(fmt::format("{}: '{}' is not a mode in binary: 00, 01, 10 or 11", option, value));
             return {"--spi-mode", std::to_string((value[0] - '0') * 2 + (value[1] - '0'))};
         }},
        {"--spi-lsb-first", nullptr, "spi", kDevice, "--spi-lsb-first",
         [](const std::string&, const std::string&) -> std::vector<std::string> { return {"--spi-lsb-first"}; }},
        {"--product-id", "HEX", nullptr, kImage, "--product-id", passed_as("--product-id")},
        {"--application-id", "N", nullptr, kImage, "--app-id", same_number("--app-id", 0, 255, "1")},
        {"--application-start", "ADDR", nullptr, kImage, "--app-start",
         same_number("--app-start", 0, 0xFFFFFFFF, "0x10000000")},
        {"--application-length", "N", nullptr, kImage, "--app-length",
         same_number("--app-length", 1, 0xFFFFFFFF, "0x8000")},
        {"--checksum-type", "sum|crc", nullptr, kImage, "--checksum sum|crc16 (also summation, crc16, 0, 1)",
         [](const std::string& option, const std::string& value) -> std::vector<std::string> {
             const std::string v = lower(value);
             if (v == "sum" || v == "summation" || v == "0") return {"--checksum", "sum"};
             if (v == "crc" || v == "crc16" || v == "crc-16" || v == "1") return {"--checksum", "crc16"};
             throw usage(fmt::format("{}: '{}' is not one of sum, crc", option, value));
         }},
        {"--file-version", "N", nullptr, generate, "the .mtbdfu File Version: dfuhost writes 0x1 only",
         [](const std::string& option, const std::string& value) -> std::vector<std::string> {
             if (parse_number(value) != 1)
                 throw usage(fmt::format("{}: '{}': dfuhost writes .mtbdfu File Version 0x1 only", option, value));
             return {};
         }},
        {"--mtbdfu-data-file", "IMAGE", nullptr, generate,
         "the .hex or .bin the generated .mtbdfu programs: dfuhost generate IMAGE", nullptr},
        {"--debug", nullptr, nullptr, kAll, "--debug",
         [](const std::string&, const std::string&) -> std::vector<std::string> { return {"--debug"}; }},
    };
    return table;
}

std::vector<std::string> all_names() {
    std::vector<std::string> names{"--help", "--version"};
    for (const auto& a : actions()) names.push_back(a.name);
    for (const auto& o : options()) names.push_back(o.name);
    return names;
}

// The wire a device name implies when no option of a wire's group is given.
const char* wire_of_device(const std::string& hwid) {
    if (hwid.starts_with("/dev/i2c-")) return "i2c";
    if (hwid.starts_with("/dev/spidev")) return "spi";
    return "uart";
}

}  // namespace

bool invoked_as_dfuh_cli(std::string_view argv0) {
    const std::string name = std::filesystem::path(std::string(argv0)).filename().string();
    return name == "dfuh-cli" || lower(name) == "dfuh-cli.exe";
}

std::vector<std::string> to_dfuhost_args(const std::vector<std::string>& args) {
    const Action* action = nullptr;
    std::string action_value;
    std::map<std::string, std::string> given;  // option name -> value ("" for a flag)
    std::vector<std::string> order;            // as given, so the translation keeps it
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& word = args[i];
        if (word == "-V" || word == "--version") return {"--version"};
        if (!word.starts_with("-"))
            throw usage(fmt::format("unexpected argument '{}': dfuh-cli takes every file as the value of an "
                                    "option (--program-device FILE)",
                                    word));
        const auto eq = word.find('=');
        const std::string name = word.substr(0, eq);
        const Action* a = nullptr;
        const Option* o = nullptr;
        for (const auto& candidate : actions())
            if (name == candidate.name) a = &candidate;
        for (const auto& candidate : options())
            if (name == candidate.name) o = &candidate;
        if (!a && !o)
            throw usage(fmt::format("unknown dfuh-cli option '{}'{}", name, did_you_mean(name, all_names())));
        const bool takes_value = a ? a->value != nullptr : o->value != nullptr;
        std::string value;
        if (eq != std::string::npos) {
            if (!takes_value) throw usage(fmt::format("{} takes no value", name));
            value = word.substr(eq + 1);
        } else if (takes_value) {
            if (i + 1 == args.size() || args[i + 1].starts_with("--"))
                throw usage(fmt::format("{} needs a value ({})", name, a ? a->value : o->value));
            value = args[++i];
        }
        if (a) {
            if (action)
                throw usage(fmt::format("{} and {} given: dfuh-cli does one action at a time", action->name, name));
            action = a;
            action_value = value;
            continue;
        }
        if (!given.emplace(name, value).second)
            throw usage(fmt::format("{} given twice ('{}', then '{}'); give it once", name, given[name], value));
        order.push_back(name);
    }
    if (!action) {
        std::vector<std::string> names;
        for (const auto& a : actions()) names.push_back(a.name);
        throw usage(fmt::format("no action given: give one of {}", fmt::join(names, ", ")));
    }

    // Every option must mean something for the action, and name at most one wire.
    const char* wire = nullptr;
    const char* wire_option = nullptr;
    for (const std::string& name : order) {
        const Option& o = *std::find_if(options().begin(), options().end(),
                                        [&](const Option& x) { return name == x.name; });
        if (!(o.commands & action->command))
            throw usage(fmt::format("{} has no meaning with {}", name, action->name));
        if (!o.wire) continue;
        if (wire && std::string_view(wire) != o.wire)
            throw usage(fmt::format("{} and {} name two wires ({} and {}); give the options of one", wire_option, name,
                                    wire, o.wire));
        if (!wire) wire_option = o.name;
        wire = o.wire;
    }

    std::vector<std::string> out{command_name(action->command)};
    if (action->command == generate) {
        const auto data = given.find("--mtbdfu-data-file");
        if (data == given.end())
            throw usage("--generate-mtbdfu needs --mtbdfu-data-file IMAGE (the .hex or .bin its sessions carry)");
        out.insert(out.end(), {data->second, "-o", action_value});
    } else if (action->value) {
        out.push_back(action_value);
    }
    if (action->command & kDevice) {
        const auto hwid = given.find("--hwid");
        if (hwid == given.end())
            throw usage(fmt::format("{} needs --hwid (the port or device, as --display-hw lists it)", action->name));
        if (!wire) wire = wire_of_device(hwid->second);
        out.insert(out.end(), {std::string("--") + wire, hwid->second});
    }
    for (const std::string& name : order) {
        const Option& o = *std::find_if(options().begin(), options().end(),
                                        [&](const Option& x) { return name == x.name; });
        if (!o.translate) continue;  // --hwid, --mtbdfu-data-file: placed above
        const auto words = o.translate(name, given[name]);
        out.insert(out.end(), words.begin(), words.end());
    }
    return out;
}

std::string help_text() {
    std::string text =
        "dfuh-cli (dfuhost " DFUHOST_VERSION "): Infineon dfuh-cli's options, run by dfuhost.\n"
        "Usage: dfuh-cli ACTION [--hwid ID] [options]\n\nActions (one):\n";
    auto line = [](const char* name, const char* value, const char* meaning) {
        const std::string head = value ? fmt::format("{} {}", name, value) : std::string(name);
        return fmt::format("  {:<34} {}\n", head, meaning);
    };
    for (const auto& a : actions()) text += line(a.name, a.value, a.meaning);
    text += "\nOptions (the wire follows from the group given: --uart-*, --i2c-*, --spi-*; else from --hwid):\n";
    for (const auto& o : options()) text += line(o.name, o.value, o.meaning);
    text += line("-h, --help", nullptr, "this help");
    text += line("-V, --version", nullptr, "dfuhost's version");
    text += "\nExit codes are dfuhost's (dfuhost --help): 0 ok, 2 usage, 3 file, 4 open, 5 no response,\n"
            "6 device error, 7 verify failed, 8 identity mismatch.\n";
    return text;
}

}  // namespace dfu::cli::dfuh
