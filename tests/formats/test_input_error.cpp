#include <doctest/doctest.h>

#include <string>

#include "formats/input_error.hpp"

using dfu::formats::InputError;

TEST_CASE("InputError: what() is FILE:LINE: MESSAGE") {
    const InputError e("blinky.hex", 12, "checksum is 0x3C, expected 0x3D");
    CHECK(std::string(e.what()) == "blinky.hex:12: checksum is 0x3C, expected 0x3D");
    CHECK(e.file() == "blinky.hex");
    CHECK(e.line() == 12);
    CHECK(e.message() == "checksum is 0x3C, expected 0x3D");
}

TEST_CASE("InputError: without a line, what() is FILE: MESSAGE") {
    const InputError e("app.bin", 0, "file is empty");
    CHECK(std::string(e.what()) == "app.bin: file is empty");
    CHECK(e.line() == 0);
}

TEST_CASE("InputError is a std::runtime_error") {
    try {
        throw InputError("f", 1, "m");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "f:1: m");
    }
}
