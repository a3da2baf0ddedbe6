#include "kitprog3_usbfs_model.hpp"

#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h>
#include <umockdev.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <stdexcept>

namespace umock_kp3 {
namespace {

// A reference to ioctl data resolved in the caller's memory, dropped however we leave.
struct DataRef {
    UMockdevIoctlData* p = nullptr;
    DataRef() = default;
    explicit DataRef(UMockdevIoctlData* d) : p(d) {}
    ~DataRef() {
        if (p) g_object_unref(p);
    }
    DataRef(const DataRef&) = delete;
    DataRef& operator=(const DataRef&) = delete;
    UMockdevIoctlData* release() {
        UMockdevIoctlData* d = p;
        p = nullptr;
        return d;
    }
};

UMockdevIoctlData* resolve(UMockdevIoctlData* from, std::size_t offset, std::size_t len) {
    GError* err = nullptr;
    UMockdevIoctlData* d = umockdev_ioctl_data_resolve(from, offset, len, &err);
    if (err) {
        std::string m = err->message;
        g_error_free(err);
        throw std::runtime_error("resolving ioctl data: " + m);
    }
    return d;
}

void put_int(UMockdevIoctlData* d, std::size_t offset, int value) {
    umockdev_ioctl_data_update(d, offset, reinterpret_cast<guint8*>(&value), sizeof value);
}

std::vector<std::uint8_t> string_descriptor(const std::string& s) {
    std::vector<std::uint8_t> d{static_cast<std::uint8_t>(2 + 2 * s.size()), 0x03};
    for (char c : s) {
        d.push_back(static_cast<std::uint8_t>(c));
        d.push_back(0x00);
    }
    return d;
}

}  // namespace

UsbfsDeviceModel::UsbfsDeviceModel(dfu::transports::UsbBulkDevice& bridge, std::uint8_t out_ep, std::uint8_t in_ep,
                                   std::map<std::uint8_t, std::string> strings)
    : bridge_(bridge), out_ep_(out_ep), in_ep_(in_ep), strings_(std::move(strings)), base_(umockdev_ioctl_base_new()) {
    signal_ = g_signal_connect(base_, "handle-ioctl", G_CALLBACK(&UsbfsDeviceModel::on_ioctl), this);
}

UsbfsDeviceModel::~UsbfsDeviceModel() {
    g_signal_handler_disconnect(base_, signal_);
    for (auto& u : urbs_) drop(u);
    g_object_unref(base_);
}

void UsbfsDeviceModel::drop(Urb& u) {
    g_object_unref(u.urb);
    g_object_unref(u.buffer);
    g_object_unref(u.client);
}

// URBs of a program that went away (killed, or exited without closing the device) are not
// reaped by anyone: they must not be handed to the next program that opens the node.
void UsbfsDeviceModel::forget_disconnected() {
    for (auto it = urbs_.begin(); it != urbs_.end();) {
        if (umockdev_ioctl_client_get_connected(it->client)) {
            ++it;
        } else {
            drop(*it);
            it = urbs_.erase(it);
        }
    }
}

UsbfsDeviceModel::Seen UsbfsDeviceModel::seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
}

int UsbfsDeviceModel::on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* client, void* self) {
    try {
        return static_cast<UsbfsDeviceModel*>(self)->handle(client) ? TRUE : FALSE;
    } catch (const std::exception& e) {
        g_warning("usbfs model: %s", e.what());
        umockdev_ioctl_client_complete(client, -1, EIO);
        return TRUE;
    }
}

bool UsbfsDeviceModel::handle(UMockdevIoctlClient* client) {
    std::lock_guard lock(mutex_);
    forget_disconnected();
    const unsigned long request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(client);
    switch (request) {
        case USBDEVFS_GET_CAPABILITIES: {
            DataRef caps(resolve(arg, 0, sizeof(std::uint32_t)));
            put_int(caps.p, 0, USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM);
            umockdev_ioctl_client_complete(client, 0, 0);
            return true;
        }
        case USBDEVFS_GETDRIVER:  // no kernel driver holds any interface
            umockdev_ioctl_client_complete(client, -1, ENODATA);
            return true;
        case USBDEVFS_CLAIMINTERFACE:
        case USBDEVFS_RELEASEINTERFACE: {
            DataRef number(resolve(arg, 0, sizeof(unsigned)));
            unsigned n = 0;
            std::memcpy(&n, number.p->data, sizeof n);
            (request == USBDEVFS_CLAIMINTERFACE ? seen_.claimed : seen_.released).push_back(n);
            umockdev_ioctl_client_complete(client, 0, 0);
            return true;
        }
        case USBDEVFS_SETINTERFACE:
        case USBDEVFS_SETCONFIGURATION:
        case USBDEVFS_CLEAR_HALT:
        case USBDEVFS_RESETEP:
        case USBDEVFS_RESET:
            umockdev_ioctl_client_complete(client, 0, 0);
            return true;
        case USBDEVFS_SUBMITURB:
            submit(client, arg);
            return true;
        case USBDEVFS_REAPURB:
        case USBDEVFS_REAPURBNDELAY:
            reap(client, arg);
            return true;
        case USBDEVFS_DISCARDURB: {
            unsigned long address = 0;
            std::memcpy(&address, arg->data, sizeof address);
            for (auto& u : urbs_) {
                if (u.client != client || u.urb->client_addr != address) continue;
                ++seen_.discarded;
                if (!u.done) complete_urb(u, -ENOENT, {}, 0);
                umockdev_ioctl_client_complete(client, 0, 0);
                return true;
            }
            umockdev_ioctl_client_complete(client, -1, EINVAL);
            return true;
        }
        default:
            seen_.unhandled.push_back(std::to_string(request));
            umockdev_ioctl_client_complete(client, -1, ENOTTY);
            return true;
    }
}

