// ModusToolbox DFU Host command files (.mtbdfu, JSON; docs/protocol.md, ".mtbdfu (JSON)").
//
// The parser is strict: it validates the whole document, loads every data file it names and
// throws InputError on the first problem, with the JSON path of the offending value (for
// example "sessions[1].commands[0].commandSet[2].cmdId") and what to do about it. Nothing
// here talks to a device: core/script_plan.cpp turns the model into packets, core/script_runner.cpp
// sends them; formats/mtbdfu_writer.cpp writes the model back out.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/sparse_image.hpp"

namespace dfu::formats {

// Largest "repeat" count (a hex count; "EoF" has no limit: it stops when the data file is used up).
inline constexpr std::uint32_t kMtbdfuMaxRepeat = 0x100000;
// Largest "dataLength" and largest explicit data: the packet's length field is 16 bits.
inline constexpr std::uint32_t kMtbdfuMaxDataLength = 0xFFFF;
// Deepest nesting of "commandSet" inside "commandSet".
inline constexpr std::size_t kMtbdfuMaxNesting = 16;

struct MtbdfuAppInfo {
    std::uint32_t file_version = 0;                 // "File Version"
    std::uint32_t product_id = 0;                   // "Product Id": hex, with or without 0x
    std::uint8_t checksum_type = 0;                 // "Packet Checksum Type" (or "Packet Checkum Type"): 0 or 1
    std::optional<std::uint8_t> app_id;             // "Application Id"
    std::optional<std::uint32_t> timeout_ms;        // "timeoutMS" (> 0)
    std::optional<std::uint32_t> flash_row_length;  // "flashRowLength" (> 0)
};

// The answer a command expects; the runner checks it.
struct MtbdfuExpect {
    std::optional<std::uint8_t> status;             // "statusCode" or "rsp"
    std::optional<std::vector<std::uint8_t>> data;  // "response": the expected payload
};

// A "dataFile", resolved against the folder of the .mtbdfu file.
struct MtbdfuDataFile {
    std::filesystem::path path;  // folder / given name, lexically normalised
    // Intel HEX for .hex / .ihex (any case), else the raw bytes at address 0. Never empty.
    // Every command naming the same file shares one image.
    std::shared_ptr<const SparseImage> image;
};

// One entry of a "commands" or "commandSet" list. It is one of:
//  - a command: cmd_id is set (command_set empty, delay_only false);
//  - a group: command_set is non-empty and cmd_id is empty; its children run in order, all of
//    them once per repetition, and inherit its data source (data file, offset, row length);
//  - a pause: delay_only is true and only `delay` is set.
struct MtbdfuCommand {
    std::string json_path;  // "sessions[1].commands[0].commandSet[2]" or "commands[0]"
    bool delay_only = false;
    std::optional<std::uint8_t> cmd_id;                // "cmdId"
    std::optional<std::uint32_t> data_length;          // "dataLength" (<= 0xFFFF)
    std::optional<std::vector<std::uint8_t>> data;     // "data" or "dataBytes"
    std::optional<MtbdfuDataFile> data_file;           // "dataFile" (declared here, not inherited)
    std::optional<std::uint32_t> repeat;               // "repeat": 1..kMtbdfuMaxRepeat
    bool repeat_eof = false;                           // "repeat": "EoF" (a data file is in scope)
    std::vector<MtbdfuCommand> command_set;            // "commandSet"
    std::optional<std::uint32_t> flash_row_length;     // "flashRowLength" (> 0)
    std::optional<std::uint32_t> offset;               // "offset" / "startOffset": from the image's lowest address
    std::optional<std::filesystem::path> out_file;     // "outFile": packet log, never an input file
    std::optional<bool> output;                        // "output" / "outCli"
    MtbdfuExpect expect;                               // "rsp" / "statusCode", "response"
    std::optional<unsigned> retries;                   // "retriesCount"
    std::optional<unsigned> reconnect;                 // "reconnect"
    std::optional<std::chrono::microseconds> timeout;  // "timeoutS" / "timeoutMS" / "timeoutUS" (> 0)
    std::optional<std::chrono::microseconds> delay;    // "delayS" / "delayMS" / "delayUS": pause before
    std::string comment;                               // "comment": written by write_mtbdfu, not read

    bool is_group() const noexcept { return !command_set.empty(); }
};

struct MtbdfuSession {
    std::string json_path;                // "sessions[N]", or "commands" for a file with one top-level command list
    std::vector<MtbdfuCommand> commands;  // never empty
};

struct Mtbdfu {
    std::string file;              // the path given to the parser, for messages
    std::filesystem::path folder;  // where relative dataFile / outFile names are resolved
    MtbdfuAppInfo app_info;
    std::vector<MtbdfuSession> sessions;  // never empty; each runs Enter DFU, its commands, Exit DFU
};

// Parses and validates `text` as the contents of `file`; data files are read relative to
// file's folder (file itself is not read). Throws InputError: "FILE:LINE: ..." for JSON syntax
// errors, "FILE: JSON.PATH: ..." for everything else.
Mtbdfu parse_mtbdfu(std::string_view text, const std::filesystem::path& file);
Mtbdfu load_mtbdfu(const std::filesystem::path& file);

// Every data file the document reads, once each, in the order first named.
std::vector<std::filesystem::path> data_files(const Mtbdfu& doc);

}  // namespace dfu::formats
