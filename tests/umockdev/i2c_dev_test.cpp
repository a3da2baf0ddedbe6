// The real open_i2c_dev() in this process against /dev/i2c-N nodes in a umockdev
// testbed, with an i2c-dev adapter model answering the ioctls and the device responder
// core as the I2C target.
#include <doctest/doctest.h>
#include <linux/i2c.h>

#include <filesystem>

#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "file_access_guard.hpp"
#include "firmware_jobs.hpp"
#include "i2c_dev_model.hpp"
#include "native_fixtures.hpp"
#include "transports/bus_open.hpp"
#include "transports/i2c_dev.hpp"

using namespace dfu;
using namespace dfu::transports;
using namespace testsupport::jobs;
using testsupport::BusTarget;

namespace {

const std::string kAdapterName = "bcm2835 (i2c@7e804000)";

I2cSettings settings(std::string device = "/dev/i2c-1", std::uint8_t address = 0x0C, unsigned speed = 100000) {
    I2cSettings s;
    s.device = std::move(device);
    s.address = address;
    s.speed_hz = speed;
    return s;
}

std::string open_error_text(const I2cSettings& s) {
    try {
        open_i2c_dev(s);
    } catch (const OpenError& e) {
        return e.what();
    }
    FAIL("open_i2c_dev(" << s.device << ") succeeded");
    return {};
}

}  // namespace

TEST_CASE("i2c-dev: the Flasher programs a signed image through I2C_RDWR, flash byte for byte") {
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 1, kAdapterName, 100000);
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 3;
    umock::I2cDevModel adapter(target, 0x0C);
    tb.attach("/dev/i2c-1", adapter);

    auto port = open_i2c_dev(settings());
    CHECK(port->description() == "i2c /dev/i2c-1 (" + kAdapterName + ") @ 0x0C, 100 kHz set by the device tree");
    CHECK(adapter.slave_address() == 0x0C);

    FirmwareJob job = make_job(4);
    sign(job, 1800);
    const RunResult r = umock::program_over(std::move(port), job);
    CHECK(r.app_valid == true);
    check_flash_has(target.flash(), job);

    // One message per transaction: each packet one write to 0x0C, each poll one read.
    std::size_t writes = 0, reads = 0;
    for (const auto& t : adapter.transactions()) {
        REQUIRE(t.size() == 1);
        const auto& m = t.front();
        CHECK(m.addr == 0x0C);
        if (m.flags & I2C_M_RD) {
            ++reads;
        } else {
            CHECK(m.flags == 0);
            CHECK(m.data.size() <= 64);
            CHECK(m.data.front() == 0x01);
            CHECK(m.data.back() == 0x17);
            CHECK(m.data == target.writes().at(writes));
            ++writes;
        }
    }
    CHECK(writes == target.writes().size());
    CHECK(reads == target.reads());
    CHECK(reads > writes);  // the busy polls
}

TEST_CASE("i2c-dev: a target that NACKs its address while busy is polled until it answers") {
    for (int nack_errno : {ENXIO, EREMOTEIO, EIO}) {
        CAPTURE(nack_errno);
        umock::Testbed tb;
        umock::add_i2c_adapter(tb, 1, kAdapterName);
        BusTarget target(BusTarget::Kind::i2c);
        target.busy_reads = 4;
        target.nack_when_busy = true;
        umock::I2cDevModel adapter(target, 0x0C);
        adapter.nack_errno = nack_errno;
        tb.attach("/dev/i2c-1", adapter);

        FirmwareJob job = make_job(2);
        sign(job, 1000);
        CHECK(umock::program_over(open_i2c_dev(settings()), job).app_valid == true);
        check_flash_has(target.flash(), job);
        std::size_t nacked = 0;
        for (const auto& t : adapter.transactions())
            if (!t.front().acknowledged) ++nacked;
        CHECK(nacked >= 4);
    }
}

