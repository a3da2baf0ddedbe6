#include "core/response_timer.hpp"

#include <algorithm>
#include <cmath>

namespace dfu {
namespace {
constexpr std::size_t kAnswerBytes = 7;  // a status-only answer; longer ones differ by a constant, learned
constexpr double kAlpha = 1.0 / 8;       // RFC 6298's gains
constexpr double kBeta = 1.0 / 4;
constexpr unsigned kMaxBackoff = 16;
}  // namespace

ResponseTimer::Micros ResponseTimer::wait(std::uint8_t code, std::size_t request_bytes,
                                          Micros ceiling) const noexcept {
    const Estimate& e = per_code_[code];
    if (!adaptive_ || !e.known) return ceiling;
    const double expected = static_cast<double>(line_time(request_bytes + kAnswerBytes).count()) + e.srtt_us;
    const double rto = 2 * expected + 4 * e.rttvar_us + static_cast<double>(kMargin.count());
    const double backed_off = rto * static_cast<double>(1u << std::min(e.backoff, 4u));
    if (backed_off >= static_cast<double>(ceiling.count())) return ceiling;
    return Micros(std::llround(backed_off));
}

void ResponseTimer::answered(std::uint8_t code, std::size_t request_bytes, Micros elapsed) noexcept {
    Estimate& e = per_code_[code];
    // Karn: an answer after a timeout may be to the earlier request; it resets the backoff
    // but is not a sample.
    const bool after_timeout = e.backoff > 0;
    e.backoff = 0;
    if (after_timeout) return;
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
}

}  // namespace dfu
