#pragma once
// A .mtbdfu document expanded into the exact packets it sends, before anything is sent:
// repeats and command sets unrolled, data-file bytes, row addresses and row CRC-32C
// filled in, every rule checked. `run` walks the plan; `inspect` counts it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "formats/mtbdfu.hpp"

namespace dfu {

struct ScriptPacket {
    std::uint8_t command = 0;
    std::vector<std::uint8_t> data;
    bool answered = true;  // false for Sync, Exit, Send Data Without Response
    std::string where;     // JSON path, plus the row address where there is one
    std::uint8_t expect_status = 0;
    std::optional<std::vector<std::uint8_t>> expect_data;
    std::chrono::microseconds timeout{0};
    unsigned retries = 0;       // resends of this packet after a lost or garbled answer
    unsigned reconnect = 0;     // reopen + Enter DFU + redo from redo_from, this many times
    std::size_t redo_from = 0;  // first packet of the repetition this one belongs to
    std::chrono::microseconds delay_before{0};
    bool print_output = false;
    int log = -1;  // index into ScriptPlan::logs, or -1
};

struct ScriptSession {
    std::string json_path;
    std::vector<ScriptPacket> packets;  // Enter DFU first and Exit DFU last
};

struct ScriptPlan {
    std::string file;
    std::uint32_t product_id = 0;
    ChecksumType checksum = ChecksumType::sum;
    std::vector<ScriptSession> sessions;
    std::vector<std::filesystem::path> logs;  // outFile paths, opened when the run starts

    std::size_t packet_count() const noexcept;
    std::uint64_t bytes_to_device() const noexcept;  // whole frames
    std::uint64_t data_file_bytes() const noexcept;  // row bytes taken from data files
    std::uint64_t data_file_bytes_ = 0;
};

// Largest plan accepted: a document cannot make us build an unbounded list.
inline constexpr std::size_t kMaxScriptPackets = 8'000'000;
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
