// The field names of a .mtbdfu document (internal to formats/, not part of the API): which
// fields each kind of object allows, and the message for one it does not know, with a "did you
// mean" for a near miss.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace dfu::formats::mtbdfu {

using Fields = std::span<const std::string_view>;

inline constexpr std::string_view kTopFields[] = {"APPInfo", "commands", "sessions", "comment"};
inline constexpr std::string_view kChecksumField = "Packet Checksum Type";
inline constexpr std::string_view kChecksumFieldPublished = "Packet Checkum Type";  // sic, as published
inline constexpr std::string_view kAppInfoFields[] = {"File Version",          "Product Id",     kChecksumField,
                                                      kChecksumFieldPublished, "Application Id", "timeoutMS",
                                                      "flashRowLength",        "comment"};
inline constexpr std::string_view kSessionFields[] = {"commands", "comment"};
inline constexpr std::string_view kCommandFields[] = {
    "cmdId",          "dataLength", "data",         "dataBytes", "dataFile", "repeat",    "commandSet",
    "flashRowLength", "offset",     "startOffset",  "outFile",   "output",   "outCli",    "rsp",
    "statusCode",     "response",   "retriesCount", "reconnect", "timeoutS", "timeoutMS", "timeoutUS",
    "delayS",         "delayMS",    "delayUS",      "comment"};

// Fields that only make sense on a single command, not on a group.
inline constexpr std::string_view kCommandOnlyFields[] = {"dataLength", "data",       "dataBytes",
                                                          "rsp",        "statusCode", "response"};

// The three spellings of a time, each with its unit.
struct TimeField {
    std::string_view name;
    std::int64_t us_per_unit;
};
inline constexpr TimeField kTimeoutFields[] = {{"timeoutS", 1'000'000}, {"timeoutMS", 1'000}, {"timeoutUS", 1}};
inline constexpr TimeField kDelayFields[] = {{"delayS", 1'000'000}, {"delayMS", 1'000}, {"delayUS", 1}};

// `key` is not one of `known`: "unknown field "key"" (or "unknown top-level field"), then the
// nearest known name if `key` is a near miss of one, else the list of the allowed ones.
std::string unknown_field_message(std::string_view key, bool top_level, Fields known);

// ASCII lower case (field names and keywords compare without case).
std::string ascii_lower(std::string_view s);

}  // namespace dfu::formats::mtbdfu
