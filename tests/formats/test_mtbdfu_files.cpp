// The .mtbdfu reader: data files (dataFile, offset) and packet logs (outFile).
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "formats/intel_hex.hpp"
#include "formats/mtbdfu.hpp"
#include "mtbdfu_test_support.hpp"

using namespace dfu::formats;
using namespace dfu::formats::test;
using Bytes = std::vector<std::uint8_t>;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Data files

TEST_CASE("mtbdfu: data files by extension") {
    TempDir dir;
    SparseImage image;
    REQUIRE(image.add(0x20000, Bytes{1, 2, 3, 4}));
    dir.write("a.hex", write_intel_hex(image));
    dir.write("b.ihex", write_intel_hex(image));
    dir.write("c.HEX", write_intel_hex(image));
    dir.write("d.bin", "\x05\x06\x07");
    dir.write("e.cyacd2", ":hello");  // anything else is raw bytes
    const Mtbdfu m =
        parse_mtbdfu(doc(R"({"cmdId": "0x37", "dataFile": "a.hex"}, {"cmdId": "0x37", "dataFile": "b.ihex"},
        {"cmdId": "0x37", "dataFile": "c.HEX"}, {"cmdId": "0x37", "dataFile": "d.bin"},
        {"cmdId": "0x37", "dataFile": "e.cyacd2"})"),
                     dir.path() / "t.mtbdfu");
    const auto& c = m.sessions[0].commands;
    for (std::size_t i = 0; i < 3; ++i) {
        CAPTURE(i);
        CHECK(*c[i].data_file->image == image);
    }
    CHECK(c[0].data_file->path == dir.path() / "a.hex");
    SparseImage raw;
    REQUIRE(raw.add(0, Bytes{5, 6, 7}));
    CHECK(*c[3].data_file->image == raw);
    CHECK(c[4].data_file->image->size() == 6);
    CHECK(c[4].data_file->image->lowest() == 0);
}

TEST_CASE("mtbdfu: data files are resolved against the folder of the .mtbdfu") {
    TempDir dir;
    fs::create_directories(dir.path() / "fw");
    dir.write("fw/app.bin", "xyz");
    const auto abs = (dir.path() / "fw" / "app.bin").string();
    const Mtbdfu m = parse_mtbdfu(doc(R"({"cmdId": "0x37", "dataFile": "fw/app.bin"},
        {"cmdId": "0x37", "dataFile": "./fw/../fw/app.bin"}, {"cmdId": "0x37", "dataFile": )" +
                                      json_quote(abs) + "}"),
                                  dir.path() / "t.mtbdfu");
    const auto& c = m.sessions[0].commands;
    CHECK(c[0].data_file->path == dir.path() / "fw" / "app.bin");
    CHECK(c[1].data_file->path == dir.path() / "fw" / "app.bin");
    CHECK(c[2].data_file->path == fs::path(abs));
    // One load for every spelling of the same file.
    CHECK(c[0].data_file->image == c[1].data_file->image);
    CHECK(c[0].data_file->image == c[2].data_file->image);
}

TEST_CASE("mtbdfu: a missing or unreadable data file names both paths") {
    TempDir dir;
    fs::create_directories(dir.path() / "sub.hex");
    const auto missing = (dir.path() / "nope.hex").string();
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x37", "dataFile": "nope.hex")"),
                          "commands[0].dataFile: ", "cannot read the data file: " + missing + ": no such file");
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x37", "dataFile": "nope.hex")"),
                          "commands[0].dataFile: ", "\"nope.hex\" is relative to the folder of");
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x37", "dataFile": "sub.hex")"),
                          "commands[0].dataFile: ", "is a directory");
    dir.write("empty.bin", "");
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x37", "dataFile": "empty.bin")"),
                          "commands[0].dataFile: ", "file is empty");
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x37", "dataFile": 5)"),
                          "commands[0].dataFile: ", "must be a file name");
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x37", "dataFile": "")"), "commands[0].dataFile: ", "is empty");
}

TEST_CASE("mtbdfu: an Intel HEX data file with errors gives its file and line") {
    TempDir dir;
    const auto hex = dir.write("bad.hex", ":0400000001020304F2\n:0400040001020304FF\n:00000001FF\n");
    const std::string text = "{" + kAppInfo + R"(, "sessions": [{"commands": [{"cmdId": "0x38"}]},
        {"commands": [{"dataFile": "bad.hex", "commandSet": [{"cmdId": "0x37", "dataLength": "0x4"}]}]}]})";
    CHECK_MTBDFU_ERROR_IN(dir, text, "sessions[1].commands[0].dataFile: ", hex.string() + ":2: checksum is 0xFF");
}

