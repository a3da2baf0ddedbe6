#include "transports/mcp2221.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include <fmt/format.h>

#include "transports/device_match.hpp"
#include "transports/hid_bridge_text.hpp"
#include "transports/hid_hidapi.hpp"

namespace dfu::transports {

namespace mcp2221 {

Report status_command(bool cancel_transfer, std::optional<std::uint8_t> speed_divider) {
    Report r{};
    r[1] = kStatusSetParameters;
    if (cancel_transfer) r[1 + 2] = kCancelTransfer;
    if (speed_divider) {
        r[1 + 3] = kSetSpeed;
        r[1 + 4] = *speed_divider;
    }
    return r;
}

Report write_command(std::uint16_t total_length, std::uint8_t address7, std::span<const std::uint8_t> chunk) {
    Report r{};
    r[1] = kWriteData;
    r[1 + 1] = static_cast<std::uint8_t>(total_length & 0xFF);
    r[1 + 2] = static_cast<std::uint8_t>(total_length >> 8);
    r[1 + 3] = static_cast<std::uint8_t>(address7 << 1);  // 8-bit form, even: write
    std::copy_n(chunk.begin(), std::min(chunk.size(), kChunk), r.begin() + 1 + 4);
    return r;
}

Report read_command(std::uint16_t length, std::uint8_t address7) {
    Report r{};
    r[1] = kReadData;
    r[1 + 1] = static_cast<std::uint8_t>(length & 0xFF);
    r[1 + 2] = static_cast<std::uint8_t>(length >> 8);
    r[1 + 3] = static_cast<std::uint8_t>(address7 << 1 | 1);  // odd: read
    return r;
}

Report get_data_command() {
    Report r{};
    r[1] = kGetI2cData;
    return r;
}

std::uint8_t speed_divider(unsigned speed_hz) {
    constexpr unsigned kClock = 12000000;
    // The divider is one byte: 12 MHz / (255 + 3) is the slowest the engine can go.
    if (speed_hz < 46512 || speed_hz > 400000)
        throw OpenError(
            fmt::format("MCP2221A runs I2C between 47 kHz and 400 kHz, not {}: choose --i2c-speed in "
                        "that range",
                        format_rate(speed_hz)));
    const long divider = std::lround(static_cast<double>(kClock) / speed_hz) - 3;
    return static_cast<std::uint8_t>(std::clamp(divider, 1L, 255L));
}

bool is_timeout_state(std::uint8_t state) noexcept {
    switch (state) {
        case 0x12:  // START
        case 0x17:  // repeated START
        case 0x23:  // address, low byte
        case 0x33:  // address, high byte (10-bit)
        case 0x44:  // writing data
        case 0x52:  // reading data
        case 0x62:  // STOP
            return true;
        default:
            return false;
    }
}

}  // namespace mcp2221

namespace {
using namespace mcp2221;

constexpr std::uint8_t kOk = 0x00;
constexpr std::uint8_t kBusy = 0x01;

// The bridge answers each command within a USB frame or two; a busy engine is asked
// again after a short pause rather than flat out.
void pause_before_retry() {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
}
}  // namespace

Mcp2221I2c::Mcp2221I2c(std::unique_ptr<HidDevice> device, const I2cSettings& settings, std::string name,
                       std::chrono::milliseconds operation_timeout)
    : device_(std::move(device)), settings_(settings), name_(std::move(name)), timeout_(operation_timeout) {
    if (settings_.address > 0x7F)
        throw OpenError(fmt::format("{}: I2C address 0x{:02X} is not a 7-bit address", name_, settings_.address));
    const std::uint8_t divider = speed_divider(settings_.speed_hz);
    discard_stale_reports(*device_);
    const auto deadline = Clock::now() + timeout_;
    try {
        // A transfer left half done (a killed session, a target holding SDA) keeps the
        // engine busy and would refuse the speed: cancel it first.
        Response st = exchange(status_command(false, std::nullopt), deadline);
        if (st[8] != kStateIdle) {
            exchange(status_command(true, std::nullopt), deadline);
            for (;;) {
                st = exchange(status_command(false, std::nullopt), deadline);
                if (st[8] == kStateIdle) break;
                if (Clock::now() >= deadline)
                    throw OpenError(fmt::format(
                        "{}: the I2C engine stays busy (state 0x{:02X}) after a cancel: check that nothing holds "
                        "SDA or SCL low and that both lines have pull-ups",
                        name_, st[8]));
                pause_before_retry();
            }
        }
        const Response set = exchange(status_command(false, divider), deadline);
        if (set[3] != kSetSpeed)
            throw OpenError(fmt::format("{}: the bridge did not take the I2C speed {} (answer 0x{:02X})", name_,
                                        format_rate(settings_.speed_hz), set[3]));
    } catch (const IoError& e) {
        throw OpenError(e.what());
    }
}

std::string Mcp2221I2c::description() const {
    return fmt::format("i2c {} @ 0x{:02X}, {}", name_, settings_.address, format_rate(settings_.speed_hz));
}

Mcp2221I2c::Response Mcp2221I2c::exchange(const Report& command, Clock::time_point deadline) {
    device_->write(command);
    Response r{};
    // A slow answer still gets a moment after the operation's time is up: the deadline
    // bounds the retries, not one exchange.
    const auto answer_by = std::max(deadline, Clock::now() + std::chrono::milliseconds(50));
    if (!read_report_starting_with(*device_, command[1], r, answer_by))
        throw IoError(
            fmt::format("{}: no answer to command 0x{:02X} within {} ms", name_, command[1], timeout_.count()));
    return r;
}

void Mcp2221I2c::cancel_transfer(Clock::time_point deadline) {
    exchange(status_command(true, std::nullopt), std::max(deadline, Clock::now() + std::chrono::milliseconds(50)));
}

void Mcp2221I2c::fail(const std::string& what, std::uint8_t state, Clock::time_point deadline) {
    try {
        cancel_transfer(deadline);
    } catch (const IoError&) {
        // The first failure is the one worth reporting.
    }
    throw IoError(fmt::format("{}: {} (I2C engine state 0x{:02X})", description(), what, state));
}

void Mcp2221I2c::write(std::span<const std::uint8_t> bytes) {
    if (bytes.empty() || bytes.size() > max_transfer())
        throw IoError(fmt::format("{}: cannot write {} bytes in one transfer (1..{})", description(), bytes.size(),
                                  max_transfer()));
    const auto deadline = Clock::now() + timeout_;
    const auto total = static_cast<std::uint16_t>(bytes.size());
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const auto chunk = bytes.subspan(sent, std::min(kChunk, bytes.size() - sent));
        const Response r = exchange(write_command(total, settings_.address, chunk), deadline);
        if (r[1] == kOk) {
            sent += chunk.size();
            continue;
        }
        if (r[1] != kBusy) fail(fmt::format("I2C Write Data answered status 0x{:02X}", r[1]), r[2], deadline);
        // Busy: the engine is still clocking out the previous chunk, or failed.
        if (r[2] == kStateAddressNack)
            fail(fmt::format("address 0x{:02X} not acknowledged (NACK) on write", settings_.address), r[2], deadline);
        if (is_timeout_state(r[2])) fail("I2C bus timeout during a write", r[2], deadline);
        if (Clock::now() >= deadline)
            fail(fmt::format("the bridge stayed busy for {} ms during a write", timeout_.count()), r[2], deadline);
        pause_before_retry();
    }
    wait_until_write_done(deadline);
}

