#pragma once
// The far side of the HidDevice seam for tests: a device model gets every output and
// feature report as the host wrote it (report ID first) and queues input reports the
// way hidraw would deliver them. Bridge emulations derive from it.
#include <algorithm>
#include <chrono>
#include <deque>
#include <thread>
#include <vector>

#include "transports/hid_device.hpp"

namespace testsupport {

using Bytes = std::vector<std::uint8_t>;

class EmulatedHid : public dfu::transports::HidDevice {
public:
    // Every output report the host wrote, report ID first.
    std::vector<Bytes> written;
    // Input reports waiting for the host, as hidapi hands them over.
    std::deque<Bytes> input;
    // The device stops answering: output reports are taken, nothing comes back.
    bool silent = false;

    void write(std::span<const std::uint8_t> report) override {
        written.emplace_back(report.begin(), report.end());
        on_output(written.back());
    }

    std::size_t read(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) override {
        if (input.empty()) {
            // Nothing queued: the time passes as it would on a real device, but short,
            // so a test of a timeout costs little.
            if (timeout.count() > 0) std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(1)));
            return 0;
        }
        const Bytes r = std::move(input.front());
        input.pop_front();
        const std::size_t n = std::min(r.size(), buffer.size());
        std::copy_n(r.begin(), n, buffer.begin());
        return n;
    }

    void send_feature(std::span<const std::uint8_t> report) override {
        features_sent.emplace_back(report.begin(), report.end());
        on_set_feature(features_sent.back());
    }

    std::size_t get_feature(std::span<std::uint8_t> buffer) override {
        const Bytes r = on_get_feature(buffer[0]);
        const std::size_t n = std::min(r.size(), buffer.size());
        std::copy_n(r.begin(), n, buffer.begin());
        return n;
    }

    std::string description() const override { return "emulated HID device"; }

    std::vector<Bytes> features_sent;

protected:
    virtual void on_output(const Bytes& report) = 0;
    virtual void on_set_feature(const Bytes&) {}
    virtual Bytes on_get_feature(std::uint8_t) { return {}; }

    void answer(Bytes report) {
        if (!silent) input.push_back(std::move(report));
    }
};

// Hands the model to code that takes ownership of its HidDevice, while the test keeps
// looking at (and steering) the model.
class HidHandle final : public dfu::transports::HidDevice {
public:
    explicit HidHandle(dfu::transports::HidDevice& target) : target_(target) {}
    void write(std::span<const std::uint8_t> r) override { target_.write(r); }
    std::size_t read(std::span<std::uint8_t> b, std::chrono::milliseconds t) override { return target_.read(b, t); }
    void send_feature(std::span<const std::uint8_t> r) override { target_.send_feature(r); }
    std::size_t get_feature(std::span<std::uint8_t> b) override { return target_.get_feature(b); }
    std::string description() const override { return target_.description(); }

private:
    dfu::transports::HidDevice& target_;
};

inline std::unique_ptr<dfu::transports::HidDevice> handle(dfu::transports::HidDevice& model) {
    return std::make_unique<HidHandle>(model);
}

}  // namespace testsupport
