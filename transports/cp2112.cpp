#include "transports/cp2112.hpp"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "transports/device_match.hpp"
#include "transports/hid_bridge_text.hpp"
#include "transports/hid_hidapi.hpp"

namespace dfu::transports {

namespace cp2112 {
namespace {
void put_be16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v & 0xFF);
}
std::uint16_t be16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
}  // namespace

std::array<std::uint8_t, kSmbusConfigSize> encode_smbus_config(const SmbusConfig& c) {
    std::array<std::uint8_t, kSmbusConfigSize> r{};
    r[0] = kSmbusConfig;
    r[1] = static_cast<std::uint8_t>(c.clock_hz >> 24);
    r[2] = static_cast<std::uint8_t>(c.clock_hz >> 16);
    r[3] = static_cast<std::uint8_t>(c.clock_hz >> 8);
    r[4] = static_cast<std::uint8_t>(c.clock_hz);
    r[5] = c.device_address;
    r[6] = c.auto_send_read ? 1 : 0;
    put_be16(&r[7], c.write_timeout_ms);
    put_be16(&r[9], c.read_timeout_ms);
    r[11] = c.scl_low_timeout ? 1 : 0;
    put_be16(&r[12], c.retry_time);
    return r;
}

SmbusConfig decode_smbus_config(std::span<const std::uint8_t> r) {
    SmbusConfig c;
    if (r.size() < kSmbusConfigSize || r[0] != kSmbusConfig) throw IoError("not an SMBus Configuration report");
    c.clock_hz = std::uint32_t{r[1]} << 24 | std::uint32_t{r[2]} << 16 | std::uint32_t{r[3]} << 8 | r[4];
    c.device_address = r[5];
    c.auto_send_read = r[6] != 0;
    c.write_timeout_ms = be16(&r[7]);
    c.read_timeout_ms = be16(&r[9]);
    c.scl_low_timeout = r[11] != 0;
    c.retry_time = be16(&r[12]);
    return c;
}

std::array<std::uint8_t, kReport> data_write(std::uint8_t address7, std::span<const std::uint8_t> data) {
    std::array<std::uint8_t, kReport> r{};
    r[0] = kDataWrite;
    r[1] = static_cast<std::uint8_t>(address7 << 1);
    r[2] = static_cast<std::uint8_t>(std::min(data.size(), kMaxWrite));
    std::copy_n(data.begin(), r[2], r.begin() + 3);
    return r;
}

std::array<std::uint8_t, 4> data_read_request(std::uint8_t address7, std::uint16_t length) {
    std::array<std::uint8_t, 4> r{kDataReadRequest, static_cast<std::uint8_t>(address7 << 1), 0, 0};
    put_be16(&r[2], length);
    return r;
}

std::array<std::uint8_t, 3> data_read_force_send(std::uint16_t length) {
    std::array<std::uint8_t, 3> r{kDataReadForceSend, 0, 0};
    put_be16(&r[1], length);
    return r;
}

std::array<std::uint8_t, 2> transfer_status_request() {
    return {kTransferStatusRequest, 0x01};
}
std::array<std::uint8_t, 2> cancel_transfer() {
    return {kCancelTransfer, 0x01};
}

}  // namespace cp2112

namespace {
using namespace cp2112;

// Every status request costs a USB round trip; a transfer still on the bus is asked
// about again after a short pause rather than flat out.
void pause_before_retry() {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
}

const char* error_name(std::uint8_t status1) {
    switch (status1) {
        case kErrorTimeoutNack:
            return "address not acknowledged (NACK)";
        case kErrorTimeoutBusNotFree:
            return "timeout, bus not free (SCL or SDA held low?)";
        case kErrorArbitrationLost:
            return "arbitration lost";
        case kErrorReadIncomplete:
            return "read incomplete";
        case kErrorWriteIncomplete:
            return "write incomplete";
        default:
            return "unknown error";
    }
}
}  // namespace

Cp2112I2c::Cp2112I2c(std::unique_ptr<HidDevice> device, const I2cSettings& settings, std::string name,
                     std::chrono::milliseconds operation_timeout)
    : device_(std::move(device)), settings_(settings), name_(std::move(name)), timeout_(operation_timeout) {
    if (settings_.address > 0x7F)
        throw OpenError(fmt::format("{}: I2C address 0x{:02X} is not a 7-bit address", name_, settings_.address));
    if (settings_.speed_hz < 10000 || settings_.speed_hz > 400000)
        throw OpenError(
            fmt::format("CP2112 runs I2C between 10 kHz and 400 kHz, not {}: choose --i2c-speed in "
                        "that range",
                        format_rate(settings_.speed_hz)));
    try {
        // A transfer left running by an earlier session would answer our first status
        // request; its reports would be taken for ours.
        device_->write(cp2112::cancel_transfer());
        discard_stale_reports(*device_);

        std::array<std::uint8_t, kSmbusConfigSize> current{kSmbusConfig};
        if (device_->get_feature(current) < kSmbusConfigSize)
            throw OpenError(fmt::format("{}: short SMBus Configuration report: is this a CP2112?", name_));
        SmbusConfig want = decode_smbus_config(current);
        want.clock_hz = settings_.speed_hz;
        // The host collects read data itself (Force Send) once the status says complete.
        want.auto_send_read = false;
        // Bounded retries on an unacknowledged address: a busy DFU target NACKs, and the
        // host, not the bridge, decides how long to poll it.
        const auto limit = static_cast<std::uint16_t>(std::min<long long>(timeout_.count(), 1000));
        want.write_timeout_ms = limit;
        want.read_timeout_ms = limit;
        want.scl_low_timeout = true;
        want.retry_time = 1;
        device_->send_feature(encode_smbus_config(want));

        std::array<std::uint8_t, kSmbusConfigSize> check{kSmbusConfig};
        device_->get_feature(check);
        const SmbusConfig now = decode_smbus_config(check);
        if (now.clock_hz != want.clock_hz || now.auto_send_read || now.retry_time != want.retry_time)
            throw OpenError(
                fmt::format("{}: the bridge did not keep its SMBus configuration ({} Hz, auto send read {})", name_,
                            now.clock_hz, now.auto_send_read ? "on" : "off"));
    } catch (const IoError& e) {
        throw OpenError(e.what());
    }
}

