#include "core/flasher.hpp"

#include <fmt/format.h>

#include <algorithm>

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
    packet_size_ = fallback_size_ = options.packet_size;
    if (options.packet_size_auto) {
        const std::size_t whole_row = whole_row_packet_size(job.row_size);
        packet_size_ = std::max(fallback_size_, std::min({whole_row, kFrameLimit, transport.capabilities().max_packet}));
    }
    packing_ = pack_row(job.row_size, packet_size_);
}

bool Flasher::packets_refused(const DeviceStatus& s) {
    if (!probing_ || s.status != status::length) return false;
    if (s.command != cmd::send_data && s.command != cmd::program_data && s.command != cmd::verify_data) return false;
    // An answer before the packet's end is the device cutting it at its buffer. A whole packet
    // refused may be a byte lost on the line: the same refusal twice is the device.
    constexpr unsigned kRefusalsForLimit = 2;
    if (!s.cut && ++length_refusals_ < kRefusalsForLimit) return false;
    events_.on_note(fmt::format("the device does not take {}-byte packets ({} to {}{}); using {}-byte packets "
                                "from now on",
                                packet_size_, status_name(s.status), command_name(s.command),
                                s.cut ? ", cut short" : "", fallback_size_));
    packet_size_ = fallback_size_;
    packing_ = pack_row(job_.row_size, packet_size_);
    probing_ = false;
    return true;
}