void UsbfsDeviceModel::submit(UMockdevIoctlClient* client, UMockdevIoctlData* arg) {
    DataRef urb_data(resolve(arg, 0, sizeof(usbdevfs_urb)));
    const auto* urb = reinterpret_cast<const usbdevfs_urb*>(urb_data.p->data);
    DataRef buffer(resolve(urb_data.p, offsetof(usbdevfs_urb, buffer), static_cast<std::size_t>(urb->buffer_length)));
    Urb u;
    u.client = static_cast<UMockdevIoctlClient*>(g_object_ref(client));
    u.type = urb->type;
    u.endpoint = urb->endpoint;
    u.length = urb->buffer_length;
    u.urb = urb_data.release();
    u.buffer = buffer.release();
    if (u.type == USBDEVFS_URB_TYPE_CONTROL) {
        answer_control(u);
    } else if (u.type == USBDEVFS_URB_TYPE_BULK && u.endpoint == out_ep_) {
        seen_.bulk_endpoints.push_back(u.endpoint);
        bridge_.write(std::span(u.buffer->data, static_cast<std::size_t>(u.length)), std::chrono::milliseconds(0));
        complete_urb(u, 0, {}, 0);
        put_int(u.urb, offsetof(usbdevfs_urb, actual_length), u.length);
    } else if (u.type == USBDEVFS_URB_TYPE_BULK && u.endpoint == in_ep_) {
        seen_.bulk_endpoints.push_back(u.endpoint);  // completes when the bridge has a reply
    } else {
        drop(u);
        umockdev_ioctl_client_complete(client, -1, EINVAL);  // an endpoint the device does not have
        return;
    }
    urbs_.push_back(u);
    umockdev_ioctl_client_complete(client, 0, 0);
}

void UsbfsDeviceModel::reap(UMockdevIoctlClient* client, UMockdevIoctlData* arg) {
    for (auto it = urbs_.begin(); it != urbs_.end(); ++it) {
        Urb& u = *it;
        if (u.client != client) continue;  // another open file's URB
        if (!u.done && u.endpoint == in_ep_) {
            std::vector<std::uint8_t> reply(static_cast<std::size_t>(u.length));
            const std::size_t n = bridge_.read(reply, std::chrono::milliseconds(0));
            if (n > 0) {
                reply.resize(n);
                complete_urb(u, 0, reply, 0);
            }
        }
        if (!u.done) continue;
        DataRef slot(resolve(arg, 0, sizeof(void*)));
        umockdev_ioctl_data_set_ptr(slot.p, 0, u.urb);
        umockdev_ioctl_client_complete(client, 0, 0);
        drop(u);
        urbs_.erase(it);
        return;
    }
    // A usbfs node is a plain file here: poll() always says ready, so libusb asks often.
    umockdev_ioctl_client_complete(client, -1, EAGAIN);
}

void UsbfsDeviceModel::complete_urb(Urb& u, int status, const std::vector<std::uint8_t>& data,
                                    std::size_t data_offset) {
    if (!data.empty())
        umockdev_ioctl_data_update(u.buffer, data_offset, const_cast<guint8*>(data.data()),
                                   static_cast<gint>(data.size()));
    put_int(u.urb, offsetof(usbdevfs_urb, status), status);
    put_int(u.urb, offsetof(usbdevfs_urb, actual_length), static_cast<int>(data.size()));
    u.done = true;
}

void UsbfsDeviceModel::answer_control(Urb& u) {
    const std::uint8_t* setup = u.buffer->data;
    const unsigned value = setup[2] | setup[3] << 8;
    const std::size_t length = static_cast<std::size_t>(setup[6] | setup[7] << 8);
    std::vector<std::uint8_t> reply;
    bool ok = false;
    if (setup[0] == 0x80 && setup[1] == 0x06 && (value >> 8) == 0x03) {  // GET_DESCRIPTOR(STRING)
        ++seen_.string_requests;
        const std::uint8_t index = value & 0xFF;
        if (index == 0) {
            reply = {0x04, 0x03, 0x09, 0x04};  // English (US)
            ok = true;
        } else if (auto s = strings_.find(index); s != strings_.end()) {
            reply = string_descriptor(s->second);
            ok = true;
        }
    }
    if (!ok) return complete_urb(u, -EPIPE, {}, 8);  // a stall, as a device answers a request it lacks
    if (reply.size() > length) reply.resize(length);
    complete_urb(u, 0, reply, 8);
}

}  // namespace umock_kp3
