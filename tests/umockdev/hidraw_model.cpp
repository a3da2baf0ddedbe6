#include "hidraw_model.hpp"

#include <fcntl.h>
#include <linux/hidraw.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <stdexcept>

namespace umock {
namespace {

// The kernel's limit on one report passed through hidraw (include/linux/hid.h).
constexpr std::size_t kMaxBuffer = 16384;

const char* type_name(HidLayout::Type t) {
    return t == HidLayout::Type::input ? "input" : t == HidLayout::Type::output ? "output" : "feature";
}

std::string hex(std::uint8_t b) {
    static const char digits[] = "0123456789ABCDEF";
    return {'0', 'x', digits[b >> 4], digits[b & 0xF]};
}

}  // namespace

// ---- HidLayout ----------------------------------------------------------------------

bool HidLayout::numbered() const {
    return std::any_of(reports.begin(), reports.end(), [](const Report& r) { return r.id != 0; });
}

std::optional<std::size_t> HidLayout::size_of(Type type, std::uint8_t id) const {
    for (const auto& r : reports)
        if (r.type == type && r.id == id) return r.size;
    return std::nullopt;
}

// HID 1.11 section 6.2.2: short items, one byte of tag/type/size then 0, 1, 2 or 4 data bytes.
std::vector<std::uint8_t> HidLayout::descriptor() const {
    std::vector<std::uint8_t> d;
    auto item = [&d](std::initializer_list<std::uint8_t> bytes) { d.insert(d.end(), bytes); };
    item({0x06, static_cast<std::uint8_t>(usage_page & 0xFF),
          static_cast<std::uint8_t>(usage_page >> 8)});  // Usage Page
    item({0x09, usage});                                 // Usage
    item({0xA1, 0x01});                                  // Collection (Application)
    const bool ids = numbered();
    for (const auto& r : reports) {
        if (ids) item({0x85, r.id});  // Report ID
        item({0x09, 0x01});           // Usage (vendor 1)
        item({0x15, 0x00});           // Logical Minimum 0
        item({0x26, 0xFF, 0x00});     // Logical Maximum 255
        item({0x75, 0x08});           // Report Size: 8 bits
        if (r.size <= 0xFF)
            item({0x95, static_cast<std::uint8_t>(r.size)});  // Report Count
        else
            item({0x96, static_cast<std::uint8_t>(r.size & 0xFF), static_cast<std::uint8_t>(r.size >> 8)});
        // Input, Output or Feature (Data, Variable, Absolute)
        item({r.type == Type::input    ? std::uint8_t{0x81}
              : r.type == Type::output ? std::uint8_t{0x91}
                                       : std::uint8_t{0xB1},
              0x02});
    }
    d.push_back(0xC0);  // End Collection
    return d;
}

HidLayout HidLayout::unnumbered64() {
    return {0xFF00, 0x01, {{Type::input, 0, 64}, {Type::output, 0, 64}}};
}

HidLayout HidLayout::cp2112() {
    // AN495: report ID, then the report's bytes; sizes without the ID.
    return {0xFF00,
            0x01,
            {{Type::feature, 0x06, 13},  // SMBus Configuration
             {Type::output, 0x10, 3},    // Data Read Request
             {Type::output, 0x12, 2},    // Data Read Force Send
             {Type::input, 0x13, 63},    // Data Read Response
             {Type::output, 0x14, 63},   // Data Write
             {Type::output, 0x15, 1},    // Transfer Status Request
             {Type::input, 0x16, 6},     // Transfer Status Response
             {Type::output, 0x17, 1}}};  // Cancel Transfer
}

// ---- HidrawNode ---------------------------------------------------------------------

HidrawNode::HidrawNode(Testbed& tb, const std::string& devnode, testsupport::EmulatedHid& device, HidLayout layout,
                       HidIdentity identity)
    : device_(device), layout_(std::move(layout)), descriptor_(layout_.descriptor()), identity_(std::move(identity)) {
    const auto fifo = tb.host_path(devnode);
    fifo_ = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fifo_ < 0) throw std::runtime_error("cannot open the FIFO " + fifo.string() + ": " + std::strerror(errno));
    sync_doorbell();
}

