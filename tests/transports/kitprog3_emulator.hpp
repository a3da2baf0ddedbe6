#pragma once
// A KitProg3 bridge interface as the host sees it over USB bulk, written from the bridge
// protocol's published layouts (KitProg3 firmware v2.60: bridgesInterface.c, DAP_vendor.c)
// and not from the host's encoder: it parses each command packet by its byte offsets and
// answers the way the firmware does, with testsupport::BusTarget (the real responder core)
// as the I2C target or the SPI device. Faults are switched on by the tests.
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <vector>

#include "bus_target.hpp"
#include "transports/usb_bulk_device.hpp"

namespace testsupport {

class EmulatedKitProg3 final : public dfu::transports::UsbBulkDevice {
public:
    using Bytes = std::vector<std::uint8_t>;

    explicit EmulatedKitProg3(BusTarget& target) : target_(target) {}

    // --- What the 0x90 reply states (a KitProg3 with I2C, SPI, CMSIS-DAP HID and bulk) ---
    std::uint8_t interfaces = 0x0F;
    std::uint8_t i2c_speeds = 0x0F;
    std::uint8_t chip_selects = 0x07;
    // The firmware's SPI clock: 24 MHz IMO / 2, divided by an integer 2..32767.
    static constexpr std::uint32_t kSpiBase = 12000000;
    std::uint32_t spi_min_hz() const { return kSpiBase / 32767; }
    std::uint32_t spi_max_hz() const { return kSpiBase / 2; }

    // --- Faults ---
    unsigned wait_replies = 1;          // "88 01" replies before each I2C result (the firmware sends one at once)
    bool silent = false;                // takes commands, never answers
    bool endless_transfer = false;      // I2C transfers never finish: "88 01" for ever
    int nack_data_byte = -1;            // next write: this data byte is NACKed (per-byte ACK report)
    bool nack_write_zero_form = false;  // next write NACK reported as the firmware does: 88 00 00
    bool bus_stuck = false;             // START fails (88 82) until a 0x87 frees the bus
    bool recovery_fails = false;        // 0x87 cannot free it (87 82)
    std::size_t packet = 64;            // wMaxPacketSize
    int target_address = -1;            // the target's 7-bit address: a START to any other is NACKed (-1: any)

    // --- What happened ---
    std::vector<Bytes> commands;          // every OUT packet, as received
    std::vector<Bytes> spi_transactions;  // MOSI of each chip-select assertion
    std::vector<unsigned> spi_commands_per_transaction;
    std::vector<std::string> violations;  // protocol misuse by the host
    std::uint8_t i2c_speed_index = 3;     // firmware default: 1 MHz
    std::uint32_t spi_hz = 10666666;
    std::uint8_t spi_mode_byte = 0;
    unsigned recoveries = 0;
    std::uint8_t last_address = 0xFF;  // 7-bit address of the last START
    bool transfer_running = false;     // an I2C transfer is under way (only 0x87 is taken)
    std::deque<Bytes> in;              // replies not yet read by the host

    // UsbBulkDevice
    void write(std::span<const std::uint8_t> data, std::chrono::milliseconds) override {
        if (data.size() > packet) violations.push_back("OUT transfer longer than one packet");
        commands.emplace_back(data.begin(), data.end());
        if (silent) return;
        handle(commands.back());
    }

    std::size_t read(std::span<std::uint8_t> buffer, std::chrono::milliseconds) override {
        if (silent) return 0;
        if (in.empty()) {
            if (!transfer_running) return 0;  // nothing to say: the host waited its timeout
            in.push_back({0x88, 0x01});
        }
        Bytes r = std::move(in.front());
        in.pop_front();
        const std::size_t n = std::min(r.size(), buffer.size());
        std::copy_n(r.begin(), n, buffer.begin());
        return n;
    }

    std::size_t packet_size() const noexcept override { return packet; }
    std::string description() const override { return "KitProg3 EMU123 at 1-2"; }

private:
    static std::uint32_t u32_at(const Bytes& c, std::size_t at) {
        return std::uint32_t{c.at(at)} | std::uint32_t{c.at(at + 1)} << 8 | std::uint32_t{c.at(at + 2)} << 16 |
               std::uint32_t{c.at(at + 3)} << 24;
    }
    static void put_u32(Bytes& r, std::uint32_t v) {
        for (int i = 0; i < 4; ++i) r.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }

