// The .mtbdfu reader: the published samples, JSON syntax, the top level, APPInfo and sessions.
// Commands: test_mtbdfu_commands.cpp; data files and packet logs: test_mtbdfu_files.cpp.
#include <doctest/doctest.h>

#include <fmt/core.h>

#include <chrono>
#include <string>

#include "formats/intel_hex.hpp"
#include "formats/mtbdfu.hpp"
#include "mtbdfu_test_support.hpp"

using namespace dfu::formats;
using namespace dfu::formats::test;

namespace {

// The two shapes published in the DFU Host tool's documentation, byte for byte as in
// samples/mtbdfu/ (the first really spells "Packet Checkum Type").
const std::string kProgramBasic = R"({
"APPInfo": {
"File Version": "0x1",
"Packet Checkum Type": "0x0",
"Product Id": "01020304"
},
"commands": [
{
"commandSet":[
{
"cmdId":"0x37",
"dataLength":"0x10",
"repeat":"0x20"
},
{
"cmdId": "0x49",
"dataLength": "0x08"
}
],
"dataFile":"blinky_cm4_crc.hex",
"flashRowLength":"0x200",
"repeat": "EoF",
"timeoutMS": "0x12c"
}
]
}
)";

const std::string kProgramThenVerify = R"({
"APPInfo": {
"File Version": "0x1",
"Product Id": "01020304",
"Packet Checksum Type": "0x0"
},
"sessions": [
{
"commands": [
{
"dataFile":"blinky_cm4_crc.hex",
"commandSet":[
{
"cmdId":"0x37",
"dataLength":"0x39",
"repeat":"0x8"
},
{
"cmdId":"0x37",
"dataLength":"0x38"
},
{
"cmdId": "0x49",
"dataLength": "0x08"
}
],
"repeat":"EoF",
"flashRowLength":"0x200",
"outFile":"log.txt"
}
]
},
{
"commands": [
{
"dataFile":"blinky_cm4_crc.hex",
"commandSet":[
{
"cmdId":"0x37",
"dataLength":"0x39",
"repeat":"0x8"
},
{
"cmdId":"0x37",
"dataLength":"0x38"
},
{
"cmdId": "0x4A",
"dataLength": "0x08"
}
],
"repeat":"EoF",
"flashRowLength":"0x200"
}
]
}
]
}
)";

}  // namespace

// ---------------------------------------------------------------------------------------------
// The published samples

