#include <doctest/doctest.h>

#include <fmt/core.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "formats/intel_hex.hpp"
#include "formats/mtbdfu.hpp"
#include "formats/sparse_image.hpp"
#include "test_support.hpp"

using namespace dfu::formats;
using namespace std::chrono_literals;
using dfu::formats::test::contains;
using dfu::formats::test::iota_bytes;
using dfu::formats::test::TempDir;
using Bytes = std::vector<std::uint8_t>;
namespace fs = std::filesystem;

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

const std::string kAppInfo =
    R"("APPInfo": {"File Version": "0x1", "Product Id": "01020304", "Packet Checksum Type": "0x0"})";

// A document with one top-level session holding `commands` (the text inside the array).
std::string doc(const std::string& commands) {
    return "{" + kAppInfo + R"(, "commands": [)" + commands + "]}";
}

// A document with one command made of `fields`.
std::string one(const std::string& fields) {
    return doc("{" + fields + "}");
}

// A document with the given APPInfo object and one Enter DFU command.
std::string with_app_info(const std::string& app_info) {
    return R"({"APPInfo": )" + app_info + R"(, "commands": [{"cmdId": "0x38"}]})";
}

// A JSON string literal for `s`.
std::string json_quote(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

Mtbdfu parse(const std::string& text) {
    return parse_mtbdfu(text, "t.mtbdfu");
}

const MtbdfuCommand& first(const Mtbdfu& m) {
    return m.sessions.at(0).commands.at(0);
}

// A small firmware image: two 512-byte rows at 0x10000000.
SparseImage blinky() {
    SparseImage image;
    REQUIRE(image.add(0x10000000, iota_bytes(1024, 7)));
    return image;
}

}  // namespace

// Asserts that parsing TEXT as "t.mtbdfu" fails with "t.mtbdfu: PATH..." containing FRAGMENT.
#define CHECK_MTBDFU_ERROR(TEXT, PATH, FRAGMENT) \
    CHECK_INPUT_ERROR(parse(TEXT), std::string("t.mtbdfu: ") + (PATH), FRAGMENT)

// The same for a .mtbdfu in the folder DIR (a TempDir).
#define CHECK_MTBDFU_ERROR_IN(DIR, TEXT, PATH, FRAGMENT)             \
    CHECK_INPUT_ERROR(parse_mtbdfu(TEXT, (DIR).path() / "t.mtbdfu"), \
                      ((DIR).path() / "t.mtbdfu").string() + ": " + std::string(PATH), FRAGMENT)

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

// ---------------------------------------------------------------------------------------------
// Hex numbers

TEST_CASE("mtbdfu: numbers are hex with or without 0x") {
    const Mtbdfu m = parse(doc(R"({"cmdId": "38", "retriesCount": "10"}, {"cmdId": "0X3b", "retriesCount": "0x10"},
        {"cmdId": "0x31", "retriesCount": "0x00000000010"})"));
    const auto& c = m.sessions[0].commands;
    CHECK(c[0].cmd_id == 0x38);
    CHECK(c[0].retries == 16u);
    CHECK(c[1].cmd_id == 0x3B);
    CHECK(c[1].retries == 16u);
    CHECK(c[2].retries == 16u);
}

TEST_CASE("mtbdfu: a JSON number bool or object where a hex string is wanted") {
    const std::string head = "{" + kAppInfo + R"(, "sessions": [{"commands": [{"cmdId": "0x38"}, )";
    CHECK_MTBDFU_ERROR(head + R"({"cmdId": "0x37", "dataLength": 16, "data": "00"}]}]})",
                       "sessions[0].commands[1].dataLength: ", "must be a hex string like \"0x10\", found a number");
    CHECK_MTBDFU_ERROR(head + R"({"cmdId": true}]}]})", "sessions[0].commands[1].cmdId: ", "found a boolean");
    CHECK_MTBDFU_ERROR(head + R"({"cmdId": {}}]}]})", "sessions[0].commands[1].cmdId: ", "found an object");
    CHECK_MTBDFU_ERROR(head + R"({"cmdId": null}]}]})", "sessions[0].commands[1].cmdId: ", "found null");
}

TEST_CASE("mtbdfu: a string that is not hex") {
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0xZZ")"), "commands[0].cmdId: ", "\"0xZZ\" is not a hex number");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "")"), "commands[0].cmdId: ", "is not a hex number");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x")"), "commands[0].cmdId: ", "is not a hex number");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": " 0x38")"), "commands[0].cmdId: ", "is not a hex number");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "-1")"), "commands[0].cmdId: ", "is not a hex number");
}

