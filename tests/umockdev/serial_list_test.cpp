// libserialport's port listing and its open path against USB serial adapters described
// in a umockdev testbed the way the kernel lays them out in sysfs.
#include <doctest/doctest.h>
#include <linux/serial.h>
#include <poll.h>
#include <unistd.h>

#include <termios.h>

#include <fcntl.h>
#include <algorithm>
#include <atomic>
#include <thread>

#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "modem_lines_model.hpp"
#include "process.hpp"
#include "test_images.hpp"
#include "testbed.hpp"
#include "transports/serial_list.hpp"
#include "transports/uart.hpp"

using namespace dfu::transports;

namespace {

// An FTDI adapter (usb-serial driver: the tty sits below a usb-serial port device), a
// CDC-ACM DFU device (the tty sits below the interface), a native UART and a virtual
// console, which libserialport leaves out.
const char* const kSerialSysfs = R"(P: /devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.4/1-1.4:1.0/ttyUSB0/tty/ttyUSB0
N: ttyUSB0
E: DEVNAME=/dev/ttyUSB0
E: SUBSYSTEM=tty
A: dev=188:0
L: device=../../../ttyUSB0

P: /devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.4/1-1.4:1.0/ttyUSB0
E: SUBSYSTEM=usb-serial
A: port_number=0

P: /devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.4/1-1.4:1.0
E: SUBSYSTEM=usb
E: DEVTYPE=usb_interface
A: bInterfaceNumber=00

P: /devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.4
E: SUBSYSTEM=usb
E: DEVTYPE=usb_device
A: busnum=1
A: devnum=7
A: devpath=1.4
A: idVendor=0403
A: idProduct=6001
A: serial=A50285BI
A: product=FT232R USB UART
A: manufacturer=FTDI

P: /devices/pci0000:00/0000:00:14.0/usb3/3-2/3-2:1.0/tty/ttyACM0
N: ttyACM0
E: DEVNAME=/dev/ttyACM0
E: SUBSYSTEM=tty
A: dev=166:0
L: device=../../../3-2:1.0

P: /devices/pci0000:00/0000:00:14.0/usb3/3-2/3-2:1.0
E: SUBSYSTEM=usb
E: DEVTYPE=usb_interface
A: bInterfaceNumber=00

P: /devices/pci0000:00/0000:00:14.0/usb3/3-2
E: SUBSYSTEM=usb
E: DEVTYPE=usb_device
A: busnum=3
A: devnum=4
A: devpath=2
A: idVendor=058b
A: idProduct=f21d
A: serial=0123456789
A: product=DFU CDC Device

P: /devices/platform/soc/fe201000.serial/tty/ttyAMA0
N: ttyAMA0
E: DEVNAME=/dev/ttyAMA0
E: SUBSYSTEM=tty
A: dev=204:64
L: device=../../../fe201000.serial

P: /devices/virtual/tty/tty0
N: tty0
E: DEVNAME=/dev/tty0
E: SUBSYSTEM=tty
A: dev=4:0

)";

