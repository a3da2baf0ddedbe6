// End to end: mistakes on the command line are answered in words that name the word at
// fault and what would be right, with exit 2, before any device is touched; under --json
// such a run still ends with one result event.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

#include "cli_runner.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace testsupport;

namespace {

constexpr std::uint32_t kBase = 0x10000000;

std::vector<nlohmann::json> json_lines(const std::string& out) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
}

bool flash_holds(const std::vector<std::uint8_t>& flash, const std::vector<std::uint8_t>& app) {
    return flash.size() >= app.size() && std::equal(app.begin(), app.end(), flash.begin());
}

// What CLI11 would say on its own; none of it may reach the user.
void check_no_parser_text(const ProcessResult& r) {
    CHECK_FALSE(contains(r.err, "A subcommand is required"));
    CHECK_FALSE(contains(r.err, "The following arguments were not expected"));
    CHECK_FALSE(contains(r.err, "could not be converted"));
    CHECK_FALSE(contains(r.err, "not in range"));
    CHECK_FALSE(contains(r.err, "not in {"));
}

}  // namespace

TEST_CASE("a mistyped, shortened or capitalised command is answered with the command meant") {
    for (const std::string word : {"porgram", "prog", "Program"}) {
        CAPTURE(word);
        const auto r = dfuhost({word, sample("blinky.hex")});
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "unknown command '" + word + "'; did you mean 'program'?"));
        check_no_parser_text(r);
    }
    const auto far = dfuhost({"frobnicate"});
    CHECK(far.exit_code == 2);
    CHECK(contains(far.err, "unknown command 'frobnicate'; the commands are program, verify"));
}

TEST_CASE("help, help COMMAND and -V answer with exit 0") {
    const auto top = dfuhost({"help"});
    CHECK(top.exit_code == 0);
    CHECK(contains(top.out, "Usage: dfuhost [OPTIONS] SUBCOMMAND"));
    CHECK(contains(top.out, "generate"));
    const auto program = dfuhost({"help", "program"});
    CHECK(program.exit_code == 0);
    CHECK(contains(program.out, "Usage: dfuhost program [OPTIONS] FILE"));
    CHECK(contains(program.out, "--send-data-no-response"));
    const auto unknown = dfuhost({"help", "prgoram"});
    CHECK(unknown.exit_code == 2);
    CHECK(contains(unknown.err, "did you mean 'program'?"));
    const auto v = dfuhost({"-V"});
    CHECK(v.exit_code == 0);
    CHECK(v.out == dfuhost({"--version"}).out);
    CHECK(contains(v.out, "dfuhost "));
}

TEST_CASE("-v, --bogus and no command at all get a message of their own") {
    const auto v = dfuhost({"-v"});
    CHECK(v.exit_code == 2);
    CHECK(contains(v.err, "unknown option '-v'; did you mean '-V'?"));
    const auto bogus = dfuhost({"--bogus", "program"});
    CHECK(bogus.exit_code == 2);
    CHECK(contains(bogus.err, "unknown option '--bogus'"));
    const auto none = dfuhost({});
    CHECK(none.exit_code == 2);
    CHECK(contains(none.err, "no command given; the commands are program"));
    const auto misplaced = dfuhost({"--uart", "/dev/null", "program", sample("blinky.hex")});
    CHECK(misplaced.exit_code == 2);
    CHECK(contains(misplaced.err, "--uart is an option of a command: write it after the command"));
    for (const auto& r : {v, bogus, none, misplaced}) check_no_parser_text(r);
}

