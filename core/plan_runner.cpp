#include "core/plan_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <thread>

#include "core/error.hpp"
#include "core/protocol.hpp"

namespace dfu {

bool ends_row(const ScriptSession& s, std::size_t i) {
    const std::uint32_t row = s.packets[i].row;
    return row != ScriptPacket::kNoRow && (i + 1 == s.packets.size() || s.packets[i + 1].row != row);
}

namespace {

ExitCode code_for_status(std::uint8_t command, std::uint8_t status) {
    if (command == cmd::enter && (status == status::data || status == status::length))
        return ExitCode::identity_mismatch;
    if (status == status::verify) return ExitCode::verify_failed;
    return ExitCode::device_error;
}

// Which unit of the session the one starting at packet `unit` is (0: the first).
std::size_t unit_ordinal(const ScriptSession& s, std::size_t unit) {
    std::size_t n = 0;
    for (std::size_t j = 0; j < unit; ++j) n += s.packets[j].unit == j;
    return n;
}

// Where the unit `ordinal` starts.
std::size_t unit_start(const ScriptSession& s, std::size_t ordinal) {
    for (std::size_t j = 0; j < s.packets.size(); ++j)
        if (s.packets[j].unit == j && ordinal-- == 0) return j;
    return s.packets.size();
}

}  // namespace

PlanRunner::PlanRunner(const ScriptPlan& plan, Client& client, PlanFront& front, EventSink& events)
    : plan_(&plan), client_(&client), front_(front), events_(events) {}

void PlanRunner::recovered(const Recovery& r) {
    ++retries_;
    events_.on_recovery(r);
}

DeviceIdentity PlanRunner::enter() {
    const ScriptPacket& p = plan_->sessions[session_].packets.front();
    const ScriptCommand& c = plan_->command_of(p);
    front_.route(c.log);
    const DeviceIdentity id = enter_device(
        *client_, plan_->product_id, c.timeout, [this](const Recovery& r) { recovered(r); }, !entered_);
    entered_ = true;
    front_.entered(id);
    return id;
}

void PlanRunner::count_through(std::size_t first_index, std::size_t i) {
    // A packet redone after a retry or reconnect was counted the first time.
    const std::size_t ordinal = first_index + i + 1;
    if (ordinal <= high_water_) return;
    high_water_ = ordinal;
    const ScriptSession& s = plan_->sessions[session_];
    front_.went_through(s.packets[i], ends_row(s, i));
}

void PlanRunner::exchange(const ScriptPacket& p) {
    const std::span<const std::uint8_t> data = plan_->data(p);
    if (!p.answered) {
        client_->command_unanswered(p.command, data);
        return;
    }
    const ScriptCommand& c = plan_->command_of(p);
    // A command given no retries waits its whole timeout: nothing follows a spurious timeout
    // but the end of the run.
    const Response r = ask(*client_, p.command, data, c.timeout,
                           c.retries ? Client::Wait::learned : Client::Wait::ceiling, c.expect_status);
    if (c.expect_data && r.data != *c.expect_data)
        throw Error(ExitCode::verify_failed,
                    fmt::format("{}: {} answered [{}], expected [{}]", plan_->where(p), command_name(p.command),
                                hex_bytes(r.data), hex_bytes(*c.expect_data)));
    front_.answered(p, r);
    if (c.print_output) events_.on_payload(plan_->where(p), p.command, r.data);
    if (r.status != status::success) {
        // An expected error answer sends the device back to NONE after its hold-off
        // (docs/protocol.md, "Device states" and "Timing") all the same: follow it back into DFU
        // before going on.
        events_.on_note(
            fmt::format("{}: device answered {}; entering DFU again", plan_->where(p), status_name(r.status)));
        client_->settle_after_error();
        enter();
    }
}

void PlanRunner::walk(std::size_t first_index) {
    std::optional<UnitAttempts> attempts;        // of the unit being sent, from its first failure
    std::size_t frontier = 1;                    // every packet before it has gone through once
    unsigned unsure = 0;                         // Send Data answers lost running
    std::map<std::size_t, unsigned> reconnects;  // per unit
    std::size_t i = 1;                           // the Enter DFU at 0 is enter()'s
    while (i < plan_->sessions[session_].packets.size()) {
        const ScriptSession& session = plan_->sessions[session_];
        const ScriptPacket& p = session.packets[i];
        const ScriptCommand& c = plan_->command_of(p);
        if (p.delay_before.count() > 0) std::this_thread::sleep_for(p.delay_before);
        if (!p.answered && p.command == cmd::exit) front_.before_exit();
        front_.route(c.log);
        std::string reason;
        std::string hint;  // the front's, for the message that ends the run
        ExitCode code = ExitCode::no_response;
        try {
            exchange(p);
            unsure = 0;
            count_through(first_index, i);
            // A unit gone through for the first time: the next one starts with a fresh budget.
            if (++i > frontier) {
                frontier = i;
                if (i == session.packets.size() || session.packets[i].unit != p.unit) attempts.reset();
            }
            continue;
        } catch (const LinkFailure& f) {
            // The device may or may not have buffered this chunk. Going on costs nothing: the
            // row's Program/Verify Data carries its CRC-32C, so a wrong buffer is refused and the
            // row redone. Two lost answers running mean the link or the device is gone.
            if (p.answer_may_be_lost && ++unsure <= 1) {
                recovered(Recovery{fmt::format("{}; going on, the row's CRC-32C decides", f.what()),
                                   front_.where(*plan_, session.packets[p.unit]), unsure, 1, false});
                ++i;
                continue;
            }
            reason = fmt::format("{}: {}", front_.where(*plan_, p), f.what());
        } catch (const DeviceStatus& s) {
            if (s.status == status::verify && p.mismatch_is_finding) {
                // A row that differs is a finding: note it, follow the device back into DFU, go on.
                front_.differs(p);
                front_.route(-1);
                client_->settle_after_error();
                enter();
                count_through(first_index, i);
                if (++i > frontier) frontier = i;
                attempts.reset();
                continue;
            }
            if (const ScriptPlan* next = front_.replan(s)) {
                // Not a failure: the plan changes under the unit, which goes again from its
                // first packet in the new plan.
                const std::size_t ordinal = unit_ordinal(session, p.unit);
                plan_ = next;
                i = unit_start(plan_->sessions[session_], ordinal);
                frontier = i;
                high_water_ = first_index + i;
                front_.route(-1);
                client_->settle_after_error();
                enter();
                // Whatever part of a row the device buffered before the refusal is stale.
                client_->command_unanswered(cmd::sync, {});
                unsure = 0;
                continue;
            }
            code = code_for_status(p.command, s.status);
            reason = fmt::format("{}: {} answered {} (0x{:02X}), expected {}: {}", front_.where(*plan_, p),
                                 command_name(p.command), status_name(s.status), s.status, status_name(c.expect_status),
                                 status_meaning(s.status));
            hint = front_.hint(s);
            if (!status_is_transient(s.status)) throw Error(code, reason + hint);
        }
        // Redo the unit: wait out the hold-off counted from the error answer, enter DFU again,
        // drop the stale row buffer, and send the unit from its first packet. Once its attempts
        // are spent, reopen the port if the command allows (reconnect), else the run ends.
        if (!attempts) attempts.emplace(c.retries);
        const std::string unit = front_.where(*plan_, session.packets[p.unit]);
        const std::size_t unit_first = p.unit;
        front_.route(-1);
        const bool spent = attempts->failed_at(i - unit_first);
        unsigned& used = reconnects[unit_first];
        if (spent && used >= c.reconnect)
            throw Error(code, attempts->attempt() > 1
                                  ? fmt::format("{} (after {} attempts){}", reason, attempts->attempt(), hint)
                                  : reason + hint);
        // The device's hold-off runs from its error answer whatever the host does meanwhile,
        // a reopened port included: one wait, the Client's, for both ways on.
        client_->settle_after_error();
        if (spent) {
            ++used;
            ++reconnects_;
            events_.on_recovery(Recovery{reason, fmt::format("reconnect and redo from {}", unit), used, c.reconnect});
            client_ = &front_.reconnect();
            attempts.emplace(c.retries);
        } else {
            recovered(Recovery{reason, unit, attempts->attempt(), attempts->max_attempts()});
            attempts->next();
        }
        enter();
        // Whatever part of a row the device buffered before the failure is stale.
        client_->command_unanswered(cmd::sync, {});
        unsure = 0;
        i = std::max<std::size_t>(unit_first, 1);
    }
}

void PlanRunner::run() {
    retries_ = reconnects_ = 0;
    sessions_done_ = 0;
    high_water_ = 0;
    entered_ = false;
    client_->transport().discard_input();
    std::size_t first_index = 0;  // of the session's first packet in the whole plan
    for (session_ = 0; session_ < plan_->sessions.size(); ++session_) {
        events_.on_device(enter());
        count_through(first_index, 0);
        walk(first_index);
        ++sessions_done_;
        first_index += plan_->sessions[session_].packets.size();
    }
}

}  // namespace dfu
