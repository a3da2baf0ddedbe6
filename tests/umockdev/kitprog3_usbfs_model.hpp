#pragma once
// A USB device node (/dev/bus/usb/BBB/DDD) as the kernel's usbfs presents it, answered in
// the test process: umockdev hands every ioctl on the node to this model. Bulk URBs go to a
// UsbBulkDevice model (the emulated KitProg3) on the bridge's endpoints; control URBs asking
// for string descriptors are answered from a table. The real libusb sits on the other side.
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "transports/usb_bulk_device.hpp"

typedef struct _UMockdevIoctlBase UMockdevIoctlBase;
typedef struct _UMockdevIoctlClient UMockdevIoctlClient;
typedef struct _UMockdevIoctlData UMockdevIoctlData;

namespace umock_kp3 {

class UsbfsDeviceModel {
public:
    UsbfsDeviceModel(dfu::transports::UsbBulkDevice& bridge, std::uint8_t out_ep, std::uint8_t in_ep,
                     std::map<std::uint8_t, std::string> strings);
    ~UsbfsDeviceModel();
    UsbfsDeviceModel(const UsbfsDeviceModel&) = delete;
    UsbfsDeviceModel& operator=(const UsbfsDeviceModel&) = delete;

    UMockdevIoctlBase* base() const { return base_; }

    // What libusb did, for the tests to check.
    struct Seen {
        std::vector<unsigned> claimed, released;
        std::vector<std::uint8_t> bulk_endpoints;  // endpoint of each bulk URB
        unsigned string_requests = 0;
        unsigned discarded = 0;
        std::vector<std::string> unhandled;  // ioctls answered ENOTTY
    };
    Seen seen() const;

    // Runs `f` under the lock the ioctl handlers take: the way to read the bridge emulation
    // (which the handlers drive on umockdev's worker thread) from the test's thread.
    template <typename F>
    decltype(auto) inspect(F&& f) const {
        std::lock_guard lock(mutex_);
        return f();
    }

private:
    struct Urb {
        UMockdevIoctlClient* client = nullptr;  // the open file that submitted it (referenced)
        UMockdevIoctlData* urb = nullptr;       // our reference to the caller's usbdevfs_urb
        UMockdevIoctlData* buffer = nullptr;    // and to its buffer
        std::uint8_t type = 0;
        std::uint8_t endpoint = 0;
        int length = 0;
        bool done = false;
    };

    static int on_ioctl(UMockdevIoctlBase* base, UMockdevIoctlClient* client, void* self);
    bool handle(UMockdevIoctlClient* client);
    void submit(UMockdevIoctlClient* client, UMockdevIoctlData* arg);
    void reap(UMockdevIoctlClient* client, UMockdevIoctlData* arg);
    void complete_urb(Urb& u, int status, const std::vector<std::uint8_t>& data, std::size_t data_offset);
    static void drop(Urb& u);
    void forget_disconnected();
    void answer_control(Urb& u);

    dfu::transports::UsbBulkDevice& bridge_;
    std::uint8_t out_ep_, in_ep_;
    std::map<std::uint8_t, std::string> strings_;
    UMockdevIoctlBase* base_;
    unsigned long signal_ = 0;
    std::deque<Urb> urbs_;
    mutable std::mutex mutex_;
    Seen seen_;
};

}  // namespace umock_kp3
