// KitProg3 as an I2C and SPI bridge: the real bus ports, the polled-bus transport and the
// real Flasher against an emulated KitProg3 (kitprog3_emulator.hpp) with the responder core
// behind it; then the faults a bridge shows, and choosing among probes.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "bus_target.hpp"
#include "core/flasher.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "firmware_jobs.hpp"
#include "kitprog3_emulator.hpp"
#include "transports/kitprog3.hpp"
#include "transports/polled_bus_transport.hpp"

using namespace dfu;
using namespace dfu::transports;
using namespace testsupport;
using namespace testsupport::jobs;
using Bytes = std::vector<std::uint8_t>;

namespace {

KitProg3Timing fast_timing() {
    KitProg3Timing t;
    t.reply = std::chrono::milliseconds(50);
    t.transfer = std::chrono::milliseconds(100);
    t.send = std::chrono::milliseconds(50);
    t.drain = std::chrono::milliseconds(0);
    return t;
}

EngineOptions fast_options(std::size_t packet = 64) {
    EngineOptions o;
    o.error_holdoff = std::chrono::milliseconds(0);
    o.timeout = std::chrono::milliseconds(200);
    o.packet_size = packet;
    return o;
}

I2cSettings i2c_settings(unsigned hz = 100000) {
    I2cSettings s;
    s.device = "kitprog3";
    s.address = 0x0C;
    s.speed_hz = hz;
    return s;
}

SpiSettings spi_settings(unsigned hz = 1000000, std::uint8_t mode = 0, bool lsb = false) {
    SpiSettings s;
    s.device = "kitprog3";
    s.clock_hz = hz;
    s.mode = mode;
    s.lsb_first = lsb;
    return s;
}

std::unique_ptr<BusPort> i2c_port(EmulatedKitProg3& kit, I2cSettings s = i2c_settings()) {
    return make_kitprog3_i2c(std::make_unique<BorrowedBulkDevice>(kit), s, fast_timing());
}

std::unique_ptr<BusPort> spi_port(EmulatedKitProg3& kit, SpiSettings s = spi_settings()) {
    return make_kitprog3_spi(std::make_unique<BorrowedBulkDevice>(kit), s, fast_timing());
}

RunResult program(std::unique_ptr<BusPort> port, const FirmwareJob& job, std::size_t packet = 64) {
    PolledBusTransport t(std::move(port), 256);
    EventSink quiet;
    Flasher f(t, job, fast_options(packet), quiet);
    return f.run(Action::program);
}

dfu_config big_packets() {
    dfu_config c = InProcessDevice::default_config();
    c.max_packet = 256;
    return c;
}

std::vector<Bytes> commands_with(const EmulatedKitProg3& kit, std::uint8_t code) {
    std::vector<Bytes> out;
    for (const auto& c : kit.commands)
        if (!c.empty() && c[0] == code) out.push_back(c);
    return out;
}

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no error)";
}

Bytes enter_packet() {
    return encode_packet(cmd::enter, Bytes{4, 3, 2, 1}, ChecksumType::sum);
}

}  // namespace

TEST_CASE("kitprog3 i2c: the real flasher programs a signed job through the bridge byte for byte") {
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 3;
    EmulatedKitProg3 kit(target);
    kit.wait_replies = 2;
    auto port = i2c_port(kit, i2c_settings(400000));
    CHECK(port->description() == "i2c KitProg3 EMU123 at 1-2 @ 0x0C, 400 kHz");
    CHECK(kit.commands.at(0) == Bytes{0x90});
    CHECK(kit.commands.at(1) == Bytes{0x86, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00});
    CHECK(kit.i2c_speed_index == 2);

    FirmwareJob job = make_job(3);
    sign(job, 1500);
    CHECK(program(std::move(port), job).app_valid == true);
    check_flash_has(target.flash(), job);
    CHECK(kit.violations.empty());
    CHECK(kit.last_address == 0x0C);
    for (const auto& w : target.writes()) {
        CHECK(w.front() == 0x01);
        CHECK(w.back() == 0x17);
    }
    for (const auto& c : commands_with(kit, 0x88)) CHECK(c.size() <= 64);
}

