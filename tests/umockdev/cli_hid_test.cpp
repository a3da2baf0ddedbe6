// End to end over hidraw: the real dfuhost binary, run as a child under this process's
// testbed, finds the HID devices through hidapi's hid_enumerate() (sysfs) and drives
// their /dev/hidrawN nodes through the real hidapi-hidraw backend; the nodes are
// answered here (hidraw_model.hpp) by the bridge emulations with the responder core
// behind them, and the target's flash must then hold the image byte for byte.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "bus_target.hpp"
#include "emulated_cp2112.hpp"
#include "emulated_hid_dfu.hpp"
#include "emulated_mcp2210.hpp"
#include "emulated_mcp2221.hpp"
#include "hid_fixtures.hpp"
#include "process.hpp"
#include "test_images.hpp"

using nlohmann::json;
using testsupport::BusTarget;

namespace {

constexpr std::uint32_t kBase = 0x10000000;

// 3 KiB whose last 4 bytes are the CRC-32C of the rest: Verify Application can pass.
std::vector<std::uint8_t> signed_image() {
    return testsupport::signed_app(3 * 1024 - 4, 45);
}

bool flash_holds(const std::vector<std::uint8_t>& flash, const std::vector<std::uint8_t>& image) {
    return flash.size() >= image.size() && std::equal(image.begin(), image.end(), flash.begin());
}

// A run that must succeed: exit 0, the image in the target's flash, and node and bridge
// used by the book.
template <typename Emulation>
void check_landed(const umock::ChildResult& r, const std::vector<std::uint8_t>& flash,
                  const std::vector<std::uint8_t>& image, const umock::HidFixture<Emulation>& hid) {
    CHECK_FALSE(r.timed_out);
    REQUIRE(r.exit_code == 0);
    CHECK(flash_holds(flash, image));
    CHECK(hid.device.protocol_error.empty());
    CHECK(hid.node.misuse().empty());
}

struct Run {
    testsupport::TempDir dir;
    std::vector<std::uint8_t> image = signed_image();
    std::string hex;
    Run() : hex((dir / "app.hex").string()) {
        testsupport::write_text(hex, testsupport::to_intel_hex({{kBase, image}}));
    }

    umock::ChildResult program(std::vector<std::string> wire) const {
        std::vector<std::string> argv{DFUHOST_BIN, "program", hex, "--product-id", "01020304", "--json"};
        argv.insert(argv.end(), wire.begin(), wire.end());
        return umock::run_child(argv);
    }
};

json result_of(const umock::ChildResult& r) {
    const auto at = r.out.rfind("{\"action\"");
    return at == std::string::npos ? json() : json::parse(r.out.substr(at), nullptr, false);
}

}  // namespace

// ---- USB-HID DFU devices ---------------------------------------------------------------

TEST_CASE("cli over hidraw: dfuhost program --usb-hid (058b:f21d by default) lands the image byte for byte") {
    Run run;
    umock::Testbed tb;
    umock::HidFixture<testsupport::EmulatedHidDfu> dfu(tb, umock::hid_dfu_device("DFU0001", 1, 0));
    // An answer an earlier, killed session never collected: it must not pass for ours.
    std::vector<std::uint8_t> stale(64, 0);
    const std::uint8_t status_only[] = {0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x17};
    std::copy(std::begin(status_only), std::end(status_only), stale.begin());
    dfu.node.queue_input(stale);
    const auto r = run.program({"--usb-hid"});
    INFO(r.out << r.err);
    check_landed(r, dfu.device.flash(), run.image, dfu);
    CHECK(r.out.find("\"app_valid\":true") != std::string::npos);
    // Every packet went out as its own 65-byte write, and was answered by one read.
    CHECK(dfu.node.writes() == dfu.device.packets());
    CHECK(dfu.node.reads() >= dfu.device.packets() - 1);  // Exit DFU has no answer
}

