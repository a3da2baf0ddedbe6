#include "transports/kitprog3.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "transports/transport.hpp"
#include "transports/usb_libusb.hpp"

namespace dfu::transports {

using namespace kitprog3;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

namespace {

const char* command_name(std::uint8_t command) {
    switch (command) {
        case cmd::speed:
            return "set speed (0x86)";
        case cmd::i2c_recover:
            return "I2C bus recovery (0x87)";
        case cmd::i2c_transfer:
            return "I2C transfer (0x88)";
        case cmd::spi_transfer:
            return "SPI transfer (0x89)";
        case cmd::capabilities:
            return "capabilities (0x90)";
        default:
            return "command";
    }
}

std::string format_hz(unsigned hz) {
    if (hz >= 1000000) return fmt::format("{:.4g} MHz", hz / 1e6);
    if (hz >= 1000) return fmt::format("{:.4g} kHz", hz / 1e3);
    return fmt::format("{} Hz", hz);
}

std::string offered_i2c_speeds(std::uint8_t offered) {
    std::string s;
    for (std::size_t i = 0; i < kI2cSpeedsHz.size(); ++i)
        if ((offered >> i & 1) != 0) s += (s.empty() ? "" : ", ") + format_hz(kI2cSpeedsHz[i]);
    return s;
}

std::string interface_names(std::uint8_t interfaces) {
    std::string s;
    if (interfaces & capability::i2c) s += "I2C";
    if (interfaces & capability::spi) s += s.empty() ? "SPI" : ", SPI";
    return fmt::format("{} (capability bits 0x{:02X})", s.empty() ? "neither I2C nor SPI" : s, interfaces);
}

// The open-time conversation with the bridge: a failure there means the port cannot be
// opened (exit code 4), not that it failed in use.
template <typename Op>
auto while_opening(Op&& op) {
    try {
        return op();
    } catch (const IoError& e) {
        throw OpenError(
            fmt::format("{} (while opening; replug the probe, and check that it runs KitProg3 firmware: "
                        "ModusToolbox's fw-loader updates it)",
                        e.what()));
    }
}

class KitProg3I2c final : public BusPort {
public:
    KitProg3I2c(KitProg3Bridge bridge, std::uint8_t address, std::string speed)
        : bridge_(std::move(bridge)), address_(address), speed_(std::move(speed)) {}

    void write(std::span<const std::uint8_t> bytes) override { transfer(false, bytes, {}); }
    bool read(std::span<std::uint8_t> buffer) override {
        if (buffer.empty()) return true;  // the bridge refuses zero-length reads; nothing to clock
        return transfer(true, {}, buffer);
    }
    std::size_t max_transfer() const noexcept override { return kKitProg3MaxTransaction; }
    std::string description() const override {
        return fmt::format("i2c {} @ 0x{:02X}, {}", bridge_.description(), address_, speed_);
    }

private:
    enum class Outcome { done, address_nack, bus_stuck };

    bool transfer(bool reading, std::span<const std::uint8_t> out, std::span<std::uint8_t> in) {
        Outcome o = attempt(reading, out, in);
        if (o == Outcome::bus_stuck) {
            // The bridge found the bus held when it tried to START: free it (clocks SCL until
            // the target lets SDA go, then a STOP) and try the transfer once more.
            recover();
            o = attempt(reading, out, in);
            if (o == Outcome::bus_stuck)
                throw IoError(
                    fmt::format("{}: the I2C bus is still stuck after a bus recovery (SDA or SCL held low): "
                                "check the wiring, the pull-ups and the target's power",
                                description()));
        }
        if (o == Outcome::address_nack && !reading)
            throw IoError(fmt::format(
                "{}: the I2C target did not acknowledge the write (its address or a data byte: the bridge does not "
                "say which): is a device at address 0x{:02X} (--i2c-address), powered and out of reset?",
                description(), address_));
        return o == Outcome::done;
    }

