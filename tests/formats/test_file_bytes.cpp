#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "formats/file_bytes.hpp"
#include "test_support.hpp"

using namespace dfu::formats;
using dfu::formats::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("read_file_bytes returns the bytes unchanged") {
    TempDir dir;
    const std::string content("line\r\n\0\xFF\x1A tail", 13);
    const auto p = dir.write("x.bin", content);
    CHECK(read_file_bytes(p) == content);
}

TEST_CASE("read_file_bytes reads an empty file as empty") {
    TempDir dir;
    CHECK(read_file_bytes(dir.write("empty", "")).empty());
}

TEST_CASE("read_file_bytes: missing file") {
    TempDir dir;
    const auto p = dir.path() / "nope.hex";
    CHECK_INPUT_ERROR(read_file_bytes(p), p.string() + ": ", "no such file");
}

TEST_CASE("read_file_bytes: a directory") {
    TempDir dir;
    CHECK_INPUT_ERROR(read_file_bytes(dir.path()), dir.path().string() + ": ", "is a directory");
}

TEST_CASE("read_file_bytes: larger than 1 GiB") {
    TempDir dir;
    const auto p = dir.write("huge.bin", "");
    fs::resize_file(p, kMaxInputFileBytes + 1);  // sparse: costs no disk space
    CHECK_INPUT_ERROR(read_file_bytes(p), p.string() + ": ", "limited to");
}
