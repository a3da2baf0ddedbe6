// `dfuhost @FILE`: the words of an arguments file, and each malformed one named by file and line.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/args_file.hpp"
#include "core/error.hpp"
#include "process.hpp"
#include "usage_refusal.hpp"

using dfu::cli::args_file_words;
using dfu::cli::expand_args_files;
using Words = std::vector<std::string>;

namespace {

std::string refusal(const std::string& text) {
    return usage_refusal([&] { args_file_words(text, "station.args"); });
}

}  // namespace

TEST_CASE("words: several per line, quotes, comments and blank lines") {
    CHECK(args_file_words("# station 3\n--uart /dev/ttyUSB0 --baud 921600\n\n  --product-id 01020304  # ours\n",
                          "f") == Words{"--uart", "/dev/ttyUSB0", "--baud", "921600", "--product-id", "01020304"});
    CHECK(args_file_words("--log 'my run.log' \"a \\\"b\\\" \\\\c\" x'y z'w\r\n", "f") ==
          Words{"--log", "my run.log", "a \"b\" \\c", "xy zw"});
    CHECK(args_file_words("a#b\n", "f") == Words{"a#b"});  // # only starts a comment at a word's start
    CHECK(args_file_words("''\n", "f") == Words{""});
    CHECK(args_file_words("", "f").empty());
}

TEST_CASE("malformed files are refused with the file and line") {
    CHECK(refusal("--uart a\n--log 'x\n") == "station.args:2: the ' opened here is not closed on this line");
    CHECK(refusal("\n\n\"x\n") == "station.args:3: the \" opened here is not closed on this line");
    CHECK(refusal("--uart a\n@other.args\n").starts_with("station.args:2: '@other.args': an arguments file cannot"));
}

TEST_CASE("@FILE is replaced in place, a word after -- and a lone @ are left alone") {
    testsupport::TempDir dir;
    const std::string file = (dir / "station.args").string();
    testsupport::write_text(file, "--uart /dev/ttyUSB0\n--baud 921600\n");
    CHECK(expand_args_files({"program", "@" + file, "app.hex"}) ==
          Words{"program", "--uart", "/dev/ttyUSB0", "--baud", "921600", "app.hex"});
    CHECK(expand_args_files({"program", "--", "@" + file}) == Words{"program", "--", "@" + file});
    CHECK(expand_args_files({"@"}) == Words{"@"});
    try {
        expand_args_files({"@" + (dir / "missing.args").string()});
        FAIL("a missing file was accepted");
    } catch (const dfu::Error& e) {
        CHECK(std::string(e.what()).find("missing.args: cannot read the arguments file") != std::string::npos);
    }
}