    Outcome attempt(bool reading, std::span<const std::uint8_t> out, std::span<std::uint8_t> in) {
        const std::size_t total = reading ? in.size() : out.size();
        std::size_t off = 0;
        do {
            const std::size_t n = std::min(bridge_.chunk(), total - off);
            const bool start = off == 0;
            const bool stop = off + n == total;
            const Packet command = reading ? encode_i2c_read(address_, n, start, stop)
                                           : encode_i2c_write(address_, out.subspan(off, n), start, stop);
            const I2cReply r = run_part(command, reading, start, n);
            switch (r.kind) {
                case I2cReply::Kind::done:
                    if (reading) std::copy(r.data.begin(), r.data.end(), in.begin() + static_cast<std::ptrdiff_t>(off));
                    break;
                case I2cReply::Kind::address_nack:
                    if (start) return Outcome::address_nack;
                    throw IoError(fmt::format("{}: the I2C target stopped acknowledging {} byte {} of {}",
                                              description(), reading ? "before" : "at", off + 1, total));
                case I2cReply::Kind::data_nack:
                    throw IoError(fmt::format("{}: the I2C target refused (NACK) data byte {} of {}", description(),
                                              off + r.acked + 1, total));
                case I2cReply::Kind::bus_stuck:
                    if (start) return Outcome::bus_stuck;
                    throw IoError(fmt::format("{}: the I2C transfer failed after byte {} of {} (bus error)",
                                              description(), off, total));
                case I2cReply::Kind::refused:
                case I2cReply::Kind::malformed:
                case I2cReply::Kind::wait:
                    throw IoError(fmt::format("{}: unexpected answer to the I2C transfer ({}): {}", description(),
                                              hex(command), hex(last_reply_)));
            }
            off += n;
        } while (off < total);
        return Outcome::done;
    }

    // One 0x88 command: "wait" replies until the part is done, bounded by the transfer limit.
    I2cReply run_part(const Packet& command, bool reading, bool start, std::size_t n) {
        const auto& t = bridge_.timing();
        bridge_.send(command);
        const auto limit = SteadyClock::now() + t.transfer;
        for (;;) {
            try {
                last_reply_ = bridge_.reply_to(cmd::i2c_transfer, SteadyClock::now() + t.reply);
            } catch (const IoError&) {
                abort_transfer();
                throw;
            }
            I2cReply r = decode_i2c_reply(last_reply_, reading, start, n);
            if (r.kind != I2cReply::Kind::wait) return r;
            if (SteadyClock::now() >= limit) {
                abort_transfer();
                throw IoError(
                    fmt::format("{}: the I2C transfer did not finish within {} ms (a target holding SCL low?); "
                                "aborted with a bus recovery",
                                description(), t.transfer.count()));
            }
        }
    }

    // While a transfer runs the bridge takes no command but 0x87, which also ends it.
    void abort_transfer() {
        try {
            bridge_.send(encode_i2c_recover());
            (void)bridge_.reply_to(cmd::i2c_recover, SteadyClock::now() + bridge_.timing().reply);
            bridge_.drain();
        } catch (const IoError&) {
            // The bridge is gone or hung: the caller's error says so already.
        }
    }

    void recover() {
        const Packet r = bridge_.exchange(encode_i2c_recover());
        if (r.size() >= 2 && r[0] == cmd::i2c_recover && r[1] == status::ok) return;
        throw IoError(
            fmt::format("{}: the I2C bus is stuck and the bridge's bus recovery failed ({}): check the "
                        "wiring, the pull-ups and the target's power",
                        description(), hex(r)));
    }

    KitProg3Bridge bridge_;
    std::uint8_t address_;
    std::string speed_;
    Packet last_reply_;
};

class KitProg3Spi final : public BusPort {
public:
    KitProg3Spi(KitProg3Bridge bridge, std::uint8_t chip_select, std::string settings)
        : bridge_(std::move(bridge)), chip_select_(chip_select), settings_(std::move(settings)) {}

    void write(std::span<const std::uint8_t> bytes) override { transfer(bytes, {}); }
    bool read(std::span<std::uint8_t> buffer) override {
        idle_.assign(buffer.size(), 0xFF);
        transfer(idle_, buffer);
        return true;
    }
    std::size_t max_transfer() const noexcept override { return kKitProg3MaxTransaction; }
    std::string description() const override { return fmt::format("spi {}, {}", bridge_.description(), settings_); }

private:
    // One chip-select assertion across as many 0x89 commands as the bytes need.
    void transfer(std::span<const std::uint8_t> out, std::span<std::uint8_t> in) {
        std::size_t off = 0;
        while (off < out.size()) {
            const std::size_t n = std::min(bridge_.chunk(), out.size() - off);
            const bool first = off == 0;
            const bool last = off + n == out.size();
            const Packet command = encode_spi_transfer(chip_select_, out.subspan(off, n), first, last);
            const Packet reply = bridge_.exchange(command);
            const auto miso = decode_spi_reply(reply, n);
            if (!miso) {
                if (!first && !last) release_chip_select();
                throw IoError(fmt::format("{}: the bridge refused the SPI transfer ({}): {}", description(),
                                          hex(std::span(command).first(4)), hex(reply)));
            }
            if (!in.empty()) std::copy(miso->begin(), miso->end(), in.begin() + static_cast<std::ptrdiff_t>(off));
            off += n;
        }
    }

