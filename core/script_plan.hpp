#pragma once
// A .mtbdfu document expanded into the exact packets it sends, before anything is sent:
// repeats and command sets unrolled, data-file bytes, row addresses and row CRC-32C
// filled in, every rule checked. `run` walks the plan; `inspect` counts it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "formats/mtbdfu.hpp"

namespace dfu {

// What a packet inherits from the command object that sends it. Kept once per command
// object, not once per repetition: a document of a few hundred bytes can repeat a command
// millions of times, and each repetition must stay a few bytes.
struct ScriptCommand {
    std::string where;  // JSON path
    std::uint8_t expect_status = 0;
    std::optional<std::vector<std::uint8_t>> expect_data;
    std::chrono::microseconds timeout{0};
    // The recovery policy's parameters (core/recovery.hpp): --retries for the unit of a packet
    // of this command (UnitAttempts), and how often the port may be reopened to redo the unit
    // once those attempts are spent.
    unsigned retries = 0;
    unsigned reconnect = 0;
    bool print_output = false;
    int log = -1;  // index into ScriptPlan::logs, or -1
};

// One packet of the plan, 32 bytes whatever it carries: its data lives in ScriptPlan::bytes,
// where the literal data of a repeated command is stored once. It carries what the runner
// needs to recover (docs/design.md, "Recovery policy").
struct ScriptPacket {
    std::uint32_t command_index = 0;  // into ScriptPlan::commands
    // The first packet of the unit this one belongs to, what a recovery redoes: the row for
    // a data-file row's packets (and for anything sent in the middle of one), else the
    // command-set repetition, else the packet alone.
    std::uint32_t unit = 0;
    std::uint64_t data_at = 0;  // into ScriptPlan::bytes
    std::uint16_t data_size = 0;
    std::uint8_t command = 0;
    bool answered : 1 = true;  // false for Sync, Exit, Send Data Without Response
    // A Send Data of a data-file row: a lost answer is let pass, the row's CRC-32C at its
    // Program/Verify Data decides whether the device got the chunk.
    bool answer_may_be_lost : 1 = false;
    // A Verify Data of a data-file row: ERROR_VERIFY is a finding (the row differs), noted
    // and reported at the end, not a failure to recover from.
    bool mismatch_is_finding : 1 = false;
    std::uint32_t row = kNoRow;  // the row a data-file packet belongs to (rows are aligned: never kNoRow)
    std::chrono::microseconds delay_before{0};
    static constexpr std::uint32_t kNoRow = 0xFFFFFFFF;
};

static_assert(sizeof(ScriptPacket) == 32, "a plan holds millions of packets");

struct ScriptSession {
    std::string json_path;
    std::vector<ScriptPacket> packets;  // Enter DFU first and Exit DFU last
};

struct ScriptPlan {
    std::string file;
    std::uint32_t product_id = 0;
    ChecksumType checksum = ChecksumType::sum;
    std::vector<ScriptSession> sessions;
    std::vector<ScriptCommand> commands;
    std::vector<std::uint8_t> bytes;          // every packet's data, by ScriptPacket::data_at
    std::vector<std::filesystem::path> logs;  // outFile paths, opened when the run starts

    const ScriptCommand& command_of(const ScriptPacket& p) const { return commands[p.command_index]; }
    std::span<const std::uint8_t> data(const ScriptPacket& p) const { return {bytes.data() + p.data_at, p.data_size}; }
    std::string where(const ScriptPacket& p) const;  // JSON path, plus the row address where there is one

    std::size_t packet_count() const noexcept;
    std::uint64_t bytes_to_device() const noexcept;  // whole frames
    std::uint64_t data_file_bytes() const noexcept;  // row bytes taken from data files
    std::uint64_t data_file_bytes_ = 0;
};

// Largest plan accepted: a document cannot make us build an unbounded list. At 32 bytes a
// packet this bounds the plan to 128 MB beyond the data-file bytes it carries; the Infineon
// template plan for 8 MiB of flash is 540,000 packets.
inline constexpr std::size_t kMaxScriptPackets = 4'000'000;
// Largest flashRowLength: the --row-size limit. Every data-file row is held in memory at this
// size, so a row of 2 GiB would be a 2 GiB allocation per row.
inline constexpr std::uint32_t kMaxScriptRowLength = 4096;

// Largest pause before one packet; longer sums of pauses are cut to it.
inline constexpr std::chrono::microseconds kMaxScriptDelay = std::chrono::microseconds::max() / 2;

struct ScriptOptions {
    std::chrono::microseconds default_timeout{1'000'000};  // when neither command nor APPInfo says
    std::optional<std::uint32_t> row_size;                 // when no flashRowLength is in scope
    unsigned enter_retries = 3;                            // for each session's own Enter DFU
    std::size_t max_packets = kMaxScriptPackets;           // refuse documents that expand to more
                                                           // packets, or more pauses and set repetitions
};

// Throws formats::InputError naming the JSON path of what is wrong.
ScriptPlan plan_script(const formats::Mtbdfu& doc, const ScriptOptions& options);

}  // namespace dfu
