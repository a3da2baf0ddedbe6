#include <doctest/doctest.h>

#include <deque>

#include "transports/stream_transport.hpp"

using namespace dfu::transports;

namespace {

// Hands out scripted chunks, one per read, and records writes.
struct ScriptedStream final : ByteStream {
    std::deque<std::vector<std::uint8_t>>* chunks;
    std::vector<std::vector<std::uint8_t>>* writes;
    int* flushes;
    std::chrono::microseconds per_byte{0};  // the line rate the stream reports
    void write_all(std::span<const std::uint8_t> b) override { writes->emplace_back(b.begin(), b.end()); }
    std::size_t read_some(std::span<std::uint8_t> buf, Clock::time_point) override {
        if (chunks->empty()) return 0;
        auto c = std::move(chunks->front());
        chunks->pop_front();
        REQUIRE(c.size() <= buf.size());
        std::copy(c.begin(), c.end(), buf.begin());
        return c.size();
    }
    void flush_input() override { ++*flushes; }
    std::chrono::microseconds wire_time(std::size_t n) const noexcept override {
        return per_byte * static_cast<long>(n);
    }
    std::string description() const override { return "scripted"; }
};

struct Fixture {
    std::deque<std::vector<std::uint8_t>> chunks;
    std::vector<std::vector<std::uint8_t>> writes;
    int flushes = 0;
    StreamTransport make(Capabilities caps = {}, std::chrono::microseconds per_byte = {}) {
        auto s = std::make_unique<ScriptedStream>();
        s->per_byte = per_byte;
        s->chunks = &chunks;
        s->writes = &writes;
        s->flushes = &flushes;
        return StreamTransport(std::move(s), caps);
    }
};

const std::vector<std::uint8_t> kOk{0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x17};
const std::vector<std::uint8_t> kWithData{0x01, 0x00, 0x01, 0x00, 0x01, 0xFD, 0xFF, 0x17};

}  // namespace

TEST_CASE("a frame split over several reads is joined") {
    Fixture f;
    auto t = f.make();
    f.chunks = {{0x01, 0x00}, {0x01}, {0x00, 0x01, 0xFD}, {0xFF, 0x17}};
    std::vector<std::uint8_t> frame;
    REQUIRE(t.receive(frame, Clock::now()));
    CHECK(frame == kWithData);
}

TEST_CASE("garbage before the start byte is skipped and counted") {
    Fixture f;
    auto t = f.make();
    std::vector<std::uint8_t> chunk{0xFF, 0x00, 0x17};
    chunk.insert(chunk.end(), kOk.begin(), kOk.end());
    f.chunks = {chunk};
    std::vector<std::uint8_t> frame;
    REQUIRE(t.receive(frame, Clock::now()));
    CHECK(frame == kOk);
    CHECK(t.counters().bytes_discarded == 3);
}

TEST_CASE("a stray start byte with a wrong end is skipped to the real frame") {
    Fixture f;
    auto t = f.make();
    // 01 00 00 00 .. would be a 7-byte frame, but byte 6 is not 0x17: resync at the next 0x01.
    std::vector<std::uint8_t> chunk{0x01, 0x05, 0x00, 0x00, 0x33};
    chunk.insert(chunk.end(), kOk.begin(), kOk.end());
    f.chunks = {chunk};
    std::vector<std::uint8_t> frame;
    REQUIRE(t.receive(frame, Clock::now()));
    CHECK(frame == kOk);
    // The same with a length field that is not 0: 01 xx 01 00 would end 8 bytes later, at a
    // byte that is not 0x17.
    std::vector<std::uint8_t> longer{0x01, 0x05, 0x01, 0x00, 0x33, 0x44, 0x55, 0x66};
    longer.insert(longer.end(), kWithData.begin(), kWithData.end());
    f.chunks = {longer};
    REQUIRE(t.receive(frame, Clock::now()));
    CHECK(frame == kWithData);
}

TEST_CASE("an impossible length field is treated as noise") {
    Fixture f;
    auto t = f.make();
    std::vector<std::uint8_t> chunk{0x01, 0x00, 0xFF, 0xFF};
    chunk.insert(chunk.end(), kOk.begin(), kOk.end());
    f.chunks = {chunk};
    std::vector<std::uint8_t> frame;
    REQUIRE(t.receive(frame, Clock::now()));
    CHECK(frame == kOk);
}

TEST_CASE("two frames in one read come out one at a time") {
    Fixture f;
    auto t = f.make();
    std::vector<std::uint8_t> chunk = kOk;
    chunk.insert(chunk.end(), kWithData.begin(), kWithData.end());
    f.chunks = {chunk};
    std::vector<std::uint8_t> frame;
    REQUIRE(t.receive(frame, Clock::now()));
    CHECK(frame == kOk);
    REQUIRE(t.receive(frame, Clock::now()));
    CHECK(frame == kWithData);
    CHECK_FALSE(t.receive(frame, Clock::now()));
}

TEST_CASE("an incomplete frame at the deadline is not returned, discard drops it") {
    Fixture f;
    auto t = f.make();
    f.chunks = {{0x01, 0x00, 0x01}};
    std::vector<std::uint8_t> frame;
    CHECK_FALSE(t.receive(frame, Clock::now()));
    t.discard_input();
    CHECK(f.flushes == 1);
    f.chunks = {kOk};
    REQUIRE(t.receive(frame, Clock::now()));
    CHECK(frame == kOk);
}

TEST_CASE("each packet is one write, and an unanswered packet is followed by the gap") {
    // write() returns once the bytes are queued; the line still needs their wire time (here
    // 64 x 500 us = 32 ms) before the quiet gap can start.
    Fixture f;
    Capabilities caps;
    caps.gap_after_unanswered = std::chrono::milliseconds(20);
    auto t = f.make(caps, std::chrono::microseconds(500));
    const std::vector<std::uint8_t> p(64, 0xAA);
    t.send(p, Reply::none);
    const auto after_first = Clock::now();
    t.send(p, Reply::expected);
    CHECK(Clock::now() - after_first >= std::chrono::milliseconds(32 + 20));
    REQUIRE(f.writes.size() == 2);
    CHECK(f.writes[0].size() == 64);
    CHECK(t.counters().bytes_sent == 128);
    CHECK(t.counters().packets_sent == 2);
}

TEST_CASE("bytes after an answer's end byte are not taken for the next answer") {
    Fixture f;
    auto t = f.make();
    // A lying device: the answer, then the start of something that looks like another.
    f.chunks = {{0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x17, 0x01, 0x02, 0x00}};
    std::vector<std::uint8_t> frame;
    const std::vector<std::uint8_t> packet{0x01, 0x38, 0x00, 0x00, 0xC7, 0xFF, 0x17};
    t.send(packet, Reply::expected);
    REQUIRE(t.receive(frame, Clock::now()));
    CHECK(frame == kOk);
    t.send(packet, Reply::expected);
    f.chunks = {kWithData};
    REQUIRE(t.receive(frame, Clock::now()));
    CHECK(frame == kWithData);
    CHECK(t.counters().bytes_discarded == 3);
}
