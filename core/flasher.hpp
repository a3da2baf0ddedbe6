#pragma once
// Runs a FirmwareJob against one device: the program / verify / erase sequences of
// docs/protocol.md, "What the host sends for each command line", with the row as the unit
// of recovery, on the engine every run uses (core/plan_runner.hpp).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/client.hpp"
#include "core/events.hpp"
#include "core/recovery.hpp"
#include "core/firmware_job.hpp"
#include "core/job_plan.hpp"
#include "core/plan_runner.hpp"
#include "transports/transport.hpp"

namespace dfu {


struct RunResult {
    Action action = Action::program;
    DeviceIdentity device;
    std::size_t rows_total = 0;
    std::size_t rows_done = 0;
    std::uint64_t bytes_total = 0;
    std::uint64_t bytes_done = 0;
    std::optional<std::uint32_t> first_row;  // address range touched so far
    std::uint64_t end_address = 0;
    std::vector<std::uint32_t> mismatched_rows;  // verify: rows that differ
    std::optional<bool> app_valid;               // Verify Application's answer, if asked
    unsigned recoveries = 0;                     // Recovery events reported, one per failure got over
    std::size_t packet_size = 0;                 // largest packet sent at the end: what --packet-size auto settled on
    std::uint64_t commands = 0;
    std::chrono::duration<double> elapsed{};
    transports::Counters wire;
};

// `program`, `verify` and `erase`: compiles the job into a plan (plan_job) and runs it on the one
// engine (core/plan_runner.hpp), as the front that knows rows: it checks the device's identity,
// reports progress in rows and row bytes, keeps Verify Application's answer and the rows that
// differ for the end of the run, and settles --packet-size auto (whole-row packets until the
// device refuses them, then the plan recompiled at the fallback size, resumed at the same row).
class Flasher : private PlanFront {
public:
    Flasher(transports::Transport& transport, const FirmwareJob& job, EngineOptions options, EventSink& events,
            const std::atomic<bool>* cancel = nullptr);

    // Throws dfu::Error with the exit code of the phase that failed; result() then
    // tells how far it got.
    RunResult run(Action action);
    const RunResult& result() const noexcept { return result_; }

private:
    // plan_job at `packet_size`, with the run's options as the policy's parameters.
    ScriptPlan compile(std::size_t packet_size) const;
    void finish(const PlanRunner& runner);

    // PlanFront
    std::string where(const ScriptPlan& plan, const ScriptPacket& p) const override;
    void entered(const DeviceIdentity& id) override;
    void answered(const ScriptPacket& p, const Response& r) override;
    void went_through(const ScriptPacket& p, bool row_end) override;
    void differs(const ScriptPacket& p) override { result_.mismatched_rows.push_back(p.row); }
    void before_exit() override;
    // --packet-size auto: the fallback plan when `s` says the device does not take the
    // whole-row packets (then the rest of the run uses it).
    const ScriptPlan* replan(const DeviceStatus& s) override;
    std::string hint(const DeviceStatus& s) const override;
    Client& reconnect() override;

    const FirmwareJob& job_;
    Action action_ = Action::program;
    std::size_t first_size_;        // the packet size a run starts with
    std::size_t packet_size_;       // the size the plan in use is packed for
    std::size_t fallback_size_;     // what --packet-size auto falls back to
    bool probing_ = false;          // auto: no row has gone through at packet_size_ yet
    unsigned length_refusals_ = 0;  // ERROR_LENGTH answers while probing, not cut short
    std::optional<ScriptPlan> fallback_plan_;
    Client client_;
    EventSink& events_;
    RunResult result_;
    std::chrono::steady_clock::time_point started_;
};

// Enter DFU with `product_id`, read the identity, call `in_dfu` (if given) with the client, then
// Exit unless `in_dfu` returned false (it sent Exit itself). For `dfuhost info` and `send`
// (core/device_query.hpp).
DeviceIdentity query_device(transports::Transport& transport, ChecksumType checksum, std::uint32_t product_id,
                            EngineOptions options, EventSink& events, const std::atomic<bool>* cancel = nullptr,
                            const std::function<bool(Client&)>& in_dfu = {});

}  // namespace dfu
