// End to end through a KitProg3/MiniProg4: the real dfuhost binary, run as a child under this
// process's testbed, finds the probe with the real libusb in sysfs, opens its usbfs node and
// talks URBs to it; the node is answered here (kitprog3_usbfs_model.hpp) by the emulated
// bridge (kitprog3_emulator.hpp), whose I2C/SPI target is the responder core. The target's
// flash must then hold the image byte for byte, and the bridge must have been driven right.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "kitprog3_fixtures.hpp"
#include "process.hpp"
#include "test_images.hpp"
#include "testbed.hpp"

using testsupport::BusTarget;
using umock_kp3::Bytes;
using umock_kp3::Probe;

namespace {

constexpr std::uint32_t kBase = 0x10000000;

// 3 KiB whose last 4 bytes are the CRC-32C of the rest: Verify Application can pass.
Bytes signed_image() {
    return testsupport::signed_app(3 * 1024 - 4, 45);
}

struct ImageFile {
    testsupport::TempDir dir;
    Bytes image = signed_image();
    std::string path = (dir / "app.hex").string();
    ImageFile() { testsupport::write_text(dir / "app.hex", testsupport::to_intel_hex({{kBase, image}})); }
};

bool flash_holds(Probe& probe, const Bytes& image) {
    return probe.usbfs.inspect([&] {
        const auto& flash = probe.target.flash();
        return flash.size() >= image.size() && std::equal(image.begin(), image.end(), flash.begin());
    });
}

std::size_t packets_to_target(const Probe& probe) {
    return probe.usbfs.inspect([&] { return probe.target.writes().size(); });
}

// The OUT packets the bridge took with this command byte.
std::vector<Bytes> commands(const Probe& probe, std::uint8_t command) {
    return probe.usbfs.inspect([&] {
        std::vector<Bytes> out;
        for (const auto& c : probe.kit.commands)
            if (!c.empty() && c[0] == command) out.push_back(c);
        return out;
    });
}

// The last JSON line of `--json` output: the result.
nlohmann::json result_of(const umock::ChildResult& r) {
    const auto at = r.out.rfind("{\"action\"");
    REQUIRE(at != std::string::npos);
    return nlohmann::json::parse(r.out.substr(at));
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("cli over kitprog3 i2c: dfuhost program --i2c kitprog3 --i2c-speed 400k lands the image byte for byte") {
    ImageFile file;
    umock::Testbed tb;
    Probe probe(BusTarget::Kind::i2c, "0A1B2C3D");
    probe.target.busy_reads = 2;
    probe.target.nack_when_busy = true;  // "not ready" as an address NACK on reads
    probe.kit.wait_replies = 2;
    probe.kit.target_address = 0x0C;
    probe.add_to(tb);

    const auto r = umock::run_child({DFUHOST_BIN, "program", file.path, "--i2c", "kitprog3", "--i2c-speed", "400k",
                                     "--product-id", "01020304", "--json"});
    INFO(r.out << r.err);
    CHECK_FALSE(r.timed_out);
    REQUIRE(r.exit_code == 0);
    CHECK(result_of(r)["app_valid"] == true);
    CHECK(flash_holds(probe, file.image));

    // 400 kHz is speed index 2: 86 (set speed) 00 (set) 00 (I2C) 02 00 00 00.
    CHECK(commands(probe, 0x86) == std::vector<Bytes>{{0x86, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}});
    // Every START went to 0x0C; STARTs to any other address would have been NACKed.
    const auto transfers = commands(probe, 0x88);
    REQUIRE_FALSE(transfers.empty());
    std::size_t starts = 0;
    for (const auto& c : transfers) {
        const unsigned type = (c.at(1) & 0x70) >> 4;
        if (type == 1 || type == 2) {
            ++starts;
            CHECK(c.at(3) == 0x0C);
        }
    }
    CHECK(starts >= 2 * packets_to_target(probe));  // a write and at least one read per packet
    probe.usbfs.inspect([&] {
        CHECK(probe.kit.violations.empty());
        CHECK(probe.kit.i2c_speed_index == 2);
    });
    const auto seen = probe.usbfs.seen();
    CHECK(seen.claimed == std::vector<unsigned>{1});  // the bridge interface, not CMSIS-DAP
    CHECK(seen.released == std::vector<unsigned>{1});
    CHECK(seen.unhandled.empty());
}

TEST_CASE("cli over kitprog3 spi: dfuhost program --spi kitprog3 --spi-clock 1M lands the image byte for byte") {
    ImageFile file;
    umock::Testbed tb;
    Probe probe(BusTarget::Kind::spi, "SPI00001", "1-3", 7, 0xF152, "MiniProg4 CMSIS-DAP");
    probe.target.spi_lead_idle = 3;
    probe.add_to(tb);

    const auto r = umock::run_child(
        {DFUHOST_BIN, "program", file.path, "--spi", "kitprog3", "--spi-clock", "1M", "--product-id", "01020304"});
    INFO(r.out << r.err);
    CHECK_FALSE(r.timed_out);
    REQUIRE(r.exit_code == 0);
    CHECK(flash_holds(probe, file.image));

    // 1 MHz (0x000F4240), mode 0 MSB first: 86 00 01 40 42 0F 00 00.
    CHECK(commands(probe, 0x86) == std::vector<Bytes>{{0x86, 0x00, 0x01, 0x40, 0x42, 0x0F, 0x00, 0x00}});
    // 89 length chip-select control data: at most 60 bytes each, chip select 1 (the first the
    // probe offers), control 02 (assert) on the first command of a transaction only and 08
    // (release) on its last only.
    const auto transfers = commands(probe, 0x89);
    REQUIRE_FALSE(transfers.empty());
    bool asserted = false;
    unsigned in_transaction = 0, longest = 0, transactions = 0;
    for (const auto& c : transfers) {
        CAPTURE(testsupport::hex_string(c.data(), c.size()));
        REQUIRE(c.size() >= 4);
        CHECK(c[1] <= 60);
        CHECK(c.size() == 4u + c[1]);
        CHECK(c[2] == 0x01);
        CHECK((c[3] & ~0x0A) == 0);
        if (c[3] & 0x02) {
            CHECK_FALSE(asserted);
            asserted = true;
            in_transaction = 0;
        } else {
            CHECK(asserted);
        }
        ++in_transaction;
        if (c[3] & 0x08) {
            asserted = false;
            ++transactions;
            longest = std::max(longest, in_transaction);
        }
    }
    CHECK_FALSE(asserted);  // the last transaction released chip select
    CHECK(longest >= 2);    // a packet above 60 bytes went as several commands under one chip select
    probe.usbfs.inspect([&] {
        CHECK(transactions == probe.kit.spi_transactions.size());
        CHECK(probe.kit.violations.empty());
        CHECK(probe.kit.spi_hz == 1000000);
    });
    CHECK(probe.usbfs.seen().released == std::vector<unsigned>{1});
}

TEST_CASE("cli over kitprog3: two probes and no serial named is refused with both listed and the serial picks one") {
    ImageFile file;
    umock::Testbed tb;
    Probe first(BusTarget::Kind::i2c, "KP3SERIAL1", "1-2", 5);
    Probe second(BusTarget::Kind::i2c, "KP3SERIAL2", "1-3", 6);
    first.add_to(tb);
    second.add_to(tb);

    const auto both =
        umock::run_child({DFUHOST_BIN, "program", file.path, "--i2c", "kitprog3", "--product-id", "01020304"});
    INFO(both.out << both.err);
    CHECK_FALSE(both.timed_out);
    // README, exit codes: 4, the transport cannot be opened (dfuhost does not guess which).
    CHECK(both.exit_code == 4);
    CHECK(has(both.err, "2 KitProg3/MiniProg4 devices match: name one as kitprog3:SERIAL"));
    CHECK(has(both.err, "04b4:f155  serial KP3SERIAL1  path 1-2"));
    CHECK(has(both.err, "04b4:f155  serial KP3SERIAL2  path 1-3"));
    CHECK(first.usbfs.seen().claimed.empty());  // neither bridge was opened
    CHECK(second.usbfs.seen().claimed.empty());

    const auto picked = umock::run_child(
        {DFUHOST_BIN, "program", file.path, "--i2c", "kitprog3:KP3SERIAL2", "--product-id", "01020304"});
    INFO(picked.out << picked.err);
    CHECK_FALSE(picked.timed_out);
    REQUIRE(picked.exit_code == 0);
    CHECK(flash_holds(second, file.image));
    CHECK(packets_to_target(first) == 0);
    CHECK(first.usbfs.seen().claimed.empty());
    CHECK(second.usbfs.seen().claimed == std::vector<unsigned>{1});
    CHECK(commands(first, 0x88).empty());
}

TEST_CASE("cli list --json under the testbed shows the KitProg3 and MiniProg4 with their bridges and f166 without") {
    umock::Testbed tb;
    Probe kitprog(BusTarget::Kind::i2c, "0A1B2C3D", "1-2", 5, 0xF155);
    Probe miniprog(BusTarget::Kind::spi, "MP4SPIONLY", "1-3", 6, 0xF152, "MiniProg4 CMSIS-DAP");
    miniprog.kit.interfaces = 0x0E;  // no I2C: SPI, CMSIS-DAP HID and bulk
    Probe dual(BusTarget::Kind::i2c, "DUAL0001", "1-4", 9, umock_kp3::kDualUartPid);
    kitprog.add_to(tb);
    miniprog.add_to(tb);
    dual.add_to(tb);

    const auto r = umock::run_child({DFUHOST_BIN, "list", "--json"});
    INFO(r.out << r.err);
    CHECK_FALSE(r.timed_out);
    REQUIRE(r.exit_code == 0);
    const auto j = result_of(r);
    CHECK(j["problems"].empty());
    std::map<std::string, nlohmann::json> by_serial;
    for (const auto& b : j["bridges"])
        if (b["kind"] == "kitprog3") by_serial[b["serial"].get<std::string>()] = b;
    REQUIRE(by_serial.size() == 3);

    const auto& kp3 = by_serial["0A1B2C3D"];
    CHECK(kp3["vid_pid"] == "04b4:f155");
    CHECK(kp3["path"] == "1-2");
    CHECK(kp3["description"] == "KitProg3 CMSIS-DAP");
    CHECK(kp3["capabilities"] == nlohmann::json::array({"i2c", "spi"}));
    CHECK(kp3["note"] == "");

    const auto& mp4 = by_serial["MP4SPIONLY"];
    CHECK(mp4["vid_pid"] == "04b4:f152");
    CHECK(mp4["path"] == "1-3");
    CHECK(mp4["description"] == "MiniProg4 CMSIS-DAP");
    CHECK(mp4["capabilities"] == nlohmann::json::array({"spi"}));

    const auto& f166 = by_serial["DUAL0001"];
    CHECK(f166["vid_pid"] == "04b4:f166");
    CHECK(f166["path"] == "1-4");
    CHECK(f166["capabilities"].empty());
    CHECK(f166["note"] == "dual-UART mode: no I2C/SPI bridge");

    CHECK(kitprog.usbfs.seen().released == std::vector<unsigned>{1});  // asked with 0x90, given back
    CHECK(dual.usbfs.seen().claimed.empty());                          // nothing to ask in dual-UART mode

    // The text listing says the same in its words.
    const auto text = umock::run_child({DFUHOST_BIN, "list"});
    INFO(text.out << text.err);
    REQUIRE(text.exit_code == 0);
    CHECK(has(text.out, "kitprog3  04b4:f155  serial 0A1B2C3D  path 1-2  i2c, spi"));
    CHECK(
        has(text.out, "kitprog3  04b4:f166  serial DUAL0001  path 1-4  no bridge: dual-UART mode: no I2C/SPI bridge"));
}

TEST_CASE("cli over kitprog3: a probe in dual-UART mode (f166) is refused with what to do") {
    ImageFile file;
    umock::Testbed tb;
    Probe dual(BusTarget::Kind::i2c, "DUAL0001", "1-4", 9, umock_kp3::kDualUartPid);
    dual.add_to(tb);
    const auto r =
        umock::run_child({DFUHOST_BIN, "program", file.path, "--i2c", "kitprog3", "--product-id", "01020304"});
    INFO(r.out << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 4);
    CHECK(
        has(r.err, "KitProg3 CMSIS-DAP DUAL0001 at 1-4 is in dual-UART mode (PID f166), which has no I2C/SPI bridge"));
    CHECK(has(r.err, "fw-loader --mode kp3-bulk"));
    CHECK(dual.usbfs.seen().claimed.empty());
}

TEST_CASE("cli over kitprog3 i2c: a target that NACKs its address for ever is a clear error") {
    ImageFile file;
    umock::Testbed tb;
    Probe probe(BusTarget::Kind::i2c, "0A1B2C3D");
    probe.kit.target_address = 0x0C;  // nobody at 0x0D
    probe.add_to(tb);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = umock::run_child({DFUHOST_BIN, "program", file.path, "--i2c", "kitprog3", "--i2c-address", "0x0D",
                                     "--product-id", "01020304", "--json"});
    INFO(r.out << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    // README, exit codes: 5, no response within the timeout and retries.
    CHECK(r.exit_code == 5);
    const auto j = result_of(r);
    CHECK(j["exit_code"] == 5);
    const std::string error = j["error"];
    CHECK(has(error, "did not acknowledge"));
    CHECK(has(error, "is a device at address 0x0D (--i2c-address)"));
    CHECK(packets_to_target(probe) == 0);
    for (const auto& c : commands(probe, 0x88)) CHECK(c.at(3) == 0x0D);
    CHECK(probe.usbfs.seen().released == std::vector<unsigned>{1});
}

TEST_CASE("cli over kitprog3 spi: a bridge without SPI is refused before any transfer") {
    ImageFile file;
    umock::Testbed tb;
    Probe probe(BusTarget::Kind::spi, "0A1B2C3D");
    probe.kit.interfaces = 0x0D;  // I2C, CMSIS-DAP HID and bulk: no SPI
    probe.add_to(tb);
    const auto r =
        umock::run_child({DFUHOST_BIN, "program", file.path, "--spi", "kitprog3", "--product-id", "01020304"});
    INFO(r.out << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 4);  // the transport cannot be opened
    CHECK(has(r.err, "KitProg3 CMSIS-DAP 0A1B2C3D at 1-2 offers I2C (capability bits 0x0D), no SPI bridge"));
    CHECK(commands(probe, 0x89).empty());
    CHECK(commands(probe, 0x86).empty());
    CHECK(probe.usbfs.seen().released == std::vector<unsigned>{1});
}

TEST_CASE("cli over kitprog3: a usbfs node the user cannot open names the node and the udev rules") {
    ImageFile file;
    umock::Testbed tb;
    Probe probe(BusTarget::Kind::i2c, "0A1B2C3D");
    probe.add_to(tb);
    std::filesystem::permissions(tb.host_path(probe.node()), std::filesystem::perms::none);
    umock::ChildOptions as_user;
    as_user.without_file_access = true;

    const auto r =
        umock::run_child({DFUHOST_BIN, "program", file.path, "--i2c", "kitprog3", "--product-id", "01020304"}, as_user);
    INFO(r.out << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 4);
    CHECK(has(r.err, "permission denied on /dev/bus/usb/001/005"));
    CHECK(has(r.err, "scripts/udev/60-dfuhost.rules"));

    // Named by serial: the serial cannot be read, and the listing says why.
    const auto by_serial = umock::run_child(
        {DFUHOST_BIN, "program", file.path, "--i2c", "kitprog3:0A1B2C3D", "--product-id", "01020304"}, as_user);
    INFO(by_serial.out << by_serial.err);
    CHECK(by_serial.exit_code == 4);
    CHECK(has(by_serial.err,
              "the serial number of the probe at 1-2 could not be read: permission denied on "
              "/dev/bus/usb/001/005"));
    CHECK(has(by_serial.err, "scripts/udev/60-dfuhost.rules"));

    const auto list = umock::run_child({DFUHOST_BIN, "list", "--json"}, as_user);
    INFO(list.out << list.err);
    REQUIRE(list.exit_code == 0);
    const auto j = result_of(list);
    REQUIRE(j["bridges"].size() == 1);
    CHECK(j["bridges"][0]["vid_pid"] == "04b4:f155");
    CHECK(has(j["bridges"][0]["note"].get<std::string>(), "permission denied on /dev/bus/usb/001/005"));

    const auto seen = probe.usbfs.seen();
    CHECK(seen.string_requests == 0);  // the node was never opened
    CHECK(seen.claimed.empty());

    // The same node opens once the mode allows it: the refusal was the permission, not the model.
    std::filesystem::permissions(tb.host_path(probe.node()),
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const auto allowed = umock::run_child({DFUHOST_BIN, "list", "--json"}, as_user);
    REQUIRE(allowed.exit_code == 0);
    CHECK(result_of(allowed)["bridges"][0]["serial"] == "0A1B2C3D");
}
