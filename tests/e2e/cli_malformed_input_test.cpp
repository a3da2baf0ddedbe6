// Hostile and broken input: every case exits 3 with a message naming the file and the line
// (or JSON path), and the device receives nothing.
#include <doctest/doctest.h>

#include <filesystem>

#include "cli_runner.hpp"
#include "process.hpp"
#include "test_images.hpp"

using namespace testsupport;

namespace {

struct Case {
    const char* file;  // name in the temp folder; its extension picks the format
    std::string content;
    const char* expect;  // fragment after "<file>" in the message: ":LINE: ..." or ": path: ..."
};

std::string row_hex(std::size_t bytes) {
    return std::string(bytes * 2, 'a');
}

const std::string kApp =
    R"({"APPInfo": {"File Version": "0x1", "Product Id": "01020304", "Packet Checksum Type": "0x0"}, )";
const std::string kHdr = "010000000000000004030201\n";

std::vector<Case> cases() {
    std::string garbage;
    for (int i = 0; i < 300; ++i) garbage.push_back(static_cast<char>((i * 37) & 0xFF));
    return {
        // Intel HEX
        {"truncated.hex", ":020000041000EA\n:1000000001020304\n:00000001FF\n", ":2:"},
        {"checksum.hex", ":020000041000EA\n:0400000001020304F0\n:00000001FF\n", ":2: checksum"},
        {"odd.hex", ":020000041000EA\n:0400000001020304F\n:00000001FF\n", ":2:"},
        {"nothex.hex", ":020000041000EA\n:04000000010G0304F2\n:00000001FF\n", ":2:"},
        {"nocolon.hex", ":020000041000EA\n0400000001020304F2\n:00000001FF\n", ":2:"},
        {"count.hex", ":020000041000EA\n:1000000001020304E6\n:00000001FF\n", ":2:"},
        {"type06.hex", ":020000041000EA\n:0400000601020304EC\n:00000001FF\n", ":2:"},
        {"ext3.hex", ":03000004100000E9\n:00000001FF\n", ":1:"},
        {"extaddr.hex", ":020010041000DA\n:00000001FF\n", ":1:"},
        {"after-eof.hex", ":0400000001020304F2\n:00000001FF\n:0400100001020304E2\n", ":3:"},
        {"no-eof.hex", ":0400000001020304F2\n", ":1:"},
        {"empty.hex", "", ": "},
        {"only-eof.hex", ":00000001FF\n", ": "},
        {"overlap.hex", ":0400000001020304F2\n:0400020001020304F0\n:00000001FF\n", ":2:"},
        {"past-4gib.hex", ":02000004FFFFFC\n:10FFF800000102030405060708090A0B0C0D0E0F80\n:00000001FF\n", ":2:"},
        {"garbage.hex", garbage, ":1:"},
        {"eof-data.hex", ":0400000001020304F2\n:01000001AA54\n", ":2:"},
        {"start5.hex", ":0400000001020304F2\n:020000051000E9\n:00000001FF\n", ":2:"},
        // .cyacd2
        {"empty.cyacd2", "", ": "},
        {"version.cyacd2", "020000000000000004030201\n:00000010" + row_hex(128) + "\n", ":1:"},
        {"short-header.cyacd2", "0100000000000000040302\n", ":1:"},
        {"hex-header.cyacd2", "01000000000000000403020Z\n", ":1:"},
        {"checksum2.cyacd2", "010000000000020004030201\n:00000010" + row_hex(128) + "\n", ":1:"},
        {"sizes.cyacd2", kHdr + ":00000010" + row_hex(128) + "\n:80000010" + row_hex(256) + "\n", ":3:"},
        {"unaligned.cyacd2", kHdr + ":40000010" + row_hex(128) + "\n", ":2:"},
        {"duplicate.cyacd2", kHdr + ":00000010" + row_hex(128) + "\n:00000010" + row_hex(128) + "\n", ":3:"},
        {"directive.cyacd2", kHdr + "@FOO:1\n:00000010" + row_hex(128) + "\n", ":2:"},
        {"appinfo.cyacd2", kHdr + "@APPINFO:0x10000000\n:00000010" + row_hex(128) + "\n", ":2:"},
        {"eiv.cyacd2", kHdr + "@EIV:0102030405\n:00000010" + row_hex(128) + "\n", ":2:"},
        {"odd-row.cyacd2", kHdr + ":00000010" + row_hex(128) + "a\n", ":2:"},
        {"twelve.cyacd2", kHdr + ":00000010" + row_hex(12) + "\n", ":2:"},
        {"old.cyacd2", "0102030405060708090A0B0C\n", ":1:"},
        // .mtbdfu
        {"notjson.mtbdfu", "{\n\"APPInfo\": {\n}\n,,}\n", ":4:"},
        {"array.mtbdfu", "[1, 2]", ": "},
        {"noappinfo.mtbdfu", R"({"commands": [{"cmdId": "0x38"}]})", ": APPInfo"},
        {"type.mtbdfu", kApp + R"("commands": [{"cmdId": 56}]})", ": commands[0].cmdId"},
        {"typo.mtbdfu", kApp + R"("commands": [{"cmdid": "0x38"}]})", ": commands[0]"},
        {"repeat.mtbdfu", kApp + R"("commands": [{"cmdId": "0x31", "data": "00", "repeat": "0x200000"}]})",
         ": commands[0].repeat"},
        {"missing.mtbdfu", kApp + R"("commands": [{"dataFile": "none.hex", "cmdId": "0x37", "dataLength": "0x4"}]})",
         ": commands[0].dataFile"},
        {"dirfile.mtbdfu", kApp + R"("commands": [{"dataFile": "adir.hex", "cmdId": "0x37", "dataLength": "0x4"}]})",
         ": commands[0].dataFile"},
        {"self.mtbdfu", kApp + R"("commands": [{"cmdId": "0x31", "data": "00", "outFile": "self.mtbdfu"}]})",
         ": commands[0].outFile"},
        {"both.mtbdfu", kApp + R"("commands": [{"cmdId": "0x31", "data": "00", "dataBytes": ["0x00"]}]})",
         ": commands[0]"},
        {"eof.mtbdfu", kApp + R"("commands": [{"cmdId": "0x37", "dataLength": "0x10", "repeat": "EoF"}]})",
         ": commands[0]"},
        {"dupkey.mtbdfu", kApp + R"("commands": [{"cmdId": "0x31", "cmdId": "0x38"}]})", ": commands[0]"},
        {"checksum.mtbdfu",
         R"({"APPInfo": {"File Version": "0x1", "Product Id": "01020304", "Packet Checksum Type": "0x2"}, "commands": [{"cmdId": "0x38"}]})",
         ": APPInfo"},
        {"nesting.mtbdfu", kApp + R"("commands": )" + std::string(100, '[') + std::string(100, ']') + "}", ":1:"},
    };
}

}  // namespace