TEST_CASE("kitprog3 i2c: a target that NACKs its address while busy") {
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 4;
    target.nack_when_busy = true;
    EmulatedKitProg3 kit(target);
    FirmwareJob job = make_job(2);
    sign(job, 1000);
    CHECK(program(i2c_port(kit), job).app_valid == true);
    check_flash_has(target.flash(), job);
    CHECK(kit.violations.empty());
}

TEST_CASE("kitprog3 i2c: packets longer than one command go as continuing parts of one transfer") {
    BusTarget target(BusTarget::Kind::i2c, big_packets());
    EmulatedKitProg3 kit(target);
    FirmwareJob job = make_job(2);
    sign(job, 1000);
    CHECK(program(i2c_port(kit), job, 150).app_valid == true);
    check_flash_has(target.flash(), job);
    CHECK(kit.violations.empty());
    CHECK(std::any_of(target.writes().begin(), target.writes().end(), [](const Bytes& w) { return w.size() == 150; }));
    // A 150-byte packet: START part of 60, a continuing part of 60, a continuing part of 30 with STOP.
    const auto parts = commands_with(kit, 0x88);
    bool seen = false;
    for (std::size_t i = 0; i + 2 < parts.size(); ++i)
        if (parts[i][1] == 0x10 && parts[i][2] == 60 && parts[i + 1][1] == 0x30 && parts[i + 1][2] == 60 &&
            parts[i + 2][1] == 0x3A && parts[i + 2][2] == 30)
            seen = true;
    CHECK(seen);
}

TEST_CASE("kitprog3 i2c: a long read continues without START and ends with STOP") {
    BusTarget target(BusTarget::Kind::i2c);
    target.busy_reads = 0;
    EmulatedKitProg3 kit(target);
    auto port = i2c_port(kit);
    port->write(enter_packet());
    Bytes buf(150, 0x00);
    REQUIRE(port->read(buf));
    CHECK(buf[0] == 0x01);
    CHECK(buf[14] == 0x17);  // Enter DFU's 15-byte response
    CHECK(std::all_of(buf.begin() + 15, buf.end(), [](std::uint8_t b) { return b == 0xFF; }));
    const auto parts = commands_with(kit, 0x88);
    REQUIRE(parts.size() >= 3);
    const auto n = parts.size();
    CHECK(parts[n - 3] == Bytes{0x88, 0x20, 60, 0x0C});
    CHECK(parts[n - 2] == Bytes{0x88, 0x40, 60});
    CHECK(parts[n - 1] == Bytes{0x88, 0x4A, 30});
    CHECK(kit.violations.empty());
}

TEST_CASE("kitprog3 i2c: address NACK on a read means busy, not an error") {
    BusTarget target(BusTarget::Kind::i2c);
    target.nack_when_busy = true;
    EmulatedKitProg3 kit(target);
    auto port = i2c_port(kit);
    Bytes buf(7);
    CHECK_FALSE(port->read(buf));
    CHECK(kit.violations.empty());
}

TEST_CASE("kitprog3 i2c: a NACKed data byte is an IoError naming the byte") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedKitProg3 kit(target);
    auto port = i2c_port(kit);
    kit.nack_data_byte = 2;
    const std::string m = message_of([&] { port->write(enter_packet()); });
    CHECK(m.find("refused (NACK) data byte 3 of 11") != std::string::npos);
    CHECK_THROWS_AS(([&] {
                        kit.nack_data_byte = 62;  // in the second part of a longer packet
                        port->write(Bytes(100, 0x01));
                    }()),
                    IoError);
    CHECK(target.writes().empty());
}

