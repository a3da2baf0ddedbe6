// The .mtbdfu reader: hex numbers, the fields of a command, groups (commandSet).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "formats/mtbdfu.hpp"
#include "mtbdfu_test_support.hpp"

using namespace dfu::formats;
using namespace dfu::formats::test;
using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

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
