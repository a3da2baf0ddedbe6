#include "cli/options.hpp"

#include <fmt/format.h>

#include <cctype>
#include <algorithm>
#include <charconv>

#include <fmt/ranges.h>

#include "cli/usage.hpp"
#include "cli/wire_kind.hpp"
#include "core/error.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"

namespace dfu::cli {

std::optional<std::uint64_t> parse_number(const std::string& text) {
    std::string_view s = text;
    if (s.empty()) return std::nullopt;
    std::uint64_t scale = 1;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
        s.remove_prefix(2);
    } else if (s.back() == 'k' || s.back() == 'K') {
        scale = 1024;
        s.remove_suffix(1);
    } else if (s.back() == 'M') {
        scale = 1024 * 1024;
        s.remove_suffix(1);
    }
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    if (v > UINT64_MAX / scale) return std::nullopt;
    return v * scale;
}

namespace {

Error usage(const std::string& message) {
    return Error(ExitCode::usage, message);
}

// Why `text` is not a number in lo..hi (the words after "--option: "), or "" when it is one.
std::string number_problem(const std::string& text, std::uint64_t lo, std::uint64_t hi, const std::string& example) {
    const auto v = parse_number(text);
    if (!v) return fmt::format("'{}' is not a number; expected e.g. {}", text, example);
    if (*v < lo || *v > hi) return fmt::format("{} is out of range {}..{} (0x{:X}..0x{:X})", text, lo, hi, lo, hi);
    return {};
}

std::uint64_t number_in(const std::string& option, const std::string& text, std::uint64_t lo, std::uint64_t hi,
                        const std::string& example) {
    const std::string problem = number_problem(text, lo, hi, example);
    if (!problem.empty()) throw usage(fmt::format("{}: {}", option, problem));
    return *parse_number(text);
}

std::optional<std::uint32_t> optional_u32(const std::string& option, const std::string& text,
                                          const std::string& example, std::uint64_t lo = 0,
                                          std::uint64_t hi = 0xFFFFFFFF) {
    if (text.empty()) return std::nullopt;
    return static_cast<std::uint32_t>(number_in(option, text, lo, hi, example));
}

}  // namespace

// A CLI11 transform that takes what parse_number takes, in lo..hi, and hands CLI11 the decimal
// value, so the message names the option and the accepted form instead of CLI11's own text.
// (Given with ->transform(): ->check() would not let it rewrite "0x1C200" or "1k".)
CLI::Validator number_check(std::string example, std::uint64_t lo, std::uint64_t hi) {
    return CLI::Validator(
        [=](std::string& text) {
            const std::string problem = number_problem(text, lo, hi, example);
            if (problem.empty()) text = std::to_string(*parse_number(text));
            return problem;
        },
        "");
}

CLI::Validator one_of(std::vector<std::string> words) {
    return CLI::Validator(
        [words](std::string& text) {
            if (std::find(words.begin(), words.end(), text) != words.end()) return std::string();
            return fmt::format("'{}' is not one of {}", text, fmt::join(words, ", "));
        },
        "");
}

std::uint32_t product_id_option(const RawOptions& o) {
    if (o.product_id.empty()) return 0;
    // Product IDs are written in hex everywhere (.mtbdfu "Product Id": "01020304"), so hex is assumed.
    std::string t = o.product_id;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t.erase(0, 2);
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v, 16);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || v > 0xFFFFFFFF)
        throw usage(fmt::format("--product-id: '{}' is not a 32-bit hex number", o.product_id));
    return static_cast<std::uint32_t>(v);
}

std::uint8_t send_command_option(const RawOptions& o) {
    if (const auto code = parse_number(o.send_command)) {
        if (*code > 0xFF) throw usage(fmt::format("send: command code {} is not a byte (0x00..0xFF)", o.send_command));
        return static_cast<std::uint8_t>(*code);
    }
    if (const auto code = command_code_named(o.send_command)) return *code;
    std::vector<std::string> words;
    for (unsigned c = 0; c < 0x50; ++c)
        if (std::string w = command_word(static_cast<std::uint8_t>(c)); !w.empty()) words.push_back(std::move(w));
    const std::string hint = did_you_mean(o.send_command, words);
    throw usage(
        fmt::format("send: '{}' is neither a command code (0x00..0xFF, e.g. 0x3C or 0x51 for a custom "
                    "command) nor a command name{}",
                    o.send_command, hint.empty() ? fmt::format(" ({})", fmt::join(words, ", ")) : hint));
}

std::vector<std::uint8_t> send_data_option(const RawOptions& o) {
    std::string digits;
    for (const char c : o.send_data) {
        if (c == ' ' || c == ':' || c == '-') continue;  // 00 00 08 00, 00:00:08:00
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            throw usage(
                fmt::format("--data: '{}' is not a hex digit; expected bytes in hex, e.g. 00000800 or "
                            "\"00 00 08 00\"",
                            c));
        digits += c;
    }
    if (digits.size() % 2 != 0)
        throw usage(fmt::format("--data: {} hex digits is not a whole number of bytes", digits.size()));
    if (digits.size() / 2 > kMaxPacketData)
        throw usage(fmt::format("--data: {} bytes; a packet carries at most {}", digits.size() / 2, kMaxPacketData));
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i < digits.size(); i += 2)
        bytes.push_back(static_cast<std::uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
    return bytes;
}