TEST_CASE("kitprog3 i2c: a write NACK reported the firmware's way is an IoError") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedKitProg3 kit(target);
    auto port = i2c_port(kit);
    kit.nack_data_byte = 0;
    kit.nack_write_zero_form = true;
    const std::string m = message_of([&] { port->write(enter_packet()); });
    CHECK(m.find("did not acknowledge the write") != std::string::npos);
    CHECK(m.find("0x0C") != std::string::npos);
}

TEST_CASE("kitprog3 i2c: wait replies for ever end in an IoError and a bus recovery") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedKitProg3 kit(target);
    auto port = i2c_port(kit);
    kit.endless_transfer = true;
    const auto t0 = std::chrono::steady_clock::now();
    const std::string m = message_of([&] { port->write(enter_packet()); });
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
    CHECK(m.find("did not finish within 100 ms") != std::string::npos);
    CHECK(kit.recoveries == 1);  // the 0x87 that ends a running transfer
    kit.endless_transfer = false;
    port->write(enter_packet());  // the bridge takes commands again
    CHECK(target.writes().size() == 1);
}

TEST_CASE("kitprog3 i2c: a stuck bus is recovered with 0x87 and the transfer retried") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedKitProg3 kit(target);
    auto port = i2c_port(kit);
    kit.bus_stuck = true;
    port->write(enter_packet());
    CHECK(kit.recoveries == 1);
    CHECK(target.writes().size() == 1);
    CHECK(commands_with(kit, 0x87).size() == 1);

    kit.bus_stuck = true;
    kit.recovery_fails = true;
    const std::string m = message_of([&] { port->write(enter_packet()); });
    CHECK(m.find("bus recovery failed") != std::string::npos);
    CHECK(m.find("pull-ups") != std::string::npos);
}

TEST_CASE("kitprog3: a bridge that never answers is a clear timeout") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedKitProg3 kit(target);
    kit.silent = true;
    const std::string at_open = message_of([&] { i2c_port(kit); });
    CHECK(at_open.find("no answer to capabilities (0x90) within 50 ms") != std::string::npos);
    CHECK_THROWS_AS(i2c_port(kit), OpenError);

    kit.silent = false;
    auto port = i2c_port(kit);
    kit.silent = true;
    const std::string in_use = message_of([&] { port->write(enter_packet()); });
    CHECK(in_use.find("no answer to I2C transfer (0x88) within 50 ms") != std::string::npos);
    CHECK_THROWS_AS(port->write(enter_packet()), IoError);

    BusTarget spi_target(BusTarget::Kind::spi);
    EmulatedKitProg3 spi_kit(spi_target);
    auto spi = spi_port(spi_kit);
    spi_kit.silent = true;
    Bytes buf(7);
    CHECK_THROWS_WITH_AS(spi->read(buf), doctest::Contains("no answer to SPI transfer (0x89)"), IoError);
}

TEST_CASE("kitprog3: stale replies and a transfer left running by an earlier user are cleared at open") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedKitProg3 kit(target);
    kit.transfer_running = true;
    kit.in.push_back({0x88, 0x01});
    auto port = i2c_port(kit);
    CHECK(kit.recoveries == 1);
    port->write(enter_packet());
    CHECK(target.writes().size() == 1);
}

TEST_CASE("kitprog3: capabilities without the bus asked for") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedKitProg3 kit(target);
    kit.interfaces = 0x0E;  // SPI, CMSIS-DAP: no I2C
    CHECK_THROWS_WITH_AS(i2c_port(kit), doctest::Contains("no I2C bridge"), OpenError);
    kit.interfaces = 0x0D;  // I2C, CMSIS-DAP: no SPI
    CHECK_THROWS_WITH_AS(spi_port(kit), doctest::Contains("no SPI bridge"), OpenError);
    kit.interfaces = 0x0C;
    CHECK_THROWS_WITH_AS(i2c_port(kit), doctest::Contains("neither I2C nor SPI"), OpenError);
}

