// The response timer alone: what it waits before and after it has learned, how it backs off,
// and that the ceiling always holds.
#include <doctest/doctest.h>

#include "core/protocol.hpp"
#include "core/response_timer.hpp"

using namespace dfu;
using namespace std::chrono_literals;
using Micros = ResponseTimer::Micros;

namespace {
// 115200 baud 8N1: 10 bits a character.
constexpr std::chrono::nanoseconds kChar{86'806};
constexpr Micros kCeiling = 1'000'000us;
}  // namespace

TEST_CASE("response timer: the ceiling until a command has an answer to learn from") {
    ResponseTimer t(kChar, true);
    CHECK(t.wait(cmd::program_data, 527, kCeiling) == kCeiling);
    t.answered(cmd::enter, 15, 3'000us);
    CHECK(t.wait(cmd::program_data, 527, kCeiling) == kCeiling);  // learned per command code
    CHECK(t.wait(cmd::enter, 15, kCeiling) < kCeiling);
}

TEST_CASE("response timer: a learned wait is twice the expected time, its deviation and the margin") {
    ResponseTimer t(kChar, true);
    const Micros line = t.line_time(527 + 7);
    CHECK(line.count() == 46'354);  // 534 characters at 115200 baud
    // Every answer 10 ms beyond the line time: no deviation left after a while.
    for (int i = 0; i < 60; ++i) t.answered(cmd::program_data, 527, line + 10'000us);
    const Micros w = t.wait(cmd::program_data, 527, kCeiling);
    CHECK(w >= 2 * (line + 10'000us) + ResponseTimer::kMargin);
    CHECK(w <= 2 * (line + 10'000us) + ResponseTimer::kMargin + 1'000us);
    // A shorter request of the same command waits less: the line time is counted per packet.
    CHECK(t.wait(cmd::program_data, 64, kCeiling) < w - 2 * t.line_time(400));
}

TEST_CASE("response timer: a slow device's turnaround is learned, not timed out") {
    ResponseTimer t(kChar, true);
    // 200 ms turnaround, give or take 20 ms.
    for (int i = 0; i < 40; ++i)
        t.answered(cmd::send_data, 64, t.line_time(71) + Micros(i % 2 ? 180'000 : 220'000));
    CHECK(t.wait(cmd::send_data, 64, kCeiling) > 400'000us);
}

TEST_CASE("response timer: each timeout doubles the wait up to the ceiling, an answer ends the backoff") {
    ResponseTimer t(kChar, true);
    for (int i = 0; i < 20; ++i) t.answered(cmd::send_data, 64, 7'000us);
    const Micros w = t.wait(cmd::send_data, 64, kCeiling);
    t.timed_out(cmd::send_data);
    CHECK(t.wait(cmd::send_data, 64, kCeiling).count() == doctest::Approx(2.0 * w.count()).epsilon(0.001));
    t.timed_out(cmd::send_data);
    CHECK(t.wait(cmd::send_data, 64, kCeiling).count() == doctest::Approx(4.0 * w.count()).epsilon(0.001));
    for (int i = 0; i < 10; ++i) t.timed_out(cmd::send_data);
    CHECK(t.wait(cmd::send_data, 64, kCeiling) == kCeiling);
    t.answered(cmd::send_data, 64, 7'000us);  // after a timeout: ends the backoff, not a sample
    CHECK(t.wait(cmd::send_data, 64, kCeiling) == w);
}

TEST_CASE("response timer: never above the ceiling, and always the ceiling when fixed") {
    ResponseTimer adaptive(kChar, true), fixed(kChar, false);
    for (int i = 0; i < 10; ++i) {
        adaptive.answered(cmd::program_data, 527, 900'000us);
        fixed.answered(cmd::program_data, 527, 5'000us);
    }
    CHECK(adaptive.wait(cmd::program_data, 527, kCeiling) == kCeiling);
    CHECK(adaptive.wait(cmd::program_data, 527, 80'000us) == 80'000us);
    CHECK(fixed.wait(cmd::program_data, 527, kCeiling) == kCeiling);
}