    void handle(const Bytes& c) {
        if (c.empty()) return;
        if (transfer_running && c[0] != 0x87) {
            in.push_back({0xFF});  // the firmware takes only 0x87 while a transfer runs
            return;
        }
        switch (c[0]) {
            case 0x90:
                capabilities();
                break;
            case 0x86:
                speed(c);
                break;
            case 0x87:
                recover();
                break;
            case 0x88:
                i2c(c);
                break;
            case 0x89:
                spi(c);
                break;
            default:
                in.push_back({0xFF});
        }
    }

    void capabilities() {
        Bytes r{0x90, 0x00, interfaces, 0x13, i2c_speeds};
        put_u32(r, spi_min_hz());
        put_u32(r, spi_max_hz());
        r.push_back(chip_selects);
        r.push_back(0x00);
        in.push_back(r);
    }

    void speed(const Bytes& c) {
        const std::uint8_t op = c.at(1), iface = c.at(2);
        const bool has_spi = (interfaces & 0x02) != 0;
        if (op == 0x00 && iface == 0x00) {
            const std::uint32_t index = u32_at(c, 3);
            if (index > 3 || (i2c_speeds >> index & 1) == 0) return in.push_back({0x86, 0x81});
            i2c_speed_index = static_cast<std::uint8_t>(index);
            Bytes r{0x86, 0x00};
            put_u32(r, index);
            return in.push_back(r);
        }
        if (op == 0x00 && iface == 0x01) {
            if (!has_spi) return in.push_back({0xFF});
            const std::uint32_t want = u32_at(c, 3);
            if (want < spi_min_hz() || want > spi_max_hz()) return in.push_back({0x86, 0x81});
            const std::uint32_t divider = kSpiBase / want;
            spi_hz = kSpiBase / divider;
            spi_mode_byte = c.at(7);
            Bytes r{0x86, 0x00};
            put_u32(r, spi_hz);
            return in.push_back(r);
        }
        if (op == 0x01 && iface == 0x00) {
            Bytes r{0x86, 0x00};
            put_u32(r, i2c_speed_index);
            return in.push_back(r);
        }
        if (op == 0x01 && iface == 0x01) {
            Bytes r{0x86, 0x00};
            put_u32(r, spi_hz);
            r.push_back(spi_mode_byte);
            return in.push_back(r);
        }
        in.push_back({0x86, 0x81});
    }

    void recover() {
        ++recoveries;
        transfer_running = false;
        in.clear();  // a transfer cut short answers no more
        if (recovery_fails) return in.push_back({0x87, 0x82});
        bus_stuck = false;
        i2c_open_ = false;
        in.push_back({0x87, 0x00});
    }

    // 88 flags length [address] data: bits 6..4 of flags: 1 write / 2 read with START,
    // 3 write / 4 read continuing; STOP is bit 1 with START, bit 3 when continuing.
    void i2c(const Bytes& c) {
        const std::uint8_t flags = c.at(1);
        const std::size_t length = c.at(2);
        const unsigned type = (flags & 0x70) >> 4;
        const bool start = type == 1 || type == 2;
        const bool reading = type == 2 || type == 4;
        const bool stop = start ? (flags & 0x02) != 0 : (flags & 0x08) != 0;
        if (type < 1 || type > 4 || (reading && length == 0)) return in.push_back({0x00});
        const std::size_t header = start ? 4 : 3;
        if (!reading && c.size() != header + length) violations.push_back("0x88 write length does not match its data");
        if (reading && c.size() != header) violations.push_back("0x88 read carries bytes after its header");
        if (start) last_address = c.at(3);
        if (!start && (!i2c_open_ || reading != i2c_reading_)) violations.push_back("continuing part without a START");
        if (start && i2c_open_) violations.push_back("START while a transfer is open (no STOP sent)");
        if (start && bus_stuck) return in.push_back({0x88, 0x82});

        for (unsigned i = 0; i < wait_replies; ++i) in.push_back({0x88, 0x01});
        if (start && target_address >= 0 && c.at(3) != target_address) {
            // Nobody answers the address: the bridge reports the NACK and ends the transfer.
            return in.push_back({0x88, 0x00, 0x00});
        }
        if (endless_transfer) {
            in.clear();
            transfer_running = true;
            return;
        }
        Bytes r{0x88, 0x00};
        if (reading) {
            Bytes data(length, 0xFF);
            if (start) {
                i2c_open_ = true;
                i2c_reading_ = true;
                if (!target_.read(data)) {
                    i2c_open_ = false;  // NACKed address: the bridge ends the transfer
                    r.push_back(0x00);
                    return in.push_back(r);
                }
                r.push_back(0x01);
            } else {
                target_.read(data);  // the target goes on clocking out its response
            }
            r.insert(r.end(), data.begin(), data.end());
        } else {
            if (start) {
                i2c_open_ = true;
                i2c_reading_ = false;
                pending_write_.clear();
            }
            const auto first = c.begin() + static_cast<std::ptrdiff_t>(header);
            const std::size_t before = pending_write_.size();
            pending_write_.insert(pending_write_.end(), first, first + static_cast<std::ptrdiff_t>(length));
            if (nack_data_byte >= 0 && static_cast<std::size_t>(nack_data_byte) < pending_write_.size()) {
                const std::size_t acked = static_cast<std::size_t>(nack_data_byte) - before;
                nack_data_byte = -1;
                i2c_open_ = false;
                if (nack_write_zero_form) {
                    nack_write_zero_form = false;
                    return in.push_back({0x88, 0x00, 0x00});
                }
                r.push_back(0x01);
                r.insert(r.end(), acked, 0x01);
                r.push_back(0x00);
                return in.push_back(r);
            }
            r.push_back(0x01);                // address ACK (kept on continuing parts)
            r.insert(r.end(), length, 0x01);  // one ACK per data byte
        }
        if (stop) {
            i2c_open_ = false;
            if (!reading) target_.write(pending_write_);
        }
        in.push_back(r);
    }