TEST_CASE("kitprog3 i2c: speeds the bridge does not offer") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedKitProg3 kit(target);
    auto port = i2c_port(kit, i2c_settings(300000));
    CHECK(kit.i2c_speed_index == 1);
    CHECK(port->description().find("100 kHz (the nearest not above the 300 kHz asked") != std::string::npos);
    CHECK_THROWS_WITH_AS(i2c_port(kit, i2c_settings(30000)), doctest::Contains("no I2C speed at or below the 30 kHz"),
                         OpenError);
    kit.i2c_speeds = 0x03;
    i2c_port(kit, i2c_settings(1000000));
    CHECK(kit.i2c_speed_index == 1);
    I2cSettings ten_bit = i2c_settings();
    ten_bit.address = 0x80;
    CHECK_THROWS_AS(i2c_port(kit, ten_bit), OpenError);
}

TEST_CASE("kitprog3 spi: the real flasher programs a signed job through the bridge byte for byte") {
    BusTarget target(BusTarget::Kind::spi);
    target.busy_reads = 2;
    target.spi_lead_idle = 3;
    EmulatedKitProg3 kit(target);
    auto port = spi_port(kit);
    CHECK(port->description() == "spi KitProg3 EMU123 at 1-2, 1 MHz mode 0");
    CHECK(kit.commands.at(1) == Bytes{0x86, 0x00, 0x01, 0x40, 0x42, 0x0F, 0x00, 0x00});
    FirmwareJob job = make_job(3);
    sign(job, 1500);
    CHECK(program(std::move(port), job).app_valid == true);
    check_flash_has(target.flash(), job);
    CHECK(kit.violations.empty());
    for (const auto& c : commands_with(kit, 0x89)) {
        CHECK(c.size() <= 64);
        CHECK(c[2] == 0x01);  // the lowest chip select the bridge offers
    }
}

TEST_CASE("kitprog3 spi: a packet longer than 60 bytes goes as several commands under one chip select") {
    BusTarget target(BusTarget::Kind::spi, big_packets());
    EmulatedKitProg3 kit(target);
    FirmwareJob job = make_job(2);
    sign(job, 1000);
    CHECK(program(spi_port(kit), job, 150).app_valid == true);
    check_flash_has(target.flash(), job);
    CHECK(kit.violations.empty());
    bool seen = false;
    for (std::size_t i = 0; i < kit.spi_transactions.size(); ++i)
        if (kit.spi_transactions[i].size() == 150 && kit.spi_commands_per_transaction[i] == 3) seen = true;
    CHECK(seen);
    const auto cmds = commands_with(kit, 0x89);
    bool flags_seen = false;
    for (std::size_t i = 0; i + 2 < cmds.size(); ++i)
        if (cmds[i][3] == 0x02 && cmds[i][1] == 60 && cmds[i + 1][3] == 0x00 && cmds[i + 2][3] == 0x08 &&
            cmds[i + 2][1] == 30)
            flags_seen = true;
    CHECK(flags_seen);
}

TEST_CASE("kitprog3 spi: mode, bit order and the clock the bridge can make") {
    BusTarget target(BusTarget::Kind::spi);
    EmulatedKitProg3 kit(target);
    auto port = spi_port(kit, spi_settings(1000000, 3, true));
    CHECK(kit.spi_mode_byte == 0x07);
    CHECK(port->description().find("1 MHz mode 3, LSB first") != std::string::npos);

    // 5 MHz would come out as 6 MHz (12 MHz / 2): the port asks lower until it is not above.
    port = spi_port(kit, spi_settings(5000000));
    CHECK(kit.spi_hz == 4000000);
    CHECK(port->description().find("4 MHz (5 MHz asked)") != std::string::npos);

    port = spi_port(kit, spi_settings(20000000));
    CHECK(kit.spi_hz == 6000000);
    CHECK(port->description().find("above its fastest") != std::string::npos);

    CHECK_THROWS_WITH_AS(spi_port(kit, spi_settings(100)), doctest::Contains("slowest SPI clock"), OpenError);
    CHECK_THROWS_AS(spi_port(kit, spi_settings(1000000, 4)), OpenError);
}

