// The --log header: program, command line as a shell reads it, start time.
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

#include "cli/log_header.hpp"

using namespace dfu::cli;

TEST_CASE("arguments are quoted only where a shell would read them differently") {
    CHECK(shell_quote("program") == "program");
    CHECK(shell_quote("/dev/pts/3") == "/dev/pts/3");
    CHECK(shell_quote("--row-size=512") == "--row-size=512");
    CHECK(shell_quote("my app.hex") == "'my app.hex'");
    CHECK(shell_quote("") == "''");
    CHECK(shell_quote("it's") == "'it'\\''s'");
    CHECK(shell_quote("$HOME") == "'$HOME'");
    CHECK(shell_quote("a*b") == "'a*b'");
}

TEST_CASE("the start time is ISO 8601 with the offset written +hh:mm") {
    ::setenv("TZ", "UTC-5:30", 1);  // POSIX TZ: 5:30 east of UTC
    ::tzset();
    const auto t = std::chrono::system_clock::from_time_t(1'796'379'600);  // 2026-12-04T10:20:00Z
    CHECK(iso8601_local(t) == "2026-12-04T15:50:00+05:30");
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    CHECK(iso8601_local(t) == "2026-12-04T10:20:00+00:00");
    ::setenv("TZ", "UTC+3:15", 1);  // west of UTC: the sign and both fields
    ::tzset();
    CHECK(iso8601_local(t) == "2026-12-04T07:05:00-03:15");
}

TEST_CASE("the header names the version, the command line and the start") {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    const auto t = std::chrono::system_clock::from_time_t(1'796'379'600);
    CHECK(log_header("0.1.0", {"dfuhost", "program", "my app.hex", "--uart", "/dev/ttyUSB0"}, t) ==
          "# dfuhost 0.1.0\n"
          "# command: dfuhost program 'my app.hex' --uart /dev/ttyUSB0\n"
          "# started: 2026-12-04T10:20:00+00:00\n");
}
