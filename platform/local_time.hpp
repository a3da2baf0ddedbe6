#pragma once
// The local calendar time of an instant and how far local time is from UTC then: the C
// library gives both, under different names on each system (localtime_r and tm_gmtoff on
// POSIX, localtime_s and no offset field on Windows).
#include <ctime>

namespace dfu::platform {

struct LocalTime {
    std::tm calendar{};
    long utc_offset_seconds = 0;  // local minus UTC: +3600 in Central European winter time
};

LocalTime local_time(std::time_t t);

}  // namespace dfu::platform