void Flasher::enter() {
    const DeviceIdentity id = enter_device(
        client_, job_.product_id, client_.options().timeout, [this](const Recovery& r) { report_recovery(r); },
        !entered_);
    entered_ = true;
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

void Flasher::report_recovery(const Recovery& r) {
    ++result_.recoveries;
    events_.on_recovery(r);
}

void Flasher::recover(const std::string& reason, const std::string& unit, unsigned attempt, unsigned max_attempts) {
    report_recovery(Recovery{reason, unit, attempt, max_attempts});
    reenter();
}

void Flasher::reenter() {
    client_.settle_after_error();
    enter();
    // Whatever part of a row the device buffered before the failure is stale.
    client_.command_unanswered(cmd::sync, {});
}

template <typename Op>
void Flasher::with_recovery(const std::string& unit, Op&& op) {
    // A whole row is the unit of recovery: --retries bounds the attempts failing at the same
    // packet of it, noise at varying packets gets more (UnitAttempts).
    UnitAttempts attempts(client_.options().retries);
    const unsigned max_attempts = attempts.max_attempts();
    for (;; attempts.next()) {
        const unsigned attempt = attempts.attempt();
        step_ = 0;
        const auto gave_up = [&] { return attempts.failed_at(step_); };
        try {
            op();
            return;
        } catch (const LinkFailure& f) {
            if (gave_up())
                throw Error(ExitCode::no_response,
                            fmt::format("{} for {}; gave up after {} attempts", f.what(), unit, attempt));
            recover(f.what(), unit, attempt, max_attempts);
        } catch (const DeviceStatus& s) {
            if (packets_refused(s)) {  // not a failure: the size is settled, the row goes again
                reenter();
                continue;
            }
            if (!status_is_transient(s.status) || gave_up()) {
                const bool verify = s.status == status::verify;
                throw Error(verify ? ExitCode::verify_failed : ExitCode::device_error,
                            fmt::format("{} for {}{}{}", status_text(s), unit,
                                        attempt > 1 ? fmt::format(" (after {} attempts)", attempt) : "",
                                        length_hint(s, result_.rows_done, job_.row_size, packet_size_)));
            }
            recover(status_text(s), unit, attempt, max_attempts);
        }
    }
}

void Flasher::transfer_row(const RowStep& row, std::uint8_t final_command) {
    const std::span<const std::uint8_t> bytes(row.data);
    std::size_t offset = 0;
    unsigned unsure = 0;  // Send Data answers lost in a row
    for (const std::size_t n : packing_.send_data) {
        ++step_;
        if (client_.options().send_without_response) {
            client_.command_unanswered(cmd::send_data_no_response, bytes.subspan(offset, n));
        } else {
            try {
                ask(client_, cmd::send_data, bytes.subspan(offset, n));
                unsure = 0;
            } catch (const LinkFailure& f) {
                // The device may or may not have buffered this chunk. Going on costs nothing:
                // Program Data carries the CRC-32C of the whole row, so a wrong buffer is
                // refused and the row is redone. Two lost answers running mean the link or
                // the device is gone.
                if (++unsure > 1) throw;
                report_recovery(Recovery{fmt::format("{}; going on, the row's CRC-32C decides", f.what()),
                                         fmt::format("row 0x{:08X}", row.address), unsure, 1, false});
            }
        }
        offset += n;
    }
    const requests::Bytes last = requests::row_end(row.address, bytes, bytes.subspan(offset));
    ++step_;
    ask(client_, final_command, last);
    probing_ = false;  // the device takes packets of this size: keep them for the run
}

void Flasher::row_finished(const RowStep& row) {
    ++result_.rows_done;
    result_.bytes_done += row.data.size();
    if (!result_.first_row) result_.first_row = row.address;
    result_.end_address = std::max<std::uint64_t>(result_.end_address, std::uint64_t{row.address} + row.data.size());
    events_.on_progress(
        Progress{result_.rows_done, result_.rows_total, result_.bytes_done, result_.bytes_total, row.address});
}

void Flasher::set_app_metadata() {
    const requests::Bytes payload = requests::set_app_metadata(job_.app_id, job_.app->start, job_.app->length);
    with_recovery("Set Application Metadata", [&] { ask(client_, cmd::set_app_metadata, payload); });
}

void Flasher::verify_application() {
    const requests::Bytes app = requests::verify_app(job_.app_id);
    with_recovery("Verify Application", [&] {
        Response r = ask(client_, cmd::verify_app, app);
        result_.app_valid = requests::decode_verify_app(r.data);
        if (!result_.app_valid)
            throw LinkFailure(LinkFailure::Kind::corrupt, "Verify Application answer carries no result byte");
    });
}

void Flasher::finish_timing() {
    result_.elapsed = std::chrono::steady_clock::now() - started_;
    result_.commands = client_.commands_sent();
    result_.wire = client_.transport().counters();
    result_.packet_size = packet_size_;
}

RunResult Flasher::run(Action action) {
    started_ = std::chrono::steady_clock::now();
    result_ = RunResult{};
    entered_ = false;
    probing_ = packet_size_ > fallback_size_;
    length_refusals_ = 0;
    result_.action = action;
    result_.rows_total = job_.row_count();
    result_.bytes_total = job_.payload_bytes();
    try {
        client_.transport().discard_input();
        enter();
        events_.on_device(result_.device);
        if (action == Action::program && job_.app) set_app_metadata();

        for (const Step& step : job_.steps) {
            if (const auto* eiv = std::get_if<EivStep>(&step)) {
                if (action == Action::erase) continue;
                const std::string unit = fmt::format("Set EI Vector ({}:{})", job_.source, eiv->line);
                with_recovery(unit, [&] { ask(client_, cmd::set_eiv, requests::set_eiv(eiv->vector)); });
                continue;
            }
            const auto& row = std::get<RowStep>(step);
            const std::string unit = row.line ? fmt::format("row 0x{:08X} ({}:{})", row.address, job_.source, row.line)
                                              : fmt::format("row 0x{:08X}", row.address);
            if (action == Action::erase) {
                const requests::Bytes addr = requests::erase(row.address);
                with_recovery(unit, [&] { ask(client_, cmd::erase_data, addr); });
            } else if (action == Action::program) {
                with_recovery(unit, [&] { transfer_row(row, cmd::program_data); });
            } else {
                // A differing row is a finding, not a failure: note it, re-enter, go on.
                with_recovery(unit, [&] {
                    try {
                        transfer_row(row, cmd::verify_data);
                    } catch (const DeviceStatus& s) {
                        if (s.status != status::verify) throw;
                        result_.mismatched_rows.push_back(row.address);
                        client_.settle_after_error();
                        enter();
                    }
                });
            }
            row_finished(row);
        }

        if (action != Action::erase && job_.app) verify_application();
        if (!result_.mismatched_rows.empty()) {
            std::string list;
            for (std::size_t i = 0; i < result_.mismatched_rows.size() && i < 8; ++i)
                list += fmt::format("{}0x{:08X}", i ? ", " : "", result_.mismatched_rows[i]);
            if (result_.mismatched_rows.size() > 8) list += ", ...";
            finish_timing();
            throw Error(ExitCode::verify_failed,
                        fmt::format("verify failed: {} of {} rows differ from {}: {}", result_.mismatched_rows.size(),
                                    result_.rows_total, job_.source, list));
        }
        if (result_.app_valid == false) {
            finish_timing();
            throw Error(ExitCode::verify_failed,
                        fmt::format("the device reports application {} invalid: the CRC-32C over 0x{:08X}..0x{:08X} "
                                    "({}) does not match the 4 bytes stored at 0x{:08X}",
                                    job_.app_id, job_.app->start, std::uint64_t{job_.app->start} + job_.app->length,
                                    job_.app_origin, std::uint64_t{job_.app->start} + job_.app->length));
        }
        client_.command_unanswered(cmd::exit, {});
    } catch (...) {
        finish_timing();
        const std::string written = result_.rows_done == 0 ? std::string("no row was written")
                                                           : fmt::format("rows written: 0x{:08X}..0x{:08X}",
                                                                         *result_.first_row, result_.end_address);
        rethrow_as_run_error(
            fmt::format("interrupted after {} of {} rows ({}); the device was not told the update "
                        "is complete: run the same command again",
                        result_.rows_done, result_.rows_total, written));
    }
    finish_timing();
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