void Mcp2221I2c::wait_until_write_done(Clock::time_point deadline) {
    // The last chunk is accepted before it is on the bus: the engine state tells when
    // the STOP went out, or that the target refused.
    for (;;) {
        const Response st = exchange(status_command(false, std::nullopt), deadline);
        const std::uint8_t state = st[8];
        if (state == kStateIdle) return;
        if (state == kStateAddressNack)
            fail(fmt::format("address 0x{:02X} not acknowledged (NACK) on write", settings_.address), state, deadline);
        if (is_timeout_state(state)) fail("I2C bus timeout during a write", state, deadline);
        if (Clock::now() >= deadline)
            fail(fmt::format("write not finished within {} ms", timeout_.count()), state, deadline);
        pause_before_retry();
    }
}

bool Mcp2221I2c::read(std::span<std::uint8_t> buffer) {
    if (buffer.empty() || buffer.size() > max_transfer())
        throw IoError(fmt::format("{}: cannot read {} bytes in one transfer (1..{})", description(), buffer.size(),
                                  max_transfer()));
    const auto deadline = Clock::now() + timeout_;
    for (;;) {
        const Response r =
            exchange(read_command(static_cast<std::uint16_t>(buffer.size()), settings_.address), deadline);
        if (r[1] == kOk) break;
        if (r[1] != kBusy) fail(fmt::format("I2C Read Data answered status 0x{:02X}", r[1]), r[2], deadline);
        if (is_timeout_state(r[2])) fail("I2C bus timeout before a read", r[2], deadline);
        if (Clock::now() >= deadline)
            fail(fmt::format("the bridge stayed busy for {} ms before a read", timeout_.count()), r[2], deadline);
        pause_before_retry();
    }
    std::size_t got = 0;
    while (got < buffer.size()) {
        const Response r = exchange(get_data_command(), deadline);
        const std::uint8_t state = r[2];
        const std::uint8_t count = r[3];
        if (r[1] == kOk && count != kGetDataErrorCount) {
            if (count > kChunk) fail(fmt::format("Get I2C Data claims {} bytes in one report", count), state, deadline);
            const std::size_t take = std::min<std::size_t>(count, buffer.size() - got);
            std::copy_n(r.begin() + 4, take, buffer.begin() + static_cast<std::ptrdiff_t>(got));
            got += take;
            if (count > 0) continue;
        } else if (r[1] != kOk && r[1] != kGetDataError) {
            fail(fmt::format("Get I2C Data answered status 0x{:02X}", r[1]), state, deadline);
        }
        if (state == kStateAddressNack) {
            // The target is busy and says so by not acknowledging: poll again later.
            cancel_transfer(deadline);
            return false;
        }
        if (is_timeout_state(state)) fail("I2C bus timeout during a read", state, deadline);
        if (Clock::now() >= deadline)
            fail(fmt::format("read data not ready within {} ms ({} of {} bytes)", timeout_.count(), got, buffer.size()),
                 state, deadline);
        pause_before_retry();
    }
    return true;
}

