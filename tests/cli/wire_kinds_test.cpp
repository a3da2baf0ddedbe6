// The table of wire kinds (cli/wire_kind.hpp): each kind registers every option it claims,
// the values given reach the device it names, its capabilities are its own, and a bad value
// is refused naming its option.
#include <doctest/doctest.h>

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/wire_kind.hpp"
#include "cli/wire_listing.hpp"
#include "core/error.hpp"
#include "usage_refusal.hpp"

using namespace dfu::cli;

namespace {

const WireKind& kind(const std::string& option) {
    const WireKind* k = wire_kind_of_option(option);
    REQUIRE(k != nullptr);
    return *k;
}

// The command line `line` parsed as a wire-taking command parses it.
RawOptions parsed(const std::string& line) {
    RawOptions raw;
    CLI::App app;
    add_transport_options(app, raw);
    add_reset_options(app, raw);
    app.parse(line, false);
    return raw;
}

std::string label_of(const RawOptions& raw, const std::string& option) {
    const auto& devices = raw.wires.devices_of(option);
    REQUIRE(devices.size() == 1);
    return kind(option).choose(raw, devices.front())->label();
}

std::string refusal(const RawOptions& raw, const std::string& option) {
    return usage_refusal([&] { label_of(raw, option); });
}

}  // namespace

TEST_CASE("each wire kind registers its selector and every option it claims") {
    RawOptions raw;
    CLI::App app;
    add_transport_options(app, raw);
    add_reset_options(app, raw);  // --before/--after: the UART's, registered by program/verify/erase
    REQUIRE(wire_kinds().size() == 4);
    for (const WireKind& k : wire_kinds()) {
        CAPTURE(k.option);
        const CLI::Option* selector = app.get_option_no_throw(k.option);
        REQUIRE(selector != nullptr);
        CHECK(selector->get_group() == "Transport");
        CHECK(wire_kind_of_option(k.option) == &k);
        for (const std::string& own : k.options) {
            CAPTURE(own);
            CHECK(app.get_option_no_throw(own) != nullptr);
            CHECK(wire_kind_of_option(own) == &k);
        }
    }
    CHECK(wire_kind_of_option("--timeout") == nullptr);
    CHECK(wire_option_list(true, "or") == "--uart PORT, --i2c DEV, --spi DEV or --usb-hid [VID:PID]");
}

TEST_CASE("a wire's own options reach the device it names") {
    CHECK(label_of(parsed("--i2c kitprog3:A1 --i2c-address 0x50 --i2c-speed 400k"), "--i2c") ==
          "i2c kitprog3:A1 @ 0x50");
    CHECK(label_of(parsed("--i2c mcp2221"), "--i2c") == "i2c mcp2221 @ 0x0C");  // the default address
    CHECK(label_of(parsed("--spi mcp2210 --spi-mode 3 --spi-lsb-first"), "--spi") == "spi mcp2210");
    CHECK(label_of(parsed("--usb-hid"), "--usb-hid") == "usb-hid 058b:f21d");
    CHECK(label_of(parsed("--usb-hid 04b4:f13b:X"), "--usb-hid") == "usb-hid 04b4:f13b:X");
    const RawOptions two = parsed("--uart /dev/ttyUSB0 --uart socket://host:1 --baud 0x1C200");
    CHECK(two.wires.devices_of("--uart") == std::vector<std::string>{"/dev/ttyUSB0", "socket://host:1"});
    CHECK(two.wires.value("--baud", "") == "115200");  // number_check wrote it in decimal
    CHECK(kind("--uart").choose(two, "socket://host:1")->label() == "uart socket://host:1");
}

TEST_CASE("each wire kind states what it can do") {
    CHECK(kind("--uart").whole_row_packets);
    CHECK_FALSE(kind("--i2c").whole_row_packets);
    CHECK_FALSE(kind("--spi").whole_row_packets);
    CHECK_FALSE(kind("--usb-hid").whole_row_packets);
    // Device nodes given on a wire are protected from output files; a VID:PID is no node.
    CHECK(wire_node_values(parsed("--spi /dev/spidev0.0 --spi kitprog3")) ==
          std::vector<std::string>{"/dev/spidev0.0", "kitprog3"});
    CHECK(wire_node_values(parsed("--usb-hid 058b:f21d")).empty());
}

TEST_CASE("a bad wire value is refused naming its option") {
    CHECK(refusal(parsed("--i2c kitprog3 --i2c-address 0x05"), "--i2c") ==
          "--i2c-address: '0x05' is not a number from 8 to 119");
    CHECK(refusal(parsed("--spi mcp2221"), "--spi") ==
          "--spi mcp2221: expected /dev/spidevB.C, kitprog3[:SERIAL] or mcp2210[:SERIAL]");
    CHECK(refusal(parsed("--spi kitprog3 --spi-clock fast"), "--spi") ==
          "--spi-clock: 'fast' is not a speed from 1000 to 100000000 Hz (400k, 1M)");
    CHECK(refusal(parsed("--uart socket://h:1 --before default-reset"), "--uart") ==
          "--before/--after: socket://h:1 has no DTR/RTS lines to set (a TCP serial server)");
}

TEST_CASE("list shows serial ports, then what is on USB, then the kernel's bus nodes") {
    WireListing listing;
    for (const WireKind& k : wire_kinds()) k.list(listing);
    std::vector<std::string> keys;
    for (const ListSection* s : listing.in_order()) keys.push_back(s->key);
    // The bridges section is listed once though both bus kinds ask for it.
    CHECK(keys == std::vector<std::string>{"serial_ports", "bridges", "usb_hid", "i2c", "spi"});
}
