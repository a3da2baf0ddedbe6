#include "core/response_timer.hpp"

#include <algorithm>
#include <cmath>

#include "core/protocol.hpp"

namespace dfu {
namespace {
constexpr std::size_t kAnswerBytes = 7;  // a status-only answer; longer ones differ by a constant, learned
constexpr double kAlpha = 1.0 / 8;       // RFC 6298's gains
constexpr double kBeta = 1.0 / 4;
constexpr unsigned kMaxBackoff = 16;

// Commands whose answer takes a bounded time beyond the turnaround: none, or one row write.
// Enter DFU, Verify Application (a checksum over the whole application) and custom commands
// have no such bound and wait the ceiling until they have answered once.
bool bounded_work(std::uint8_t code, bool& writes_flash) noexcept {
    switch (code) {
        case cmd::program_data:
        case cmd::erase_data:
        case cmd::set_app_metadata:
            writes_flash = true;
            return true;
        case cmd::send_data:
        case cmd::verify_data:
            writes_flash = false;
            return true;
        default:
            return false;
    }
}
}  // namespace

double ResponseTimer::initial_excess_us(std::uint8_t code) const noexcept {
    bool writes_flash = false;
    if (!bounded_work(code, writes_flash)) return -1;
    double turnaround = -1;
    for (const Estimate& e : per_code_)
        if (e.known) turnaround = std::max(turnaround, e.srtt_us);
    if (turnaround < 0) return -1;  // the device has not answered yet
    return turnaround + (writes_flash ? static_cast<double>(kFlashWriteBound.count()) : 0.0);
}

ResponseTimer::Micros ResponseTimer::wait(std::uint8_t code, std::size_t request_bytes,
                                          Micros ceiling) const noexcept {
    const Estimate& e = per_code_[code];
    if (!adaptive_) return ceiling;
    // Before its own first answer: the initial estimate, with no deviation known.
    const double excess = e.known ? e.srtt_us : initial_excess_us(code);
    if (excess < 0) return ceiling;
    const double deviation = e.known ? e.rttvar_us : 0.0;
    const double expected = static_cast<double>(line_time(request_bytes + kAnswerBytes).count()) + excess;
    const double rto = 2 * expected + 4 * deviation + static_cast<double>(kMargin.count());
    const double backed_off = rto * static_cast<double>(1u << std::min(e.backoff, 4u));
    if (backed_off >= static_cast<double>(ceiling.count())) return ceiling;
    return Micros(std::llround(backed_off));
}

void ResponseTimer::answered(std::uint8_t code, std::size_t request_bytes, Micros elapsed) noexcept {
    Estimate& e = per_code_[code];
    // Karn: the first answer after a timeout may be to the earlier request, so it is no sample,
    // and the backed-off wait stays for the next request: a device that became slower (or was
    // always slower than the initial estimate) is not timed out again on the next row. An
    // answer to a request that followed no timeout is a sample and ends the backoff.
    if (e.ambiguous) {
        e.ambiguous = false;
        return;
    }
    e.backoff = 0;
    const double sample =
        std::max(0.0, static_cast<double>((elapsed - line_time(request_bytes + kAnswerBytes)).count()));
    if (!e.known) {
        e.known = true;
        e.srtt_us = sample;
        e.rttvar_us = sample / 2;
        return;
    }
    e.rttvar_us = (1 - kBeta) * e.rttvar_us + kBeta * std::abs(e.srtt_us - sample);
    e.srtt_us = (1 - kAlpha) * e.srtt_us + kAlpha * sample;
}

void ResponseTimer::timed_out(std::uint8_t code) noexcept {
    Estimate& e = per_code_[code];
    if (e.backoff < kMaxBackoff) ++e.backoff;
    e.ambiguous = true;
}

}  // namespace dfu
