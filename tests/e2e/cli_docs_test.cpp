// The documentation cannot drift from the tool: every option `--help` shows for every
// command is an item of the man page, exactly once, and is named in the README.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "cli_runner.hpp"
#include "process.hpp"

using namespace testsupport;

namespace {

std::string read_text(const std::string& path) {
    std::ifstream f(path);
    REQUIRE(f);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

const std::vector<std::string> kCommands{"program", "verify",   "erase",   "info", "send",      "run",
                                         "generate", "inspect", "list", "completion", "help"};

// The headings of the man page's items (the line after each .TP), fonts and escapes removed.
std::vector<std::string> man_headings(const std::string& roff) {
    std::vector<std::string> headings;
    std::istringstream in(roff);
    for (std::string l; std::getline(in, l);) {
        if (l != ".TP") continue;
        std::string h;
        std::getline(in, h);
        h = std::regex_replace(h, std::regex(R"(\\f[BIRP])"), "");
        h = std::regex_replace(h, std::regex(R"(\\-)"), "-");
        headings.push_back(h);
    }
    return headings;
}

bool names_option(const std::string& text, const std::string& option) {
    const std::regex word("(^|[^A-Za-z0-9-])" + option + "([^A-Za-z0-9-]|$)");
    return std::regex_search(text, word);
}

}  // namespace

TEST_CASE("every option of every command is one item of the man page and named in the README") {
    const std::string man = read_text(std::string(SOURCE_DIR) + "/man/dfuhost.1");
    const std::string readme = read_text(std::string(SOURCE_DIR) + "/README.md");
    const auto headings = man_headings(man);
    std::set<std::string> options;
    {
        const auto top = dfuhost({"--help"});
        REQUIRE(top.exit_code == 0);
        options = help_options(top.out);
    }
    for (const auto& command : kCommands) {
        const auto r = dfuhost({command, "--help"});
        CAPTURE(command);
        REQUIRE(r.exit_code == 0);
        const auto mine = help_options(r.out);
        CHECK(mine.size() >= 2);  // at least -h and --help
        options.insert(mine.begin(), mine.end());
        // Each command is an item of the man page and shown in the README's usage.
        CHECK(std::count(headings.begin(), headings.end(), ".B " + command) == 1);
        CHECK(contains(readme, "dfuhost " + command));
    }
    CHECK(options.count("--row-size"));
    for (const auto& option : options) {
        CAPTURE(option);
        const auto items = std::count_if(headings.begin(), headings.end(),
                                         [&](const std::string& h) { return names_option(h, option); });
        CHECK(items == 1);
        CHECK(names_option(readme, option));
    }
}

TEST_CASE("the man pages carry the same date") {
    const std::regex th(R"re(^\.TH \S+ \S+ "([^"]*)")re");
    std::smatch a, b;
    const std::string host = read_text(std::string(SOURCE_DIR) + "/man/dfuhost.1");
    const std::string sim = read_text(std::string(SOURCE_DIR) + "/man/dfu-sim.1");
    REQUIRE(std::regex_search(host, a, th));
    REQUIRE(std::regex_search(sim, b, th));
    CHECK(a[1].str() == b[1].str());
}

TEST_CASE("the help names every wire, and the --usb-hid value as the man page does") {
    const auto top = dfuhost({"--help"});
    for (const std::string wire : {"UART", "I2C", "SPI", "USB"}) CHECK(contains(top.out, wire));
    const auto program = dfuhost({"program", "--help"});
    CHECK(contains(program.out, "--usb-hid [VID:PID[:SERIAL]]"));
    const std::string man = read_text(std::string(SOURCE_DIR) + "/man/dfuhost.1");
    CHECK(contains(man, R"(.BR \-\-usb\-hid " [\fIVID:PID\fR[:\fISERIAL\fR]]")"));
}
