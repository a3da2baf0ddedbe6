#include "transports/mcp2210.hpp"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "transports/device_match.hpp"
#include "transports/hid_bridge_text.hpp"
#include "transports/hid_hidapi.hpp"

namespace dfu::transports {

namespace mcp2210 {
namespace {
void put_le16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v & 0xFF);
    p[1] = static_cast<std::uint8_t>(v >> 8);
}
std::uint16_t le16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] | p[1] << 8);
}
}  // namespace

Report command(std::uint8_t code) {
    Report r{};
    r[1] = code;
    return r;
}

Report set_spi_settings(const SpiTransferSettings& s) {
    Report r = command(kSetSpiSettings);
    std::uint8_t* p = r.data() + 1;  // byte indexes as in the datasheet's tables
    p[4] = static_cast<std::uint8_t>(s.bit_rate);
    p[5] = static_cast<std::uint8_t>(s.bit_rate >> 8);
    p[6] = static_cast<std::uint8_t>(s.bit_rate >> 16);
    p[7] = static_cast<std::uint8_t>(s.bit_rate >> 24);
    put_le16(p + 8, s.idle_cs);
    put_le16(p + 10, s.active_cs);
    put_le16(p + 12, s.cs_to_data_delay);
    put_le16(p + 14, s.data_to_cs_delay);
    put_le16(p + 16, s.between_bytes_delay);
    put_le16(p + 18, s.bytes_per_transaction);
    p[20] = s.mode;
    return r;
}

SpiTransferSettings decode_spi_settings(std::span<const std::uint8_t> p) {
    if (p.size() < 21) throw IoError("short SPI Transfer Settings response");
    SpiTransferSettings s;
    s.bit_rate = std::uint32_t{p[4]} | std::uint32_t{p[5]} << 8 | std::uint32_t{p[6]} << 16 | std::uint32_t{p[7]} << 24;
    s.idle_cs = le16(&p[8]);
    s.active_cs = le16(&p[10]);
    s.cs_to_data_delay = le16(&p[12]);
    s.data_to_cs_delay = le16(&p[14]);
    s.between_bytes_delay = le16(&p[16]);
    s.bytes_per_transaction = le16(&p[18]);
    s.mode = p[20];
    return s;
}

Report transfer_spi_data(std::span<const std::uint8_t> chunk) {
    Report r = command(kTransferSpiData);
    const std::size_t n = std::min(chunk.size(), kChunk);
    r[1 + 1] = static_cast<std::uint8_t>(n);
    std::copy_n(chunk.begin(), n, r.begin() + 1 + 4);
    return r;
}

}  // namespace mcp2210

namespace {
using namespace mcp2210;

// Each report is a USB round trip; a busy engine is asked again after a short pause.
void pause_before_retry() {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
}

// Set at open so a bridge that refuses its settings fails there: the length of a
// status-only response, the transaction a polled bus repeats most.
constexpr std::uint16_t kFirstTransaction = 7;
}  // namespace

Mcp2210Spi::Mcp2210Spi(std::unique_ptr<HidDevice> device, const SpiSettings& settings, std::string name,
                       std::chrono::milliseconds operation_timeout)
    : device_(std::move(device)), settings_(settings), name_(std::move(name)), timeout_(operation_timeout) {
    if (settings_.lsb_first)
        throw OpenError(
            fmt::format("{}: the MCP2210 shifts SPI data MSB first only; --spi-lsb-first needs another "
                        "adapter (spidev or KitProg3)",
                        name_));
    if (settings_.mode > 3)
        throw OpenError(fmt::format("{}: SPI mode {} does not exist (0..3)", name_, settings_.mode));
    if (settings_.clock_hz < kMinBitRate || settings_.clock_hz > kMaxBitRate)
        throw OpenError(
            fmt::format("MCP2210 clocks SPI between 1.5 kHz and 12 MHz, not {}: choose --spi-clock in "
                        "that range",
                        format_rate(settings_.clock_hz)));
    discard_stale_reports(*device_);
    const auto deadline = Clock::now() + timeout_;
    try {
        // A transfer an earlier session left unfinished would hold the engine (0xF8).
        exchange(command(kCancelSpiTransfer), deadline);

        const Response chip = exchange(command(kGetChipSettings), deadline);
        if (chip[1] != kOk)
            throw OpenError(fmt::format("{}: Get Chip Settings answered status 0x{:02X}", name_, chip[1]));
        const auto* cs = std::find(chip.begin() + 4, chip.begin() + 4 + kGpPins, kPinChipSelect);
        if (cs == chip.begin() + 4 + kGpPins)
            throw OpenError(
                fmt::format("{}: no GP pin is designated as a chip select: make GP0 a chip select with "
                            "Microchip's MCP2210 utility (power-up chip settings) and wire it to the "
                            "target's CS",
                            name_));
        chip_select_ = static_cast<unsigned>(cs - (chip.begin() + 4));

        const Response current = exchange(command(kGetSpiSettings), deadline);
        if (current[1] != kOk)
            throw OpenError(fmt::format("{}: Get SPI Transfer Settings answered status 0x{:02X}", name_, current[1]));
        apply_settings(kFirstTransaction, deadline);
    } catch (const IoError& e) {
        throw OpenError(e.what());
    }
}

std::string Mcp2210Spi::description() const {
    return fmt::format("spi {} CS{}, mode {}, {}", name_, chip_select_, settings_.mode,
                       format_rate(settings_.clock_hz));
}