// ---- finding and opening -------------------------------------------------------------

namespace {
struct Mcp2221Present {
    FoundBridge bridge;
    std::optional<KernelBoundHid> held;
};

std::vector<Mcp2221Present> mcp2221_present(const std::string& sysfs_root) {
    const auto bound = hid_devices_bound_to("mcp2221", kVid, kPid, sysfs_root);
    std::vector<Mcp2221Present> out;
    for (const auto& c : hidapi_enumerate(kVid, kPid)) {
        Mcp2221Present p;
        p.bridge.kind = "mcp2221";
        p.bridge.usb = c.usb;
        const auto holder =
            std::find_if(bound.begin(), bound.end(), [&](const KernelBoundHid& b) { return b.hidraw == c.usb.path; });
        if (holder != bound.end()) p.held = *holder;
        out.push_back(std::move(p));
    }
    // Kernels from 6.2 on give a bound MCP2221A no hidraw node at all: hidapi never sees it.
    for (const auto& b : bound) {
        if (std::any_of(out.begin(), out.end(),
                        [&](const Mcp2221Present& p) { return p.held && p.held->hid_id == b.hid_id; }))
            continue;
        Mcp2221Present p;
        p.bridge.kind = "mcp2221";
        p.bridge.usb = {kVid, kPid, b.serial, b.hidraw.empty() ? b.hid_id : b.hidraw, "MCP2221A"};
        p.held = b;
        out.push_back(std::move(p));
    }
    for (auto& p : out) {
        if (!p.held) {
            p.bridge.capabilities = {"i2c"};
        } else {
            p.bridge.note = "held by the kernel driver hid_mcp2221";
            if (!p.held->i2c_adapter.empty())
                p.bridge.note += fmt::format(" (its I2C adapter: {})", p.held->i2c_adapter);
        }
    }
    return out;
}
}  // namespace

std::string mcp2221_kernel_driver_advice(const KernelBoundHid& held) {
    std::string use_adapter;
    if (!held.i2c_adapter.empty())
        use_adapter = fmt::format("use the driver's own I2C adapter instead (--i2c {}), or ", held.i2c_adapter);
    return fmt::format(
        "the kernel driver hid_mcp2221 holds this MCP2221A ({}): {}free it for dfuhost: `sudo modprobe -r "
        "hid_mcp2221` (until the module loads again), or for good `echo 'blacklist hid_mcp2221' | sudo tee "
        "/etc/modprobe.d/dfuhost-mcp2221.conf`; then unplug and replug the bridge so it gets a hidraw node, and "
        "install scripts/udev/60-dfuhost.rules for access (README.md#usb-permissions)",
        held.hid_id, use_adapter);
}

std::vector<FoundBridge> find_mcp2221_bridges(const std::string& sysfs_root) {
    std::vector<FoundBridge> out;
    for (auto& p : mcp2221_present(sysfs_root)) out.push_back(std::move(p.bridge));
    return out;
}

std::unique_ptr<BusPort> open_mcp2221_i2c(const I2cSettings& settings) {
    const auto [keyword, selector] = split_selector(settings.device);
    const auto present = mcp2221_present("/sys");
    std::vector<UsbCandidate> candidates;
    for (const auto& p : present) candidates.push_back(p.bridge.usb);
    const UsbCandidate& chosen = choose_device(candidates, selector, "MCP2221A", "mcp2221");
    const auto& which = present[static_cast<std::size_t>(&chosen - candidates.data())];
    if (which.held)
        throw OpenError(
            fmt::format("cannot use MCP2221A {}: {}", chosen.path, mcp2221_kernel_driver_advice(*which.held)));
    return std::make_unique<Mcp2221I2c>(hidapi_open(chosen, "MCP2221A"), settings, bridge_name("mcp2221", chosen));
}

}  // namespace dfu::transports