std::string Cp2112I2c::description() const {
    return fmt::format("i2c {} @ 0x{:02X}, {}", name_, settings_.address, format_rate(settings_.speed_hz));
}

void Cp2112I2c::fail(const std::string& what) {
    try {
        device_->write(cp2112::cancel_transfer());
    } catch (const IoError&) {
        // The first failure is the one worth reporting.
    }
    throw IoError(fmt::format("{}: {}", description(), what));
}

Cp2112I2c::Outcome Cp2112I2c::wait_for_transfer(const char* direction, std::size_t* bytes_read,
                                                Clock::time_point deadline) {
    std::array<std::uint8_t, kReport> status{};
    for (;;) {
        device_->write(transfer_status_request());
        const auto answer_by = std::max(deadline, Clock::now() + std::chrono::milliseconds(50));
        if (!read_report_starting_with(*device_, kTransferStatusResponse, status, answer_by))
            fail(fmt::format("no Transfer Status Response within {} ms", timeout_.count()));
        const std::uint8_t s0 = status[1];
        const std::uint8_t s1 = status[2];
        if (s0 == kComplete) {
            if (bytes_read) *bytes_read = static_cast<std::size_t>(status[5] << 8 | status[6]);
            return Outcome::complete;
        }
        if (s0 == kError) {
            if (s1 == kErrorTimeoutNack) return Outcome::nack;
            fail(fmt::format("{} failed: {} (status 0x{:02X} 0x{:02X})", direction, error_name(s1), s0, s1));
        }
        if (s0 != kIdle && s0 != kBusy)
            fail(fmt::format("{}: unknown transfer status 0x{:02X} 0x{:02X}", direction, s0, s1));
        if (Clock::now() >= deadline)
            fail(fmt::format("{} not finished within {} ms (status 0x{:02X} 0x{:02X})", direction, timeout_.count(), s0,
                             s1));
        pause_before_retry();
    }
}

void Cp2112I2c::write(std::span<const std::uint8_t> bytes) {
    if (bytes.empty() || bytes.size() > kMaxWrite)
        throw IoError(
            fmt::format("{}: a CP2112 writes 1 to {} bytes per transfer, not {}: use --packet-size {} or "
                        "less",
                        description(), kMaxWrite, bytes.size(), kMaxWrite));
    const auto deadline = Clock::now() + timeout_;
    device_->write(data_write(settings_.address, bytes));
    if (wait_for_transfer("write", nullptr, deadline) == Outcome::nack)
        fail(fmt::format("address 0x{:02X} not acknowledged (NACK) on write", settings_.address));
}

bool Cp2112I2c::read(std::span<std::uint8_t> buffer) {
    if (buffer.empty() || buffer.size() > kMaxRead)
        throw IoError(
            fmt::format("{}: cannot read {} bytes in one transfer (1..{})", description(), buffer.size(), kMaxRead));
    const auto deadline = Clock::now() + timeout_;
    const auto length = static_cast<std::uint16_t>(buffer.size());
    device_->write(data_read_request(settings_.address, length));
    std::size_t on_bridge = 0;
    if (wait_for_transfer("read", &on_bridge, deadline) == Outcome::nack) return false;
    if (on_bridge < buffer.size()) fail(fmt::format("read ended after {} of {} bytes", on_bridge, buffer.size()));

    device_->write(data_read_force_send(length));
    std::array<std::uint8_t, kReport> r{};
    std::size_t got = 0;
    while (got < buffer.size()) {
        const auto answer_by = std::max(deadline, Clock::now() + std::chrono::milliseconds(50));
        if (!read_report_starting_with(*device_, kDataReadResponse, r, answer_by))
            fail(fmt::format("read data did not arrive within {} ms ({} of {} bytes)", timeout_.count(), got,
                             buffer.size()));
        if (r[1] == kError) fail(fmt::format("Data Read Response reports an error (status 0x{:02X})", r[1]));
        const std::size_t count = r[2];
        if (count > kReport - 3) fail(fmt::format("Data Read Response claims {} bytes in one report", count));
        const std::size_t take = std::min(count, buffer.size() - got);
        std::copy_n(r.begin() + 3, take, buffer.begin() + static_cast<std::ptrdiff_t>(got));
        got += take;
    }
    return true;
}

std::vector<FoundBridge> find_cp2112_bridges() {
    std::vector<FoundBridge> out;
    for (const auto& c : hidapi_enumerate(kVid, kPid)) out.push_back({"cp2112", c.usb, {"i2c"}, {}});
    return out;
}

std::unique_ptr<BusPort> open_cp2112_i2c(const I2cSettings& settings) {
    const auto [keyword, selector] = split_selector(settings.device);
    std::vector<UsbCandidate> candidates;
    for (const auto& c : hidapi_enumerate(kVid, kPid)) candidates.push_back(c.usb);
    const UsbCandidate& chosen = choose_device(candidates, selector, "CP2112", "cp2112");
    return std::make_unique<Cp2112I2c>(hidapi_open(chosen, "CP2112"), settings, bridge_name("cp2112", chosen));
}

}  // namespace dfu::transports
