#pragma once
// The one engine: walks a ScriptPlan unit by unit on one Client and recovers with the one
// policy of core/recovery.hpp (docs/design.md, "Recovery policy"). Every run goes through it:
// `program`, `verify` and `erase` (the Flasher runs what plan_job compiled) and `run` (the
// ScriptRunner runs what the Planner expanded). What differs between them is what a front
// decides (PlanFront): how a unit is named, what an answer means beyond its status, what the
// user sees as progress, what ends the run before Exit DFU.
#include <cstddef>
#include <string>

#include "core/client.hpp"
#include "core/events.hpp"
#include "core/recovery.hpp"
#include "core/script_plan.hpp"

namespace dfu {

// The last packet of a row: the Program/Verify/Erase Data after its Send Data.
bool ends_row(const ScriptSession& s, std::size_t i);

// What the front of a run decides; the engine calls it and never the other way round.
class PlanFront {
public:
    virtual ~PlanFront() = default;
    // Names packet `p` (a unit's first packet names the unit) in messages and Recovery events.
    virtual std::string where(const ScriptPlan& plan, const ScriptPacket& p) const { return plan.where(p); }
    // The device took the product ID: identity checks throw dfu::Error here.
    virtual void entered(const DeviceIdentity&) {}
    // An answer with the expected status (and data): throws Error for a failure no redo mends,
    // LinkFailure for an answer the unit must be redone for.
    virtual void answered(const ScriptPacket&, const Response&) {}
    // Packet `p` went through for the first time (or was found to differ, a finding); `row_end`:
    // it ends a row.
    virtual void went_through(const ScriptPacket&, bool /*row_end*/) {}
    // A row's Verify Data found the row differs (ERROR_VERIFY where that is a finding).
    virtual void differs(const ScriptPacket&) {}
    // Before the Exit DFU that tells the device the update is complete: throw to withhold it.
    virtual void before_exit() {}
    // A refusal that settles something instead of failing (--packet-size auto): the plan to go
    // on with, whose units are the same units in the same order, or null.
    virtual const ScriptPlan* replan(const DeviceStatus&) { return nullptr; }
    // Added to the message of a run that ends at `s`.
    virtual std::string hint(const DeviceStatus&) const { return {}; }
    // The outFile log the packets from now on are copied to (-1: none).
    virtual void route(int /*log*/) {}
    // Opens the port again (a unit's attempts are spent and its command allows a reconnect).
    virtual Client& reconnect() = 0;
};

class PlanRunner {
public:
    PlanRunner(const ScriptPlan& plan, Client& client, PlanFront& front, EventSink& events);

    // Every session of the plan. Throws dfu::Error (the exit code of what failed), Interrupted,
    // or transports::IoError; the counters below then tell how far it got.
    void run();

    Client& client() noexcept { return *client_; }
    std::size_t sessions_done() const noexcept { return sessions_done_; }
    unsigned retries() const noexcept { return retries_; }  // one Recovery event each
    unsigned reconnects() const noexcept { return reconnects_; }

private:
    // The one loop that walks units: packets of session `session_` from after its Enter DFU.
    void walk(std::size_t first_index);
    // Sends one packet and checks its answer: throws LinkFailure, DeviceStatus (a status other
    // than the expected one), or Error for a failure no redo can mend.
    void exchange(const ScriptPacket& p);
    // The session's Enter DFU, its recoveries counted as retries.
    DeviceIdentity enter();
    void count_through(std::size_t first_index, std::size_t i);
    void recovered(const Recovery& r);

    const ScriptPlan* plan_;
    Client* client_;
    PlanFront& front_;
    EventSink& events_;
    std::size_t session_ = 0;
    std::size_t high_water_ = 0;  // packets of the plan gone through so far, counted once
    std::size_t sessions_done_ = 0;
    unsigned retries_ = 0;
    unsigned reconnects_ = 0;
    bool entered_ = false;  // the device has taken the product ID in this run
};

}  // namespace dfu
