// dfuh-cli's command line into dfuhost's: every option's meaning, the wire inferred from the
// option group, and each refusal naming the dfuh-cli option at fault.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/dfuh_cli.hpp"
#include "core/error.hpp"
#include "usage_refusal.hpp"

using dfu::cli::dfuh::to_dfuhost_args;
using Words = std::vector<std::string>;

namespace {

std::string refusal(const Words& args) {
    return usage_refusal([&] { to_dfuhost_args(args); });
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("dfuh-cli is recognised by its program name only") {
    using dfu::cli::dfuh::invoked_as_dfuh_cli;
    CHECK(invoked_as_dfuh_cli("dfuh-cli"));
    CHECK(invoked_as_dfuh_cli("/usr/local/bin/dfuh-cli"));
    CHECK(invoked_as_dfuh_cli("dfuh-cli.exe"));
    CHECK_FALSE(invoked_as_dfuh_cli("dfuhost"));
    CHECK_FALSE(invoked_as_dfuh_cli("/usr/bin/dfuh-cli2"));
}

TEST_CASE("a UART program command line becomes dfuhost program with the UART options") {
    CHECK(to_dfuhost_args({"--program-device", "app.cyacd2", "--hwid", "/dev/ttyUSB0", "--uart-baudrate", "921600",
                           "--uart-databits", "7", "--uart-paritytype", "Even", "--uart-stopbits", "2"}) ==
          Words{"program", "app.cyacd2", "--uart", "/dev/ttyUSB0", "--baud", "921600", "--data-bits", "7", "--parity",
                "even", "--stop-bits", "2"});
    CHECK(to_dfuhost_args({"--verify-device=app.hex", "--hwid=COM7", "--uart-paritytype=None", "--debug"}) ==
          Words{"verify", "app.hex", "--uart", "COM7", "--parity", "none", "--debug"});
    CHECK(to_dfuhost_args({"--erase-device", "app.cyacd2", "--hwid", "COM3", "--uart-paritytype", "odd"}) ==
          Words{"erase", "app.cyacd2", "--uart", "COM3", "--parity", "odd"});
}

TEST_CASE("the I2C and SPI groups choose their wire and convert kHz, MHz and the binary SPI mode") {
    CHECK(to_dfuhost_args({"--program-device", "a.cyacd2", "--hwid", "kitprog3", "--i2c-address", "12",
                           "--i2c-speed", "400"}) ==
          Words{"program", "a.cyacd2", "--i2c", "kitprog3", "--i2c-address", "12", "--i2c-speed", "400k"});
    CHECK(to_dfuhost_args({"--program-device", "a.cyacd2", "--hwid", "mcp2210", "--spi-clockspeed", "0.5",
                           "--spi-mode", "10", "--spi-lsb-first"}) ==
          Words{"program", "a.cyacd2", "--spi", "mcp2210", "--spi-clock", "500000", "--spi-mode", "2",
                "--spi-lsb-first"});
    CHECK(to_dfuhost_args({"--program-device", "a", "--hwid", "x", "--spi-clockspeed", "8", "--spi-mode", "01"}) ==
          Words{"program", "a", "--spi", "x", "--spi-clock", "8000000", "--spi-mode", "1"});
    // Without a group, the device name tells.
    CHECK(to_dfuhost_args({"--program-device", "a", "--hwid", "/dev/i2c-1"})[2] == "--i2c");
    CHECK(to_dfuhost_args({"--program-device", "a", "--hwid", "/dev/spidev0.0"})[2] == "--spi");
    CHECK(to_dfuhost_args({"--program-device", "a", "--hwid", "/dev/ttyACM0"})[2] == "--uart");
}

TEST_CASE("image options, custom commands, generate and display-hw") {
    CHECK(to_dfuhost_args({"--program-device", "a.hex", "--hwid", "p", "--product-id", "01020304",
                           "--application-id", "1", "--application-start", "0x10000000", "--application-length",
                           "0x8000", "--checksum-type", "CRC"}) ==
          Words{"program", "a.hex", "--uart", "p", "--product-id", "01020304", "--app-id", "1", "--app-start",
                "0x10000000", "--app-length", "0x8000", "--checksum", "crc16"});
    CHECK(to_dfuhost_args({"--custom-command", "s.mtbdfu", "--hwid", "p", "--uart-baudrate", "115200"}) ==
          Words{"run", "s.mtbdfu", "--uart", "p", "--baud", "115200"});
    CHECK(to_dfuhost_args({"--generate-mtbdfu", "out.mtbdfu", "--mtbdfu-data-file", "app.hex", "--file-version", "1",
                           "--product-id", "01020304", "--checksum-type", "sum"}) ==
          Words{"generate", "app.hex", "-o", "out.mtbdfu", "--product-id", "01020304", "--checksum", "sum"});
    CHECK(to_dfuhost_args({"--display-hw"}) == Words{"list"});
    CHECK(to_dfuhost_args({"--display-hw", "--debug"}) == Words{"list", "--debug"});
    CHECK(to_dfuhost_args({"--version"}) == Words{"--version"});
}

TEST_CASE("each refusal names the dfuh-cli option") {
    CHECK(contains(refusal({"--program-device", "a", "--hwid", "p", "--uart-baudrat", "1"}),
                   "unknown dfuh-cli option '--uart-baudrat'; did you mean '--uart-baudrate'?"));
    CHECK(contains(refusal({"--program-device", "a", "--hwid", "p", "--baud", "1"}), "'--baud'"));
    CHECK(contains(refusal({"--hwid", "p"}), "no action given"));
    CHECK(contains(refusal({"--program-device", "a", "--verify-device", "a", "--hwid", "p"}),
                   "--program-device and --verify-device"));
    CHECK(contains(refusal({"--program-device", "a"}), "--program-device needs --hwid"));
    CHECK(contains(refusal({"--program-device"}), "--program-device needs a value"));
    CHECK(contains(refusal({"--program-device", "a", "--hwid", "p", "--uart-paritytype", "Mark"}),
                   "--uart-paritytype: 'Mark' is not one of None, Odd, Even"));
    CHECK(contains(refusal({"--program-device", "a", "--hwid", "p", "--spi-mode", "2"}), "--spi-mode: '2'"));
    CHECK(contains(refusal({"--program-device", "a", "--hwid", "p", "--spi-clockspeed", "fast"}), "--spi-clockspeed"));
    CHECK(contains(refusal({"--program-device", "a", "--hwid", "p", "--uart-baudrate", "x"}), "--uart-baudrate: 'x'"));
    CHECK(contains(refusal({"--program-device", "a", "--hwid", "p", "--uart-databits", "9"}), "--uart-databits"));
    CHECK(contains(refusal({"--program-device", "a", "--hwid", "p", "--uart-stopbits", "3"}), "--uart-stopbits"));
    CHECK(contains(refusal({"--program-device", "a", "--hwid", "p", "--i2c-speed", "fast"}), "--i2c-speed"));
    CHECK(contains(refusal({"--program-device", "a", "--hwid", "p", "--checksum-type", "md5"}), "--checksum-type"));
    CHECK(contains(refusal({"--program-device", "a", "--hwid", "p", "--uart-baudrate", "1", "--i2c-speed", "400"}),
                   "--uart-baudrate and --i2c-speed name two wires"));
    CHECK(contains(refusal({"--program-device", "a", "--hwid", "p", "--debug", "--debug"}), "--debug given twice"));
    CHECK(contains(refusal({"--display-hw", "--hwid", "p"}), "--hwid has no meaning with --display-hw"));
    CHECK(contains(refusal({"--generate-mtbdfu", "o.mtbdfu"}), "--mtbdfu-data-file"));
    CHECK(contains(refusal({"--generate-mtbdfu", "o", "--mtbdfu-data-file", "a", "--file-version", "2"}),
                   "--file-version: '2'"));
    CHECK(contains(refusal({"--program-device", "a", "--hwid", "p", "extra"}), "unexpected argument 'extra'"));
    CHECK(contains(refusal({"--display-hw=yes"}), "--display-hw takes no value"));
}