const FoundSerialPort* find(const std::vector<FoundSerialPort>& ports, const std::string& name) {
    const auto it = std::find_if(ports.begin(), ports.end(), [&](const auto& p) { return p.name == name; });
    return it == ports.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("serial list: USB adapters with VID:PID, serial, product and port path, virtual ttys left out") {
    umock::Testbed tb;
    tb.add_from_string(kSerialSysfs);
    const auto ports = find_serial_ports();
    CHECK(ports.size() == 3);
    CHECK(find(ports, "/dev/tty0") == nullptr);

    const auto* ftdi = find(ports, "/dev/ttyUSB0");
    REQUIRE(ftdi != nullptr);
    CHECK(ftdi->usb);
    CHECK(ftdi->vid == 0x0403);
    CHECK(ftdi->pid == 0x6001);
    CHECK(ftdi->serial == "A50285BI");
    CHECK(ftdi->usb_path == "1-1.4");
    CHECK(ftdi->description.find("FT232R USB UART") == 0);

    const auto* acm = find(ports, "/dev/ttyACM0");
    REQUIRE(acm != nullptr);
    CHECK(acm->usb);
    CHECK(acm->vid == 0x058b);
    CHECK(acm->pid == 0xf21d);
    CHECK(acm->serial == "0123456789");
    CHECK(acm->usb_path == "3-2");
    CHECK(acm->description.find("DFU CDC Device") == 0);

    const auto* uart = find(ports, "/dev/ttyAMA0");
    REQUIRE(uart != nullptr);
    CHECK_FALSE(uart->usb);
    CHECK(uart->vid == 0);
    CHECK(uart->serial.empty());
    CHECK(uart->usb_path.empty());
    CHECK(uart->description == "ttyAMA0");
}

TEST_CASE("serial list: libserialport opens a testbed USB adapter and a packet crosses it both ways") {
    umock::Testbed tb;
    tb.add_from_string(kSerialSysfs);
    umock::ModemLinesModel lines;
    tb.attach("/dev/ttyACM0", lines);
    const int device_side = tb.pty_master("/dev/ttyACM0");
    REQUIRE(device_side >= 0);

    UartSettings s;
    s.port = "/dev/ttyACM0";
    auto uart = open_uart(s);
    CHECK(uart->description().find("/dev/ttyACM0") != std::string::npos);
    // The quiet gap after an unanswered packet: 20 characters at 115200 baud are 1.7 ms, less
    // than the 3 ms floor (docs/protocol.md, "Timing").
    CHECK(uart->capabilities().gap_after_unanswered == std::chrono::milliseconds(3));
    CHECK(lines.requests() > 0);  // sp_open() reads and sets the modem lines

    const auto packet =
        dfu::encode_packet(dfu::cmd::enter, std::vector<std::uint8_t>{4, 3, 2, 1}, dfu::ChecksumType::sum);
    uart->send(packet, Reply::expected);
    std::vector<std::uint8_t> got;
    while (got.size() < packet.size()) {
        pollfd p{device_side, POLLIN, 0};
        REQUIRE(::poll(&p, 1, 2000) == 1);
        std::uint8_t buf[64];
        const ssize_t n = ::read(device_side, buf, sizeof buf);
        REQUIRE(n > 0);
        got.insert(got.end(), buf, buf + n);
    }
    CHECK(got == packet);

    const std::vector<std::uint8_t> response = {0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x17};
    REQUIRE(::write(device_side, response.data(), response.size()) == static_cast<ssize_t>(response.size()));
    std::vector<std::uint8_t> frame;
    REQUIRE(uart->receive(frame, Clock::now() + std::chrono::seconds(2)));
    CHECK(frame == response);
}

TEST_CASE("serial list: usb:SERIAL and usb:PATH choose the adapter, plain usb refuses to guess between two") {
    umock::Testbed tb;
    tb.add_from_string(kSerialSysfs);
    CHECK(is_usb_serial_selector("usb"));
    CHECK(is_usb_serial_selector("usb:A50285BI"));
    CHECK_FALSE(is_usb_serial_selector("/dev/ttyUSB0"));
    CHECK_FALSE(is_usb_serial_selector("usbserial"));
    CHECK(choose_usb_serial_port("usb:A50285BI") == "/dev/ttyUSB0");
    CHECK(choose_usb_serial_port("usb:3-2") == "/dev/ttyACM0");
    auto refusal = [](const char* selector) {
        try {
            choose_usb_serial_port(selector);
        } catch (const OpenError& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    const std::string both = refusal("usb");
    CHECK(both.find("2 USB serial port devices match: name one as usb:SERIAL or usb:PATH") != std::string::npos);
    CHECK(both.find("0403:6001  serial A50285BI  path 1-1.4  /dev/ttyUSB0 (FT232R USB UART - A50285BI)") !=
          std::string::npos);
    CHECK(both.find("058b:f21d  serial 0123456789  path 3-2") != std::string::npos);
    CHECK(both.find("ttyAMA0") == std::string::npos);  // not USB
    const std::string none = refusal("usb:NOSUCH");
    CHECK(none.find("no USB serial port with serial number or path 'NOSUCH'") != std::string::npos);
}

namespace {

void make_raw(int fd) {
    termios t{};
    REQUIRE(::tcgetattr(fd, &t) == 0);
    ::cfmakeraw(&t);
    REQUIRE(::tcsetattr(fd, TCSANOW, &t) == 0);
}

// Copies bytes both ways between the testbed tty's device side and dfu-sim's pty until
// stopped, so the simulator stands behind the adapter the CLI chose.
class Relay {
public:
    Relay(int a, int b) : a_(a), b_(b), thread_([this] { run(); }) {}
    ~Relay() {
        stop_ = true;
        thread_.join();
    }

private:
    void run() {
        std::uint8_t buf[4096];
        while (!stop_) {
            pollfd p[2] = {{a_, POLLIN, 0}, {b_, POLLIN, 0}};
            if (::poll(p, 2, 20) <= 0) continue;
            for (int i = 0; i < 2; ++i) {
                if (!(p[i].revents & POLLIN)) continue;
                const ssize_t n = ::read(p[i].fd, buf, sizeof buf);
                if (n > 0 && ::write(p[1 - i].fd, buf, static_cast<std::size_t>(n)) != n) return;
            }
        }
    }
    int a_, b_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace

TEST_CASE("cli over a USB serial adapter chosen by serial number: dfuhost program --uart usb:SERIAL") {
    testsupport::TempDir dir;
    constexpr std::uint32_t kBase = 0x10000000;
    const auto image = testsupport::random_bytes(2048, 61);
    testsupport::write_text(dir / "app.hex", testsupport::to_intel_hex({{kBase, image}}));
    umock::Testbed tb;
    tb.add_from_string(kSerialSysfs);
    umock::ModemLinesModel acm_lines, ftdi_lines;
    tb.attach("/dev/ttyACM0", acm_lines);
    tb.attach("/dev/ttyUSB0", ftdi_lines);
    testsupport::Simulator sim(dir, {"--flash-size", "65536"});
    const int sim_fd = ::open(sim.pty().c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(sim_fd >= 0);
    make_raw(sim_fd);
    const int device_side = tb.pty_master("/dev/ttyACM0");
    REQUIRE(device_side >= 0);
    {
        Relay relay(device_side, sim_fd);
        const auto r = umock::run_child({DFUHOST_BIN, "program", (dir / "app.hex").string(), "--uart", "usb:0123456789",
                                         "--product-id", "01020304"});
        INFO(r.out << r.err);
        CHECK_FALSE(r.timed_out);
        REQUIRE(r.exit_code == 0);
        CHECK(r.out.find("/dev/ttyACM0") != std::string::npos);  // the description names the port chosen
    }
    ::close(sim_fd);
    const auto flash = sim.flash();
    REQUIRE(flash.size() >= image.size());
    CHECK(std::equal(image.begin(), image.end(), flash.begin()));
    CHECK(ftdi_lines.requests() == 0);  // the other adapter was never opened

    // Both adapters and no serial: the candidates, exit 4, neither opened.
    const auto r = umock::run_child(
        {DFUHOST_BIN, "program", (dir / "app.hex").string(), "--uart", "usb", "--product-id", "01020304"});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("name one as usb:SERIAL or usb:PATH") != std::string::npos);
}

TEST_CASE("low latency: an adapter's ASYNC_LOW_LATENCY is set while the port is open and put back when it closes") {
    umock::Testbed tb;
    tb.add_from_string(kSerialSysfs);
    constexpr int kOther = ASYNC_SKIP_TEST;  // a flag of the driver's own, kept as it was
    umock::ModemLinesModel ftdi(true, kOther);
    tb.attach("/dev/ttyUSB0", ftdi);
    UartSettings s;
    s.port = "/dev/ttyUSB0";
    auto uart = open_uart(s);
    CHECK(uart->setup_note().empty());
    CHECK(ftdi.serial_flags() == (kOther | ASYNC_LOW_LATENCY));
    uart.reset();
    CHECK(ftdi.serial_flags() == kOther);
    CHECK(ftdi.serial_flags_set() == std::vector<int>{kOther | ASYNC_LOW_LATENCY, kOther});
}

TEST_CASE("low latency: a flag already set is left alone, and a driver without it is only noted") {
    umock::Testbed tb;
    tb.add_from_string(kSerialSysfs);
    umock::ModemLinesModel already(true, ASYNC_LOW_LATENCY), unsupported(false);
    tb.attach("/dev/ttyUSB0", already);
    tb.attach("/dev/ttyACM0", unsupported);
    UartSettings s;
    s.port = "/dev/ttyUSB0";
    open_uart(s).reset();
    CHECK(already.serial_flags_set().empty());
    CHECK(already.serial_flags() == ASYNC_LOW_LATENCY);
    s.port = "/dev/ttyACM0";
    auto uart = open_uart(s);
    CHECK(uart->setup_note().find("does not support low-latency mode") != std::string::npos);
}

TEST_CASE("low latency: Ctrl-C in the middle of a run still puts the adapter's flag back") {
    testsupport::TempDir dir;
    constexpr std::uint32_t kBase = 0x10000000;
    const auto image = testsupport::random_bytes(16 * 512, 62);
    testsupport::write_text(dir / "app.hex", testsupport::to_intel_hex({{kBase, image}}));
    umock::Testbed tb;
    tb.add_from_string(kSerialSysfs);
    umock::ModemLinesModel ftdi;
    tb.attach("/dev/ttyUSB0", ftdi);
    // Slow rows, so the interrupt lands in the middle of the run.
    testsupport::Simulator sim(dir, {"--flash-size", "65536", "--flash-write-us", "50000"});
    const int sim_fd = ::open(sim.pty().c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(sim_fd >= 0);
    make_raw(sim_fd);
    const int device_side = tb.pty_master("/dev/ttyUSB0");
    REQUIRE(device_side >= 0);
    {
        Relay relay(device_side, sim_fd);
        umock::ChildOptions options;
        options.interrupt_when = "> 01 49";  // the first Program Data in the --debug trace
        const auto r = umock::run_child({DFUHOST_BIN, "program", (dir / "app.hex").string(), "--uart", "/dev/ttyUSB0",
                                         "--product-id", "01020304", "--debug"},
                                        options);
        INFO(r.out << r.err);
        CHECK_FALSE(r.timed_out);
        CHECK(r.exit_code == 130);
    }
    ::close(sim_fd);
    CHECK(ftdi.serial_flags_set() == std::vector<int>{ASYNC_LOW_LATENCY, 0});
    CHECK(ftdi.serial_flags() == 0);
}

TEST_CASE("serial: --before sets DTR/RTS in order once the port is open, --after when it closes") {
    umock::Testbed tb;
    tb.add_from_string(kSerialSysfs);
    umock::ModemLinesModel lines;
    tb.attach("/dev/ttyACM0", lines);
    using Kind = LineStep::Kind;
    UartSettings s;
    s.port = "/dev/ttyACM0";
    s.before = {{Kind::dtr, 0}, {Kind::rts, 1}, {Kind::wait_ms, 40}, {Kind::rts, 0}, {Kind::dtr, 1}};
    s.after = {{Kind::rts, 1}, {Kind::dtr, 0}, {Kind::rts, 0}};
    // DTR and RTS after each change, repeats dropped: libserialport re-applies both lines
    // whenever it sets one.
    auto states = [&lines] {
        std::vector<int> out;
        for (int l : lines.changes()) {
            const int both = l & (TIOCM_DTR | TIOCM_RTS);
            if (out.empty() || out.back() != both) out.push_back(both);
        }
        return out;
    };
    const auto start = std::chrono::steady_clock::now();
    auto uart = open_uart(s);
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(40));  // the wait step
    const auto opened = states();
    REQUIRE(opened.size() >= 3);
    // RTS pulsed with DTR low, then DTR raised: in the order given.
    CHECK(std::vector<int>(opened.end() - 3, opened.end()) == std::vector<int>{TIOCM_RTS, 0, TIOCM_DTR});
    uart.reset();  // the port closes: the after steps
    const auto closed = states();
    REQUIRE(closed.size() >= opened.size() + 3);
    CHECK(std::vector<int>(closed.begin() + static_cast<long>(opened.size()), closed.begin() + static_cast<long>(opened.size()) + 3) ==
          std::vector<int>{TIOCM_DTR | TIOCM_RTS, TIOCM_RTS, 0});
}