TEST_CASE("mtbdfu: the published program-basic sample") {
    TempDir dir;
    const SparseImage image = blinky();
    dir.write("blinky_cm4_crc.hex", write_intel_hex(image));
    const auto file = dir.write("program-basic.mtbdfu", kProgramBasic);

    const Mtbdfu m = load_mtbdfu(file);
    CHECK(m.file == file.string());
    CHECK(m.folder == dir.path());
    CHECK(m.app_info.file_version == 1);
    CHECK(m.app_info.checksum_type == 0);  // from the misspelled "Packet Checkum Type"
    CHECK(m.app_info.product_id == 0x01020304u);
    CHECK_FALSE(m.app_info.app_id);
    CHECK_FALSE(m.app_info.timeout_ms);
    CHECK_FALSE(m.app_info.flash_row_length);

    REQUIRE(m.sessions.size() == 1);
    CHECK(m.sessions[0].json_path == "commands");
    REQUIRE(m.sessions[0].commands.size() == 1);
    const MtbdfuCommand& group = m.sessions[0].commands[0];
    CHECK(group.json_path == "commands[0]");
    CHECK(group.is_group());
    CHECK_FALSE(group.cmd_id);
    CHECK_FALSE(group.delay_only);
    CHECK(group.repeat_eof);
    CHECK_FALSE(group.repeat);
    CHECK(group.flash_row_length == 0x200u);
    CHECK(group.timeout == std::chrono::microseconds(300'000));
    REQUIRE(group.data_file);
    CHECK(group.data_file->path == dir.path() / "blinky_cm4_crc.hex");
    REQUIRE(group.data_file->image);
    CHECK(*group.data_file->image == image);

    REQUIRE(group.command_set.size() == 2);
    const MtbdfuCommand& send = group.command_set[0];
    CHECK(send.json_path == "commands[0].commandSet[0]");
    CHECK(send.cmd_id == 0x37);
    CHECK(send.data_length == 0x10u);
    CHECK(send.repeat == 0x20u);
    CHECK_FALSE(send.repeat_eof);
    CHECK_FALSE(send.data_file);  // inherited from the group, not copied
    CHECK_FALSE(send.timeout);
    const MtbdfuCommand& program = group.command_set[1];
    CHECK(program.json_path == "commands[0].commandSet[1]");
    CHECK(program.cmd_id == 0x49);
    CHECK(program.data_length == 8u);
    CHECK_FALSE(program.repeat);
    CHECK(program.command_set.empty());
}

TEST_CASE("mtbdfu: the published program-then-verify sample") {
    TempDir dir;
    const SparseImage image = blinky();
    dir.write("blinky_cm4_crc.hex", write_intel_hex(image));
    const auto file = dir.write("program-then-verify.mtbdfu", kProgramThenVerify);

    const Mtbdfu m = load_mtbdfu(file);
    CHECK(m.app_info.checksum_type == 0);
    CHECK(m.app_info.product_id == 0x01020304u);
    REQUIRE(m.sessions.size() == 2);
    CHECK(m.sessions[0].json_path == "sessions[0]");
    CHECK(m.sessions[1].json_path == "sessions[1]");

    const std::uint8_t last_cmd[] = {0x49, 0x4A};
    for (std::size_t s = 0; s < 2; ++s) {
        CAPTURE(s);
        REQUIRE(m.sessions[s].commands.size() == 1);
        const MtbdfuCommand& group = m.sessions[s].commands[0];
        CHECK(group.json_path == fmt::format("sessions[{}].commands[0]", s));
        CHECK(group.repeat_eof);
        CHECK(group.flash_row_length == 0x200u);
        REQUIRE(group.data_file);
        CHECK(*group.data_file->image == image);
        REQUIRE(group.command_set.size() == 3);
        CHECK(group.command_set[0].cmd_id == 0x37);
        CHECK(group.command_set[0].data_length == 0x39u);
        CHECK(group.command_set[0].repeat == 8u);
        CHECK(group.command_set[1].cmd_id == 0x37);
        CHECK(group.command_set[1].data_length == 0x38u);
        CHECK_FALSE(group.command_set[1].repeat);
        CHECK(group.command_set[2].cmd_id == last_cmd[s]);
        CHECK(group.command_set[2].data_length == 8u);
        CHECK(group.command_set[2].json_path == fmt::format("sessions[{}].commands[0].commandSet[2]", s));
    }
    CHECK(m.sessions[0].commands[0].out_file == dir.path() / "log.txt");
    CHECK_FALSE(m.sessions[1].commands[0].out_file);
    // The file is loaded once and shared.
    CHECK(m.sessions[0].commands[0].data_file->image == m.sessions[1].commands[0].data_file->image);
}

TEST_CASE("mtbdfu: load_mtbdfu reports a missing file") {
    TempDir dir;
    const auto file = dir.path() / "absent.mtbdfu";
    CHECK_INPUT_ERROR(load_mtbdfu(file), file.string() + ": ", "no such file");
}

// ---------------------------------------------------------------------------------------------
// JSON syntax

TEST_CASE("mtbdfu: a JSON syntax error gives the line and column") {
    const std::string text =
        "{\n" + kAppInfo + ",\n\"commands\": [\n  {\"cmdId\": \"0x38\"}\n  {\"cmdId\": \"0x3B\"}\n]}";
    CHECK_INPUT_ERROR(parse(text), "t.mtbdfu:5: ", "invalid JSON at column 3");
}

TEST_CASE("mtbdfu: an error inside a string is placed on its own line") {
    const std::string text = "{\n" + kAppInfo + ",\n\"commands\": [{\"cmdId\": \"0x\n38\"}]}";
    CHECK_INPUT_ERROR(parse(text), "t.mtbdfu:3: ", "control character");
}

TEST_CASE("mtbdfu: empty text and trailing garbage are syntax errors") {
    CHECK_INPUT_ERROR(parse(""), "t.mtbdfu:1: ", "unexpected end of input");
    CHECK_INPUT_ERROR(parse(one(R"("cmdId": "0x38")") + "\n\nx"), "t.mtbdfu:3: ", "invalid JSON at column 1");
}

TEST_CASE("mtbdfu: a number too large for a double is an input error with its place, not a crash") {
    // Found by fuzzing: nlohmann throws out_of_range (not parse_error) for it, without a position.
    CHECK_INPUT_ERROR(parse("5E552"), "t.mtbdfu:1: ", "invalid JSON at column 5: number overflow parsing '5E552'");
    const std::string text = "{\n" + kAppInfo + ",\n\"commands\": [{\"cmdId\": -1e999}]}";
    CHECK_INPUT_ERROR(parse(text), "t.mtbdfu:3: ", "invalid JSON at column 29: number overflow parsing '-1e999'");
}

TEST_CASE("mtbdfu: a field given twice is rejected") {
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x38", "cmdId": "0x3B")"), "commands[0]: ", "field 'cmdId' is given twice");
    CHECK_MTBDFU_ERROR(
        R"({"APPInfo": {"File Version": "0x1", "Product Id": "0", "Packet Checksum Type": "0",
            "Product Id": "1"}, "commands": [{"cmdId": "0x38"}]})",
        "APPInfo: ", "field 'Product Id' is given twice");
    CHECK_MTBDFU_ERROR(R"({"APPInfo": {}, "APPInfo": {}})", "", "field 'APPInfo' is given twice at the top level");
    // Keys in different objects, or in objects inside arrays, do not clash.
    const Mtbdfu m = parse(doc(R"({"cmdId": "0x38"}, {"cmdId": "0x3B"})"));
    CHECK(m.sessions[0].commands.size() == 2);
    CHECK_MTBDFU_ERROR(doc(R"({"cmdId": "0x38"}, {"commandSet": [{"cmdId": "1"}, {"cmdId": "2", "cmdId": "3"}]})"),
                       "commands[1].commandSet[1]: ", "field 'cmdId' is given twice");
}

