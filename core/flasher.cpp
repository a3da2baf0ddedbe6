#include "core/flasher.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "core/error.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "core/recovery.hpp"
#include "core/requests.hpp"
#include "core/row_packing.hpp"

namespace dfu {

namespace {

constexpr std::size_t kMinPacket = kFrameOverhead + 8 + 1;  // Program Data: address, CRC, one byte
constexpr std::size_t kFrameLimit = kFrameOverhead + kMaxPacketData;

// A device that refuses the very first row's packets for their length is almost always set
// up differently from the command line, not damaged by the line: say which setting to check.
std::string length_hint(const DeviceStatus& s, std::size_t rows_done, std::uint32_t row_size, std::size_t packet_size) {
    if (s.status != status::length || rows_done != 0) return {};
    if (s.command == cmd::program_data || s.command == cmd::verify_data)
        return fmt::format(
            ": the row is {} bytes, so most likely the device's flash row is another size (give --row-size with the "
            "device's row size) or --packet-size {} is more than the device takes",
            row_size, packet_size);
    if (s.command == cmd::send_data)
        return fmt::format(": most likely --packet-size {} is more than the device takes, or --row-size {} is "
                           "larger than the device's flash row",
                           packet_size, row_size);
    return {};
}

}  // namespace

Flasher::Flasher(transports::Transport& transport, const FirmwareJob& job, EngineOptions options, EventSink& events,
                 const std::atomic<bool>* cancel)
    : job_(job), client_(transport, job.checksum, options, events, cancel), events_(events) {
    if (options.packet_size < kMinPacket || options.packet_size > kFrameLimit)
        throw Error(ExitCode::usage,
                    fmt::format("--packet-size {} is outside {}..{}", options.packet_size, kMinPacket, kFrameLimit));
    if (options.packet_size > transport.capabilities().max_packet)
        throw Error(ExitCode::usage,
                    fmt::format("--packet-size {} is larger than {} carries ({} bytes)", options.packet_size,
                                transport.description(), transport.capabilities().max_packet));
    first_size_ = fallback_size_ = options.packet_size;
    if (options.packet_size_auto) {
        const std::size_t whole_row = whole_row_packet_size(job.row_size);
        first_size_ = std::max(fallback_size_, std::min({whole_row, kFrameLimit, transport.capabilities().max_packet}));
    }
    packet_size_ = first_size_;
}

ScriptPlan Flasher::compile(std::size_t packet_size) const {
    ScriptPlan plan = plan_job(job_, action_, packet_size);
    // The run's options are the recovery policy's parameters for every command: --timeout its
    // ceiling, --retries its attempts; no reconnect (the port stays open).
    const EngineOptions& o = client_.options();
    for (ScriptCommand& c : plan.commands) {
        c.timeout = o.timeout;
        c.retries = o.retries;
    }
    if (o.send_without_response)
        for (ScriptSession& s : plan.sessions)
            for (ScriptPacket& p : s.packets)
                if (p.command == cmd::send_data) {
                    p.command = cmd::send_data_no_response;
                    p.answered = false;
                }
    return plan;
}

std::string Flasher::where(const ScriptPlan& plan, const ScriptPacket& p) const {
    const std::string& w = plan.command_of(p).where;  // plan_job's: "file:line" for a row that has one
    if (p.row == ScriptPacket::kNoRow) return w;
    return w == job_.source ? fmt::format("row 0x{:08X}", p.row) : fmt::format("row 0x{:08X} ({})", p.row, w);
}

const ScriptPlan* Flasher::replan(const DeviceStatus& s) {
    if (!probing_ || s.status != status::length) return nullptr;
    if (s.command != cmd::send_data && s.command != cmd::program_data && s.command != cmd::verify_data)
        return nullptr;
    // An answer before the packet's end is the device cutting it at its buffer. A whole packet
    // refused may be a byte lost on the line: the same refusal twice is the device.
    constexpr unsigned kRefusalsForLimit = 2;
    if (!s.cut && ++length_refusals_ < kRefusalsForLimit) return nullptr;
    events_.on_note(fmt::format("the device does not take {}-byte packets ({} to {}{}); using {}-byte packets "
                                "from now on",
                                packet_size_, status_name(s.status), command_name(s.command),
                                s.cut ? ", cut short" : "", fallback_size_));
    packet_size_ = fallback_size_;
    probing_ = false;
    // Units are rows in the same order at any packet size: the run goes on at the same row.
    fallback_plan_ = compile(packet_size_);
    return &*fallback_plan_;
}

std::string Flasher::hint(const DeviceStatus& s) const {
    return length_hint(s, result_.rows_done, job_.row_size, packet_size_);
}

Client& Flasher::reconnect() {
    throw std::logic_error("a job plan allows no reconnect");
}

void Flasher::entered(const DeviceIdentity& id) {
    result_.device = id;
    // Modern loaders report 0/0 and files built for any part say 0: the identity is compared
    // only when both the device and the file name a silicon ID, and the revision only with it
    // (a revision means nothing without the part it is a revision of).
    const bool compare = id.silicon_id != 0 && job_.silicon_id && *job_.silicon_id != 0;
    if (compare && id.silicon_id != *job_.silicon_id)
        throw Error(ExitCode::identity_mismatch,
                    fmt::format("the device's silicon ID is 0x{:08X} but {} is built for 0x{:08X}", id.silicon_id,
                                job_.source, *job_.silicon_id));
    if (compare && job_.silicon_rev && id.silicon_rev != *job_.silicon_rev)
        throw Error(ExitCode::identity_mismatch,
                    fmt::format("the device's silicon revision is 0x{:02X} but {} is built for 0x{:02X}",
                                id.silicon_rev, job_.source, *job_.silicon_rev));
}

void Flasher::answered(const ScriptPacket& p, const Response& r) {
    if (p.command != cmd::verify_app) return;
    // Kept for the end of the run: rows that differ are reported before an invalid application.
    result_.app_valid = requests::decode_verify_app(r.data);
    if (!result_.app_valid)
        throw LinkFailure(LinkFailure::Kind::corrupt, "Verify Application answer carries no result byte");
}

void Flasher::went_through(const ScriptPacket& p, bool row_end) {
    if (!row_end) return;
    probing_ = false;  // the device takes packets of this size: keep them for the run
    ++result_.rows_done;
    result_.bytes_done += job_.row_size;
    if (!result_.first_row) result_.first_row = p.row;
    result_.end_address = std::max<std::uint64_t>(result_.end_address, std::uint64_t{p.row} + job_.row_size);
    events_.on_progress(Progress{result_.rows_done, result_.rows_total, result_.bytes_done, result_.bytes_total, p.row});
}

void Flasher::before_exit() {
    if (!result_.mismatched_rows.empty()) {
        std::string list;
        for (std::size_t i = 0; i < result_.mismatched_rows.size() && i < 8; ++i)
            list += fmt::format("{}0x{:08X}", i ? ", " : "", result_.mismatched_rows[i]);
        if (result_.mismatched_rows.size() > 8) list += ", ...";
        throw Error(ExitCode::verify_failed,
                    fmt::format("verify failed: {} of {} rows differ from {}: {}", result_.mismatched_rows.size(),
                                result_.rows_total, job_.source, list));
    }
    if (result_.app_valid == false)
        throw Error(ExitCode::verify_failed,
                    fmt::format("the device reports application {} invalid: the CRC-32C over 0x{:08X}..0x{:08X} "
                                "({}) does not match the 4 bytes stored at 0x{:08X}",
                                job_.app_id, job_.app->start, std::uint64_t{job_.app->start} + job_.app->length,
                                job_.app_origin, std::uint64_t{job_.app->start} + job_.app->length));
}

void Flasher::finish(const PlanRunner& runner) {
    result_.elapsed = std::chrono::steady_clock::now() - started_;
    result_.recoveries = runner.retries() + runner.reconnects();
    result_.commands = client_.commands_sent();
    result_.wire = client_.transport().counters();
    result_.packet_size = packet_size_;
}

RunResult Flasher::run(Action action) {
    started_ = std::chrono::steady_clock::now();
    result_ = RunResult{};
    action_ = action;
    packet_size_ = first_size_;
    probing_ = packet_size_ > fallback_size_;
    length_refusals_ = 0;
    fallback_plan_.reset();
    result_.action = action;
    result_.rows_total = job_.row_count();
    result_.bytes_total = job_.payload_bytes();
    const ScriptPlan plan = compile(packet_size_);
    PlanRunner runner(plan, client_, *this, events_);
    try {
        runner.run();
    } catch (...) {
        finish(runner);
        const std::string written = result_.rows_done == 0 ? std::string("no row was written")
                                                           : fmt::format("rows written: 0x{:08X}..0x{:08X}",
                                                                         *result_.first_row, result_.end_address);
        rethrow_as_run_error(
            fmt::format("interrupted after {} of {} rows ({}); the device was not told the update "
                        "is complete: run the same command again",
                        result_.rows_done, result_.rows_total, written));
    }
    finish(runner);
    return result_;
}

DeviceIdentity query_device(transports::Transport& transport, ChecksumType checksum, std::uint32_t product_id,
                            EngineOptions options, EventSink& events, const std::atomic<bool>* cancel,
                            const std::function<bool(Client&)>& in_dfu) {
    Client client(transport, checksum, options, events, cancel);
    try {
        transport.discard_input();
        const DeviceIdentity id = enter_device(
            client, product_id, options.timeout, [&events](const Recovery& r) { events.on_recovery(r); }, true);
        if (!in_dfu || in_dfu(client)) client.command_unanswered(cmd::exit, {});
        return id;
    } catch (...) {
        rethrow_as_run_error("interrupted");
    }
}

}  // namespace dfu
