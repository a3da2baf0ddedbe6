#include "platform/low_latency.hpp"

namespace dfu::platform {

// Windows has no per-open low-latency request: the FTDI driver's latency timer is set in
// Device Manager (the port's Properties, Port Settings, Advanced, Latency Timer), see README.md.
LowLatency::LowLatency(int) : note_("low-latency mode is a driver setting on Windows (FTDI: Latency Timer)") {}

void LowLatency::restore() noexcept {
    changed_ = false;
}

}  // namespace dfu::platform
