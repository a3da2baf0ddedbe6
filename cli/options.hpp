#pragma once
// Command-line options as typed values, and the number syntax they accept.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/reporter.hpp"
#include "cli/wire_option_text.hpp"
#include "core/client.hpp"
#include "core/firmware_job.hpp"
#include "transports/uart.hpp"

namespace dfu::cli {

// Raw option text, parsed after CLI11 so every message names its option.
struct RawOptions {
    std::string file;
    // transport: each wire option may be given several times, one device each (program,
    // verify and erase drive them all at once; the other commands take one), with the options
    // of that wire; registered and read by the wire kinds (cli/wire_kind.hpp)
    WireOptionText wires;
    // --before / --after: DTR/RTS sequences on a serial port (no-reset, default-reset, hard-reset, or steps)
    std::string before = "no-reset", after = "no-reset";
    // image
    std::string product_id, app_id, row_size, checksum, base, app_start, app_length, fill = "0x00";
    std::string format;  // --format: hex, bin, cyacd2, elf, srec; empty: by extension
    std::string erase_range;  // erase --range ADDR:LEN, instead of FILE
    unsigned info_apps = 2;  // info --apps: applications whose metadata and validity to show
    // send COMMAND [--data HEX]
    std::string send_command, send_data;
    // session
    // empty or "auto": whole rows on UART falling back to 64, else 64 or less where the wire carries less
    std::string packet_size;
    unsigned timeout_ms = 1000;
    bool fixed_timeout = false;
    unsigned error_holdoff_ms = 30;
    unsigned retries = 3;
    bool send_without_response = false;
    unsigned wait_s = 0;  // --wait: seconds to wait for each device to appear and answer
    OutputOptions output;
    std::string report_file;  // --report FILE.xml | FILE.json
    // generate
    std::string output_file;
    std::string action = "program";
};

// CLI11 checks (number_check is given with ->transform(), as it rewrites the value) whose messages name the option and the accepted form ("--baud: 'fast' is not
// a number; expected e.g. 115200") instead of CLI11's own wording.
CLI::Validator number_check(std::string example, std::uint64_t lo, std::uint64_t hi);
CLI::Validator one_of(std::vector<std::string> words);

// The wire options, each kind's in turn (cli/wire_kind.hpp).
void add_transport_options(CLI::App& cmd, RawOptions& o);
void add_image_options(CLI::App& cmd, RawOptions& o);
void add_session_options(CLI::App& cmd, RawOptions& o);
void add_output_options(CLI::App& cmd, RawOptions& o);
// program, verify and erase: --wait and --report.
void add_station_options(CLI::App& cmd, RawOptions& o);
// program, verify and erase: --before and --after (DTR/RTS sequences on a serial port).
void add_reset_options(CLI::App& cmd, RawOptions& o);

// The steps of a --before (`before` true) or --after value: "no-reset", "default-reset"
// (before) or "hard-reset" (after), or "dtr=0,rts=1,wait=100,...". Throws dfu::Error(usage)
// naming the option and the step at fault.
std::vector<transports::LineStep> line_steps(const std::string& text, bool before);

// Throw dfu::Error(usage) naming the option when the text is not valid.
ImageOptions image_options(const RawOptions& o);
EngineOptions engine_options(const RawOptions& o);
ChecksumType checksum_option(const RawOptions& o);     // --checksum, default sum
// send's COMMAND: a code ("0x3C", "60") or a name ("get-metadata"); Throws usage naming the word.
std::uint8_t send_command_option(const RawOptions& o);
// send --data: hex bytes, spaces allowed ("00 00 08 00"); empty when not given.
std::vector<std::uint8_t> send_data_option(const RawOptions& o);
// erase --range ADDR:LEN (both numbers as parse_number reads them); nullopt when not given.
std::optional<AddressRange> erase_range_option(const RawOptions& o);
std::uint32_t product_id_option(const RawOptions& o);  // --product-id, default 0

// "0x1F", "31", "0b11", "64k" (x1024) and "1M" (x1024*1024) -> number; nullopt if not a number.
std::optional<std::uint64_t> parse_number(const std::string& text);

}  // namespace dfu::cli
