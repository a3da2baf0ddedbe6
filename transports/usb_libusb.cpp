#include "transports/usb_libusb.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <libusb.h>

#include "transports/transport.hpp"

namespace dfu::transports {

struct LibusbBackend::Context {
    libusb_context* ctx = nullptr;
    Context() {
        const int rc = libusb_init(&ctx);
        if (rc != 0) throw OpenError(fmt::format("cannot start libusb: {}", libusb_strerror(rc)));
    }
    ~Context() { libusb_exit(ctx); }
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
};

namespace {

using ContextPtr = std::shared_ptr<LibusbBackend::Context>;

std::string permission_advice(const std::string& node) {
    return fmt::format(
        "permission denied on {}: install the udev rules dfuhost ships (scripts/udev/60-dfuhost.rules, "
        "see README.md#usb-permissions), then unplug and replug the device",
        node);
}

// The device list, freed however the scope is left.
class DeviceList {
public:
    explicit DeviceList(libusb_context* ctx) {
        const ssize_t n = libusb_get_device_list(ctx, &list_);
        if (n < 0) throw OpenError(fmt::format("cannot list USB devices: {}", libusb_strerror(static_cast<int>(n))));
        size_ = static_cast<std::size_t>(n);
    }
    ~DeviceList() { libusb_free_device_list(list_, 1); }
    DeviceList(const DeviceList&) = delete;
    DeviceList& operator=(const DeviceList&) = delete;
    std::span<libusb_device*> devices() const { return {list_, size_}; }

private:
    libusb_device** list_ = nullptr;
    std::size_t size_ = 0;
};

std::string port_path(libusb_device* dev) {
    std::uint8_t ports[8];
    const int n = libusb_get_port_numbers(dev, ports, sizeof ports);
    std::string path = std::to_string(libusb_get_bus_number(dev));
    for (int i = 0; i < n; ++i) path += fmt::format("{}{}", i == 0 ? "-" : ".", ports[i]);
    return path;
}

std::string node_of(libusb_device* dev) {
    return fmt::format("/dev/bus/usb/{:03}/{:03}", libusb_get_bus_number(dev), libusb_get_device_address(dev));
}

std::string string_descriptor(libusb_device_handle* h, std::uint8_t index) {
    if (index == 0) return {};
    unsigned char buf[256];
    const int n = libusb_get_string_descriptor_ascii(h, index, buf, sizeof buf);
    if (n <= 0) return {};
    return std::string(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

bool contains_nocase(const std::string& hay, const std::string& needle) {
    if (needle.empty()) return false;
    auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    return it != hay.end();
}

struct BulkInterface {
    int number = 0;
    std::uint8_t in_ep = 0;
    std::uint8_t out_ep = 0;
    std::size_t in_packet = 0;
    std::size_t out_packet = 0;
    std::string name;
};

std::vector<BulkInterface> bulk_interfaces(libusb_device_handle* h, const libusb_config_descriptor& config,
                                           std::uint8_t interface_class) {
    std::vector<BulkInterface> found;
    for (int i = 0; i < config.bNumInterfaces; ++i) {
        const libusb_interface& itf = config.interface[i];
        if (itf.num_altsetting < 1) continue;
        const libusb_interface_descriptor& alt = itf.altsetting[0];
        if (alt.bInterfaceClass != interface_class) continue;
        BulkInterface b;
        b.number = alt.bInterfaceNumber;
        int ins = 0, outs = 0;
        for (int e = 0; e < alt.bNumEndpoints; ++e) {
            const libusb_endpoint_descriptor& ep = alt.endpoint[e];
            if ((ep.bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK) continue;
            const std::size_t size = ep.wMaxPacketSize & 0x07FF;
            if ((ep.bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN) {
                ++ins;
                b.in_ep = ep.bEndpointAddress;
                b.in_packet = size;
            } else {
                ++outs;
                b.out_ep = ep.bEndpointAddress;
                b.out_packet = size;
            }
        }
        if (ins != 1 || outs != 1) continue;
        b.name = string_descriptor(h, alt.iInterface);
        found.push_back(b);
    }
    return found;
}

std::optional<BulkInterface> pick(const std::vector<BulkInterface>& found, const BulkInterfaceChoice& choice) {
    for (const auto& b : found)
        if (contains_nocase(b.name, choice.name_hint)) return b;
    std::vector<BulkInterface> rest;
    for (const auto& b : found)
        if (!contains_nocase(b.name, choice.name_avoid)) rest.push_back(b);
    if (rest.size() == 1) return rest.front();
    return std::nullopt;
}

class LibusbBulkDevice final : public UsbBulkDevice {
public:
    LibusbBulkDevice(ContextPtr ctx, libusb_device_handle* h, BulkInterface itf, bool reattach, std::string label)
        : ctx_(std::move(ctx)), handle_(h), itf_(std::move(itf)), reattach_(reattach), label_(std::move(label)) {}

    ~LibusbBulkDevice() override {
        libusb_release_interface(handle_, itf_.number);
        if (reattach_) libusb_attach_kernel_driver(handle_, itf_.number);
        libusb_close(handle_);
    }
    LibusbBulkDevice(const LibusbBulkDevice&) = delete;
    LibusbBulkDevice& operator=(const LibusbBulkDevice&) = delete;

    void write(std::span<const std::uint8_t> data, std::chrono::milliseconds timeout) override {
        int done = 0;
        const int rc = libusb_bulk_transfer(handle_, itf_.out_ep, const_cast<unsigned char*>(data.data()),
                                            static_cast<int>(data.size()), &done, timeout_ms(timeout));
        if (rc == LIBUSB_ERROR_TIMEOUT)
            throw IoError(fmt::format("{}: the bridge took no command within {} ms (endpoint 0x{:02X})", label_,
                                      timeout.count(), itf_.out_ep));
        if (rc != 0) throw IoError(fmt::format("{}: sending to the bridge failed: {}", label_, failure(rc)));
        if (static_cast<std::size_t>(done) != data.size())
            throw IoError(fmt::format("{}: the bridge took {} of {} bytes", label_, done, data.size()));
    }

    std::size_t read(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) override {
        // One USB packet at most: the bridge ends a reply of exactly wMaxPacketSize bytes
        // without a zero-length packet, so asking for more would wait out the timeout.
        const std::size_t want = std::min(buffer.size(), itf_.in_packet);
        int done = 0;
        const int rc = libusb_bulk_transfer(handle_, itf_.in_ep, buffer.data(), static_cast<int>(want), &done,
                                            timeout_ms(timeout));
        if (rc == LIBUSB_ERROR_TIMEOUT) return static_cast<std::size_t>(done);
        if (rc != 0) throw IoError(fmt::format("{}: reading from the bridge failed: {}", label_, failure(rc)));
        return static_cast<std::size_t>(done);
    }

    std::size_t packet_size() const noexcept override { return std::min(itf_.in_packet, itf_.out_packet); }
    std::string description() const override { return label_; }

private:
    static unsigned timeout_ms(std::chrono::milliseconds t) {
        return static_cast<unsigned>(std::max<std::chrono::milliseconds::rep>(1, t.count()));
    }
    static std::string failure(int rc) {
        if (rc == LIBUSB_ERROR_NO_DEVICE) return "the device is gone (unplugged?)";
        return libusb_strerror(rc);
    }

    ContextPtr ctx_;
    libusb_device_handle* handle_;
    BulkInterface itf_;
    bool reattach_;
    std::string label_;
};

// Closes a handle unless ownership moves on.
struct HandleGuard {
    libusb_device_handle* h = nullptr;
    ~HandleGuard() {
        if (h) libusb_close(h);
    }
    libusb_device_handle* release() { return std::exchange(h, nullptr); }
};

}  // namespace

LibusbBackend::LibusbBackend() : context_(std::make_shared<Context>()) {}
LibusbBackend::~LibusbBackend() = default;

std::vector<UsbDeviceEntry> LibusbBackend::list(std::uint16_t vid, std::span<const std::uint16_t> pids) {
    std::vector<UsbDeviceEntry> out;
    DeviceList list(context_->ctx);
    for (libusb_device* dev : list.devices()) {
        libusb_device_descriptor d{};
        if (libusb_get_device_descriptor(dev, &d) != 0) continue;
        if (d.idVendor != vid || std::find(pids.begin(), pids.end(), d.idProduct) == pids.end()) continue;
        UsbDeviceEntry e;
        e.usb.vid = d.idVendor;
        e.usb.pid = d.idProduct;
        e.usb.path = port_path(dev);
        e.bus = libusb_get_bus_number(dev);
        e.address = libusb_get_device_address(dev);
        e.node = node_of(dev);
        HandleGuard g;
        const int rc = libusb_open(dev, &g.h);
        if (rc == 0) {
            e.usb.serial = string_descriptor(g.h, d.iSerialNumber);
            e.usb.description = string_descriptor(g.h, d.iProduct);
        } else {
            g.h = nullptr;
            e.problem = rc == LIBUSB_ERROR_ACCESS ? permission_advice(e.node)
                                                  : fmt::format("cannot open {}: {}", e.node, libusb_strerror(rc));
        }
        out.push_back(std::move(e));
    }
    return out;
}

std::unique_ptr<UsbBulkDevice> LibusbBackend::open(const UsbDeviceEntry& entry, const BulkInterfaceChoice& choice) {
    const std::string label =
        fmt::format("{} {} at {}", entry.usb.description.empty() ? "USB device" : entry.usb.description,
                    entry.usb.serial.empty() ? "(no serial)" : entry.usb.serial, entry.usb.path);
    DeviceList list(context_->ctx);
    libusb_device* dev = nullptr;
    for (libusb_device* d : list.devices())
        if (libusb_get_bus_number(d) == entry.bus && libusb_get_device_address(d) == entry.address) dev = d;
    if (!dev) throw OpenError(fmt::format("{} is gone ({}): was it unplugged?", label, entry.node));

    HandleGuard g;
    int rc = libusb_open(dev, &g.h);
    if (rc == LIBUSB_ERROR_ACCESS)
        throw OpenError(fmt::format("cannot open {}: {}", label, permission_advice(entry.node)));
    if (rc != 0) {
        g.h = nullptr;
        throw OpenError(fmt::format("cannot open {} ({}): {}", label, entry.node, libusb_strerror(rc)));
    }

    libusb_config_descriptor* config = nullptr;
    rc = libusb_get_active_config_descriptor(dev, &config);
    if (rc != 0)
        throw OpenError(
            fmt::format("cannot read the configuration of {} ({}): {}", label, entry.node, libusb_strerror(rc)));
    const auto found = bulk_interfaces(g.h, *config, choice.interface_class);
    libusb_free_config_descriptor(config);
    const auto itf = pick(found, choice);
    if (!itf)
        throw OpenError(fmt::format(
            "{} has no {} (a vendor-specific interface with one bulk IN and one bulk OUT "
            "endpoint{})",
            label, choice.what,
            found.empty() ? "" : fmt::format("; {} look alike, none named '{}'", found.size(), choice.name_hint)));

    if (itf->in_packet == 0 || itf->out_packet == 0)
        throw OpenError(fmt::format("{}: the {} reports a zero packet size", label, choice.what));

    bool reattach = false;
    if (libusb_kernel_driver_active(g.h, itf->number) == 1) {
        rc = libusb_detach_kernel_driver(g.h, itf->number);
        if (rc != 0)
            throw OpenError(fmt::format("cannot detach the kernel driver from interface {} of {}: {}", itf->number,
                                        label, libusb_strerror(rc)));
        reattach = true;
    }
    rc = libusb_claim_interface(g.h, itf->number);
    if (rc != 0) {
        if (reattach) libusb_attach_kernel_driver(g.h, itf->number);
        if (rc == LIBUSB_ERROR_BUSY)
            throw OpenError(
                fmt::format("{}: busy: in use by another process (interface {} is claimed: a debugger, another "
                            "dfuhost?); close it and try again",
                            label, itf->number));
        if (rc == LIBUSB_ERROR_ACCESS)
            throw OpenError(fmt::format("cannot claim {}: {}", label, permission_advice(entry.node)));
        throw OpenError(fmt::format("cannot claim interface {} of {}: {}", itf->number, label, libusb_strerror(rc)));
    }
    return std::make_unique<LibusbBulkDevice>(context_, g.release(), *itf, reattach, label);
}

}  // namespace dfu::transports
