// read_file_bytes cases that need POSIX files: device nodes and permission bits (Windows has
// neither /dev/null nor mode 000; tests/windows/ leaves this file out).
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "formats/file_bytes.hpp"
#include "test_support.hpp"

using namespace dfu::formats;
using dfu::formats::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("read_file_bytes: not a regular file") {
    CHECK_INPUT_ERROR(read_file_bytes("/dev/null"), "/dev/null: ", "not a regular file");
}

TEST_CASE("read_file_bytes: unreadable file") {
    TempDir dir;
    const auto p = dir.write("secret.hex", ":00000001FF\n");
    fs::permissions(p, fs::perms::none);
    // root reads anything: then there is nothing to test.
    if (std::FILE* f = std::fopen(p.c_str(), "rb")) {
        std::fclose(f);
        MESSAGE("file is readable despite mode 000 (running as root?); skipping");
        return;
    }
    CHECK_INPUT_ERROR(read_file_bytes(p), p.string() + ": ", "permission denied");
}