TEST_CASE("i2c-dev: nobody at the address: writing a packet is an IoError naming it") {
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 1, kAdapterName);
    BusTarget target(BusTarget::Kind::i2c);
    umock::I2cDevModel adapter(target, 0x0C);
    adapter.nack_errno = EREMOTEIO;
    tb.attach("/dev/i2c-1", adapter);

    auto port = open_i2c_dev(settings("/dev/i2c-1", 0x2A));
    const auto packet = encode_packet(cmd::enter, std::vector<std::uint8_t>{4, 3, 2, 1}, ChecksumType::sum);
    CHECK_THROWS_WITH_AS(
        port->write(packet),
        doctest::Contains("/dev/i2c-1: no acknowledge from address 0x2A while writing a packet of 11 bytes"), IoError);
    CHECK(target.writes().empty());
    // A read NACK is "busy", not an error: the deadline decides.
    std::vector<std::uint8_t> buffer(7);
    CHECK_FALSE(port->read(buffer));
}

TEST_CASE("i2c-dev: a node without permission names the node, the group and the udev rules") {
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 1, kAdapterName);
    BusTarget target(BusTarget::Kind::i2c);
    umock::I2cDevModel adapter(target, 0x0C);
    tb.attach("/dev/i2c-1", adapter);
    std::filesystem::permissions(tb.host_path("/dev/i2c-1"), std::filesystem::perms::none);

    std::string text;
    {
        umock::FileAccessGuard as_a_user;
        text = open_error_text(settings());
    }
    CHECK(text.find("/dev/i2c-1: permission denied") != std::string::npos);
    CHECK(text.find("'i2c' group") != std::string::npos);
    CHECK(text.find("scripts/udev/60-dfuhost.rules") != std::string::npos);
    CHECK(text.find("README.md#usb-permissions") != std::string::npos);
    CHECK(adapter.transactions().empty());
}

TEST_CASE("i2c-dev: a missing node says which module makes it") {
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 1, kAdapterName);
    const std::string text = open_error_text(settings("/dev/i2c-97"));
    CHECK(text.find("/dev/i2c-97: no such I2C adapter node") != std::string::npos);
    CHECK(text.find("modprobe i2c-dev") != std::string::npos);
}

TEST_CASE("i2c-dev: an SMBus-only adapter is refused at open") {
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 3, "SMBus I801 adapter at efa0");
    BusTarget target(BusTarget::Kind::i2c);
    umock::I2cDevModel adapter(target, 0x0C);
    adapter.funcs = I2C_FUNC_SMBUS_QUICK | I2C_FUNC_SMBUS_BYTE | I2C_FUNC_SMBUS_BYTE_DATA | I2C_FUNC_SMBUS_WORD_DATA |
                    I2C_FUNC_SMBUS_BLOCK_DATA | I2C_FUNC_SMBUS_I2C_BLOCK;
    tb.attach("/dev/i2c-3", adapter);
    const std::string text = open_error_text(settings("/dev/i2c-3"));
    CHECK(text.find("/dev/i2c-3 (SMBus I801 adapter at efa0): the adapter can only do SMBus transfers") !=
          std::string::npos);
    CHECK(adapter.transactions().empty());
}

TEST_CASE("i2c-dev: an address bound by a kernel driver is refused at open") {
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 1, kAdapterName);
    BusTarget target(BusTarget::Kind::i2c);
    umock::I2cDevModel adapter(target, 0x0C);
    adapter.claimed_by_driver = {0x0C};
    tb.attach("/dev/i2c-1", adapter);
    const std::string text = open_error_text(settings());
    CHECK(text.find("address 0x0C is in use by a kernel driver") != std::string::npos);
}

