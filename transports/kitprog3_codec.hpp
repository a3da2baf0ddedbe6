#pragma once
// The KitProg3 / MiniProg4 bridge protocol ("KitProg Host Protocol Interface"): command
// packets and their replies on the bridge's bulk endpoints, one USB packet each (64 bytes
// at full speed). Pure functions: no I/O, so every byte can be checked in tests.
//
// Layouts, checked against the published KitProg3 firmware (v2.60, bridgesInterface.{c,h},
// DAP_vendor.{c,h}), which implements the manual; the manual itself was not at hand:
//   0x90 capabilities   > 90
//                       < 90 st ifaces(I2C 01, SPI 02) leds/uarts i2c-speeds(bit n = index n)
//                         spi-min-hz(u32 LE) spi-max-hz(u32 LE) spi-chip-selects voltages
//   0x86 speed          > 86 00(set) 00(I2C) index(u32 LE, 0..3 = 50k/100k/400k/1M)
//                       > 86 00(set) 01(SPI) hz(u32 LE) mode(CPHA 04, CPOL 02, LSB first 01)
//                       > 86 01(get) iface
//                       < 86 st value(u32 LE) [SPI get: mode]
//   0x87 I2C recovery   > 87                      < 87 st
//   0x88 I2C transfer   > 88 flags length address data...   (parts without START: no address)
//                       < 88 01 (wait: the transfer is still running; more replies follow)
//                       < 88 00 addr-ack [per-byte ACK... | read data...]   (no START: no addr-ack)
//                       < 88 82 (the bridge could not start: bus stuck)
//   0x89 SPI transfer   > 89 length chip-select control(02 assert CS first, 08 release after) mosi...
//                       < 89 00 miso...
// Status bytes: 00 success, 01 wait, 81 invalid parameter, 82 operation failed; a lone FF
// answers a command the bridge does not know or does not offer (no SPI on this kit, or a
// command other than 0x87 while an I2C transfer is still running).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dfu::transports::kitprog3 {

constexpr std::uint16_t kVid = 0x04B4;
inline constexpr std::array<std::uint16_t, 6> kKitProg3Pids{0xF154, 0xF155, 0xF166, 0xF168, 0xF169, 0xF16A};
inline constexpr std::array<std::uint16_t, 2> kMiniProg4Pids{0xF151, 0xF152};
// KitProg3 in CMSIS-DAP bulk mode with two USB-UARTs: the second UART takes the bridge's place.
constexpr std::uint16_t kDualUartPid = 0xF166;

namespace cmd {
constexpr std::uint8_t speed = 0x86;
constexpr std::uint8_t i2c_recover = 0x87;
constexpr std::uint8_t i2c_transfer = 0x88;
constexpr std::uint8_t spi_transfer = 0x89;
constexpr std::uint8_t capabilities = 0x90;
constexpr std::uint8_t invalid = 0xFF;  // the bridge's answer to a command it refuses
}  // namespace cmd

namespace status {
constexpr std::uint8_t ok = 0x00;
constexpr std::uint8_t wait = 0x01;
constexpr std::uint8_t invalid_parameter = 0x81;
constexpr std::uint8_t operation_failed = 0x82;
}  // namespace status

// The bridge's USB packet; a command and its reply each fit one.
constexpr std::size_t kPacketSize = 64;
// Data bytes one 0x88 or 0x89 command carries: the packet less the 4-byte command header.
constexpr std::size_t kMaxChunk = kPacketSize - 4;

using Packet = std::vector<std::uint8_t>;

// --- Capabilities (0x90) ---
namespace capability {
constexpr std::uint8_t i2c = 0x01;
constexpr std::uint8_t spi = 0x02;
}  // namespace capability

struct BridgeCapabilities {
    std::uint8_t interfaces = 0;  // capability:: bits
    std::uint8_t i2c_speeds = 0;  // bit n: speed index n offered
    std::uint32_t spi_min_hz = 0;
    std::uint32_t spi_max_hz = 0;
    std::uint8_t spi_chip_selects = 0;  // bit n: chip-select line n
    bool has_i2c() const { return (interfaces & capability::i2c) != 0; }
    bool has_spi() const { return (interfaces & capability::spi) != 0; }
};