TEST_CASE("the Output options work before the command as after it") {
    TempDir dir;
    Simulator sim(dir, {});
    const auto app = signed_app(2000, 11);
    write_text(dir / "app.hex", to_intel_hex({{kBase, app}}));
    const auto r = dfuhost({"--json", "--log", (dir / "run.log").string(), "program", (dir / "app.hex").string(),
                            "--uart", sim.pty(), "--product-id", "01020304"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto lines = json_lines(r.out);
    REQUIRE(!lines.empty());
    CHECK(lines.front()["event"] == "start");
    CHECK(lines.back()["event"] == "result");
    CHECK(lines.back()["ok"] == true);
    const auto log = read_bytes(dir / "run.log");
    CHECK(contains(std::string(log.begin(), log.end()), "> 01 38"));
    CHECK(flash_holds(sim.flash(), app));
    const auto quiet = dfuhost({"-q", "verify", (dir / "app.hex").string(), "--uart", sim.pty(), "--product-id",
                                "01020304"});
    CHECK(quiet.exit_code == 0);
    CHECK(quiet.out.empty());
}

TEST_CASE("an unknown option of a command suggests the nearest one") {
    const auto r = dfuhost({"program", sample("blinky.hex"), "--uart", "/dev/null", "--retires", "2"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "unknown option '--retires' for program; did you mean '--retries'?"));
    const auto other = dfuhost({"inspect", sample("blinky.hex"), "--uart", "/dev/null"});
    CHECK(other.exit_code == 2);
    CHECK(contains(other.err, "--uart is not an option of inspect"));
    const auto missing = dfuhost({"program", sample("blinky.hex"), "--timeout"});
    CHECK(missing.exit_code == 2);
    CHECK(contains(missing.err, "--timeout needs a value"));
    for (const auto& x : {r, other, missing}) check_no_parser_text(x);
}

TEST_CASE("a bad value names the option and the accepted form") {
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    const Case cases[] = {
        {{"--baud", "fast"}, "--baud: 'fast' is not a number; expected e.g. 115200"},
        {{"--baud", "0"}, "--baud: 0 is out of range 1..100000000"},
        {{"--data-bits", "9"}, "--data-bits: 9 is out of range 5..8"},
        {{"--parity", "mark"}, "--parity: 'mark' is not one of none, odd, even"},
        {{"--stop-bits", "3"}, "--stop-bits: '3' is not one of 1, 1.5, 2"},
        {{"--checksum", "md5"}, "--checksum: 'md5' is not one of sum, crc16"},
        {{"--timeout", "soon"}, "--timeout: 'soon' is not a number; expected e.g. 1000"},
        {{"--retries", "-1"}, "--retries: '-1' is not a number; expected e.g. 3"},
    };
    for (const auto& c : cases) {
        std::vector<std::string> args{"program", sample("blinky.hex"), "--uart", "/dev/null"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        const auto r = dfuhost(args);
        CAPTURE(c.message);
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, c.message));
        check_no_parser_text(r);
    }
    // Accepted forms still work: hex and k suffixes are numbers too.
    TempDir dir;
    Simulator sim(dir, {});
    const auto r = dfuhost({"info", "--uart", sim.pty(), "--product-id", "01020304", "--baud", "0x1C200",
                            "--timeout", "1k"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
}

TEST_CASE("addresses and sizes take 0x, 0b, k and M, binary multiples as the README says") {
    TempDir dir;
    const std::string bin = (dir.path() / "app.bin").string();
    write_bytes(bin, random_bytes(512, 3));
    for (const auto& [base, shown] : std::vector<std::pair<std::string, std::string>>{
             {"256M", "0x10000000..0x10000200"},
             {"0x10000000", "0x10000000..0x10000200"},
             {"0b10000000000000000000000000000", "0x10000000..0x10000200"},
             {"262144k", "0x10000000..0x10000200"},
             {"268435456", "0x10000000..0x10000200"}}) {
        CAPTURE(base);
        const auto r = dfuhost({"inspect", bin, "--base", base});
        INFO(r.err);
        CHECK(r.exit_code == 0);
        CHECK(contains(r.out, shown));
    }
}

TEST_CASE("one device named twice, or an option of another wire, is refused before the device is touched") {
    TempDir dir;
    Simulator sim(dir, {});
    // Two different ports are two devices (cli_many_devices_test.cpp); the same one twice is a mistake.
    const auto twice = dfuhost({"program", sample("blinky.hex"), "--uart", sim.pty(), "--uart", sim.pty()});
    CHECK(twice.exit_code == 2);
    CHECK(contains(twice.err, "--uart " + sim.pty() + " given twice; name each device once"));
    const auto other = dfuhost({"program", sample("blinky.hex"), "--uart", sim.pty(), "--i2c-address", "0x50"});
    CHECK(other.exit_code == 2);
    CHECK(contains(other.err, "--i2c-address is an option of --i2c, but this run uses --uart"));
    const auto spi = dfuhost({"info", "--spi", "/dev/spidev0.0", "--baud", "9600"});
    CHECK(spi.exit_code == 2);
    CHECK(contains(spi.err, "--baud is an option of --uart, but this run uses --spi"));
    const auto two = dfuhost({"program", sample("blinky.hex"), "--uart", sim.pty(), "--i2c", "/dev/i2c-1"});
    CHECK(two.exit_code == 2);
    CHECK(contains(two.err, "not several (--uart and --i2c given)"));
    CHECK(sim.trace().empty());
}

TEST_CASE("an I2C or SPI name no bridge has is refused with every form the bus takes, from the bridge table") {
    const auto i2c = dfuhost({"info", "--i2c", "ft260"});
    CHECK(i2c.exit_code == 2);
    CHECK(contains(i2c.err, "--i2c ft260: expected /dev/i2c-N, kitprog3[:SERIAL], mcp2221[:SERIAL] or cp2112[:SERIAL]"));
    // mcp2221 is a bridge, but carries no SPI: refused on --spi, with SPI's forms.
    const auto spi = dfuhost({"info", "--spi", "mcp2221:ABC"});
    CHECK(spi.exit_code == 2);
    CHECK(contains(spi.err, "--spi mcp2221:ABC: expected /dev/spidevB.C, kitprog3[:SERIAL] or mcp2210[:SERIAL]"));
    const auto none = dfuhost({"info"});
    CHECK(none.exit_code == 2);
    CHECK(contains(none.err, "name the device's wire: --uart PORT, --i2c DEV, --spi DEV or --usb-hid [VID:PID]"));
    // --help shows the same forms.
    const auto help = dfuhost({"program", "--help"});
    CHECK(help.exit_code == 0);
    CHECK(contains(help.out, "/dev/i2c-N, kitprog3[:SERIAL], mcp2221[:SERIAL] or cp2112[:SERIAL]"));
    CHECK(contains(help.out, "/dev/spidevB.C, kitprog3[:SERIAL] or mcp2210[:SERIAL]"));
}

TEST_CASE("a usage error under --json ends with one result event naming the action and file") {
    const auto r = dfuhost({"program", sample("blinky.hex"), "--json", "--uart", "/dev/null", "--baud", "fast"});
    CHECK(r.exit_code == 2);
    const auto lines = json_lines(r.out);
    REQUIRE(lines.size() == 1);
    const auto& j = lines.back();
    CHECK(j.value("event", std::string()) == "result");
    CHECK(j.value("schema", -1) == 1);
    CHECK(j.value("ok", true) == false);
    CHECK(j.value("exit_code", -1) == 2);
    CHECK(j.value("action", std::string()) == "program");
    CHECK(j.value("file", std::string()) == sample("blinky.hex"));
    CHECK(contains(j.value("error", std::string()), "--baud: 'fast' is not a number"));

    // Found after parsing (the row size is checked with the file's other options): the same result.
    const auto later = dfuhost({"--json", "program", sample("blinky.hex"), "--uart", "/dev/null", "--row-size", "100"});
    CHECK(later.exit_code == 2);
    const auto after = json_lines(later.out);
    REQUIRE(!after.empty());
    CHECK(after.back().value("event", std::string()) == "result");
    CHECK(after.back().value("schema", -1) == 1);
    CHECK(after.back().value("action", std::string()) == "program");
    CHECK(after.back().value("file", std::string()) == sample("blinky.hex"));
    CHECK(contains(after.back().value("error", std::string()), "--row-size: 100 is not a power of two"));

    const auto before = dfuhost({"--json", "porgram", "x.hex"});
    CHECK(before.exit_code == 2);
    const auto first = json_lines(before.out);
    REQUIRE(first.size() == 1);
    CHECK(first.back().value("event", std::string()) == "result");
    CHECK(first.back().value("exit_code", -1) == 2);
    CHECK_FALSE(first.back().contains("action"));
}
