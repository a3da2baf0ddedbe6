// The polled-bus framing (I2C, SPI) against the real responder core as the bus target.
#include <doctest/doctest.h>

#include <algorithm>
#include <thread>

#include "bus_target.hpp"
#include "core/error.hpp"
#include "core/flasher.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "firmware_jobs.hpp"
#include "transports/polled_bus_transport.hpp"

using namespace dfu;
using testsupport::BusTarget;
using testsupport::DirectBus;
using namespace testsupport::jobs;

namespace {

EngineOptions fast_options() {
    EngineOptions o;
    o.error_holdoff = std::chrono::milliseconds(0);
    o.timeout = std::chrono::milliseconds(200);
    return o;
}

RunResult program_through(BusTarget& target, std::size_t max_transfer, const FirmwareJob& job) {
    transports::PolledBusTransport t(std::make_unique<DirectBus>(target, max_transfer), 64);
    EventSink quiet;
    Flasher f(t, job, fast_options(), quiet);
    return f.run(Action::program);
}

}  // namespace

TEST_CASE("polled bus: I2C target answering 0xFF while busy, program lands byte for byte") {
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 3;
    FirmwareJob job = make_job(3);
    sign(job, 1500);
    const RunResult r = program_through(target, 256, job);
    CHECK(r.app_valid == true);
    check_flash_has(target.flash(), job);
    // One write transaction per packet, never more than a packet.
    for (const auto& w : target.writes()) {
        CHECK(w.front() == 0x01);
        CHECK(w.back() == 0x17);
        CHECK(w.size() <= 64);
    }
}

TEST_CASE("polled bus: I2C target that NACKs while busy") {
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 5;
    target.nack_when_busy = true;
    FirmwareJob job = make_job(2);
    sign(job, 1000);
    CHECK(program_through(target, 256, job).app_valid == true);
    check_flash_has(target.flash(), job);
}

TEST_CASE("polled bus: SPI response starting part way into a read") {
    for (std::size_t lead : {1u, 6u, 7u, 20u}) {
        CAPTURE(lead);
        BusTarget target(BusTarget::Kind::spi);
        target.spi_lead_idle = lead;
        target.busy_reads = 1;
        FirmwareJob job = make_job(2);
        sign(job, 1000);
        CHECK(program_through(target, 64, job).app_valid == true);
        check_flash_has(target.flash(), job);
    }
}

TEST_CASE("polled bus: a longer response is read on in a second transaction") {
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 0;
    transports::PolledBusTransport t(std::make_unique<DirectBus>(target, 64), 64);
    const auto enter = encode_packet(cmd::enter, std::vector<std::uint8_t>{4, 3, 2, 1}, ChecksumType::sum);
    t.send(enter, transports::Reply::expected);
    std::vector<std::uint8_t> frame;
    REQUIRE(t.receive(frame, transports::Clock::now() + std::chrono::milliseconds(100)));
    CHECK(frame.size() == 15);  // 8 data bytes: silicon id, rev, SDK version
    CHECK(frame[1] == status::success);
    CHECK(target.reads() == 2);
    // The second transaction asks for the missing bytes only, not the whole answer again.
    CHECK(target.bytes_read() == frame.size());
    CHECK(t.counters().frames_received == 1);
}

TEST_CASE("polled bus: silence until the deadline is a timeout, not a hang") {
    BusTarget target(BusTarget::Kind::i2c);
    target.nack_when_busy = true;
    transports::PolledBusTransport t(std::make_unique<DirectBus>(target, 64), 64);
    std::vector<std::uint8_t> frame;
    const auto t0 = transports::Clock::now();
    CHECK_FALSE(t.receive(frame, t0 + std::chrono::milliseconds(30)));
    CHECK(transports::Clock::now() - t0 < std::chrono::milliseconds(500));
    CHECK(frame.empty());
}

TEST_CASE("polled bus: the packet size is capped by the bridge's transaction") {
    BusTarget target(BusTarget::Kind::i2c);
    transports::PolledBusTransport t(std::make_unique<DirectBus>(target, 61), 600);
    CHECK(t.capabilities().max_packet == 61);
    CHECK_THROWS_AS(t.send(std::vector<std::uint8_t>(62, 0x01), transports::Reply::expected), transports::IoError);
}

namespace {
// A bus that hands out scripted read transactions, pausing before each as told: a response
// can be made to straddle the deadline of a receive.
class ScriptedBus final : public transports::BusPort {
public:
    struct Read {
        std::vector<std::uint8_t> bytes;
        std::chrono::milliseconds pause{0};
    };
    explicit ScriptedBus(std::vector<Read> reads) : reads_(std::move(reads)) {}
    void write(std::span<const std::uint8_t>) override {}
    bool read(std::span<std::uint8_t> buffer) override {
        std::fill(buffer.begin(), buffer.end(), 0xFF);  // idle
        if (next_ == reads_.size()) return true;
        const Read& r = reads_[next_++];
        std::this_thread::sleep_for(r.pause);
        std::copy_n(r.bytes.begin(), std::min(r.bytes.size(), buffer.size()), buffer.begin());
        return true;
    }
    std::size_t max_transfer() const noexcept override { return 6; }
    std::string description() const override { return "scripted bus"; }

private:
    std::vector<Read> reads_;
    std::size_t next_ = 0;
};
}  // namespace

TEST_CASE("polled bus: a frame begun when receive's deadline passed is finished by the next receive") {
    // The engine waits in short slices (to see Ctrl-C): a slice may end inside a response.
    const auto answer = encode_packet(status::success, std::vector<std::uint8_t>{1, 2, 3, 4, 5}, ChecksumType::sum);
    REQUIRE(answer.size() == 12);
    const std::vector<std::uint8_t> head(answer.begin(), answer.begin() + 6);
    const std::vector<std::uint8_t> tail(answer.begin() + 6, answer.end());
    transports::PolledBusTransport t(
        std::make_unique<ScriptedBus>(std::vector<ScriptedBus::Read>{{head, std::chrono::milliseconds(40)}, {tail, {}}}),
        64);
    std::vector<std::uint8_t> frame;
    const auto t0 = transports::Clock::now();
    CHECK_FALSE(t.receive(frame, t0 + std::chrono::milliseconds(20)));  // the head arrives after this deadline
    CHECK(t.receive(frame, t0 + std::chrono::milliseconds(500)));
    CHECK(frame == answer);
    CHECK(t.counters().bytes_discarded == 0);
}
