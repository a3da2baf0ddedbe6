#include "platform/local_time.hpp"

#include <chrono>

namespace dfu::platform {

namespace {

// Seconds since 1970 of a broken-down time read as if it were UTC.
long long as_utc_seconds(const std::tm& tm) {
    using namespace std::chrono;
    const sys_days day = year{tm.tm_year + 1900} / month{static_cast<unsigned>(tm.tm_mon + 1)} /
                         std::chrono::day{static_cast<unsigned>(tm.tm_mday)};
    return duration_cast<seconds>(day.time_since_epoch()).count() + tm.tm_hour * 3600LL + tm.tm_min * 60LL +
           tm.tm_sec;
}

}  // namespace

LocalTime local_time(std::time_t t) {
    LocalTime local;
    std::tm utc{};
    ::localtime_s(&local.calendar, &t);
    ::gmtime_s(&utc, &t);
    // The CRT's strftime %z names the zone instead of giving an offset: compute it from the
    // two calendars of the same instant.
    local.utc_offset_seconds = static_cast<long>(as_utc_seconds(local.calendar) - as_utc_seconds(utc));
    return local;
}

}  // namespace dfu::platform