TEST_CASE("kitprog3 spi: a refused transfer is an IoError with the bridge's reply") {
    BusTarget target(BusTarget::Kind::spi);
    EmulatedKitProg3 kit(target);
    auto port = spi_port(kit);
    kit.chip_selects = 0x02;  // the line the port uses is no longer offered
    CHECK_THROWS_WITH_AS(port->write(enter_packet()), doctest::Contains("refused the SPI transfer (89 0B 01 0A): 81"),
                         IoError);
}

namespace {

// USB as the open and list paths see it: a table of probes, each an emulated bridge.
class FakeUsb final : public UsbBulkBackend {
public:
    struct Probe {
        UsbDeviceEntry entry;
        EmulatedKitProg3* kit = nullptr;
        std::string open_error;
    };
    std::vector<Probe> probes;
    std::vector<BulkInterfaceChoice> choices;

    void add(std::uint16_t pid, std::string serial, std::string path, EmulatedKitProg3* kit, std::string problem = {},
             std::string open_error = {}) {
        Probe p;
        p.entry.usb = UsbCandidate{0x04B4, pid, std::move(serial), std::move(path), ""};
        p.entry.node = "/dev/bus/usb/001/009";
        p.entry.problem = std::move(problem);
        p.kit = kit;
        p.open_error = std::move(open_error);
        probes.push_back(std::move(p));
    }

    std::vector<UsbDeviceEntry> list(std::uint16_t vid, std::span<const std::uint16_t> pids) override {
        std::vector<UsbDeviceEntry> out;
        for (const auto& p : probes)
            if (vid == p.entry.usb.vid && std::find(pids.begin(), pids.end(), p.entry.usb.pid) != pids.end())
                out.push_back(p.entry);
        return out;
    }

    std::unique_ptr<UsbBulkDevice> open(const UsbDeviceEntry& entry, const BulkInterfaceChoice& choice) override {
        choices.push_back(choice);
        for (const auto& p : probes) {
            if (p.entry.usb.path != entry.usb.path) continue;
            if (!p.open_error.empty()) throw OpenError(p.open_error);
            if (!entry.problem.empty()) throw OpenError("cannot open: " + entry.problem);
            return std::make_unique<BorrowedBulkDevice>(*p.kit);
        }
        throw OpenError("gone");
    }
};

}  // namespace

TEST_CASE("kitprog3: the dual-UART PID has no bridge and says so") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedKitProg3 kit(target);
    FakeUsb usb;
    usb.add(0xF166, "DUAL1", "1-3", &kit);
    I2cSettings s = i2c_settings();
    const std::string m = message_of([&] { open_kitprog3_i2c(usb, s, fast_timing()); });
    CHECK(m.find("dual-UART mode (PID f166)") != std::string::npos);
    CHECK(m.find("no I2C/SPI bridge") != std::string::npos);
    CHECK(m.find("DUAL1") != std::string::npos);
    CHECK(usb.choices.empty());  // not even opened
    SpiSettings sp = spi_settings();
    CHECK_THROWS_WITH_AS(open_kitprog3_spi(usb, sp, fast_timing()), doctest::Contains("dual-UART"), OpenError);
}

