#pragma once
// KitProg3 / MiniProg4 as an I2C or SPI bridge: the BusPort seam over the bridge protocol
// (kitprog3_codec.hpp) on the probe's vendor bulk interface (usb_bulk_device.hpp).
// open_kitprog3_i2c/spi and find_kitprogs without a backend use libusb; the overloads take
// the USB side as a parameter, so tests can put emulated probes behind the real code.
#include <chrono>
#include <memory>
#include <vector>

#include "transports/bus_open.hpp"
#include "transports/kitprog3_codec.hpp"
#include "transports/usb_bulk_device.hpp"

namespace dfu::transports {

struct KitProg3Timing {
    // Allowed for each reply packet. While an I2C transfer runs the bridge repeats its
    // "wait" reply about once a second, so this stays above that.
    std::chrono::milliseconds reply = std::chrono::milliseconds(1500);
    // Longest an I2C transfer may go on answering "wait" (a target stretching the clock
    // without end) before it is aborted with a bus recovery.
    std::chrono::milliseconds transfer = std::chrono::milliseconds(3000);
    // Allowed for the bridge to take one command packet.
    std::chrono::milliseconds send = std::chrono::milliseconds(1000);
    // How long the open waits for stale replies left over from an earlier user.
    std::chrono::milliseconds drain = std::chrono::milliseconds(5);
};

// Packets one bus transaction can hold through the bridge: parts are chained under one START
// (I2C) or one chip-select assertion (SPI), so the limit is the DFU packet, not the USB one.
constexpr std::size_t kKitProg3MaxTransaction = 0xFFFF + 7;

// The bridge's command channel: sends one command packet and returns the reply that
// answers it. Knows nothing about I2C or SPI.
class KitProg3Bridge {
public:
    KitProg3Bridge(std::unique_ptr<UsbBulkDevice> device, KitProg3Timing timing);

    void send(const kitprog3::Packet& command);
    // The next reply answering `command` (first byte `command`, or a one-byte refusal),
    // skipping stale replies to earlier commands. Throws IoError when none arrives by `deadline`.
    kitprog3::Packet reply_to(std::uint8_t command, std::chrono::steady_clock::time_point deadline);
    kitprog3::Packet exchange(const kitprog3::Packet& command);
    // Drops replies nobody waits for (a previous user's, or a transfer aborted by 0x87).
    void drain();
    // Capabilities (0x90), read once at open; a bridge that refuses the command because an
    // earlier user left an I2C transfer running is freed with 0x87 and asked again.
    const kitprog3::BridgeCapabilities& capabilities() const { return caps_; }
    void read_capabilities();

    const KitProg3Timing& timing() const { return timing_; }
    std::string description() const { return device_->description(); }
    std::size_t chunk() const { return chunk_; }

private:
    std::unique_ptr<UsbBulkDevice> device_;
    KitProg3Timing timing_;
    kitprog3::BridgeCapabilities caps_;
    std::size_t chunk_ = kitprog3::kMaxChunk;
    std::vector<std::uint8_t> rx_;
};

// The bus ports over an opened bridge interface. Throw OpenError when the bridge lacks the
// bus, refuses the speed or mode, or does not answer its capabilities.
std::unique_ptr<BusPort> make_kitprog3_i2c(std::unique_ptr<UsbBulkDevice> device, const I2cSettings& settings,
                                           KitProg3Timing timing = {});
std::unique_ptr<BusPort> make_kitprog3_spi(std::unique_ptr<UsbBulkDevice> device, const SpiSettings& settings,
                                           KitProg3Timing timing = {});

// KitProg3 / MiniProg4 over libusb: settings.device is "kitprog3" or "kitprog3:SELECTOR".
std::unique_ptr<BusPort> open_kitprog3_i2c(const I2cSettings& settings);
std::unique_ptr<BusPort> open_kitprog3_spi(const SpiSettings& settings);
std::vector<FoundBridge> find_kitprogs();

// The same with the USB side given.
std::unique_ptr<BusPort> open_kitprog3_i2c(UsbBulkBackend& usb, const I2cSettings& settings,
                                           KitProg3Timing timing = {});
std::unique_ptr<BusPort> open_kitprog3_spi(UsbBulkBackend& usb, const SpiSettings& settings,
                                           KitProg3Timing timing = {});
std::vector<FoundBridge> find_kitprogs(UsbBulkBackend& usb, KitProg3Timing timing = {});

// Every KitProg3 and MiniProg4 PID, and the interface that is the bridge.
std::vector<std::uint16_t> kitprog3_pids();
BulkInterfaceChoice kitprog3_bridge_interface();

}  // namespace dfu::transports
