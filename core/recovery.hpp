#pragma once
// The one recovery policy every run follows (docs/design.md, "Recovery policy"): which answers
// are worth redoing a unit for, how many attempts a unit gets, and how the device is brought
// back into DFU after an error. The runners (Flasher, ScriptRunner) decide what their units
// are; this decides when to give up and how to start again.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "core/client.hpp"
#include "core/events.hpp"

namespace dfu {

// The device answered a status other than the one the step expects.
struct DeviceStatus {
    std::uint8_t status;
    std::uint8_t command;
    bool cut = false;  // the answer came before the packet could have arrived whole
};

// Statuses that a lost or damaged byte can cause: worth redoing the unit.
bool status_is_transient(std::uint8_t status) noexcept;
// "Program Data answered ERROR_CHECKSUM (0x08): the packet or row CRC-32C did not match".
std::string status_text(const DeviceStatus& s);

// Sends one command and checks its answer's status: `expected`, else DeviceStatus is thrown.
// (A success whose shape cannot answer the command never gets here: Client::command skips it as
// a late answer to an earlier request.) The one "send and check" of the engine.
Response ask(Client& client, std::uint8_t code, std::span<const std::uint8_t> data, std::chrono::microseconds ceiling,
             Client::Wait wait = Client::Wait::learned, std::uint8_t expected = 0x00);
// The same for a command that must succeed within the run's --timeout.
inline Response ask(Client& client, std::uint8_t code, std::span<const std::uint8_t> data) {
    return ask(client, code, data, client.options().timeout);
}

// Enter DFU with `product_id`, with up to client.options().retries more attempts, each one
// reported through `recovered`. `first`: no Enter of this run has been accepted yet, so a
// refusal (twice) is a wrong product ID, exit 8; later it is damage on the line.
DeviceIdentity enter_device(Client& client, std::uint32_t product_id, std::chrono::microseconds ceiling,
                            const std::function<void(const Recovery&)>& recovered, bool first);

// How many attempts one unit gets. `retries` bounds the attempts that fail at the same point
// of the unit as the one before (a dead device, a refusal, a wait too short fail the same way
// every time); noise strikes at varying points and gets up to kNoisyLinkFactor times as many.
class UnitAttempts {
public:
    static constexpr unsigned kNoisyLinkFactor = 4;
    explicit UnitAttempts(unsigned retries) : retries_(retries) {}
    unsigned max_attempts() const noexcept { return (retries_ + 1) * kNoisyLinkFactor; }
    unsigned attempt() const noexcept { return attempt_; }
    // The current attempt failed at packet `point` of the unit: true when it was the last.
    bool failed_at(std::size_t point) noexcept;
    // The next attempt begins (after a recovery).
    void next() noexcept { ++attempt_; }

private:
    unsigned retries_;
    unsigned attempt_ = 1;
    unsigned same_point_ = 0;
    std::size_t last_point_ = SIZE_MAX;
};

}  // namespace dfu
