#pragma once
// MCP2210 (04d8:00de) as an SPI master behind a HidDevice: Microchip DS22288, section 3
// (HID commands). 64-byte reports without a report ID (hidapi needs a 0x00 prefix on
// write); every command is answered by one report echoing its code. The chip asserts
// chip select for exactly "bytes per SPI transaction" bytes, so that setting is the
// length of the frame being moved, and one BusPort call is one chip-select assertion.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "transports/bus_open.hpp"
#include "transports/bus_port.hpp"
#include "transports/bus_settings.hpp"
#include "transports/hid_device.hpp"

namespace dfu::transports {

namespace mcp2210 {
constexpr std::uint16_t kVid = 0x04D8;
constexpr std::uint16_t kPid = 0x00DE;
constexpr std::size_t kReport = 64;
constexpr std::size_t kChunk = 60;  // SPI data bytes one Transfer SPI Data report carries
constexpr unsigned kMinBitRate = 1500;
constexpr unsigned kMaxBitRate = 12000000;

constexpr std::uint8_t kCancelSpiTransfer = 0x11;
constexpr std::uint8_t kGetChipSettings = 0x20;  // (VM) GPIO current chip settings
constexpr std::uint8_t kSetSpiSettings = 0x40;   // (VM) SPI transfer settings
constexpr std::uint8_t kGetSpiSettings = 0x41;
constexpr std::uint8_t kTransferSpiData = 0x42;

// Response byte 1.
constexpr std::uint8_t kOk = 0x00;
constexpr std::uint8_t kBusNotAvailable = 0xF7;  // an external master owns the SPI bus
constexpr std::uint8_t kTransferInProgress = 0xF8;
// Transfer SPI Data response byte 3: the SPI engine.
constexpr std::uint8_t kEngineFinished = 0x10;
constexpr std::uint8_t kEngineStarted = 0x20;      // no received data yet
constexpr std::uint8_t kEngineDataWaiting = 0x30;  // not finished, received data in this report

constexpr std::uint8_t kPinChipSelect = 0x01;  // GP pin designation
constexpr unsigned kGpPins = 9;

struct SpiTransferSettings {
    std::uint32_t bit_rate = 1000000;
    std::uint16_t idle_cs = 0x01FF;         // CS0..CS8 levels between transactions
    std::uint16_t active_cs = 0x01FE;       // and during one
    std::uint16_t cs_to_data_delay = 0;     // 100 us units
    std::uint16_t data_to_cs_delay = 0;     // last byte to CS release, 100 us units
    std::uint16_t between_bytes_delay = 0;  // 100 us units
    std::uint16_t bytes_per_transaction = 7;
    std::uint8_t mode = 0;
};

using Report = std::array<std::uint8_t, kReport + 1>;  // 0x00 report ID + 64 bytes

Report command(std::uint8_t code);  // a command with no parameters
Report set_spi_settings(const SpiTransferSettings& s);
// From a Get (0x41) or Set (0x40) SPI Transfer Settings response (no report ID).
SpiTransferSettings decode_spi_settings(std::span<const std::uint8_t> response);
Report transfer_spi_data(std::span<const std::uint8_t> chunk);
}  // namespace mcp2210

class Mcp2210Spi final : public BusPort {
public:
    // Takes the opened bridge: drops stale reports, cancels a transfer left running,
    // finds the GP pin designated as chip select, sets mode and bit rate. Refuses
    // LSB-first (the MCP2210 only shifts MSB first). Throws OpenError.
    Mcp2210Spi(std::unique_ptr<HidDevice> device, const SpiSettings& settings, std::string name,
               std::chrono::milliseconds operation_timeout = std::chrono::milliseconds(1000));

    void write(std::span<const std::uint8_t> bytes) override;
    bool read(std::span<std::uint8_t> buffer) override;
    std::size_t max_transfer() const noexcept override { return 0xFFFF; }
    std::string description() const override;

    unsigned chip_select() const noexcept { return chip_select_; }

private:
    using Response = std::array<std::uint8_t, mcp2210::kReport>;
    Response exchange(const mcp2210::Report& command, Clock::time_point deadline);
    void apply_settings(std::uint16_t bytes_per_transaction, Clock::time_point deadline);
    // One chip-select transaction: clocks out `out`, stores what MISO carried in `in`.
    void transfer(std::span<const std::uint8_t> out, std::span<std::uint8_t> in);

    std::unique_ptr<HidDevice> device_;
    SpiSettings settings_;
    std::string name_;
    std::chrono::milliseconds timeout_;
    unsigned chip_select_ = 0;
    std::uint16_t transaction_size_ = 0;  // what the chip holds now; 0: not set yet
    std::vector<std::uint8_t> scratch_;
};

// "mcp2210[:SELECTOR]" over hidapi.
std::unique_ptr<BusPort> open_mcp2210_spi(const SpiSettings& settings);
std::vector<FoundBridge> find_mcp2210_bridges();

}  // namespace dfu::transports