std::optional<AddressRange> erase_range_option(const RawOptions& o) {
    if (o.erase_range.empty()) return std::nullopt;
    const auto colon = o.erase_range.find(':');
    if (colon == std::string::npos)
        throw usage(fmt::format("--range: '{}' is not ADDR:LEN; expected e.g. 0x10000000:64k", o.erase_range));
    AddressRange r;
    r.start = static_cast<std::uint32_t>(
        number_in("--range ADDR", o.erase_range.substr(0, colon), 0, 0xFFFFFFFF, "0x10000000"));
    r.length = number_in("--range LEN", o.erase_range.substr(colon + 1), 1, std::uint64_t{1} << 32, "64k");
    return r;
}

ChecksumType checksum_option(const RawOptions& o) {
    return o.checksum == "crc16" ? ChecksumType::crc16 : ChecksumType::sum;
}

ImageOptions image_options(const RawOptions& o) {
    ImageOptions io;
    if (!o.product_id.empty()) io.product_id = product_id_option(o);
    if (auto v = optional_u32("--app-id", o.app_id, "1", 0, 255)) io.app_id = static_cast<std::uint8_t>(*v);
    io.row_size = optional_u32("--row-size", o.row_size, "512", 64, 4096);
    if (io.row_size && (*io.row_size & (*io.row_size - 1)) != 0)
        throw usage(fmt::format("--row-size: {} is not a power of two", *io.row_size));
    if (!o.checksum.empty()) io.checksum = checksum_option(o);
    io.base = optional_u32("--base", o.base, "0x10000000");
    io.app_start = optional_u32("--app-start", o.app_start, "0x10000000");
    io.app_length = optional_u32("--app-length", o.app_length, "0x8000", 1);
    io.fill = static_cast<std::uint8_t>(number_in("--fill", o.fill, 0, 255, "0xFF"));
    if (!o.format.empty()) io.format = input_format_named(o.format);  // one_of() has checked the word
    return io;
}

EngineOptions engine_options(const RawOptions& o) {
    EngineOptions e;
    e.packet_size_auto = o.packet_size.empty() || o.packet_size == "auto";
    e.packet_size = e.packet_size_auto ? 64 : number_in("--packet-size", o.packet_size, 16, 0xFFFF + 7, "64");
    e.timeout = std::chrono::milliseconds(o.timeout_ms);
    e.adaptive_timeout = !o.fixed_timeout;
    e.error_holdoff = std::chrono::milliseconds(o.error_holdoff_ms);
    e.retries = o.retries;
    e.send_without_response = o.send_without_response;
    return e;
}

void add_transport_options(CLI::App& cmd, RawOptions& o) {
    for (const WireKind& kind : wire_kinds()) {
        kind.add_options(cmd, o.wires, "Transport");
        // Each occurrence names one device and takes exactly its own value: `--uart A --uart B FILE`.
        cmd.get_option(kind.option)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    }
}

void add_image_options(CLI::App& cmd, RawOptions& o) {
    const std::string g = "Image";
    cmd.add_option("--product-id", o.product_id, "Product ID in hex (default: the file's, else 0)")
        ->type_name("HEX")
        ->group(g);
    cmd.add_option("--app-id", o.app_id, "Application number (default: the file's, else 0)")->type_name("N")->group(g);
    cmd.add_option("--row-size", o.row_size, "Flash row size in bytes for .hex/.bin (default 512)")
        ->type_name("N")
        ->group(g);
    cmd.add_option("--checksum", o.checksum, "Packet checksum: sum or crc16 (default: the file's, else sum)")
        ->group(g)
        ->check(one_of({"sum", "crc16"}));
    cmd.add_option("--base", o.base, "Load address of a .bin file")->type_name("ADDR")->group(g);
    cmd.add_option("--app-start", o.app_start, "Application range start (default: @APPINFO, or a found signature)")
        ->type_name("ADDR")
        ->group(g);
    cmd.add_option("--app-length", o.app_length, "Application range length in bytes, signature excluded")
        ->type_name("N")
        ->group(g);
    cmd.add_option("--fill", o.fill, "Byte for gaps inside a row")->type_name("BYTE")->group(g)->capture_default_str();
    cmd.add_option(
           "--format", o.format,
           "Read FILE as hex, bin, cyacd2, elf or srec whatever its extension (needed when FILE is -, standard input)")
        ->group(g)
        ->check(one_of(input_format_words()));
}

