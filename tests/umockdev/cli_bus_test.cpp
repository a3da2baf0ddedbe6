// End to end on the Raspberry-Pi rig's wires: the real dfuhost binary, run as a child under
// this process's testbed, programs over /dev/i2c-1 and /dev/spidev0.0; the kernel ABI is
// answered by the device models here, with the responder core as the target, and the
// target's flash must then hold the image byte for byte.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "i2c_dev_model.hpp"
#include "native_fixtures.hpp"
#include "process.hpp"
#include "spidev_model.hpp"
#include "test_images.hpp"

using testsupport::BusTarget;

namespace {

constexpr std::uint32_t kBase = 0x10000000;

// 3 KiB whose last 4 bytes are the CRC-32C of the rest: Verify Application can pass.
std::vector<std::uint8_t> signed_image() {
    return testsupport::signed_app(3 * 1024 - 4, 44);
}

void check_flash(BusTarget& target, const std::vector<std::uint8_t>& image) {
    const auto& flash = target.flash();
    REQUIRE(flash.size() >= image.size());
    CHECK(std::equal(image.begin(), image.end(), flash.begin()));
}

}  // namespace

TEST_CASE("cli over i2c-dev: dfuhost program --i2c /dev/i2c-1 lands the image byte for byte") {
    testsupport::TempDir dir;
    const auto image = signed_image();
    testsupport::write_text(dir / "app.hex", testsupport::to_intel_hex({{kBase, image}}));
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 1, "bcm2835 (i2c@7e804000)");
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 2;
    target.nack_when_busy = true;
    umock::I2cDevModel adapter(target, 0x0C);
    tb.attach("/dev/i2c-1", adapter);
    const auto r = umock::run_child({DFUHOST_BIN, "program", (dir / "app.hex").string(), "--i2c", "/dev/i2c-1",
                                     "--product-id", "01020304", "--json"});
    INFO(r.out << r.err);
    CHECK_FALSE(r.timed_out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("\"app_valid\":true") != std::string::npos);
    check_flash(target, image);
    for (const auto& w : target.writes()) CHECK(w.size() <= 64);
}

TEST_CASE("cli over spidev: dfuhost program --spi /dev/spidev0.0 lands the image byte for byte") {
    testsupport::TempDir dir;
    const auto image = signed_image();
    testsupport::write_text(dir / "app.hex", testsupport::to_intel_hex({{kBase, image}}));
    umock::Testbed tb;
    umock::add_spidev(tb, 0, 0);
    BusTarget target(BusTarget::Kind::spi);
    target.spi_lead_idle = 3;
    umock::SpidevModel controller(target);
    tb.attach("/dev/spidev0.0", controller);
    const auto r = umock::run_child({DFUHOST_BIN, "program", (dir / "app.hex").string(), "--spi", "/dev/spidev0.0",
                                     "--spi-clock", "2M", "--product-id", "01020304"});
    INFO(r.out << r.err);
    CHECK_FALSE(r.timed_out);
    REQUIRE(r.exit_code == 0);
    check_flash(target, image);
}

TEST_CASE("cli list under the testbed names the i2c and spi nodes") {
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 1, "bcm2835 (i2c@7e804000)");
    umock::add_spidev(tb, 0, 1);
    const auto r = umock::run_child({DFUHOST_BIN, "list", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out.substr(r.out.rfind("{\"action\"")));
    REQUIRE(j["i2c"].size() == 1);
    CHECK(j["i2c"][0]["path"] == "/dev/i2c-1");
    CHECK(j["i2c"][0]["name"] == "bcm2835 (i2c@7e804000)");
    REQUIRE(j["spi"].size() == 1);
    CHECK(j["spi"][0]["path"] == "/dev/spidev0.1");
}

TEST_CASE("cli over i2c-dev: an --i2c-speed the device tree overrides is a warning, once, and the run goes on") {
    testsupport::TempDir dir;
    const auto image = signed_image();
    testsupport::write_text(dir / "app.hex", testsupport::to_intel_hex({{kBase, image}}));
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 1, "bcm2835 (i2c@7e804000)", 100000);
    BusTarget target(BusTarget::Kind::i2c);
    umock::I2cDevModel adapter(target, 0x0C);
    tb.attach("/dev/i2c-1", adapter);
    SUBCASE("plain output: on stderr") {
        const auto r = umock::run_child({DFUHOST_BIN, "program", (dir / "app.hex").string(), "--i2c", "/dev/i2c-1",
                                         "--i2c-speed", "400k", "--product-id", "01020304"});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        const std::string warning =
            "dfuhost: warning: --i2c-speed 400 kHz not applied: i2c-dev cannot set the bus clock";
        REQUIRE(r.err.find(warning) != std::string::npos);
        CHECK(r.err.find(warning, r.err.find(warning) + 1) == std::string::npos);
        CHECK(r.err.find("/dev/i2c-1 runs at 100 kHz") != std::string::npos);
    }
    SUBCASE("--json: a warning event") {
        const auto r = umock::run_child({DFUHOST_BIN, "program", (dir / "app.hex").string(), "--i2c", "/dev/i2c-1",
                                         "--i2c-speed", "1M", "--product-id", "01020304", "--json"});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(r.out.find("{\"event\":\"warning\",\"message\":\"--i2c-speed 1 MHz not applied") != std::string::npos);
    }
    check_flash(target, image);
}
