#pragma once
// MCP2221A (04d8:00dd) as an I2C master behind a HidDevice: Microchip DS20005565,
// section 3.1 (HID commands). 64-byte reports without a report ID (hidapi needs a
// 0x00 prefix on write); every command is answered by one report echoing its code.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "transports/bus_open.hpp"
#include "transports/bus_port.hpp"
#include "transports/bus_settings.hpp"
#include "transports/hid_device.hpp"
#include "transports/hid_kernel_driver.hpp"

namespace dfu::transports {

namespace mcp2221 {
constexpr std::uint16_t kVid = 0x04D8;
constexpr std::uint16_t kPid = 0x00DD;
constexpr std::size_t kReport = 64;
constexpr std::size_t kChunk = 60;  // user data bytes one I2C write / get-data report carries

constexpr std::uint8_t kStatusSetParameters = 0x10;
constexpr std::uint8_t kWriteData = 0x90;       // START, address, data, STOP
constexpr std::uint8_t kReadData = 0x91;        // START, address, data, STOP
constexpr std::uint8_t kGetI2cData = 0x40;      // fetches what 0x91 read
constexpr std::uint8_t kCancelTransfer = 0x10;  // Status/Set Parameters byte 2
constexpr std::uint8_t kSetSpeed = 0x20;        // Status/Set Parameters byte 3
constexpr std::uint8_t kGetDataError = 0x41;    // Get I2C Data byte 1
constexpr std::uint8_t kGetDataErrorCount = 127;

// Internal I2C engine states. The datasheet shows the byte but not its values; these
// are from Microchip's own MCP2221 support library constants.
constexpr std::uint8_t kStateIdle = 0x00;
constexpr std::uint8_t kStateAddressNack = 0x25;  // address not acknowledged, STOP sent

using Report = std::array<std::uint8_t, kReport + 1>;  // 0x00 report ID + 64 bytes

// Status/Set Parameters: optionally cancel the current transfer, optionally set the
// speed divider.
Report status_command(bool cancel_transfer, std::optional<std::uint8_t> speed_divider);
// I2C Write Data: the whole transfer's length and the 7-bit address in every report,
// `chunk` (<= 60 bytes) of its data.
Report write_command(std::uint16_t total_length, std::uint8_t address7, std::span<const std::uint8_t> chunk);
Report read_command(std::uint16_t length, std::uint8_t address7);
Report get_data_command();
// Clock divider for an I2C speed: 12 MHz / speed - 3 (not in the datasheet; the value
// Microchip's tools and the Linux driver use). Throws OpenError outside 47k..400 kHz.
std::uint8_t speed_divider(unsigned speed_hz);
// An engine state that ends a transfer with a bus timeout (SCL/SDA held, no clock stretch end).
bool is_timeout_state(std::uint8_t state) noexcept;
}  // namespace mcp2221

class Mcp2221I2c final : public BusPort {
public:
    // Takes the opened bridge: drops stale reports, clears a stuck transfer, sets the
    // speed. `name` is how messages call it ("mcp2221 0001234567"). Throws OpenError.
    Mcp2221I2c(std::unique_ptr<HidDevice> device, const I2cSettings& settings, std::string name,
               std::chrono::milliseconds operation_timeout = std::chrono::milliseconds(1000));

    void write(std::span<const std::uint8_t> bytes) override;
    bool read(std::span<std::uint8_t> buffer) override;
    std::size_t max_transfer() const noexcept override { return 0xFFFF; }
    std::string description() const override;

private:
    using Response = std::array<std::uint8_t, mcp2221::kReport>;
    Response exchange(const mcp2221::Report& command, Clock::time_point deadline);
    // Frees the engine after a NACK or timeout so the next transfer starts clean.
    void cancel_transfer(Clock::time_point deadline);
    void wait_until_write_done(Clock::time_point deadline);
    [[noreturn]] void fail(const std::string& what, std::uint8_t state, Clock::time_point deadline);

    std::unique_ptr<HidDevice> device_;
    I2cSettings settings_;
    std::string name_;
    std::chrono::milliseconds timeout_;
};

// "mcp2221[:SELECTOR]" over hidapi.
std::unique_ptr<BusPort> open_mcp2221_i2c(const I2cSettings& settings);

// MCP2221A bridges present, each with "i2c", or with no capability and a note when
// the kernel driver hid_mcp2221 holds it. `sysfs_root` is for tests.
std::vector<FoundBridge> find_mcp2221_bridges(const std::string& sysfs_root = "/sys");
// What to tell a user whose MCP2221A is held by hid_mcp2221.
std::string mcp2221_kernel_driver_advice(const KernelBoundHid& held);

}  // namespace dfu::transports
