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

TEST_CASE("response timer: the ceiling until the device has answered anything") {
    ResponseTimer t(kChar, true);
    CHECK(t.wait(cmd::enter, 15, kCeiling) == kCeiling);
    CHECK(t.wait(cmd::program_data, 527, kCeiling) == kCeiling);
    CHECK(t.wait(cmd::send_data, 64, kCeiling) == kCeiling);
    t.answered(cmd::enter, 15, t.line_time(15 + 15) + 3'000us);
    CHECK(t.wait(cmd::enter, 15, kCeiling) < kCeiling);
}

TEST_CASE("response timer: before its first answer, a row command waits its line time, the turnaround and a row write") {
    ResponseTimer t(kChar, true);
    t.answered(cmd::enter, 15, t.line_time(15 + 7) + 3'000us);  // the device turns around in 3 ms
    // Program Data: twice (line time + 3 ms + the flash write bound) + the margin, far below 1 s.
    const Micros expected = t.line_time(527 + 7) + 3'000us + ResponseTimer::kFlashWriteBound;
    const Micros program = t.wait(cmd::program_data, 527, kCeiling);
    CHECK(program >= 2 * expected + ResponseTimer::kMargin - 1us);
    CHECK(program <= 2 * expected + ResponseTimer::kMargin + 1us);
    CHECK(t.wait(cmd::erase_data, 11, kCeiling) > 2 * ResponseTimer::kFlashWriteBound + ResponseTimer::kMargin);
    CHECK(t.wait(cmd::set_app_metadata, 16, kCeiling) > 2 * ResponseTimer::kFlashWriteBound + ResponseTimer::kMargin);
    // Send Data writes no flash: its line time and the turnaround only.
    const Micros send = t.wait(cmd::send_data, 64, kCeiling);
    CHECK(send >= 2 * (t.line_time(64 + 7) + 3'000us) + ResponseTimer::kMargin - 1us);
    CHECK(send <= 2 * (t.line_time(64 + 7) + 3'000us) + ResponseTimer::kMargin + 1us);
    // Commands without a bound on their work keep the ceiling until they answer.
    CHECK(t.wait(cmd::verify_app, 7, kCeiling) == kCeiling);
    // A timeout doubles the initial estimate like a learned one.
    t.timed_out(cmd::program_data);
    CHECK(t.wait(cmd::program_data, 527, kCeiling).count() == doctest::Approx(2.0 * program.count()).epsilon(0.001));
    // Its own first answer replaces the estimate.
    t.answered(cmd::program_data, 527, 1'000us);  // after a timeout: not a sample
    t.answered(cmd::program_data, 527, t.line_time(527 + 7) + 4'000us);
    CHECK(t.wait(cmd::program_data, 527, kCeiling) < program);
}

TEST_CASE("response timer: a slow device's turnaround carries into the first wait of a row command") {
    ResponseTimer t(kChar, true);
    t.answered(cmd::enter, 15, t.line_time(15 + 7) + 200'000us);  // dfu-sim --turnaround-us 200000
    // The first Program Data answer comes after its line time, 200 ms and a row write: the
    // wait leaves room beyond that, or reaches the ceiling.
    const Micros answer = t.line_time(527 + 7) + 200'000us + ResponseTimer::kFlashWriteBound;
    CHECK(t.wait(cmd::program_data, 527, kCeiling) >= std::min(kCeiling, 2 * answer));
    CHECK(t.wait(cmd::send_data, 64, kCeiling) > 2 * (t.line_time(64 + 7) + 200'000us));
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

TEST_CASE("response timer: each timeout doubles the wait up to the ceiling, the first answer that is a sample ends the backoff") {
    ResponseTimer t(kChar, true);
    for (int i = 0; i < 20; ++i) t.answered(cmd::send_data, 64, 7'000us);
    const Micros w = t.wait(cmd::send_data, 64, kCeiling);
    t.timed_out(cmd::send_data);
    CHECK(t.wait(cmd::send_data, 64, kCeiling).count() == doctest::Approx(2.0 * w.count()).epsilon(0.001));
    t.timed_out(cmd::send_data);
    CHECK(t.wait(cmd::send_data, 64, kCeiling).count() == doctest::Approx(4.0 * w.count()).epsilon(0.001));
    for (int i = 0; i < 10; ++i) t.timed_out(cmd::send_data);
    CHECK(t.wait(cmd::send_data, 64, kCeiling) == kCeiling);
    // The first answer after a timeout may be the late answer to the request that timed out:
    // no sample, and the backed-off wait stays for the next request (Karn).
    t.answered(cmd::send_data, 64, 7'000us);
    CHECK(t.wait(cmd::send_data, 64, kCeiling) == kCeiling);
    // An answer to a request after which nothing timed out is a sample and ends the backoff.
    t.answered(cmd::send_data, 64, 7'000us);
    CHECK(t.wait(cmd::send_data, 64, kCeiling).count() == doctest::Approx(w.count()).epsilon(0.001));
}

TEST_CASE("response timer: never above the ceiling, and always the ceiling when fixed") {
    ResponseTimer adaptive(kChar, true), fixed(kChar, false);
    fixed.answered(cmd::enter, 15, 3'000us);
    CHECK(fixed.wait(cmd::program_data, 527, kCeiling) == kCeiling);  // no initial estimate either
    for (int i = 0; i < 10; ++i) {
        adaptive.answered(cmd::program_data, 527, 900'000us);
        fixed.answered(cmd::program_data, 527, 5'000us);
    }
    CHECK(adaptive.wait(cmd::program_data, 527, kCeiling) == kCeiling);
    CHECK(adaptive.wait(cmd::program_data, 527, 80'000us) == 80'000us);
    CHECK(fixed.wait(cmd::program_data, 527, kCeiling) == kCeiling);
}