TEST_CASE("mtbdfu: absurdly deep JSON is refused before it is built") {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    CHECK_INPUT_ERROR(parse("{\n" + kAppInfo + ",\n\"comment\": " + deep + "}"),
                      "t.mtbdfu:3: ", "nested more than 64 levels deep at column 75");
    // Brackets inside strings do not count.
    const std::string brackets(200, '[');
    CHECK(first(parse(one(R"("comment": ")" + brackets + R"(\"", "cmdId": "0x38")"))).cmd_id == 0x38);
}

TEST_CASE("mtbdfu: a UTF-8 byte order mark is accepted") {
    const Mtbdfu m = parse("\xEF\xBB\xBF" + one(R"("cmdId": "0x38")"));
    CHECK(first(m).cmd_id == 0x38);
}

// ---------------------------------------------------------------------------------------------
// Top level and APPInfo

TEST_CASE("mtbdfu: the top level must be an object") {
    CHECK_MTBDFU_ERROR("[]", "", "must hold one JSON object");
    CHECK_MTBDFU_ERROR("\"x\"", "", "found a string");
}

TEST_CASE("mtbdfu: APPInfo is required") {
    CHECK_MTBDFU_ERROR(R"({"commands": [{"cmdId": "0x38"}]})", "", "APPInfo is required");
}

TEST_CASE("mtbdfu: exactly one of commands and sessions") {
    CHECK_MTBDFU_ERROR("{" + kAppInfo + "}", "", "add \"commands\"");
    CHECK_MTBDFU_ERROR("{" + kAppInfo + R"(, "commands": [{"cmdId": "0x38"}], "sessions": []})", "",
                       "either \"commands\" (one session) or \"sessions\"");
}

TEST_CASE("mtbdfu: unknown top-level field with a suggestion") {
    CHECK_MTBDFU_ERROR(R"({"AppInfo": {}, "commands": []})", "",
                       "unknown top-level field \"AppInfo\"; did you mean 'APPInfo'?");
    CHECK_MTBDFU_ERROR("{" + kAppInfo + R"(, "session": []})", "", "did you mean 'sessions'?");
    CHECK_MTBDFU_ERROR("{" + kAppInfo + R"(, "firmware": []})", "", "the fields allowed here are: APPInfo, commands");
}

TEST_CASE("mtbdfu: APPInfo optional fields") {
    const Mtbdfu m = parse(with_app_info(R"({"File Version": "0x2", "Product Id": "0x1A2B3C4D",
        "Packet Checksum Type": "1", "Application Id": "0x3", "timeoutMS": "0x3E8", "flashRowLength": "100"})"));
    CHECK(m.app_info.file_version == 2);
    CHECK(m.app_info.product_id == 0x1A2B3C4Du);
    CHECK(m.app_info.checksum_type == 1);
    CHECK(m.app_info.app_id == 3);
    CHECK(m.app_info.timeout_ms == 1000u);
    CHECK(m.app_info.flash_row_length == 0x100u);
}

TEST_CASE("mtbdfu: APPInfo required fields") {
    CHECK_MTBDFU_ERROR(with_app_info(R"({"Product Id": "01020304", "Packet Checksum Type": "0"})"),
                       "APPInfo: ", "\"File Version\" is required");
    CHECK_MTBDFU_ERROR(with_app_info(R"({"File Version": "0x1", "Packet Checksum Type": "0"})"),
                       "APPInfo: ", "\"Product Id\" is required");
    CHECK_MTBDFU_ERROR(with_app_info(R"({"File Version": "0x1", "Product Id": "01020304"})"),
                       "APPInfo: ", "\"Packet Checksum Type\" is required");
    CHECK_MTBDFU_ERROR(with_app_info("[]"), "APPInfo: ", "must be an object");
}

TEST_CASE("mtbdfu: APPInfo values out of range") {
    CHECK_MTBDFU_ERROR(
        with_app_info(R"({"File Version": "0x1", "Product Id": "01020304", "Packet Checksum Type": "0x2"})"),
        "APPInfo[\"Packet Checksum Type\"]: ", "\"0x2\" is out of range: it must be 0x0 to 0x1");
    CHECK_MTBDFU_ERROR(
        with_app_info(R"({"File Version": "0x1", "Product Id": "01020304", "Packet Checkum Type": "0x2"})"),
        "APPInfo[\"Packet Checkum Type\"]: ", "out of range");
    CHECK_MTBDFU_ERROR(with_app_info(R"({"File Version": "0x1", "Product Id": "01020304",
        "Packet Checksum Type": "0x0", "Application Id": "0x100"})"),
                       "APPInfo[\"Application Id\"]: ", "0x0 to 0xFF");
    CHECK_MTBDFU_ERROR(
        with_app_info(R"({"File Version": "0x1", "Product Id": "102030405", "Packet Checksum Type": "0x0"})"),
        "APPInfo[\"Product Id\"]: ", "0x0 to 0xFFFFFFFF (32 bits)");
    CHECK_MTBDFU_ERROR(with_app_info(R"({"File Version": "0x1", "Product Id": "1", "Packet Checksum Type": "0",
        "timeoutMS": "0"})"),
                       "APPInfo.timeoutMS: ", "0x1 to 0xFFFFFFFF");
}

TEST_CASE("mtbdfu: both checksum spellings at once are rejected") {
    CHECK_MTBDFU_ERROR(with_app_info(R"({"File Version": "0x1", "Product Id": "1", "Packet Checksum Type": "0",
        "Packet Checkum Type": "0"})"),
                       "APPInfo: ", "both 'Packet Checksum Type' and 'Packet Checkum Type' are given");
}

