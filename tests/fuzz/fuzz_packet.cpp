// Host packet codec: decode_packet on arbitrary bytes with both checksum types. Its verdict
// is checked against the frame rules of docs/protocol.md ("Packet frame") written out again here, a frame it
// accepts must be exactly what encode_packet makes of its code and data, and whatever
// encode_packet makes must decode back.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/packet.hpp"
#include "fuzz_support.hpp"

using dfu::ChecksumType;
using dfu::DecodeError;

namespace {

bool checksum_matches(std::span<const std::uint8_t> frame, ChecksumType type) {
    const std::size_t n = frame.size() - 7;
    const auto expect = fuzz::reference_checksum(type == ChecksumType::sum ? 0 : 1, frame.data(), 4 + n);
    return frame[4 + n] == expect[0] && frame[5 + n] == expect[1];
}

DecodeError expected_verdict(std::span<const std::uint8_t> f, ChecksumType type) {
    if (f.size() < 7) return DecodeError::too_short;
    if (f[0] != 0x01) return DecodeError::bad_start;
    if (f.size() != 7 + (f[2] | std::size_t{f[3]} << 8)) return DecodeError::length_mismatch;
    if (f.back() != 0x17) return DecodeError::bad_end;
    if (!checksum_matches(f, type)) return DecodeError::bad_checksum;
    return DecodeError::none;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    for (const ChecksumType type : {ChecksumType::sum, ChecksumType::crc16}) {
        const auto decoded = dfu::decode_packet(input, type);
        FUZZ_CHECK(decoded.error == expected_verdict(input, type));
        FUZZ_CHECK(!dfu::decode_error_text(decoded.error).empty());
        if (decoded) {
            FUZZ_CHECK(decoded.code == input[1]);
            FUZZ_CHECK(decoded.data.size() == size - 7);
            FUZZ_CHECK(decoded.data.data() == data + 4);
            const auto encoded = dfu::encode_packet(decoded.code, decoded.data, type);
            FUZZ_CHECK(std::equal(encoded.begin(), encoded.end(), input.begin(), input.end()));
        }

        // The other direction: the input as one packet's code and data.
        if (size >= 1 && size - 1 <= dfu::kMaxPacketData) {
            const auto frame = dfu::encode_packet(data[0], input.subspan(1), type);
            FUZZ_CHECK(frame.size() == size - 1 + dfu::kFrameOverhead);
            const auto back = dfu::decode_packet(frame, type);
            FUZZ_CHECK(back);
            FUZZ_CHECK(back.code == data[0]);
            FUZZ_CHECK(std::equal(back.data.begin(), back.data.end(), input.begin() + 1, input.end()));
        }
    }
    return 0;
}