    void release_chip_select() {
        try {
            (void)bridge_.exchange(encode_spi_transfer(chip_select_, {}, false, true));
        } catch (const IoError&) {
            // Best effort: the error being reported matters more.
        }
    }

    KitProg3Bridge bridge_;
    std::uint8_t chip_select_;
    std::string settings_;
    std::vector<std::uint8_t> idle_;
};

std::string device_label(const UsbDeviceEntry& e) {
    return fmt::format("{} {} at {}", e.usb.description, e.usb.serial.empty() ? "(serial unknown)" : e.usb.serial,
                       e.usb.path);
}

std::string dual_uart_message(const UsbDeviceEntry& e) {
    return fmt::format(
        "{} is in dual-UART mode (PID {:04x}), which has no I2C/SPI bridge: switch it to CMSIS-DAP bulk mode "
        "(ModusToolbox: fw-loader --mode kp3-bulk) and try again",
        device_label(e), e.usb.pid);
}

std::vector<UsbDeviceEntry> list_kitprogs(UsbBulkBackend& usb) {
    const auto pids = kitprog3_pids();
    auto entries = usb.list(kVid, pids);
    for (auto& e : entries) {
        if (e.usb.description.empty()) {
            const bool mini =
                std::find(kMiniProg4Pids.begin(), kMiniProg4Pids.end(), e.usb.pid) != kMiniProg4Pids.end();
            e.usb.description = mini ? "MiniProg4" : "KitProg3";
        }
    }
    return entries;
}

UsbDeviceEntry choose_kitprog(UsbBulkBackend& usb, const std::string& device) {
    const auto selector = split_selector(device).second;
    const auto entries = list_kitprogs(usb);
    std::vector<UsbCandidate> candidates;
    for (const auto& e : entries) candidates.push_back(e.usb);
    try {
        const UsbCandidate& chosen = choose_device(candidates, selector, "KitProg3/MiniProg4", "kitprog3");
        return entries[static_cast<std::size_t>(&chosen - candidates.data())];
    } catch (const OpenError& e) {
        // A serial number that could not be read cannot match: say why it is missing.
        for (const auto& entry : entries)
            if (!entry.problem.empty() && !selector.empty())
                throw OpenError(fmt::format("{}\n  (the serial number of the probe at {} could not be read: {})",
                                            e.what(), entry.usb.path, entry.problem));
        throw;
    }
}

}  // namespace

KitProg3Bridge::KitProg3Bridge(std::unique_ptr<UsbBulkDevice> device, KitProg3Timing timing)
    : device_(std::move(device)), timing_(timing) {
    const std::size_t packet = std::min(device_->packet_size(), kPacketSize);
    if (packet < 8)
        throw OpenError(fmt::format("{}: its bridge endpoints carry {}-byte packets, too small for the protocol",
                                    device_->description(), packet));
    chunk_ = packet - 4;
    rx_.resize(std::max(device_->packet_size(), kPacketSize));
}

void KitProg3Bridge::send(const Packet& command) {
    device_->write(command, timing_.send);
}

Packet KitProg3Bridge::reply_to(std::uint8_t command, SteadyClock::time_point deadline) {
    for (unsigned stale = 0;;) {
        const auto left = std::chrono::ceil<milliseconds>(deadline - SteadyClock::now());
        const std::size_t n = left.count() > 0 ? device_->read(rx_, left) : 0;
        if (n == 0)
            throw IoError(fmt::format("{}: no answer to {} within {} ms: is the probe still connected?",
                                      device_->description(), command_name(command), timing_.reply.count()));
        Packet reply(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(n));
        // A one-byte reply is the bridge refusing the command (FF, or 81 for a bad chip select).
        if (reply[0] == command || n == 1) return reply;
        if (++stale > 16)
            throw IoError(fmt::format("{}: the bridge keeps sending replies to commands not sent (last: {})",
                                      device_->description(), hex(reply)));
    }
}

Packet KitProg3Bridge::exchange(const Packet& command) {
    send(command);
    return reply_to(command.at(0), SteadyClock::now() + timing_.reply);
}

void KitProg3Bridge::drain() {
    for (int i = 0; i < 64 && device_->read(rx_, timing_.drain) > 0; ++i) {
    }
}

void KitProg3Bridge::read_capabilities() {
    drain();
    Packet reply = exchange(encode_capabilities());
    if (reply.size() == 1 && reply[0] == cmd::invalid) {
        // An earlier user left an I2C transfer running, during which only 0x87 is taken.
        send(encode_i2c_recover());
        try {
            (void)reply_to(cmd::i2c_recover, SteadyClock::now() + timing_.reply);
        } catch (const IoError&) {
        }
        drain();
        reply = exchange(encode_capabilities());
    }
    const auto caps = decode_capabilities(reply);
    if (!caps)
        throw OpenError(
            fmt::format("{}: unexpected answer to capabilities (0x90): {}; is it running KitProg3 firmware "
                        "with the bridge protocol? ModusToolbox's fw-loader updates it",
                        device_->description(), hex(reply)));
    caps_ = *caps;
}

std::unique_ptr<BusPort> make_kitprog3_i2c(std::unique_ptr<UsbBulkDevice> device, const I2cSettings& settings,
                                           KitProg3Timing timing) {
    KitProg3Bridge bridge(std::move(device), timing);
    while_opening([&] {
        bridge.read_capabilities();
        return 0;
    });
    const auto& caps = bridge.capabilities();
    if (!caps.has_i2c())
        throw OpenError(
            fmt::format("{} offers {}, no I2C bridge", bridge.description(), interface_names(caps.interfaces)));
    if (settings.address > 0x7F)
        throw OpenError(fmt::format("I2C address 0x{:02X} is not a 7-bit address", settings.address));
    const std::uint8_t offered = caps.i2c_speeds != 0 ? caps.i2c_speeds : 0x0F;
    const auto choice = choose_i2c_speed(settings.speed_hz, offered);
    if (!choice)
        throw OpenError(fmt::format("{}: no I2C speed at or below the {} asked; it offers {}", bridge.description(),
                                    format_hz(settings.speed_hz), offered_i2c_speeds(offered)));
    const Packet reply = while_opening([&] { return bridge.exchange(encode_set_i2c_speed(choice->index)); });
    const auto index = decode_speed(reply);
    if (!index || *index != choice->index)
        throw OpenError(fmt::format("{}: the bridge refused I2C speed {} (index {}): {}", bridge.description(),
                                    format_hz(choice->hz), choice->index, hex(reply)));
    std::string speed = format_hz(choice->hz);
    if (choice->hz != settings.speed_hz)
        speed += fmt::format(" (the nearest not above the {} asked; it offers {})", format_hz(settings.speed_hz),
                             offered_i2c_speeds(offered));
    return std::make_unique<KitProg3I2c>(std::move(bridge), settings.address, speed);
}

std::unique_ptr<BusPort> make_kitprog3_spi(std::unique_ptr<UsbBulkDevice> device, const SpiSettings& settings,
                                           KitProg3Timing timing) {
    KitProg3Bridge bridge(std::move(device), timing);
    while_opening([&] {
        bridge.read_capabilities();
        return 0;
    });
    const auto& caps = bridge.capabilities();
    if (!caps.has_spi())
        throw OpenError(
            fmt::format("{} offers {}, no SPI bridge", bridge.description(), interface_names(caps.interfaces)));
    if (settings.mode > 3) throw OpenError(fmt::format("SPI mode {} does not exist (0..3)", settings.mode));
    const unsigned asked = settings.clock_hz;
    std::string note;
    unsigned target = asked;
    if (caps.spi_max_hz != 0 && target > caps.spi_max_hz) {
        target = caps.spi_max_hz;
        note = fmt::format(" (the {} asked is above its fastest)", format_hz(asked));
    }
    if (target < caps.spi_min_hz)
        throw OpenError(fmt::format("{}: the slowest SPI clock it makes is {}; {} asked", bridge.description(),
                                    format_hz(caps.spi_min_hz), format_hz(asked)));
    const std::uint8_t mode_bits = spi_mode_bits(settings.mode, settings.lsb_first);
    // The bridge derives its clock with an integer divider rounded so that the clock can come
    // out above the one asked; a target may not keep up with that, so ask lower until it does not.
    std::uint32_t ask = target;
    std::uint32_t actual = 0;
    for (int round = 0; round < 8; ++round) {
        const Packet reply = while_opening([&] { return bridge.exchange(encode_set_spi_speed(ask, mode_bits)); });
        const auto hz = decode_speed(reply);
        if (!hz || *hz == 0)
            throw OpenError(fmt::format("{}: the bridge refused SPI clock {} mode {}: {}", bridge.description(),
                                        format_hz(ask), settings.mode, hex(reply)));
        actual = *hz;
        if (actual <= target || ask <= caps.spi_min_hz) break;
        const auto scaled = static_cast<std::uint32_t>(std::uint64_t{ask} * target / actual);
        ask = std::max<std::uint32_t>(std::min(ask - 1, scaled), caps.spi_min_hz);
    }
    if (note.empty() && actual != asked)
        note = fmt::format(" ({} asked{})", format_hz(asked), actual > asked ? ": the nearest the bridge makes" : "");
    const std::uint8_t chip_select =
        caps.spi_chip_selects != 0 ? static_cast<std::uint8_t>(caps.spi_chip_selects & -caps.spi_chip_selects) : 0x01;
    const std::string text =
        fmt::format("{}{} mode {}{}", format_hz(actual), note, settings.mode, settings.lsb_first ? ", LSB first" : "");
    return std::make_unique<KitProg3Spi>(std::move(bridge), chip_select, text);
}

std::vector<std::uint16_t> kitprog3_pids() {
    std::vector<std::uint16_t> pids(kKitProg3Pids.begin(), kKitProg3Pids.end());
    pids.insert(pids.end(), kMiniProg4Pids.begin(), kMiniProg4Pids.end());
    return pids;
}

BulkInterfaceChoice kitprog3_bridge_interface() {
    // The bridge and the CMSIS-DAP v2 interface look alike (vendor class, bulk IN + OUT);
    // their interface strings ("KitProg3 bridge", "KitProg3 CMSIS-DAP") tell them apart.
    return BulkInterfaceChoice{0xFF, "bridge", "CMSIS-DAP", "I2C/SPI bridge interface"};
}

std::unique_ptr<BusPort> open_kitprog3_i2c(UsbBulkBackend& usb, const I2cSettings& settings, KitProg3Timing timing) {
    const UsbDeviceEntry entry = choose_kitprog(usb, settings.device);
    if (entry.usb.pid == kDualUartPid) throw OpenError(dual_uart_message(entry));
    return make_kitprog3_i2c(usb.open(entry, kitprog3_bridge_interface()), settings, timing);
}

std::unique_ptr<BusPort> open_kitprog3_spi(UsbBulkBackend& usb, const SpiSettings& settings, KitProg3Timing timing) {
    const UsbDeviceEntry entry = choose_kitprog(usb, settings.device);
    if (entry.usb.pid == kDualUartPid) throw OpenError(dual_uart_message(entry));
    return make_kitprog3_spi(usb.open(entry, kitprog3_bridge_interface()), settings, timing);
}

std::vector<FoundBridge> find_kitprogs(UsbBulkBackend& usb, KitProg3Timing timing) {
    std::vector<FoundBridge> found;
    for (const auto& e : list_kitprogs(usb)) {
        FoundBridge b{"kitprog3", e.usb, {}, {}};
        if (e.usb.pid == kDualUartPid) {
            b.note = "dual-UART mode: no I2C/SPI bridge";
        } else if (!e.problem.empty()) {
            b.note = e.problem;
        } else {
            try {
                KitProg3Bridge bridge(usb.open(e, kitprog3_bridge_interface()), timing);
                bridge.read_capabilities();
                if (bridge.capabilities().has_i2c()) b.capabilities.push_back("i2c");
                if (bridge.capabilities().has_spi()) b.capabilities.push_back("spi");
                if (b.capabilities.empty())
                    b.note =
                        fmt::format("no I2C/SPI bridge: offers {}", interface_names(bridge.capabilities().interfaces));
            } catch (const std::runtime_error& ex) {
                b.note = ex.what();
            }
        }
        found.push_back(std::move(b));
    }
    return found;
}

std::unique_ptr<BusPort> open_kitprog3_i2c(const I2cSettings& settings) {
    LibusbBackend usb;
    return open_kitprog3_i2c(usb, settings);
}

std::unique_ptr<BusPort> open_kitprog3_spi(const SpiSettings& settings) {
    LibusbBackend usb;
    return open_kitprog3_spi(usb, settings);
}

std::vector<FoundBridge> find_kitprogs() {
    try {
        LibusbBackend usb;
        return find_kitprogs(usb);
    } catch (const OpenError&) {
        return {};  // no USB support here: nothing to list
    }
}

}  // namespace dfu::transports