TEST_CASE("mtbdfu: values out of range say the range") {
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x100")"),
                       "commands[0].cmdId: ", "\"0x100\" is out of range: it must be 0x0 to 0xFF");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x38", "reconnect": "0x100000000")"),
                       "commands[0].reconnect: ", "0x0 to 0xFFFFFFFF (32 bits)");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x38", "retriesCount": "123456789ABCDEF0123")"),
                       "commands[0].retriesCount: ", "out of range");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x38", "rsp": "0x1FF")"), "commands[0].rsp: ", "0x0 to 0xFF");
}

// ---------------------------------------------------------------------------------------------
// Command fields

TEST_CASE("mtbdfu: cmdId is required") {
    CHECK_MTBDFU_ERROR(one(R"("dataLength": "0x0")"), "commands[0]: ", "cmdId is required");
    CHECK_MTBDFU_ERROR(doc(R"({"cmdId": "0x38"}, {})"), "commands[1]: ", "cmdId is required");
}

TEST_CASE("mtbdfu: unknown command field with a suggestion") {
    CHECK_MTBDFU_ERROR(one(R"("cmdID": "0x38")"), "commands[0]: ", "unknown field \"cmdID\"; did you mean 'cmdId'?");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "dataLenght": "0x1")"), "commands[0]: ", "did you mean 'dataLength'?");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "repet": "0x1")"), "commands[0]: ", "did you mean 'repeat'?");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "timeoutMs": "0x1")"), "commands[0]: ", "did you mean 'timeoutMS'?");
    CHECK_MTBDFU_ERROR(doc(R"({"commandSet": [{"cmdId": "0x37", "Data": "00"}]})"),
                       "commands[0].commandSet[0]: ", "did you mean 'data'?");
}

TEST_CASE("mtbdfu: unknown command field without a suggestion lists the fields") {
    const auto err = test::catch_input_error([] { parse(one(R"("cmdId": "0x38", "payloadBytes": "00")")); });
    REQUIRE(err);
    const std::string what = err->what();
    CHECK(contains(what, "t.mtbdfu: commands[0]: unknown field \"payloadBytes\""));
    CHECK_FALSE(contains(what, "did you mean"));
    CHECK(contains(what, "cmdId, dataLength, data, dataBytes, dataFile, repeat, commandSet"));
}

TEST_CASE("mtbdfu: data and dataBytes in every written form") {
    const Bytes expected{0x01, 0x02, 0x0A};
    for (const char* form :
         {R"("data": "01 02 0A")", R"("data": "01020A")", R"("data": "0x01 0x02 0x0A")", R"("data": "0x1 0x2 0xa")",
          R"("data": "  01\t02\n0a ")", R"("data": "0102 0A")", R"("data": "1 2 A")", R"("data": ["0x01", "02", "A"])",
          R"("dataBytes": "01 02 0A")", R"("dataBytes": ["0x01", "0x02", "0x0A"])"}) {
        CAPTURE(form);
        const Mtbdfu m = parse(one(std::string(R"("cmdId": "0x37", )") + form));
        CHECK(first(m).data == expected);
        CHECK_FALSE(first(m).data_length);
    }
}

TEST_CASE("mtbdfu: empty data is zero bytes") {
    for (const char* form : {R"("data": "")", R"("data": [])", R"("dataBytes": "  ")"}) {
        CAPTURE(form);
        const Mtbdfu m = parse(one(std::string(R"("cmdId": "0x38", "dataLength": "0", )") + form));
        CHECK(first(m).data == Bytes{});
        CHECK(first(m).data_length == 0u);
    }
}

