// Choosing one USB device among several: never a guess.
#include <doctest/doctest.h>

#include <vector>

#include "transports/device_match.hpp"
#include "transports/transport.hpp"

using namespace dfu::transports;

namespace {
std::vector<UsbCandidate> two_kitprogs() {
    return {{0x04b4, 0xf154, "AAA111", "1-2", "KitProg3"}, {0x04b4, 0xf155, "BBB222", "1-3", "KitProg3"}};
}
std::string open_error(std::span<const UsbCandidate> c, std::string_view sel) {
    try {
        choose_device(c, sel, "KitProg3", "kitprog3");
    } catch (const OpenError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("device match: serial number or path picks one") {
    const auto c = two_kitprogs();
    CHECK(choose_device(c, "BBB222", "KitProg3", "kitprog3").path == "1-3");
    CHECK(choose_device(c, "1-2", "KitProg3", "kitprog3").serial == "AAA111");
    CHECK(choose_device(std::span(c).first(1), "", "KitProg3", "kitprog3").serial == "AAA111");
}

TEST_CASE("device match: several without a selector stop and list every candidate") {
    const auto c = two_kitprogs();
    const std::string msg = open_error(c, "");
    CHECK(msg.find("2 KitProg3 devices match") != std::string::npos);
    CHECK(msg.find("kitprog3:SERIAL") != std::string::npos);
    CHECK(msg.find("AAA111") != std::string::npos);
    CHECK(msg.find("BBB222") != std::string::npos);
}

TEST_CASE("device match: none found and no such serial say so") {
    CHECK(open_error({}, "").find("no KitProg3 found") != std::string::npos);
    const auto c = two_kitprogs();
    const std::string msg = open_error(c, "ZZZ");
    CHECK(msg.find("'ZZZ'") != std::string::npos);
    CHECK(msg.find("AAA111") != std::string::npos);
}

TEST_CASE("device match: split_selector") {
    CHECK(split_selector("kitprog3:ABC:1") == std::pair<std::string, std::string>{"kitprog3", "ABC:1"});
    CHECK(split_selector("mcp2221") == std::pair<std::string, std::string>{"mcp2221", ""});
}