TEST_CASE("cli over hidraw: --usb-hid VID:PID:SERIAL programs the named one of two devices") {
    Run run;
    umock::Testbed tb;
    umock::HidFixture<testsupport::EmulatedHidDfu> a(tb, umock::hid_dfu_device("DFU-A", 1, 0));
    umock::HidFixture<testsupport::EmulatedHidDfu> b(tb, umock::hid_dfu_device("DFU-B", 2, 1));
    const auto r = run.program({"--usb-hid", "058b:f21d:DFU-B"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(flash_holds(b.device.flash(), run.image));
    CHECK(b.node.misuse().empty());
    CHECK(a.node.writes() == 0);
    CHECK(a.node.reads() == 0);
    CHECK_FALSE(flash_holds(a.device.flash(), run.image));

    // Without the serial, dfuhost does not guess: it names both and stops.
    const auto both = run.program({"--usb-hid", "058b:f21d"});
    CHECK(both.exit_code == 4);
    CHECK(both.err.find("2 USB-HID DFU device 058b:f21d devices match") != std::string::npos);
    CHECK(both.err.find("DFU-A") != std::string::npos);
    CHECK(both.err.find("DFU-B") != std::string::npos);
}

TEST_CASE("cli over hidraw: --usb-hid takes the vendor-defined interface of a device that is also a keyboard") {
    Run run;
    umock::Testbed tb;
    // Interface 0 a boot keyboard (Generic Desktop / Keyboard), interface 1 the DFU one.
    auto keyboard = umock::hid_dfu_device("DFU0001", 1, 0);
    keyboard.layout = {0x0001, 0x06, {{umock::HidLayout::Type::input, 0, 8}, {umock::HidLayout::Type::output, 0, 1}}};
    auto vendor = umock::hid_dfu_device("DFU0001", 1, 1);
    vendor.interface_number = 1;
    umock::HidFixture<testsupport::EmulatedHidDfu> k(tb, keyboard);
    umock::HidFixture<testsupport::EmulatedHidDfu> dfu(tb, vendor);

    const auto list = umock::run_child({DFUHOST_BIN, "list", "--json"});
    REQUIRE(list.exit_code == 0);
    const json j = result_of(list);
    REQUIRE(j["usb_hid"].size() == 1);
    CHECK(j["usb_hid"][0]["path"] == "/dev/hidraw1");

    const auto r = run.program({"--usb-hid", "058b:f21d"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(flash_holds(dfu.device.flash(), run.image));
    CHECK(k.node.writes() == 0);
}

TEST_CASE("cli over hidraw: a HID DFU device that never answers ends in the no-response exit code") {
    Run run;
    umock::Testbed tb;
    umock::HidFixture<testsupport::EmulatedHidDfu> dfu(tb, umock::hid_dfu_device("DFU0001", 1, 0));
    dfu.device.silent = true;
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = run.program({"--usb-hid", "--timeout", "150", "--retries", "1"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 5);
    CHECK(r.err.find("no response from the device") != std::string::npos);
    CHECK(result_of(r)["exit_code"] == 5);
    // Two Enter DFU attempts, each waited out in poll() (not a busy loop of empty reads).
    CHECK(dfu.node.writes() == 2);
    CHECK(dfu.node.reads() == 0);
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(300));
}

// ---- MCP2221A (I2C) -------------------------------------------------------------------

TEST_CASE("cli over hidraw: dfuhost program --i2c mcp2221 lands the image byte for byte") {
    Run run;
    umock::Testbed tb;
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 2;
    target.nack_when_busy = true;
    umock::HidFixture<testsupport::EmulatedMcp2221> bridge(tb, umock::mcp2221("0001234567", 1, 0), target);
    // Left by a killed session: read data nobody fetched, and its unread answer.
    bridge.device.set_engine_state(testsupport::EmulatedMcp2221::kReadReady);
    std::vector<std::uint8_t> stale(64, 0);
    stale[0] = 0x40;
    bridge.node.queue_input(stale);
    const auto r = run.program({"--i2c", "mcp2221", "--i2c-speed", "400k"});
    INFO(r.out << r.err);
    check_landed(r, target.flash(), run.image, bridge);
    CHECK(r.out.find("\"app_valid\":true") != std::string::npos);
    CHECK(bridge.device.divider == 27);  // 12 MHz / 400 kHz - 3
    CHECK(bridge.device.cancels >= 1);
    for (const auto& w : target.writes()) CHECK(w.size() <= 64);
}

TEST_CASE("cli over hidraw: an MCP2221A whose target never answers ends in the no-response exit code") {
    Run run;
    umock::Testbed tb;
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 1000000;  // NACKs its address for good
    target.nack_when_busy = true;
    umock::HidFixture<testsupport::EmulatedMcp2221> bridge(tb, umock::mcp2221("0001234567", 1, 0), target);
    const auto r = run.program({"--i2c", "mcp2221:0001234567", "--timeout", "150", "--retries", "0"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 5);
    CHECK(r.err.find("no response from the device") != std::string::npos);
    CHECK(target.writes().size() == 1);  // Enter DFU, and no more
    CHECK(bridge.device.cancels > 0);    // each NACKed read was cancelled on the bridge
    CHECK(bridge.device.engine_state() == testsupport::EmulatedMcp2221::kIdle);
    CHECK(bridge.node.misuse().empty());
}

TEST_CASE("cli over hidraw: an MCP2221A held by hid_mcp2221 is listed as such and refused with advice") {
    Run run;
    umock::Testbed tb;
    BusTarget target(BusTarget::Kind::i2c);
    const auto spec = umock::mcp2221("0001234567", 1, 0);
    umock::HidFixture<testsupport::EmulatedMcp2221> bridge(tb, spec, target);
    umock::bind_hid_driver(tb, spec, "mcp2221", 7);

    const auto list = umock::run_child({DFUHOST_BIN, "list", "--json"});
    INFO(list.out << list.err);
    REQUIRE(list.exit_code == 0);
    const json j = result_of(list);
    REQUIRE(j["bridges"].size() == 1);
    CHECK(j["bridges"][0]["kind"] == "mcp2221");
    CHECK(j["bridges"][0]["path"] == "/dev/hidraw0");
    CHECK(j["bridges"][0]["capabilities"].empty());
    CHECK(j["bridges"][0]["note"] == "held by the kernel driver hid_mcp2221 (its I2C adapter: /dev/i2c-7)");

    const auto r = run.program({"--i2c", "mcp2221:/dev/hidraw0"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("the kernel driver hid_mcp2221 holds this MCP2221A (0003:04D8:00DD.0001)") != std::string::npos);
    CHECK(r.err.find("--i2c /dev/i2c-7") != std::string::npos);
    CHECK(r.err.find("modprobe -r hid_mcp2221") != std::string::npos);
    CHECK(bridge.node.writes() == 0);
    CHECK(target.writes().empty());
}

// ---- CP2112 (I2C) ---------------------------------------------------------------------

TEST_CASE("cli over hidraw: dfuhost program --i2c cp2112:SERIAL lands the image byte for byte") {
    Run run;
    umock::Testbed tb;
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 2;
    target.nack_when_busy = true;
    umock::HidFixture<testsupport::EmulatedCp2112> bridge(tb, umock::cp2112("00A1B2C3", 1, 0), target);
    // Reports of a killed session: a status saying "complete" and read data.
    bridge.node.queue_input({0x16, 0x02, 0x05, 0x00, 0x00, 0x00, 0x07});
    bridge.node.queue_input({0x13, 0x02, 0x03, 0x01, 0x00, 0x00});
    const auto r = run.program({"--i2c", "cp2112:00A1B2C3"});
    INFO(r.out << r.err);
    check_landed(r, target.flash(), run.image, bridge);
    // Packets fit one Data Write report: the CLI took the bridge's 61 bytes as packet size.
    REQUIRE_FALSE(target.writes().empty());
    for (const auto& w : target.writes()) CHECK(w.size() <= 61);
    CHECK(bridge.device.clock_hz() == 100000);
    CHECK_FALSE(bridge.device.auto_send_read());
}

TEST_CASE("cli over hidraw: --packet-size above 61 on a CP2112 is refused before the target sees a packet") {
    Run run;
    umock::Testbed tb;
    BusTarget target(BusTarget::Kind::i2c);
    umock::HidFixture<testsupport::EmulatedCp2112> bridge(tb, umock::cp2112("00A1B2C3", 1, 0), target);
    const auto r = run.program({"--i2c", "cp2112", "--packet-size", "64"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--packet-size 64 is larger than") != std::string::npos);
    CHECK(r.err.find("(61 bytes)") != std::string::npos);
    CHECK(target.writes().empty());
    CHECK(target.reads() == 0);
    CHECK(bridge.device.write_lengths.empty());
}

TEST_CASE("cli over hidraw: two CP2112 and no serial: dfuhost lists both and stops, touching neither") {
    Run run;
    umock::Testbed tb;
    BusTarget ta(BusTarget::Kind::i2c), tb_target(BusTarget::Kind::i2c);
    umock::HidFixture<testsupport::EmulatedCp2112> a(tb, umock::cp2112("CP-A", 1, 0), ta);
    umock::HidFixture<testsupport::EmulatedCp2112> b(tb, umock::cp2112("CP-B", 2, 1), tb_target);
    const auto r = run.program({"--i2c", "cp2112"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("2 CP2112 devices match: name one as cp2112:SERIAL") != std::string::npos);
    CHECK(r.err.find("serial CP-A  path /dev/hidraw0") != std::string::npos);
    CHECK(r.err.find("serial CP-B  path /dev/hidraw1") != std::string::npos);
    for (const auto* n : {&a.node, &b.node}) {
        CHECK(n->writes() == 0);
        CHECK(n->feature_calls() == 0);
    }
}

// ---- MCP2210 (SPI) --------------------------------------------------------------------

TEST_CASE("cli over hidraw: dfuhost program --spi mcp2210:SERIAL picks one of two and lands the image") {
    Run run;
    umock::Testbed tb;
    BusTarget other_target(BusTarget::Kind::spi), target(BusTarget::Kind::spi);
    target.spi_lead_idle = 3;
    umock::HidFixture<testsupport::EmulatedMcp2210> other(tb, umock::mcp2210("SPI-A", 1, 0), other_target);
    umock::HidFixture<testsupport::EmulatedMcp2210> bridge(tb, umock::mcp2210("SPI-B", 2, 1), target);
    bridge.device.leave_transfer_running();  // a killed session's transaction
    const auto r = run.program({"--spi", "mcp2210:SPI-B", "--spi-clock", "2M", "--spi-mode", "0"});
    INFO(r.out << r.err);
    check_landed(r, target.flash(), run.image, bridge);
    CHECK(bridge.device.bit_rate() == 2000000);
    CHECK(bridge.device.selected_cs == 0);
    CHECK(bridge.device.cancels >= 1);
    CHECK(other.node.writes() == 0);
    CHECK(other_target.writes().empty());
}

TEST_CASE("cli over hidraw: an MCP2210 whose target never answers ends in the no-response exit code") {
    Run run;
    umock::Testbed tb;
    BusTarget target(BusTarget::Kind::spi);
    target.busy_reads = 1000000;  // clocks out 0xFF for good
    umock::HidFixture<testsupport::EmulatedMcp2210> bridge(tb, umock::mcp2210("SPI-B", 1, 0), target);
    const auto r = run.program({"--spi", "mcp2210", "--timeout", "150", "--retries", "0"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 5);
    CHECK(r.err.find("no response from the device") != std::string::npos);
    CHECK(target.writes().size() == 1);
    CHECK(target.reads() > 0);
    CHECK(bridge.device.protocol_error.empty());
    CHECK(bridge.node.misuse().empty());
}

// ---- dfuhost list ---------------------------------------------------------------------

TEST_CASE("cli list under the testbed shows the HID bridges and HID DFU devices with VID:PID and serial") {
    umock::Testbed tb;
    umock::add_usb_hid(tb, umock::hid_dfu_device("DFU0001", 1, 0));
    umock::add_usb_hid(tb, umock::mcp2221("0001234567", 2, 1));
    umock::add_usb_hid(tb, umock::cp2112("00A1B2C3", 3, 2));
    umock::add_usb_hid(tb, umock::mcp2210("0000987654", 4, 3));
    const auto r = umock::run_child({DFUHOST_BIN, "list", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const json j = result_of(r);
    REQUIRE(j.is_object());

    REQUIRE(j["usb_hid"].size() == 1);
    CHECK(j["usb_hid"][0]["vid_pid"] == "058b:f21d");
    CHECK(j["usb_hid"][0]["serial"] == "DFU0001");
    CHECK(j["usb_hid"][0]["path"] == "/dev/hidraw0");
    CHECK(j["usb_hid"][0]["description"] == "DFU HID Device");

    auto bridge = [&](const std::string& kind) {
        for (const auto& b : j["bridges"])
            if (b["kind"] == kind) return b;
        return json();
    };
    const json mcp2221 = bridge("mcp2221"), cp2112 = bridge("cp2112"), mcp2210 = bridge("mcp2210");
    CHECK(mcp2221["vid_pid"] == "04d8:00dd");
    CHECK(mcp2221["serial"] == "0001234567");
    CHECK(mcp2221["path"] == "/dev/hidraw1");
    CHECK(mcp2221["capabilities"] == json::array({"i2c"}));
    CHECK(mcp2221["note"] == "");
    CHECK(cp2112["vid_pid"] == "10c4:ea90");
    CHECK(cp2112["serial"] == "00A1B2C3");
    CHECK(cp2112["path"] == "/dev/hidraw2");
    CHECK(cp2112["capabilities"] == json::array({"i2c"}));
    CHECK(mcp2210["vid_pid"] == "04d8:00de");
    CHECK(mcp2210["serial"] == "0000987654");
    CHECK(mcp2210["path"] == "/dev/hidraw3");
    CHECK(mcp2210["capabilities"] == json::array({"spi"}));
    for (const auto& p : j["problems"]) CHECK(p.get<std::string>().find("HID") == std::string::npos);

    // The text listing names them too.
    const auto text = umock::run_child({DFUHOST_BIN, "list"});
    CHECK(text.exit_code == 0);
    CHECK(text.out.find("mcp2221   04d8:00dd  serial 0001234567  path /dev/hidraw1") != std::string::npos);
    CHECK(text.out.find("058b:f21d  serial DFU0001  path /dev/hidraw0") != std::string::npos);
}
