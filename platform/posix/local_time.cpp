#include "platform/local_time.hpp"

namespace dfu::platform {

LocalTime local_time(std::time_t t) {
    LocalTime local;
    ::localtime_r(&t, &local.calendar);
    local.utc_offset_seconds = local.calendar.tm_gmtoff;
    return local;
}

}  // namespace dfu::platform