TEST_CASE("mtbdfu: bad data bytes") {
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "data": "01 0x0102")"), "commands[0].data: ", "item 2 (\"0x0102\")");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "data": "01 0G")"),
                       "commands[0].data: ", "'G', which is not a hex digit");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "data": "01,02")"), "commands[0].data: ", "',', which is not");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "data": "010")"), "commands[0].data: ", "odd number of hex digits");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "dataBytes": ["0x01", 2])"),
                       "commands[0].dataBytes[1]: ", "must be a hex string like \"0x01\", found a number");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "data": ["0102"])"), "commands[0].data[0]: ", "is not one hex byte");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "data": 1)"), "commands[0].data: ", "must be hex bytes");
}

TEST_CASE("mtbdfu: dataLength and data must agree") {
    const Mtbdfu m = parse(one(R"("cmdId": "0x38", "dataLength": "0x4", "data": "04 03 02 01")"));
    CHECK(first(m).data_length == 4u);
    CHECK(first(m).data == Bytes{4, 3, 2, 1});
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x38", "dataLength": "0x5", "data": "04 03 02 01")"),
                       "commands[0]: ", "dataLength is 0x5 (5) but 'data' holds 4 bytes");
}

TEST_CASE("mtbdfu: dataLength is at most 0xFFFF") {
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "dataLength": "0x10000")"), "commands[0].dataLength: ", "0x0 to 0xFFFF");
}

TEST_CASE("mtbdfu: dataLength needs something to send") {
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "dataLength": "0x10")"), "commands[0].dataLength: ", "nothing to send");
    CHECK(first(parse(one(R"("cmdId": "0x38", "dataLength": "0x0")"))).data_length == 0u);
}

TEST_CASE("mtbdfu: expected response fields") {
    const Mtbdfu m = parse(doc(R"({"cmdId": "0x38", "rsp": "0x00", "response": "00 00 00 00 01 02 03 01"},
        {"cmdId": "0x31", "statusCode": "5", "response": ["0x01"]}, {"cmdId": "0x3B"})"));
    const auto& c = m.sessions[0].commands;
    CHECK(c[0].expect.status == 0);
    CHECK(c[0].expect.data == Bytes{0, 0, 0, 0, 1, 2, 3, 1});
    CHECK(c[1].expect.status == 5);
    CHECK(c[1].expect.data == Bytes{1});
    CHECK_FALSE(c[2].expect.status);
    CHECK_FALSE(c[2].expect.data);
}

TEST_CASE("mtbdfu: output and outCli") {
    const Mtbdfu m = parse(doc(R"({"cmdId": "0x38", "output": true}, {"cmdId": "0x38", "output": "false"},
        {"cmdId": "0x38", "outCli": "TRUE"}, {"cmdId": "0x38", "outCli": false}, {"cmdId": "0x38"})"));
    const auto& c = m.sessions[0].commands;
    CHECK(c[0].output == true);
    CHECK(c[1].output == false);
    CHECK(c[2].output == true);
    CHECK(c[3].output == false);
    CHECK_FALSE(c[4].output);
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x38", "output": "yes")"), "commands[0].output: ", "must be true or false");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x38", "outCli": 1)"), "commands[0].outCli: ", "found a number");
}

TEST_CASE("mtbdfu: retriesCount and reconnect") {
    const Mtbdfu m = parse(one(R"("cmdId": "0x38", "retriesCount": "0x3", "reconnect": "0x2")"));
    CHECK(first(m).retries == 3u);
    CHECK(first(m).reconnect == 2u);
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x38", "reconnect": "two")"), "commands[0].reconnect: ", "is not a hex number");
}

TEST_CASE("mtbdfu: timeouts in three units") {
    const Mtbdfu m = parse(doc(R"({"cmdId": "0x38", "timeoutS": "0x2"}, {"cmdId": "0x38", "timeoutMS": "0x12c"},
        {"cmdId": "0x38", "timeoutUS": "0x10"}, {"cmdId": "0x38"})"));
    const auto& c = m.sessions[0].commands;
    CHECK(c[0].timeout == std::chrono::microseconds(2s));
    CHECK(c[1].timeout == std::chrono::microseconds(300ms));
    CHECK(c[2].timeout == 16us);
    CHECK_FALSE(c[3].timeout);
    CHECK_FALSE(c[0].delay);
}

TEST_CASE("mtbdfu: a timeout must be positive and given once") {
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x38", "timeoutMS": "0")"), "commands[0].timeoutMS: ", "0x1 to 0xFFFFFFFF");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x38", "timeoutS": "1", "timeoutUS": "1")"),
                       "commands[0]: ", "both 'timeoutS' and 'timeoutUS' are given");
}

