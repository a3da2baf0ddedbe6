// What the platform does with a port libserialport has open: the two calls of port_lock.hpp
// and low_latency.hpp that take an sp_port. Apart from the rest of the platform layer (library
// dfuhost_platform_serial) so that only the serial wires link libserialport.
#include <libserialport.h>

#include "platform/low_latency.hpp"
#include "platform/port_lock.hpp"
#include "platform/posix/fd_lock.hpp"

namespace dfu::platform {

void lock_serial_port(sp_port* port, const std::string& shown) {
    // libserialport takes no lock of its own: hold the port through its descriptor.
    int fd = -1;
    if (sp_get_port_handle(port, &fd) != SP_OK || fd < 0) return;
    lock_open_node(fd, shown);
    set_tty_exclusive(fd);
}

LowLatency::LowLatency(sp_port* port) {
    int fd = -1;
    if (sp_get_port_handle(port, &fd) != SP_OK || fd < 0) {
        note_ = "libserialport gave no descriptor to set low-latency mode on";
        return;
    }
    LowLatency set(fd);
    fd_ = set.fd_;
    old_flags_ = set.old_flags_;
    changed_ = set.changed_;
    note_ = std::move(set.note_);
    set.changed_ = false;
}

}  // namespace dfu::platform
