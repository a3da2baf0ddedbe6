// A child process under the parent's testbed: it inherits UMOCKDEV_DIR and LD_PRELOAD,
// and its ioctls on /dev/i2c-1 reach the adapter model living in this process. This is
// the path the CLI end-to-end tests take.
#include <doctest/doctest.h>
#include <unistd.h>


#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "i2c_dev_model.hpp"
#include "native_fixtures.hpp"
#include "test_images.hpp"

using testsupport::BusTarget;

TEST_CASE("child process: open_i2c_dev in a child reaches the parent's adapter model") {
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 1, "bcm2835 (i2c@7e804000)");
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 3;
    target.nack_when_busy = true;
    umock::I2cDevModel adapter(target, 0x0C);
    tb.attach("/dev/i2c-1", adapter);

    const auto enter =
        dfu::encode_packet(dfu::cmd::enter, std::vector<std::uint8_t>{4, 3, 2, 1}, dfu::ChecksumType::sum);
    const auto r =
        umock::run_child({DFU_BUS_CHILD, "/dev/i2c-1", "0x0C", testsupport::hex_string(enter.data(), enter.size())});
    INFO("stderr: " << r.err);
    CHECK_FALSE(r.timed_out);
    REQUIRE(r.exit_code == 0);

    // The device got exactly the child's packet, and the child printed the device's answer.
    REQUIRE(target.writes().size() == 1);
    CHECK(target.writes().front() == enter);
    const std::string out = r.out.substr(0, r.out.find('\n'));
    CHECK(out.size() == 2 * 15);        // Enter DFU answers silicon id, revision, SDK version
    CHECK(out.substr(0, 4) == "0100");  // start byte, status success
    CHECK(target.reads() >= 4);         // three NACKed polls, then the answer
}

TEST_CASE("child process: the child's open errors come back as its exit code and message") {
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 1, "bcm2835 (i2c@7e804000)");
    BusTarget target(BusTarget::Kind::i2c);
    umock::I2cDevModel adapter(target, 0x0C);
    adapter.funcs = I2C_FUNC_SMBUS_BYTE;
    tb.attach("/dev/i2c-1", adapter);
    const auto r = umock::run_child({DFU_BUS_CHILD, "/dev/i2c-1", "0x0C", "01380000c7ff17"});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("can only do SMBus transfers") != std::string::npos);
}
