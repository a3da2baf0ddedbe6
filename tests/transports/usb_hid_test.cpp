// USB-HID DFU devices: one packet per 64-byte report, and the real Flasher programming
// the responder core behind an emulated HID DFU device.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "emulated_hid_dfu.hpp"
#include "flash_through.hpp"
#include "transports/usb_hid.hpp"
#include "transports/usb_hid_transport.hpp"

using namespace dfu;
using namespace dfu::transports;
using testsupport::Bytes;
using testsupport::EmulatedHidDfu;

namespace {
const Bytes kEnter{0x01, 0x38, 0x04, 0x00, 0x04, 0x03, 0x02, 0x01, 0xB6, 0xFF, 0x17};

UsbHidTransport transport(EmulatedHidDfu& dev) {
    return UsbHidTransport(testsupport::handle(dev), "usb-hid emulated");
}
}  // namespace

TEST_CASE("usb-hid: a packet goes out as 0x00 + the packet + zeros, 65 bytes") {
    EmulatedHidDfu dev;
    auto t = transport(dev);
    t.send(kEnter, Reply::expected);
    REQUIRE(dev.written.size() == 1);
    const Bytes& w = dev.written[0];
    CHECK(w.size() == 65);
    CHECK(w[0] == 0x00);
    CHECK(Bytes(w.begin() + 1, w.begin() + 12) == kEnter);
    CHECK(std::all_of(w.begin() + 12, w.end(), [](std::uint8_t b) { return b == 0; }));
    CHECK(t.capabilities().max_packet == 64);
    CHECK(t.capabilities().gap_after_unanswered.count() == 0);
    CHECK(t.counters().bytes_sent == 64);
}

TEST_CASE("usb-hid: the frame is cut out of a zero-padded report by its length field") {
    std::vector<std::uint8_t> frame;
    Bytes report(64, 0);
    const Bytes status_only{0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x17};
    std::copy(status_only.begin(), status_only.end(), report.begin());
    REQUIRE(frame_in_report(report, frame));
    CHECK(frame == status_only);
    // A full 64-byte frame fills the report.
    Bytes full(64, 0x5A);
    full[0] = 0x01;
    full[2] = 57;
    full[3] = 0;
    full[63] = 0x17;
    REQUIRE(frame_in_report(full, frame));
    CHECK(frame.size() == 64);
    // A length that runs past the report, or a wrong end byte, is no frame.
    full[2] = 58;
    CHECK_FALSE(frame_in_report(full, frame));
    CHECK_FALSE(frame_in_report(Bytes(64, 0), frame));
    // A report ID byte in front (a device that numbers its reports) does not hide the frame.
    Bytes numbered(64, 0);
    numbered[0] = 0x01;
    std::copy(status_only.begin(), status_only.end(), numbered.begin() + 1);
    REQUIRE(frame_in_report(numbered, frame));
    CHECK(frame == status_only);
}

TEST_CASE("usb-hid: programs a signed job into the responder core byte for byte") {
    EmulatedHidDfu dev;
    auto t = transport(dev);
    const FirmwareJob job = testsupport::signed_job();
    const RunResult r = testsupport::program_through(t, job);
    CHECK(r.app_valid == true);
    CHECK(r.recoveries == 0);
    testsupport::jobs::check_flash_has(dev.flash(), job);
    CHECK(dev.protocol_error == "");
    // Reports count as they cross USB: 64 bytes each way per packet answered.
    CHECK(t.counters().bytes_sent == 64 * t.counters().packets_sent);
    CHECK(t.counters().bytes_received == 64 * t.counters().frames_received);
}

TEST_CASE("usb-hid: a lost answer is a timeout the engine recovers from") {
    EmulatedHidDfu dev;
    dev.lose_answers_from = 5;
    dev.lose_answers_count = 1;
    auto t = transport(dev);
    const FirmwareJob job = testsupport::signed_job(2);
    const RunResult r = testsupport::program_through(t, job);
    CHECK(r.recoveries >= 1);
    CHECK(r.app_valid == true);
    testsupport::jobs::check_flash_has(dev.flash(), job);
}

TEST_CASE("usb-hid: silence until the deadline returns false, not a hang") {
    EmulatedHidDfu dev;
    dev.silent = true;
    auto t = transport(dev);
    t.send(kEnter, Reply::expected);
    std::vector<std::uint8_t> frame;
    const auto t0 = Clock::now();
    CHECK_FALSE(t.receive(frame, t0 + std::chrono::milliseconds(30)));
    CHECK(Clock::now() - t0 >= std::chrono::milliseconds(30));
    CHECK(Clock::now() - t0 < std::chrono::milliseconds(500));
}

TEST_CASE("usb-hid: stale input is dropped at open and on discard_input") {
    EmulatedHidDfu dev;
    Bytes stale(64, 0);
    const Bytes old{0x01, 0x05, 0x00, 0x00, 0xFA, 0xFF, 0x17};  // an ERROR_CMD from an earlier session
    std::copy(old.begin(), old.end(), stale.begin());
    dev.input.push_back(stale);
    auto t = transport(dev);
    CHECK(dev.input.empty());
    dev.input.push_back(stale);
    t.discard_input();
    CHECK(dev.input.empty());
    const FirmwareJob job = testsupport::signed_job(1);
    CHECK(testsupport::program_through(t, job).recoveries == 0);
}

TEST_CASE("usb-hid: packets larger than a report are refused") {
    EmulatedHidDfu dev;
    auto t = transport(dev);
    CHECK_THROWS_AS(t.send(Bytes(65, 0x01), Reply::expected), IoError);
    CHECK(dev.written.empty());
    try {
        testsupport::program_through(t, testsupport::signed_job(1), testsupport::fast_options(128));
        FAIL("a 128-byte packet size was taken");
    } catch (const dfu::Error& e) {
        CHECK(e.code() == ExitCode::usage);
    }
}

TEST_CASE("usb-hid: a malformed VID:PID is an OpenError that shows the form") {
    for (const char* spec : {"058b", "058bf21d", "xyz:f21d", "058b:12345", ":f21d"}) {
        CAPTURE(spec);
        const std::string msg = testsupport::error_of([&] { open_usb_hid(spec); });
        CHECK(msg.find("VID:PID[:SERIAL]") != std::string::npos);
        CHECK_THROWS_AS(open_usb_hid(spec), OpenError);
    }
}