void add_session_options(CLI::App& cmd, RawOptions& o) {
    const std::string g = "Session";
    cmd.add_option("--packet-size", o.packet_size,
                   "Largest packet sent, frame included; auto: whole rows over UART, falling back once to 64 "
                   "if the device refuses them")
        ->type_name("N|auto")
        ->group(g)
        ->default_str("auto");
    cmd.add_option("--timeout", o.timeout_ms,
                   "Most milliseconds to wait for each response; the wait is learned from the run below it")
        ->type_name("MS")
        ->group(g)
        ->capture_default_str()
        ->transform(number_check("1000", 1, 600'000));
    cmd.add_flag("--fixed-timeout", o.fixed_timeout, "Always wait the whole --timeout; learn nothing")->group(g);
    cmd.add_option("--retries", o.retries,
                   "Attempts after failures the device answered nothing right in; a row on a noisy link that "
                   "keeps answering gets up to 4x as many")
        ->type_name("N")
        ->group(g)
        ->capture_default_str()
        ->transform(number_check("3", 0, 100));
    cmd.add_option("--error-holdoff", o.error_holdoff_ms,
                   "Milliseconds the device ignores input after an error; waited before Enter DFU again")
        ->type_name("MS")
        ->group(g)
        ->capture_default_str()
        ->transform(number_check("30", 0, 10'000));
}

void add_station_options(CLI::App& cmd, RawOptions& o) {
    cmd.add_option("--wait", o.wait_s,
                   "Seconds to wait for each device to appear and its bootloader to answer Enter DFU "
                   "(a board re-enumerating after a reset); default 0: no waiting")
        ->type_name("SECONDS")
        ->group("Session")
        ->transform(number_check("10", 0, 86'400));
    cmd.add_option("--report", o.report_file,
                   "Write a report of every device's result: JUnit XML (FILE.xml) or a JSON summary (FILE.json)")
        ->type_name("FILE")
        ->group("Output");
}

std::vector<transports::LineStep> line_steps(const std::string& text, bool before) {
    using transports::LineStep;
    const char* option = before ? "--before" : "--after";
    std::string t = text;
    std::replace(t.begin(), t.end(), '_', '-');  // esptool writes default_reset too
    if (t == "no-reset") return {};
    // The board's reset line is on RTS (as on esptool's boards); the DFU loader starts after it.
    if (before && t == "default-reset")
        return {{LineStep::Kind::dtr, 0}, {LineStep::Kind::rts, 1}, {LineStep::Kind::wait_ms, 100},
                {LineStep::Kind::rts, 0}, {LineStep::Kind::wait_ms, 50}};
    if (!before && t == "hard-reset")
        return {{LineStep::Kind::rts, 1}, {LineStep::Kind::wait_ms, 100}, {LineStep::Kind::rts, 0}};
    std::vector<LineStep> steps;
    std::size_t start = 0;
    for (unsigned n = 1;; ++n) {
        const auto comma = text.find(',', start);
        const std::string step = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const auto eq = step.find('=');
        const std::string name = step.substr(0, eq), value = eq == std::string::npos ? "" : step.substr(eq + 1);
        const auto v = parse_number(value);
        if ((name == "dtr" || name == "rts") && (value == "0" || value == "1"))
            steps.push_back({name == "dtr" ? LineStep::Kind::dtr : LineStep::Kind::rts, value == "1" ? 1u : 0u});
        else if (name == "wait" && v && *v <= 60'000)
            steps.push_back({LineStep::Kind::wait_ms, static_cast<unsigned>(*v)});
        else
            throw usage(fmt::format("{}: step {} '{}' is not dtr=0|1, rts=0|1 or wait=MS (up to 60000); the value is "
                                    "{}, or steps like dtr=0,rts=1,wait=100,rts=0",
                                    option, n, step, before ? "no-reset, default-reset" : "no-reset, hard-reset"));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return steps;
}

void add_reset_options(CLI::App& cmd, RawOptions& o) {
    const std::string g = "Transport";
    cmd.add_option("--before", o.before,
                   "DTR/RTS before the session, serial ports only: no-reset, default-reset (RTS pulse: "
                   "dtr=0,rts=1,wait=100,rts=0,wait=50) or steps like dtr=0,rts=1,wait=100,rts=0")
        ->type_name("SEQ")
        ->group(g)
        ->capture_default_str();
    cmd.add_option("--after", o.after,
                   "DTR/RTS when the port closes, serial ports only: no-reset, hard-reset (rts=1,wait=100,rts=0) "
                   "or steps")
        ->type_name("SEQ")
        ->group(g)
        ->capture_default_str();
}

void add_output_options(CLI::App& cmd, RawOptions& o) {
    const std::string g = "Output";
    cmd.add_flag("--json", o.output.json, "One JSON object per line on stdout: events, then a result")->group(g);
    cmd.add_flag("-q,--quiet", o.output.quiet, "Print errors only")->group(g);
    cmd.add_flag("--debug", o.output.debug, "Print every packet in hex with direction and time on stderr")->group(g);
    cmd.add_option("--log", o.output.log_file, "Write the packet trace and messages to FILE")
        ->type_name("FILE")
        ->group(g);
}

}  // namespace dfu::cli