TEST_CASE("i2c-dev: reserved addresses are refused before any node is opened") {
    for (unsigned a : {0x00u, 0x07u, 0x78u, 0x7Fu, 0x80u}) {
        CAPTURE(a);
        // The node does not exist: the address check must come first.
        const std::string text = open_error_text(settings("/dev/i2c-97", static_cast<std::uint8_t>(a)));
        CHECK(text.find("is not a 7-bit target address: use 0x08..0x77") != std::string::npos);
    }
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 1, kAdapterName);
    BusTarget target(BusTarget::Kind::i2c);
    umock::I2cDevModel adapter(target, 0x0C);
    tb.attach("/dev/i2c-1", adapter);
    for (unsigned a : {0x08u, 0x77u}) {
        CAPTURE(a);
        CHECK_NOTHROW(open_i2c_dev(settings("/dev/i2c-1", static_cast<std::uint8_t>(a))));
        CHECK(adapter.slave_address() == a);
    }
}

TEST_CASE("i2c-dev: --i2c-speed cannot be applied and says so") {
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 1, kAdapterName, 400000);
    umock::add_i2c_adapter(tb, 2, "i2c-gpio");  // no device-tree clock to read
    BusTarget target(BusTarget::Kind::i2c);
    umock::I2cDevModel one(target, 0x0C), two(target, 0x0C);
    tb.attach("/dev/i2c-1", one);
    tb.attach("/dev/i2c-2", two);

    // The default asks for nothing: the description just tells the real speed.
    CHECK(open_i2c_dev(settings())->description() ==
          "i2c /dev/i2c-1 (" + kAdapterName + ") @ 0x0C, 400 kHz set by the device tree");
    CHECK(i2c_dev_bus_speed("/dev/i2c-1", 100000).note.empty());
    CHECK(i2c_dev_bus_speed("/dev/i2c-1", 400000).note.empty());  // what it runs at anyway

    const auto fast = settings("/dev/i2c-1", 0x0C, 1000000);
    CHECK(open_i2c_dev(fast)->description() == "i2c /dev/i2c-1 (" + kAdapterName +
                                                   ") @ 0x0C, 400 kHz set by the device tree (--i2c-speed 1 MHz "
                                                   "not applied)");
    const I2cDevBusSpeed one_speed = i2c_dev_bus_speed("/dev/i2c-1", 1000000);
    CHECK(one_speed.bus_hz == 400000);
    CHECK(one_speed.note.find("--i2c-speed 1 MHz not applied: i2c-dev cannot set the bus clock") == 0);
    CHECK(one_speed.note.find("/dev/i2c-1 runs at 400 kHz") != std::string::npos);

    CHECK(open_i2c_dev(settings("/dev/i2c-2", 0x0C, 400000))->description() ==
          "i2c /dev/i2c-2 (i2c-gpio) @ 0x0C, bus speed set by the kernel (--i2c-speed 400 kHz not applied)");
    CHECK(i2c_dev_bus_speed("/dev/i2c-2", 400000).bus_hz == 0);
}

TEST_CASE("i2c-dev: find_i2c_nodes lists the adapters with their sysfs names in bus order") {
    umock::Testbed tb;
    umock::add_i2c_adapter(tb, 10, "i2c-10 mux");
    umock::add_i2c_adapter(tb, 1, kAdapterName);
    umock::add_i2c_adapter(tb, 2, "Synopsys DesignWare I2C adapter");
    tb.add_node("/dev/i2c-20", "89:20");   // a node with no sysfs entry
    tb.add_node("/dev/i2c-tools", "1:3");  // not an adapter node
    const auto nodes = find_i2c_nodes();
    REQUIRE(nodes.size() == 4);
    CHECK(nodes[0].path == "/dev/i2c-1");
    CHECK(nodes[0].name == kAdapterName);
    CHECK(nodes[1].path == "/dev/i2c-2");
    CHECK(nodes[1].name == "Synopsys DesignWare I2C adapter");
    CHECK(nodes[2].path == "/dev/i2c-10");
    CHECK(nodes[2].name == "i2c-10 mux");
    CHECK(nodes[3].path == "/dev/i2c-20");
    CHECK(nodes[3].name.empty());
}