TEST_CASE("malformed inputs exit 3 naming file and line or JSON path, and the device sees nothing") {
    TempDir dir;
    Simulator sim(dir, {});
    std::filesystem::create_directory(dir / "adir.hex");
    std::filesystem::create_directory(dir / "folder.hex");
    const auto all = cases();
    REQUIRE(all.size() >= 40);
    for (const Case& c : all) {
        CAPTURE(c.file);
        const auto path = dir / c.file;
        write_text(path, c.content);
        const bool script = path.extension() == ".mtbdfu";
        std::vector<std::string> args{
            script ? "run" : "program", path.string(), "--uart", sim.pty(), "--product-id", "01020304"};
        if (script) args.erase(args.end() - 2, args.end());
        const auto r = dfuhost(args);
        INFO(r.err);
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, path.string() + c.expect));
    }
    // Files that are not files, and .bin edge cases.
    const auto folder = dfuhost({"program", (dir / "folder.hex").string(), "--uart", sim.pty()});
    CHECK(folder.exit_code == 3);
    CHECK(contains(folder.err, "is a directory"));
    write_text(dir / "empty.bin", "");
    const auto empty_bin = dfuhost({"program", (dir / "empty.bin").string(), "--base", "0", "--uart", sim.pty()});
    CHECK(empty_bin.exit_code == 3);
    CHECK(contains(empty_bin.err, "empty.bin: "));
    write_bytes(dir / "big.bin", random_bytes(512, 1));
    const auto past = dfuhost({"program", (dir / "big.bin").string(), "--base", "0xFFFFFF00", "--uart", sim.pty()});
    CHECK(past.exit_code == 3);
    CHECK(contains(past.err, "big.bin: "));
    CHECK(sim.trace().empty());
}