TEST_CASE("mtbdfu: unknown APPInfo field with a suggestion") {
    CHECK_MTBDFU_ERROR(with_app_info(R"({"File Version": "0x1", "Product ID": "1", "Packet Checksum Type": "0"})"),
                       "APPInfo: ", "unknown field \"Product ID\"; did you mean 'Product Id'?");
    CHECK_MTBDFU_ERROR(with_app_info(R"({"File Version": "0x1", "Product Id": "1", "Packet Checksum Typ": "0"})"),
                       "APPInfo: ", "did you mean 'Packet Checksum Type'?");
}

TEST_CASE("mtbdfu: comment is ignored everywhere and may be any JSON type") {
    const Mtbdfu m = parse(R"({"comment": {"a": 1}, "APPInfo": {"comment": 5, "File Version": "0x1",
        "Product Id": "1", "Packet Checksum Type": "0"}, "sessions": [{"comment": ["x"], "commands": [
        {"comment": null, "cmdId": "0x38"}, {"comment": true, "delayMS": "0x1"},
        {"comment": "group", "commandSet": [{"comment": 1.5, "cmdId": "0x3B"}]}]}]})");
    REQUIRE(m.sessions[0].commands.size() == 3);
    CHECK(m.sessions[0].commands[0].cmd_id == 0x38);
    CHECK(m.sessions[0].commands[1].delay_only);
    CHECK(m.sessions[0].commands[2].command_set.at(0).cmd_id == 0x3B);
}

// ---------------------------------------------------------------------------------------------
// Sessions

TEST_CASE("mtbdfu: sessions shape errors") {
    const std::string head = "{" + kAppInfo + R"(, "sessions": )";
    CHECK_MTBDFU_ERROR(head + "[]}", "sessions: ", "is empty");
    CHECK_MTBDFU_ERROR(head + "{}}", "sessions: ", "must be an array");
    CHECK_MTBDFU_ERROR(head + R"([{"commands": [{"cmdId": "0x38"}]}, 5]})", "sessions[1]: ", "must be an object");
    CHECK_MTBDFU_ERROR(head + R"([{"commands": [{"cmdId": "0x38"}]}, {}]})", "sessions[1]: ", "has no \"commands\"");
    CHECK_MTBDFU_ERROR(head + R"([{"commands": []}]})", "sessions[0].commands: ", "is empty");
    CHECK_MTBDFU_ERROR(head + R"([{"commands": {}}]})", "sessions[0].commands: ", "must be an array");
    CHECK_MTBDFU_ERROR(head + R"([{"command": []}]})", "sessions[0]: ", "did you mean 'commands'?");
    CHECK_MTBDFU_ERROR(head + R"([{"commands": ["0x38"]}]})", "sessions[0].commands[0]: ", "must be an object");
}

TEST_CASE("mtbdfu: top-level commands shape errors") {
    CHECK_MTBDFU_ERROR(doc(""), "commands: ", "is empty; a session needs at least one command");
    CHECK_MTBDFU_ERROR("{" + kAppInfo + R"(, "commands": "0x38"})", "commands: ", "must be an array");
}
