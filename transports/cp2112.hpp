#pragma once
// CP2112 (10c4:ea90) as an I2C master behind a HidDevice: Silicon Labs AN495 (CP2112
// interface specification). Unlike the Microchip bridges it numbers its reports, so
// the report ID is the first byte both ways, and it answers a transfer by status
// reports that the host asks for.
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

namespace cp2112 {
constexpr std::uint16_t kVid = 0x10C4;
constexpr std::uint16_t kPid = 0xEA90;
constexpr std::size_t kMaxWrite = 61;  // data bytes in one Data Write report
constexpr std::size_t kMaxRead = 512;  // one Data Read Request
constexpr std::size_t kReport = 64;    // interrupt reports, report ID included

constexpr std::uint8_t kSmbusConfig = 0x06;  // feature report
constexpr std::uint8_t kDataReadRequest = 0x10;
constexpr std::uint8_t kDataReadForceSend = 0x12;
constexpr std::uint8_t kDataReadResponse = 0x13;
constexpr std::uint8_t kDataWrite = 0x14;
constexpr std::uint8_t kTransferStatusRequest = 0x15;
constexpr std::uint8_t kTransferStatusResponse = 0x16;
constexpr std::uint8_t kCancelTransfer = 0x17;

// Transfer Status Response, Status 0.
constexpr std::uint8_t kIdle = 0x00;
constexpr std::uint8_t kBusy = 0x01;
constexpr std::uint8_t kComplete = 0x02;
constexpr std::uint8_t kError = 0x03;
// Status 1 when Status 0 is kError.
constexpr std::uint8_t kErrorTimeoutNack = 0x00;  // address not acknowledged within the retries/timeout
constexpr std::uint8_t kErrorTimeoutBusNotFree = 0x01;
constexpr std::uint8_t kErrorArbitrationLost = 0x02;
constexpr std::uint8_t kErrorReadIncomplete = 0x03;
constexpr std::uint8_t kErrorWriteIncomplete = 0x04;

// The SMBus Configuration feature report; multi-byte fields are big-endian.
struct SmbusConfig {
    std::uint32_t clock_hz = 100000;
    std::uint8_t device_address = 0x02;  // the CP2112's own (slave) address, 8-bit form
    bool auto_send_read = false;
    std::uint16_t write_timeout_ms = 0;  // 0: none
    std::uint16_t read_timeout_ms = 0;   // 0: none
    bool scl_low_timeout = false;
    std::uint16_t retry_time = 0;  // attempts at an unacknowledged address; 0: no limit
};
constexpr std::size_t kSmbusConfigSize = 14;  // report ID + 13 bytes
std::array<std::uint8_t, kSmbusConfigSize> encode_smbus_config(const SmbusConfig& c);
SmbusConfig decode_smbus_config(std::span<const std::uint8_t> report);

// Output reports, report ID first, each as long as AN495 declares it.
std::array<std::uint8_t, kReport> data_write(std::uint8_t address7, std::span<const std::uint8_t> data);
std::array<std::uint8_t, 4> data_read_request(std::uint8_t address7, std::uint16_t length);
std::array<std::uint8_t, 3> data_read_force_send(std::uint16_t length);
std::array<std::uint8_t, 2> transfer_status_request();
std::array<std::uint8_t, 2> cancel_transfer();
}  // namespace cp2112

class Cp2112I2c final : public BusPort {
public:
    // Takes the opened bridge: cancels any transfer left running, drops stale reports,
    // writes the SMBus configuration (speed, timeouts, auto send read off) and checks it
    // took. `name` is how messages call it. Throws OpenError.
    Cp2112I2c(std::unique_ptr<HidDevice> device, const I2cSettings& settings, std::string name,
              std::chrono::milliseconds operation_timeout = std::chrono::milliseconds(1000));

    // Throws IoError for more than 61 bytes: a Data Write report carries no more.
    void write(std::span<const std::uint8_t> bytes) override;
    bool read(std::span<std::uint8_t> buffer) override;
    std::size_t max_transfer() const noexcept override { return cp2112::kMaxWrite; }
    std::string description() const override;

private:
    enum class Outcome { complete, nack };
    // Asks for the transfer status until the transfer ends; IoError on any failure
    // but an unacknowledged address.
    Outcome wait_for_transfer(const char* direction, std::size_t* bytes_read, Clock::time_point deadline);
    [[noreturn]] void fail(const std::string& what);

    std::unique_ptr<HidDevice> device_;
    I2cSettings settings_;
    std::string name_;
    std::chrono::milliseconds timeout_;
};

// "cp2112[:SELECTOR]" over hidapi.
std::unique_ptr<BusPort> open_cp2112_i2c(const I2cSettings& settings);
std::vector<FoundBridge> find_cp2112_bridges();

}  // namespace dfu::transports