TEST_CASE("mtbdfu: delay-only objects are pauses") {
    const Mtbdfu m = parse(doc(R"({"delayMS": "0x10"}, {"delayS": "1", "comment": "settle"}, {"delayUS": "0"})"));
    const auto& c = m.sessions[0].commands;
    CHECK(c[0].delay_only);
    CHECK(c[0].delay == std::chrono::microseconds(16ms));
    CHECK_FALSE(c[0].cmd_id);
    CHECK(c[0].command_set.empty());
    CHECK(c[0].json_path == "commands[0]");
    CHECK(c[1].delay_only);
    CHECK(c[1].delay == std::chrono::microseconds(1s));
    CHECK(c[2].delay == 0us);
}

TEST_CASE("mtbdfu: a delay with a cmdId is a command with a pause before it") {
    const Mtbdfu m = parse(one(R"("delayUS": "0x20", "cmdId": "0x38")"));
    CHECK_FALSE(first(m).delay_only);
    CHECK(first(m).cmd_id == 0x38);
    CHECK(first(m).delay == 32us);
}

TEST_CASE("mtbdfu: a delay-only object holds nothing else") {
    CHECK_MTBDFU_ERROR(one(R"("delayMS": "0x10", "repeat": "0x2")"), "commands[0]: ", "'repeat' needs a command");
    CHECK_MTBDFU_ERROR(one(R"("delayMS": "0x10", "delayS": "0x1")"),
                       "commands[0]: ", "both 'delayS' and 'delayMS' are given");
}

TEST_CASE("mtbdfu: repeat counts") {
    const Mtbdfu m =
        parse(doc(R"({"cmdId": "0x37", "data": "00", "repeat": "0x20"}, {"cmdId": "0x35", "repeat": "100000"})"));
    CHECK(m.sessions[0].commands[0].repeat == 0x20u);
    CHECK_FALSE(m.sessions[0].commands[0].repeat_eof);
    CHECK(m.sessions[0].commands[1].repeat == 0x100000u);
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "repeat": "0")"),
                       "commands[0].repeat: ", "must be 0x1 to 0x100000 or \"EoF\"");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "repeat": "0x100001")"), "commands[0].repeat: ", "0x1 to 0x100000");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "repeat": "EOFF")"),
                       "commands[0].repeat: ", "write it like \"0x10\" or \"EoF\"");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "repeat": 2)"), "commands[0].repeat: ", "found a number");
}

TEST_CASE("mtbdfu: repeat EoF needs a data file here or above") {
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "dataLength": "0x0", "repeat": "EoF")"),
                       "commands[0].repeat: ", "no dataFile here or on an enclosing commandSet");
    CHECK_MTBDFU_ERROR(doc(R"({"commandSet": [{"cmdId": "0x37", "data": "00", "repeat": "eof"}]})"),
                       "commands[0].commandSet[0].repeat: ", "no dataFile");

    TempDir dir;
    dir.write("app.bin", "0123456789");
    const Mtbdfu m = parse_mtbdfu(doc(R"({"dataFile": "app.bin", "commandSet": [
        {"commandSet": [{"cmdId": "0x37", "dataLength": "0x2", "repeat": "eof"}]}]},
        {"cmdId": "0x37", "dataFile": "app.bin", "dataLength": "0x5", "repeat": "EOF"})"),
                                  dir.path() / "t.mtbdfu");
    const auto& c = m.sessions[0].commands;
    CHECK(c[0].command_set.at(0).command_set.at(0).repeat_eof);
    CHECK(c[1].repeat_eof);
    CHECK(c[1].data_file);
}