HidrawNode::~HidrawNode() {
    if (fifo_ >= 0) ::close(fifo_);
}

std::vector<std::string> HidrawNode::misuse() const {
    std::lock_guard lock(mutex_);
    return misuse_;
}

std::size_t HidrawNode::writes() const {
    std::lock_guard lock(mutex_);
    return writes_;
}

std::size_t HidrawNode::feature_calls() const {
    std::lock_guard lock(mutex_);
    return feature_calls_;
}

std::size_t HidrawNode::reads() const {
    std::lock_guard lock(mutex_);
    return reads_;
}

void HidrawNode::queue_input(std::vector<std::uint8_t> report) {
    std::lock_guard lock(mutex_);
    device_.input.push_back(std::move(report));
    sync_doorbell();
}

// One byte in the FIFO while an input report waits, none otherwise: poll() on the
// caller's fd (the same FIFO) then reports POLLIN exactly when read() has a report.
void HidrawNode::sync_doorbell() {
    const bool want = !device_.input.empty();
    if (want == doorbell_) return;
    std::uint8_t b = 1;
    const ssize_t n = want ? ::write(fifo_, &b, 1) : ::read(fifo_, &b, 1);
    if (n != 1)
        throw std::runtime_error(std::string("hidraw model: the FIFO did not take the doorbell: ") +
                                 std::strerror(errno));
    doorbell_ = want;
}

void HidrawNode::check_report(HidLayout::Type type, const std::vector<std::uint8_t>& report) {
    // Without report IDs the kernel's USB path drops a leading 0x00 and sends the rest;
    // any other first byte would go out as data, one byte too many.
    const std::uint8_t id = report.at(0);
    const auto size = layout_.size_of(type, layout_.numbered() ? id : 0);
    if (!layout_.numbered() && id != 0)
        misuse_.push_back(std::string(type_name(type)) + " report starts with " + hex(id) +
                          " on a device without report IDs (must be 0x00)");
    else if (!size)
        misuse_.push_back(std::string("no ") + type_name(type) + " report " + hex(id) + " in the report descriptor");
    else if (report.size() - 1 > *size)
        misuse_.push_back(std::string(type_name(type)) + " report " + hex(id) + " of " +
                          std::to_string(report.size() - 1) + " bytes, the descriptor declares " +
                          std::to_string(*size));
}

long HidrawNode::write(IoctlCall& call) {
    ClientMemory buf = call.buffer();
    const auto bytes = buf.bytes();
    if (bytes.size() < 2 || bytes.size() > kMaxBuffer) return -EINVAL;  // hidraw_send_report
    std::vector<std::uint8_t> report(bytes.begin(), bytes.end());
    std::lock_guard lock(mutex_);
    ++writes_;
    check_report(HidLayout::Type::output, report);
    device_.write(report);
    sync_doorbell();
    return static_cast<long>(report.size());
}

long HidrawNode::read(IoctlCall& call) {
    ClientMemory buf = call.buffer();
    std::lock_guard lock(mutex_);
    // Only called after poll() said POLLIN; a read with nothing queued is what the kernel
    // answers an O_NONBLOCK reader (a blocking one would sleep until a report came, and
    // none can come while the only thread that writes is blocked reading).
    if (device_.input.empty()) return -EAGAIN;
    ++reads_;
    const std::size_t n = device_.read(buf.bytes(), std::chrono::milliseconds(0));
    sync_doorbell();
    return static_cast<long>(n);
}

long HidrawNode::copy_string(IoctlCall& call, std::size_t len, const std::string& text) {
    const std::size_t n = std::min(text.size() + 1, len);  // NUL included unless cut short
    ClientMemory out = call.pointee(n);
    if (!out.valid()) return -EFAULT;
    std::copy_n(text.c_str(), n, out.bytes().begin());
    return static_cast<long>(n);
}