TEST_CASE("kitprog3: choosing a probe by serial number or path") {
    BusTarget a_target(BusTarget::Kind::i2c), b_target(BusTarget::Kind::i2c);
    EmulatedKitProg3 a(a_target), b(b_target);
    FakeUsb usb;
    usb.add(0xF155, "AAAA", "1-2", &a);
    usb.add(0xF152, "BBBB", "1-4.1", &b);

    I2cSettings s = i2c_settings();
    const std::string ambiguous = message_of([&] { open_kitprog3_i2c(usb, s, fast_timing()); });
    CHECK(ambiguous.find("2 KitProg3/MiniProg4 devices match") != std::string::npos);
    CHECK(ambiguous.find("AAAA") != std::string::npos);
    CHECK(ambiguous.find("1-4.1") != std::string::npos);

    s.device = "kitprog3:BBBB";
    auto port = open_kitprog3_i2c(usb, s, fast_timing());
    CHECK(b.commands.size() == 2);
    CHECK(a.commands.empty());
    CHECK(usb.choices.back().name_hint == "bridge");
    CHECK(usb.choices.back().name_avoid == "CMSIS-DAP");
    CHECK(usb.choices.back().interface_class == 0xFF);

    s.device = "kitprog3:1-2";
    open_kitprog3_i2c(usb, s, fast_timing());
    CHECK(a.commands.size() == 2);

    s.device = "kitprog3:CCCC";
    CHECK_THROWS_WITH_AS(open_kitprog3_i2c(usb, s, fast_timing()),
                         doctest::Contains("no KitProg3/MiniProg4 with serial number or path 'CCCC'"), OpenError);

    FakeUsb none;
    CHECK_THROWS_WITH_AS(open_kitprog3_i2c(none, s, fast_timing()), doctest::Contains("no KitProg3/MiniProg4 found"),
                         OpenError);
}

TEST_CASE("kitprog3: a probe whose serial cannot be read is named with the reason") {
    BusTarget target(BusTarget::Kind::i2c);
    EmulatedKitProg3 kit(target);
    FakeUsb usb;
    usb.add(0xF155, "", "1-2", &kit, "permission denied on /dev/bus/usb/001/009: install the udev rules");
    I2cSettings s = i2c_settings();
    s.device = "kitprog3:ABC";
    const std::string m = message_of([&] { open_kitprog3_i2c(usb, s, fast_timing()); });
    CHECK(m.find("could not be read: permission denied on /dev/bus/usb/001/009") != std::string::npos);
    s.device = "kitprog3";
    CHECK_THROWS_WITH_AS(open_kitprog3_i2c(usb, s, fast_timing()), doctest::Contains("permission denied"), OpenError);
}

TEST_CASE("kitprog3: list reports capabilities from 0x90, the dual-UART note and why a probe cannot be asked") {
    BusTarget t1(BusTarget::Kind::i2c), t2(BusTarget::Kind::i2c), t3(BusTarget::Kind::i2c);
    EmulatedKitProg3 both(t1), i2c_only(t2), none(t3);
    i2c_only.interfaces = 0x0D;
    none.interfaces = 0x0C;
    FakeUsb usb;
    usb.add(0xF155, "K1", "1-1", &both);
    usb.add(0xF151, "M1", "1-2", &i2c_only);
    usb.add(0xF166, "K2", "1-3", &both);
    usb.add(0xF155, "", "1-4", &both, "permission denied on /dev/bus/usb/001/009: see README.md#usb-permissions");
    usb.add(0xF155, "K5", "1-5", &both, {}, "interface 1 is in use by another program");
    usb.add(0xF16A, "K6", "1-6", &none);
    usb.add(0xF139, "OLD", "1-7", &both);  // KitProg2: not ours

    const auto found = find_kitprogs(usb, fast_timing());
    REQUIRE(found.size() == 6);
    std::map<std::string, FoundBridge> by_path;
    for (const auto& f : found) by_path[f.usb.path] = f;
    CHECK(by_path["1-1"].capabilities == std::vector<std::string>{"i2c", "spi"});
    CHECK(by_path["1-1"].kind == "kitprog3");
    CHECK(by_path["1-1"].usb.description == "KitProg3");
    CHECK(by_path["1-2"].capabilities == std::vector<std::string>{"i2c"});
    CHECK(by_path["1-2"].usb.description == "MiniProg4");
    CHECK(by_path["1-3"].capabilities.empty());
    CHECK(by_path["1-3"].note == "dual-UART mode: no I2C/SPI bridge");
    CHECK(by_path["1-4"].note.find("README.md#usb-permissions") != std::string::npos);
    CHECK(by_path["1-5"].note.find("in use") != std::string::npos);
    CHECK(by_path["1-6"].capabilities.empty());
    CHECK(by_path["1-6"].note.find("no I2C/SPI bridge") != std::string::npos);
}
