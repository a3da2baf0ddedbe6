// StreamTransport framing and resynchronisation: arbitrary bytes arrive through a fake
// ByteStream in chunks of input-chosen sizes. receive() must return when the bytes run out
// (no hang), every frame it returns must be well-formed as far as framing goes (start byte,
// length field, end byte; the checksum is the decoder's job) and taken, in order, from what
// arrived, and the counters must add up.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/packet.hpp"
#include "fuzz_support.hpp"
#include "transports/stream_transport.hpp"

using dfu::transports::ByteStream;
using dfu::transports::Clock;
using dfu::transports::StreamTransport;

namespace {

// Hands out the input in chunks whose sizes come from a small generator seeded by the
// input, so one corpus entry explores one way of splitting its bytes.
class FakeStream final : public ByteStream {
public:
    FakeStream(std::span<const std::uint8_t> bytes, std::uint32_t seed, std::size_t* reads)
        : bytes_(bytes), state_(seed | 1u), reads_(reads) {}

    void write_all(std::span<const std::uint8_t>) override {}
    std::size_t read_some(std::span<std::uint8_t> buffer, Clock::time_point) override {
        ++*reads_;
        FUZZ_CHECK(!buffer.empty());
        if (pos_ == bytes_.size()) return 0;  // nothing more: as if the deadline passed
        const std::size_t want = 1 + next() % (next() % 4 == 0 ? 4096 : 64);
        const std::size_t n = std::min({want, buffer.size(), bytes_.size() - pos_});
        std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(pos_), n, buffer.begin());
        pos_ += n;
        return n;
    }
    void flush_input() override {}
    std::chrono::microseconds wire_time(std::size_t) const noexcept override { return {}; }
    std::string description() const override { return "fuzz"; }

    std::size_t position() const { return pos_; }

private:
    std::uint32_t next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return state_;
    }
    std::span<const std::uint8_t> bytes_;
    std::size_t pos_ = 0;
    std::uint32_t state_;
    std::size_t* reads_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    std::uint32_t seed = static_cast<std::uint32_t>(size);
    for (std::size_t i = 0; i < std::min<std::size_t>(size, 8); ++i) seed = seed * 31 + data[i];

    std::size_t reads = 0;
    auto owned = std::make_unique<FakeStream>(input, seed, &reads);
    FakeStream* stream = owned.get();
    // No idle gap: the target never sleeps.
    StreamTransport transport(std::move(owned), dfu::transports::Capabilities{});

    std::vector<std::uint8_t> frame;
    std::size_t search_from = 0;  // frames come out in order and never overlap
    std::size_t framed_bytes = 0;
    std::size_t frames = 0;
    for (;;) {
        if (!transport.receive(frame, Clock::now())) break;
        ++frames;
        FUZZ_CHECK(frame.size() >= dfu::kFrameOverhead);
        FUZZ_CHECK(frame.front() == dfu::kStartOfPacket);
        FUZZ_CHECK(frame.back() == dfu::kEndOfPacket);
        const std::size_t n = frame[2] | std::size_t{frame[3]} << 8;
        FUZZ_CHECK(n <= StreamTransport::kMaxResponseData);
        FUZZ_CHECK(frame.size() == n + dfu::kFrameOverhead);
        const auto at = std::search(input.begin() + static_cast<std::ptrdiff_t>(search_from), input.end(),
                                    frame.begin(), frame.end());
        FUZZ_CHECK(at != input.end());
        search_from = static_cast<std::size_t>(at - input.begin()) + frame.size();
        framed_bytes += frame.size();
        FUZZ_CHECK(frames <= size / dfu::kFrameOverhead);
    }
    // receive() gave up only once the stream had nothing more to give, and asked for more
    // only after using what it had: every read but the last returned at least one byte.
    FUZZ_CHECK(stream->position() == size);
    FUZZ_CHECK(reads <= size + 1);
    const auto& c = transport.counters();
    FUZZ_CHECK(c.bytes_received == size);
    FUZZ_CHECK(c.frames_received == frames);
    FUZZ_CHECK(c.bytes_discarded + framed_bytes <= size);
    // Bytes only left unconsumed are a possible frame still arriving: under one maximum frame.
    FUZZ_CHECK(size - c.bytes_discarded - framed_bytes < StreamTransport::kMaxResponseData + dfu::kFrameOverhead);

    transport.discard_input();
    FUZZ_CHECK(transport.counters().bytes_discarded + framed_bytes == size);
    return 0;
}