Mcp2210Spi::Response Mcp2210Spi::exchange(const Report& cmd, Clock::time_point deadline) {
    device_->write(cmd);
    Response r{};
    const auto answer_by = std::max(deadline, Clock::now() + std::chrono::milliseconds(50));
    if (!read_report_starting_with(*device_, cmd[1], r, answer_by))
        throw IoError(fmt::format("{}: no answer to command 0x{:02X} within {} ms", name_, cmd[1], timeout_.count()));
    return r;
}

void Mcp2210Spi::apply_settings(std::uint16_t bytes_per_transaction, Clock::time_point deadline) {
    SpiTransferSettings s;
    s.bit_rate = settings_.clock_hz;
    // Chip selects are active low (docs/protocol.md, "Transports"): all high when idle, ours low.
    s.idle_cs = 0x01FF;
    s.active_cs = static_cast<std::uint16_t>(0x01FF & ~(1u << chip_select_));
    s.bytes_per_transaction = bytes_per_transaction;
    s.mode = settings_.mode;
    for (;;) {
        const Response r = exchange(set_spi_settings(s), deadline);
        if (r[1] == kOk) {
            const SpiTransferSettings now = decode_spi_settings(std::span(r).first(21));
            if (now.bytes_per_transaction != bytes_per_transaction || now.mode != s.mode)
                throw IoError(fmt::format("{}: the bridge kept {} bytes per transaction, mode {} (asked {}, mode {})",
                                          name_, now.bytes_per_transaction, now.mode, bytes_per_transaction, s.mode));
            transaction_size_ = bytes_per_transaction;
            return;
        }
        if (r[1] != kTransferInProgress)
            throw IoError(fmt::format("{}: Set SPI Transfer Settings answered status 0x{:02X}", name_, r[1]));
        if (Clock::now() >= deadline)
            throw IoError(fmt::format("{}: an SPI transfer stayed in progress for {} ms", name_, timeout_.count()));
        pause_before_retry();
    }
}

void Mcp2210Spi::transfer(std::span<const std::uint8_t> out, std::span<std::uint8_t> in) {
    if (out.empty() || out.size() > max_transfer())
        throw IoError(fmt::format("{}: cannot move {} bytes in one SPI transaction (1..{})", description(), out.size(),
                                  max_transfer()));
    const auto deadline = Clock::now() + timeout_;
    if (transaction_size_ != out.size()) apply_settings(static_cast<std::uint16_t>(out.size()), deadline);
    std::size_t sent = 0;
    std::size_t received = 0;
    for (;;) {
        const auto chunk = out.subspan(sent, std::min(kChunk, out.size() - sent));
        const Response r = exchange(transfer_spi_data(chunk), deadline);
        if (r[1] == kOk) {
            sent += chunk.size();
            const std::size_t count = r[2];
            if (count > kChunk || received + count > in.size())
                throw IoError(
                    fmt::format("{}: the bridge returned more than the {}-byte transaction", description(), in.size()));
            std::copy_n(r.begin() + 4, count, in.begin() + static_cast<std::ptrdiff_t>(received));
            received += count;
            if (r[3] == kEngineFinished) {
                if (received != in.size())
                    throw IoError(fmt::format("{}: SPI transaction finished with {} of {} bytes received",
                                              description(), received, in.size()));
                return;
            }
            if (r[3] != kEngineStarted && r[3] != kEngineDataWaiting)
                throw IoError(fmt::format("{}: unknown SPI engine status 0x{:02X}", description(), r[3]));
            // All sent: empty reports collect what MISO carried, until "finished".
            if (sent < out.size() || r[3] == kEngineDataWaiting || count > 0) continue;
        } else if (r[1] != kBusNotAvailable && r[1] != kTransferInProgress) {
            throw IoError(fmt::format("{}: Transfer SPI Data answered status 0x{:02X}", description(), r[1]));
        }
        // One look at the clock, and the message from the last answer: read twice, the clock
        // could pass the deadline between a "bus not available" and the check after it.
        if (Clock::now() >= deadline) {
            if (r[1] == kBusNotAvailable)
                throw IoError(fmt::format("{}: an external SPI master has held the bus for {} ms", description(),
                                          timeout_.count()));
            throw IoError(fmt::format("{}: SPI transaction not finished within {} ms ({} of {} bytes back)",
                                      description(), timeout_.count(), received, in.size()));
        }
        pause_before_retry();
    }
}

void Mcp2210Spi::write(std::span<const std::uint8_t> bytes) {
    scratch_.resize(bytes.size());
    transfer(bytes, scratch_);
}

bool Mcp2210Spi::read(std::span<std::uint8_t> buffer) {
    scratch_.assign(buffer.size(), 0xFF);
    transfer(scratch_, buffer);
    return true;
}

std::vector<FoundBridge> find_mcp2210_bridges() {
    std::vector<FoundBridge> out;
    for (const auto& c : hidapi_enumerate(kVid, kPid)) out.push_back({"mcp2210", c.usb, {"spi"}, {}});
    return out;
}

std::unique_ptr<BusPort> open_mcp2210_spi(const SpiSettings& settings) {
    const auto [keyword, selector] = split_selector(settings.device);
    std::vector<UsbCandidate> candidates;
    for (const auto& c : hidapi_enumerate(kVid, kPid)) candidates.push_back(c.usb);
    const UsbCandidate& chosen = choose_device(candidates, selector, "MCP2210", "mcp2210");
    return std::make_unique<Mcp2210Spi>(hidapi_open(chosen, "MCP2210"), settings, bridge_name("mcp2210", chosen));
}

}  // namespace dfu::transports