TEST_CASE("mtbdfu: flashRowLength") {
    const Mtbdfu m = parse(one(R"("cmdId": "0x38", "flashRowLength": "0x80")"));
    CHECK(first(m).flash_row_length == 0x80u);
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x38", "flashRowLength": "0x0")"),
                       "commands[0].flashRowLength: ", "0x1 to 0xFFFFFFFF");
}

TEST_CASE("mtbdfu: both spellings of a pair are rejected") {
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "data": "00", "dataBytes": "00")"),
                       "commands[0]: ", "both 'data' and 'dataBytes' are given");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "output": true, "outCli": true)"),
                       "commands[0]: ", "both 'output' and 'outCli' are given");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "offset": "0", "startOffset": "0")"),
                       "commands[0]: ", "both 'offset' and 'startOffset' are given");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "rsp": "0", "statusCode": "0")"),
                       "commands[0]: ", "both 'statusCode' and 'rsp' are given");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "timeoutMS": "1", "timeoutUS": "1")"),
                       "commands[0]: ", "both 'timeoutMS' and 'timeoutUS'");
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "delayMS": "1", "delayUS": "1")"),
                       "commands[0]: ", "both 'delayMS' and 'delayUS'");
}

// ---------------------------------------------------------------------------------------------
// Groups

TEST_CASE("mtbdfu: nested groups keep their paths and order") {
    const Mtbdfu m = parse(doc(R"({"cmdId": "0x38"}, {"repeat": "0x2", "delayMS": "0x5", "commandSet": [
        {"cmdId": "0x35"}, {"commandSet": [{"cmdId": "0x3C", "data": "00 00 08 00"}]}]})"));
    const auto& c = m.sessions[0].commands;
    REQUIRE(c.size() == 2);
    const MtbdfuCommand& group = c[1];
    CHECK(group.is_group());
    CHECK(group.repeat == 2u);
    CHECK(group.delay == std::chrono::microseconds(5ms));
    REQUIRE(group.command_set.size() == 2);
    CHECK(group.command_set[0].json_path == "commands[1].commandSet[0]");
    const MtbdfuCommand& inner = group.command_set[1];
    CHECK(inner.is_group());
    REQUIRE(inner.command_set.size() == 1);
    CHECK(inner.command_set[0].json_path == "commands[1].commandSet[1].commandSet[0]");
    CHECK(inner.command_set[0].cmd_id == 0x3C);
    CHECK(inner.command_set[0].data == Bytes{0, 0, 8, 0});
}

TEST_CASE("mtbdfu: group errors") {
    CHECK_MTBDFU_ERROR(one(R"("cmdId": "0x37", "commandSet": [{"cmdId": "0x37"}])"),
                       "commands[0]: ", "has both cmdId and commandSet");
    CHECK_MTBDFU_ERROR(one(R"("commandSet": [])"), "commands[0].commandSet: ", "is empty");
    CHECK_MTBDFU_ERROR(one(R"("commandSet": {"cmdId": "0x37"})"), "commands[0].commandSet: ", "must be an array");
    CHECK_MTBDFU_ERROR(one(R"("commandSet": [{"cmdId": "0x37"}], "dataLength": "0x10")"),
                       "commands[0]: ", "'dataLength' belongs on a command, not on a group");
    CHECK_MTBDFU_ERROR(one(R"("commandSet": [{"cmdId": "0x37"}], "rsp": "0x0")"),
                       "commands[0]: ", "'rsp' belongs on a command");
    CHECK_MTBDFU_ERROR(one(R"("commandSet": [{"cmdId": "0x37"}, 7])"),
                       "commands[0].commandSet[1]: ", "must be an object");
}

TEST_CASE("mtbdfu: commandSet nesting is bounded") {
    std::string nested = R"({"cmdId": "0x35"})";
    for (std::size_t i = 0; i < kMtbdfuMaxNesting - 1; ++i) nested = R"({"commandSet": [)" + nested + "]}";
    CHECK(parse(doc(nested)).sessions[0].commands.size() == 1);
    nested = R"({"commandSet": [)" + nested + "]}";
    CHECK_MTBDFU_ERROR(doc(nested), "commands[0]", "nested more than 16 deep");
}

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