    // 89 length chip-select control data: control 02 asserts CS first, 08 releases it after.
    void spi(const Bytes& c) {
        if ((interfaces & 0x02) == 0) return in.push_back({0xFF});
        const std::size_t length = c.at(1);
        const std::uint8_t cs = c.at(2), control = c.at(3);
        if ((cs & chip_selects) != cs || cs == 0) return in.push_back({0x81});
        if (c.size() != 4 + length) violations.push_back("0x89 length does not match its data");
        if (length > 60) violations.push_back("0x89 carries more than 60 bytes");
        const Bytes mosi(c.begin() + 4, c.end());
        if ((control & 0x02) != 0) {
            if (cs_asserted_) violations.push_back("chip select asserted twice");
            cs_asserted_ = true;
            spi_mosi_.clear();
            spi_cmds_ = 0;
            // A transaction that starts with the idle byte is the host polling for the response.
            spi_polling_ = !mosi.empty() && mosi[0] == 0xFF;
        } else if (!cs_asserted_) {
            violations.push_back("SPI bytes without chip select asserted");
        }
        ++spi_cmds_;
        spi_mosi_.insert(spi_mosi_.end(), mosi.begin(), mosi.end());
        Bytes miso(mosi.size(), 0xFF);
        if (spi_polling_ && !miso.empty()) target_.read(miso);
        Bytes r{0x89, 0x00};
        r.insert(r.end(), miso.begin(), miso.end());
        if ((control & 0x08) != 0) {
            cs_asserted_ = false;
            spi_transactions.push_back(spi_mosi_);
            spi_commands_per_transaction.push_back(spi_cmds_);
            if (!spi_polling_) target_.write(spi_mosi_);
        }
        in.push_back(r);
    }

    BusTarget& target_;
    bool i2c_open_ = false;
    bool i2c_reading_ = false;
    Bytes pending_write_;
    bool cs_asserted_ = false;
    bool spi_polling_ = false;
    unsigned spi_cmds_ = 0;
    Bytes spi_mosi_;
};

// Hands the port a device while the test keeps the emulator to inspect it.
class BorrowedBulkDevice final : public dfu::transports::UsbBulkDevice {
public:
    explicit BorrowedBulkDevice(dfu::transports::UsbBulkDevice& d) : d_(d) {}
    void write(std::span<const std::uint8_t> data, std::chrono::milliseconds t) override { d_.write(data, t); }
    std::size_t read(std::span<std::uint8_t> b, std::chrono::milliseconds t) override { return d_.read(b, t); }
    std::size_t packet_size() const noexcept override { return d_.packet_size(); }
    std::string description() const override { return d_.description(); }

private:
    dfu::transports::UsbBulkDevice& d_;
};

}  // namespace testsupport
