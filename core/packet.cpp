#include "core/packet.hpp"

#include <array>
#include <stdexcept>

namespace dfu {

std::array<std::uint8_t, 2> checksum_bytes(ChecksumType type, std::span<const std::uint8_t> covered) noexcept {
    if (type == ChecksumType::crc16) {
        const std::uint16_t c = checksum_crc16_x25(covered);
        return {static_cast<std::uint8_t>(c >> 8), static_cast<std::uint8_t>(c)};
    }
    const std::uint16_t s = checksum_sum16(covered);
    return {static_cast<std::uint8_t>(s), static_cast<std::uint8_t>(s >> 8)};
}

void encode_packet(std::vector<std::uint8_t>& out, std::uint8_t code, std::span<const std::uint8_t> data,
                   ChecksumType type) {
    if (data.size() > kMaxPacketData) throw std::length_error("packet data longer than 65535 bytes");
    out.resize(data.size() + kFrameOverhead);
    out[0] = kStartOfPacket;
    out[1] = code;
    out[2] = static_cast<std::uint8_t>(data.size());
    out[3] = static_cast<std::uint8_t>(data.size() >> 8);
    std::copy(data.begin(), data.end(), out.begin() + 4);
    const auto sum = checksum_bytes(type, std::span(out).first(4 + data.size()));
    out[4 + data.size()] = sum[0];
    out[5 + data.size()] = sum[1];
    out[6 + data.size()] = kEndOfPacket;
}

std::vector<std::uint8_t> encode_packet(std::uint8_t code, std::span<const std::uint8_t> data, ChecksumType type) {
    std::vector<std::uint8_t> out;
    encode_packet(out, code, data, type);
    return out;
}

std::string_view decode_error_text(DecodeError e) noexcept {
    switch (e) {
        case DecodeError::none:
            return "ok";
        case DecodeError::too_short:
            return "frame shorter than 7 bytes";
        case DecodeError::bad_start:
            return "frame does not start with 0x01";
        case DecodeError::bad_end:
            return "frame does not end with 0x17";
        case DecodeError::length_mismatch:
            return "length field does not match the frame size";
        case DecodeError::bad_checksum:
            return "frame checksum does not match";
    }
    return "?";
}

DecodedPacket decode_packet(std::span<const std::uint8_t> frame, ChecksumType type) noexcept {
    DecodedPacket p;
    if (frame.size() < kFrameOverhead) {
        p.error = DecodeError::too_short;
        return p;
    }
    if (frame[0] != kStartOfPacket) {
        p.error = DecodeError::bad_start;
        return p;
    }
    const std::size_t n = packet_frame::data_length(frame);
    if (frame.size() != n + kFrameOverhead) {
        p.error = DecodeError::length_mismatch;
        return p;
    }
    if (frame[n + 6] != kEndOfPacket) {
        p.error = DecodeError::bad_end;
        return p;
    }
    const auto expect = checksum_bytes(type, frame.first(4 + n));
    if (frame[4 + n] != expect[0] || frame[5 + n] != expect[1]) {
        p.error = DecodeError::bad_checksum;
        return p;
    }
    p.code = frame[1];
    p.data = frame.subspan(4, n);
    return p;
}

}  // namespace dfu
