// What the platform does with a port libserialport has open (library dfuhost_platform_serial,
// the only part of the platform layer that serial wires alone link).
#include "platform/low_latency.hpp"
#include "platform/port_lock.hpp"

namespace dfu::platform {

// libserialport opens a COM port with CreateFile and share mode 0: Windows itself then
// refuses every other open of the port (ERROR_ACCESS_DENIED, reported as busy), so there is
// nothing more to take here.
void lock_serial_port(sp_port*, const std::string&) {}

LowLatency::LowLatency(sp_port*) : note_("low-latency mode is a driver setting on Windows (FTDI: Latency Timer)") {}

}  // namespace dfu::platform
