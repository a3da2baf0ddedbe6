// What the .mtbdfu reader's tests share: small documents written around a command, parsing as
// "t.mtbdfu", and the checks of a refusal's file, JSON path and message.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "formats/mtbdfu.hpp"
#include "formats/sparse_image.hpp"
#include "test_support.hpp"

namespace dfu::formats::test {

inline const std::string kAppInfo =
    R"("APPInfo": {"File Version": "0x1", "Product Id": "01020304", "Packet Checksum Type": "0x0"})";

// A document with one top-level session holding `commands` (the text inside the array).
inline std::string doc(const std::string& commands) {
    return "{" + kAppInfo + R"(, "commands": [)" + commands + "]}";
}

// A document with one command made of `fields`.
inline std::string one(const std::string& fields) {
    return doc("{" + fields + "}");
}

// A document with the given APPInfo object and one Enter DFU command.
inline std::string with_app_info(const std::string& app_info) {
    return R"({"APPInfo": )" + app_info + R"(, "commands": [{"cmdId": "0x38"}]})";
}

// A JSON string literal for `s`.
inline std::string json_quote(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

inline Mtbdfu parse(const std::string& text) {
    return parse_mtbdfu(text, "t.mtbdfu");
}

inline const MtbdfuCommand& first(const Mtbdfu& m) {
    return m.sessions.at(0).commands.at(0);
}

// A small firmware image: two 512-byte rows at 0x10000000.
inline SparseImage blinky() {
    SparseImage image;
    REQUIRE(image.add(0x10000000, iota_bytes(1024, 7)));
    return image;
}

}  // namespace dfu::formats::test

// Asserts that parsing TEXT as "t.mtbdfu" fails with "t.mtbdfu: PATH..." containing FRAGMENT.
#define CHECK_MTBDFU_ERROR(TEXT, PATH, FRAGMENT) \
    CHECK_INPUT_ERROR(parse(TEXT), std::string("t.mtbdfu: ") + (PATH), FRAGMENT)

// The same for a .mtbdfu in the folder DIR (a TempDir).
#define CHECK_MTBDFU_ERROR_IN(DIR, TEXT, PATH, FRAGMENT)             \
    CHECK_INPUT_ERROR(parse_mtbdfu(TEXT, (DIR).path() / "t.mtbdfu"), \
                      ((DIR).path() / "t.mtbdfu").string() + ": " + std::string(PATH), FRAGMENT)
