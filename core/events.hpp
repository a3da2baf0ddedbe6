#pragma once
// What the engine tells the outside world while it works. The CLI turns these into
// a progress bar, JSON lines or a packet trace; tests record them.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace dfu {

enum class Direction : std::uint8_t { to_device, from_device };

struct Progress {
    std::size_t rows_done = 0;
    std::size_t rows_total = 0;
    std::uint64_t bytes_done = 0;  // payload bytes
    std::uint64_t bytes_total = 0;
    std::uint32_t row_address = 0;  // the row just finished
};

// One failure the run got over. Every Recovery is counted once in the run's result
// (RunResult::recoveries, ScriptResult::retries + reconnects), so the events and the
// summary always agree.
struct Recovery {
    std::string reason;         // "no response to Send Data", "ERROR_CHECKSUM from Program Data"
    std::string unit;           // what is redone: "row 0x10000200", "Set Application Metadata"
    unsigned attempt = 1;       // the attempt at `unit` that failed, from 1
    unsigned max_attempts = 1;  // the most attempts `unit` gets; the error after the last says this many
    // false: nothing is sent again, the run carries on (a lost Send Data answer); attempt then
    // counts such losses in a row and max_attempts is how many in a row the run goes on after.
    bool redone = true;
};

// The engine is still waiting for the device's answer: sent every wake of a long wait
// (Client::kWakeInterval), so a display can say what it waits for.
struct Waiting {
    std::uint8_t command = 0;
    std::optional<std::uint32_t> row_address;  // Program/Verify/Erase Data: the row
    std::chrono::duration<double> elapsed{};   // since the command was sent
};

struct DeviceIdentity {
    std::uint32_t silicon_id = 0;
    std::uint8_t silicon_rev = 0;
    std::uint8_t sdk_major = 0;
    std::uint8_t sdk_minor = 0;
    std::uint8_t sdk_build = 0;
};

class EventSink {
public:
    virtual ~EventSink() = default;
    // Packet tracing costs a callback per packet: only called when this says yes.
    virtual bool wants_packets() const { return false; }
    virtual void on_packet(Direction, std::span<const std::uint8_t> /*frame*/) {}
    virtual void on_device(const DeviceIdentity&) {}
    virtual void on_progress(const Progress&) {}
    virtual void on_recovery(const Recovery&) {}
    virtual void on_waiting(const Waiting&) {}
    virtual void on_note(const std::string& /*message*/) {}
    // A response payload the user asked to see (.mtbdfu "output" / "outCli").
    virtual void on_payload(const std::string& /*where*/, std::uint8_t /*command*/,
                            std::span<const std::uint8_t> /*data*/) {}
};

// Passes every event on to another sink: the base of a sink that watches or adds to a few of
// them and leaves the rest as they are.
class EventForwarder : public EventSink {
public:
    explicit EventForwarder(EventSink& next) : next_(next) {}
    bool wants_packets() const override { return next_.wants_packets(); }
    void on_packet(Direction d, std::span<const std::uint8_t> frame) override { next_.on_packet(d, frame); }
    void on_device(const DeviceIdentity& id) override { next_.on_device(id); }
    void on_progress(const Progress& p) override { next_.on_progress(p); }
    void on_recovery(const Recovery& r) override { next_.on_recovery(r); }
    void on_waiting(const Waiting& w) override { next_.on_waiting(w); }
    void on_note(const std::string& m) override { next_.on_note(m); }
    void on_payload(const std::string& where, std::uint8_t command, std::span<const std::uint8_t> data) override {
        next_.on_payload(where, command, data);
    }

private:
    EventSink& next_;
};

}  // namespace dfu
