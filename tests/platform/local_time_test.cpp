#include "platform/local_time.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

namespace {

// Both C libraries read the POSIX-style "NAME offset" zone from TZ; the offset there is
// UTC minus local, so "IST-5:30" is 5 h 30 min east of UTC.
void set_zone(const char* tz) {
#ifdef _WIN32
    ::_putenv_s("TZ", tz);
    ::_tzset();
#else
    ::setenv("TZ", tz, 1);
    ::tzset();
#endif
}

}  // namespace

TEST_CASE("local_time gives the calendar and the offset from UTC, east and west") {
    const std::time_t t = 1'796'379'600;  // 2026-12-04T10:20:00Z
    set_zone("IST-5:30");
    auto local = dfu::platform::local_time(t);
    CHECK(local.utc_offset_seconds == 5 * 3600 + 30 * 60);
    CHECK(local.calendar.tm_hour == 15);
    CHECK(local.calendar.tm_min == 50);
    set_zone("PST8");
    local = dfu::platform::local_time(t);
    CHECK(local.utc_offset_seconds == -8 * 3600);
    CHECK(local.calendar.tm_hour == 2);
    CHECK(local.calendar.tm_mday == 4);
    set_zone("UTC0");
    CHECK(dfu::platform::local_time(t).utc_offset_seconds == 0);
}