Packet encode_capabilities();
// nullopt when the reply is not a successful 0x90 reply of the documented length.
std::optional<BridgeCapabilities> decode_capabilities(std::span<const std::uint8_t> reply);

// --- Speed (0x86) ---
enum class Interface : std::uint8_t { i2c = 0x00, spi = 0x01 };
inline constexpr std::array<unsigned, 4> kI2cSpeedsHz{50000, 100000, 400000, 1000000};

struct I2cSpeedChoice {
    std::uint8_t index = 0;
    unsigned hz = 0;
};
// The fastest speed the bridge offers (`offered`: bit n for index n) that is not above
// `requested_hz`; nullopt when every offered speed is faster than that.
std::optional<I2cSpeedChoice> choose_i2c_speed(unsigned requested_hz, std::uint8_t offered);

// SPI mode byte: mode is CPOL << 1 | CPHA, as in SpiSettings.
std::uint8_t spi_mode_bits(std::uint8_t mode, bool lsb_first);

Packet encode_set_i2c_speed(std::uint8_t index);
Packet encode_set_spi_speed(std::uint32_t hz, std::uint8_t mode_bits);
// The value a successful set speed reply carries (I2C: the index, SPI: Hz).
std::optional<std::uint32_t> decode_speed(std::span<const std::uint8_t> reply);

// --- I2C (0x87, 0x88) ---
Packet encode_i2c_recover();

// Flags byte of 0x88. Bits 6..4 say what the part is: 1 write with START, 2 read with START,
// 3 write continuing the transfer (no START, no address), 4 read continuing it. With START,
// bit 0 asks for a repeated START and bit 1 for a STOP after the part. The firmware reads the
// STOP of a continuing part from bit 3 instead; we set both bits 1 and 3 there so the STOP
// is honoured whichever the bridge looks at (bit 3 has no other meaning in those parts).
namespace i2c_flags {
constexpr std::uint8_t write_start = 0x10;
constexpr std::uint8_t read_start = 0x20;
constexpr std::uint8_t write_continue = 0x30;
constexpr std::uint8_t read_continue = 0x40;
constexpr std::uint8_t repeated_start = 0x01;
constexpr std::uint8_t stop = 0x02;
constexpr std::uint8_t stop_continuing = 0x08;
}  // namespace i2c_flags

// One part of an I2C transfer: the first part carries START and the 7-bit address, the last
// one STOP. At most kMaxChunk data bytes (write) or bytes asked for (read).
Packet encode_i2c_write(std::uint8_t address, std::span<const std::uint8_t> data, bool start, bool stop);
Packet encode_i2c_read(std::uint8_t address, std::size_t length, bool start, bool stop);

struct I2cReply {
    enum class Kind {
        wait,          // 88 01: still running, another reply follows
        done,          // every byte went through (read: `data` holds them)
        address_nack,  // nobody acknowledged the address (or, as the bridge reports a write
                       // NACK, a data byte: the firmware cannot tell the two apart)
        data_nack,     // the target acknowledged `acked` data bytes, then refused one
        bus_stuck,     // 88 82: the bridge could not start the transfer: SDA/SCL held low
        refused,       // FF or 88 81: the bridge refused the command
        malformed,     // anything else
    };
    Kind kind = Kind::malformed;
    std::size_t acked = 0;
    std::vector<std::uint8_t> data;
};
// `start`/`length`: how the part was sent, since the reply layout depends on them.
I2cReply decode_i2c_reply(std::span<const std::uint8_t> reply, bool read, bool start, std::size_t length);

// --- SPI (0x89) ---
namespace spi_control {
constexpr std::uint8_t assert_cs = 0x02;   // chip select asserted before the first byte
constexpr std::uint8_t release_cs = 0x08;  // and released after the last
}  // namespace spi_control

// At most kMaxChunk bytes; `chip_select` is the line's bit (01, 02 or 04).
Packet encode_spi_transfer(std::uint8_t chip_select, std::span<const std::uint8_t> mosi, bool assert_cs,
                           bool release_cs);
// MISO bytes of a successful reply to a transfer of `length` bytes; nullopt otherwise.
std::optional<std::vector<std::uint8_t>> decode_spi_reply(std::span<const std::uint8_t> reply, std::size_t length);

// "88 00 01": a reply in hex, for messages.
std::string hex(std::span<const std::uint8_t> bytes);

}  // namespace dfu::transports::kitprog3
