#pragma once
// Runs a FirmwareJob against one device: the program / verify / erase sequences of
// docs/protocol.md, "What the host sends for each command line", with the row as the unit
// of recovery.
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
#include "core/row_packing.hpp"
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

class Flasher {
public:
    Flasher(transports::Transport& transport, const FirmwareJob& job, EngineOptions options, EventSink& events,
            const std::atomic<bool>* cancel = nullptr);

    // Throws dfu::Error with the exit code of the phase that failed; result() then
    // tells how far it got.
    RunResult run(Action action);
    const RunResult& result() const noexcept { return result_; }

private:
    void enter();
    void transfer_row(const RowStep& row, std::uint8_t final_command);
    template <typename Op>
    void with_recovery(const std::string& unit, Op&& op);
    // Counts the recovery in result_.recoveries and reports it: the one place for both.
    void report_recovery(const Recovery& r);
    // Reports, then re-enters DFU so `unit` can be redone.
    void recover(const std::string& reason, const std::string& unit, unsigned attempt, unsigned max_attempts);
    // Waits out the hold-off, enters DFU again and drops whatever part of a row the device holds.
    void reenter();
    void set_app_metadata();
    void verify_application();
    void row_finished(const RowStep& row);
    // --packet-size auto: true when `s` says the device does not take the whole-row packets
    // (then the rest of the run uses the fallback size).
    bool packets_refused(const DeviceStatus& s);
    void finish_timing();

    const FirmwareJob& job_;
    RowPacking packing_;
    std::size_t packet_size_;       // the size packing_ is for
    std::size_t fallback_size_;     // what --packet-size auto falls back to
    bool probing_ = false;          // auto: no row has gone through at packet_size_ yet
    unsigned length_refusals_ = 0;  // ERROR_LENGTH answers while probing, not cut short
    Client client_;
    EventSink& events_;
    RunResult result_;
    std::chrono::steady_clock::time_point started_;
    std::size_t step_ = 0;  // packets into the current unit: where an attempt failed
    bool entered_ = false;  // the device has accepted the product ID in this run
};

// Enter DFU with `product_id`, read the identity, call `in_dfu` (if given) with the client, then
// Exit unless `in_dfu` returned false (it sent Exit itself). For `dfuhost info` and `send`
// (core/device_query.hpp).
DeviceIdentity query_device(transports::Transport& transport, ChecksumType checksum, std::uint32_t product_id,
                            EngineOptions options, EventSink& events, const std::atomic<bool>* cancel = nullptr,
                            const std::function<bool(Client&)>& in_dfu = {});

}  // namespace dfu