TEST_CASE("mtbdfu: offset and startOffset") {
    TempDir dir;
    dir.write("app.bin", std::string(0x100, 'a'));
    const auto path = dir.path() / "t.mtbdfu";
    const Mtbdfu m = parse_mtbdfu(doc(R"({"cmdId": "0x37", "dataFile": "app.bin", "offset": "0x10"},
        {"dataFile": "app.bin", "startOffset": "0xFF", "commandSet": [{"cmdId": "0x37", "startOffset": "0x20"}]})"),
                                  path);
    const auto& c = m.sessions[0].commands;
    CHECK(c[0].offset == 0x10u);
    CHECK(c[1].offset == 0xFFu);
    CHECK(c[1].command_set.at(0).offset == 0x20u);  // inherited data file

    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x37", "dataFile": "app.bin", "offset": "0x100")"),
                          "commands[0].offset: ", "0x100 is past the end of the data file");
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x37", "data": "00", "startOffset": "0x0")"),
                          "commands[0].startOffset: ", "there is no dataFile");
}

TEST_CASE("mtbdfu: the offset counts from the lowest address of a hex image") {
    TempDir dir;
    SparseImage image;
    REQUIRE(image.add(0x10000000, Bytes(0x40, 0xEE)));
    dir.write("app.hex", write_intel_hex(image));
    CHECK(
        first(parse_mtbdfu(one(R"("cmdId": "0x37", "dataFile": "app.hex", "offset": "0x3F")"), dir.path() / "t.mtbdfu"))
            .offset == 0x3Fu);
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x37", "dataFile": "app.hex", "offset": "0x40")"),
                          "commands[0].offset: ", "spans 0x40 bytes from 0x10000000");
}

// ---------------------------------------------------------------------------------------------
// outFile

TEST_CASE("mtbdfu: outFile is resolved next to the .mtbdfu") {
    TempDir dir;
    const Mtbdfu m = parse_mtbdfu(doc(R"({"cmdId": "0x38", "outFile": "logs/run.txt"}, {"cmdId": "0x3B"})"),
                                  dir.path() / "t.mtbdfu");
    CHECK(m.sessions[0].commands[0].out_file == dir.path() / "logs" / "run.txt");
    CHECK_FALSE(m.sessions[0].commands[1].out_file);
    // Relative to the current directory when the .mtbdfu is given without a folder.
    CHECK(first(parse(one(R"("cmdId": "0x38", "outFile": "log.txt")"))).out_file == fs::path("log.txt"));
}

TEST_CASE("mtbdfu: outFile stays in the .mtbdfu's folder and does not follow links") {
    TempDir dir;
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x38", "outFile": "/etc/cron.d/x")"),
                          "commands[0].outFile: ", "\"/etc/cron.d/x\" is outside the folder of the .mtbdfu");
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x38", "outFile": "../x.txt")"),
                          "commands[0].outFile: ", "is outside the folder");
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x38", "outFile": "logs/../../x.txt")"),
                          "commands[0].outFile: ", "is outside the folder");
    std::error_code no_symlinks;  // Windows without developer mode, wine: nothing to follow
    fs::create_symlink("/tmp/somewhere-else.txt", dir.path() / "link.txt", no_symlinks);
    if (!no_symlinks)
        CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x38", "outFile": "link.txt")"),
                              "commands[0].outFile: ", "link.txt is a symbolic link");
    else
        MESSAGE("this system cannot make symbolic links; the link case is not run: ", no_symlinks.message());
    // Inside is fine, however it is spelled.
    CHECK(parse_mtbdfu(doc(R"({"cmdId": "0x38", "outFile": "logs/../run.txt"})"), dir.path() / "t.mtbdfu")
              .sessions[0]
              .commands[0]
              .out_file == dir.path() / "run.txt");
}

TEST_CASE("mtbdfu: outFile must not overwrite an input") {
    TempDir dir;
    dir.write("app.bin", "abc");
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x38", "outFile": "t.mtbdfu")"),
                          "commands[0].outFile: ", "is this .mtbdfu file");
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x38", "outFile": "./sub/../t.mtbdfu")"),
                          "commands[0].outFile: ", "is this .mtbdfu file");
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x37", "dataFile": "app.bin", "outFile": "app.bin")"),
                          "commands[0].outFile: ", "is the data file of commands[0].dataFile");
    // A data file named later in the document counts too.
    const std::string text = "{" + kAppInfo + R"(, "sessions": [{"commands": [{"cmdId": "0x38", "outFile": "app.bin"}]},
        {"commands": [{"dataFile": "app.bin", "commandSet": [{"cmdId": "0x37", "dataLength": "0x3"}]}]}]})";
    CHECK_MTBDFU_ERROR_IN(dir, text,
                          "sessions[0].commands[0].outFile: ", "is the data file of sessions[1].commands[0].dataFile");
    fs::create_directories(dir.path() / "logs");
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x38", "outFile": "logs")"), "commands[0].outFile: ", "is a directory");
    CHECK_MTBDFU_ERROR_IN(dir, one(R"("cmdId": "0x38", "outFile": 1)"), "commands[0].outFile: ", "must be a file name");
}