long HidrawNode::set_feature(IoctlCall& call, std::size_t len) {
    if (len < 2 || len > kMaxBuffer) return -EINVAL;
    ClientMemory in = call.pointee(len);
    if (!in.valid()) return -EFAULT;
    std::vector<std::uint8_t> report(in.bytes().begin(), in.bytes().end());
    std::lock_guard lock(mutex_);
    ++feature_calls_;
    check_report(HidLayout::Type::feature, report);
    if (!layout_.size_of(HidLayout::Type::feature, layout_.numbered() ? report[0] : 0)) return -EPIPE;  // stall
    device_.send_feature(report);
    sync_doorbell();
    return static_cast<long>(len);
}

long HidrawNode::get_feature(IoctlCall& call, std::size_t len) {
    if (len < 2 || len > kMaxBuffer) return -EINVAL;
    ClientMemory io = call.pointee(len);
    if (!io.valid()) return -EFAULT;
    auto bytes = io.bytes();
    std::lock_guard lock(mutex_);
    ++feature_calls_;
    const std::uint8_t id = bytes[0];
    const auto size = layout_.size_of(HidLayout::Type::feature, layout_.numbered() ? id : 0);
    if (!size) {
        misuse_.push_back("no feature report " + hex(id) + " in the report descriptor");
        return -EPIPE;  // the device stalls the GET_REPORT
    }
    std::vector<std::uint8_t> answer(*size + 1, 0);
    answer[0] = id;
    const std::size_t n = device_.get_feature(answer);
    if (n == 0) return -EPIPE;
    const std::size_t k = std::min(n, bytes.size());
    std::copy_n(answer.begin(), k, bytes.begin());
    return static_cast<long>(k);
}

long HidrawNode::ioctl(IoctlCall& call) {
    const unsigned long req = call.request();
    if (_IOC_TYPE(req) != 'H') return -ENOTTY;
    const std::size_t len = _IOC_SIZE(req);
    switch (_IOC_NR(req)) {
        case _IOC_NR(HIDIOCGRDESCSIZE): {
            ClientMemory out = call.pointee(sizeof(int));
            if (!out.valid()) return -EFAULT;
            out.as<int>() = static_cast<int>(descriptor_.size());
            return 0;
        }
        case _IOC_NR(HIDIOCGRDESC): {
            ClientMemory io = call.pointee(sizeof(hidraw_report_descriptor));
            if (!io.valid()) return -EFAULT;
            auto& d = io.as<hidraw_report_descriptor>();
            if (d.size > HID_MAX_DESCRIPTOR_SIZE - 1) return -EINVAL;
            std::copy_n(descriptor_.begin(), std::min<std::size_t>(d.size, descriptor_.size()), d.value);
            return 0;
        }
        case _IOC_NR(HIDIOCGRAWINFO): {
            ClientMemory out = call.pointee(sizeof(hidraw_devinfo));
            if (!out.valid()) return -EFAULT;
            auto& info = out.as<hidraw_devinfo>();
            info.bustype = identity_.bus;
            info.vendor = static_cast<__s16>(identity_.vid);
            info.product = static_cast<__s16>(identity_.pid);
            return 0;
        }
        case _IOC_NR(HIDIOCGRAWNAME(0)):
            return copy_string(call, len, identity_.name);
        case _IOC_NR(HIDIOCGRAWPHYS(0)):
            return copy_string(call, len, identity_.phys);
        case 0x08:  // HIDIOCGRAWUNIQ (Linux 5.6), not in every <linux/hidraw.h>
            return copy_string(call, len, identity_.uniq);
        case _IOC_NR(HIDIOCSFEATURE(0)):
            return set_feature(call, len);
        case _IOC_NR(HIDIOCGFEATURE(0)):
            return get_feature(call, len);
        default:
            return -ENOTTY;  // input/output report ioctls: no bridge here uses them
    }
}

}  // namespace umock
