// Linux i2c-dev: one I2C_RDWR message per transaction, so each packet is one
// START-address-data-STOP write and each poll one START-address-read-STOP.
#include "transports/i2c_dev.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "transports/bus_open.hpp"
#include "transports/linux_dev_node.hpp"
#include "transports/transport.hpp"

#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <sys/ioctl.h>

namespace dfu::transports {

std::string format_hz(unsigned hz) {
    if (hz >= 1000000 && hz % 100000 == 0) {
        if (hz % 1000000 == 0) return fmt::format("{} MHz", hz / 1000000);
        return fmt::format("{}.{} MHz", hz / 1000000, hz % 1000000 / 100000);
    }
    if (hz >= 1000 && hz % 1000 == 0) return fmt::format("{} kHz", hz / 1000);
    return fmt::format("{} Hz", hz);
}

namespace {

constexpr unsigned kDefaultSpeedHz = 100000;  // I2cSettings' default: what "not given" looks like

// The controller's device-tree node, as the i2c-dev class device sees it through its
// adapter. clock-frequency there is a big-endian u32 (devicetree property encoding).
unsigned device_tree_bus_hz(const std::string& node) {
    std::ifstream f("/sys/class/i2c-dev/" + dev_node_name(node) + "/device/of_node/clock-frequency", std::ios::binary);
    unsigned char b[4];
    if (!f.read(reinterpret_cast<char*>(b), 4)) return 0;
    return unsigned{b[0]} << 24 | unsigned{b[1]} << 16 | unsigned{b[2]} << 8 | unsigned{b[3]};
}

bool is_adapter_number(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

std::string adapter_name(const std::string& node) {
    const std::string base = "/sys/class/i2c-dev/" + dev_node_name(node);
    std::string name = read_sysfs_line(base + "/name");
    if (name.empty()) name = read_sysfs_line(base + "/device/name");
    return name;
}

}  // namespace

I2cDevBusSpeed i2c_dev_bus_speed(const std::string& node, unsigned requested_hz) {
    I2cDevBusSpeed s;
    s.bus_hz = device_tree_bus_hz(node);
    if (requested_hz != kDefaultSpeedHz && requested_hz != s.bus_hz)
        s.note = fmt::format(
            "--i2c-speed {} not applied: i2c-dev cannot set the bus clock; the kernel takes it from the device tree "
            "(clock-frequency; on a Raspberry Pi, dtparam=i2c_arm_baudrate=N in config.txt){}",
            format_hz(requested_hz), s.bus_hz ? fmt::format(", and {} runs at {}", node, format_hz(s.bus_hz)) : "");
    return s;
}

std::vector<FoundNode> find_i2c_nodes() {
    std::vector<FoundNode> found;
    for (auto& path : list_dev_nodes("i2c-", is_adapter_number)) {
        std::string name = adapter_name(path);
        found.push_back({std::move(path), std::move(name)});
    }
    return found;
}

namespace {

// i2c-dev refuses longer messages (I2C_RDWR checks each message against 8192 bytes);
// an adapter's own quirks may refuse less, which shows up as EOPNOTSUPP.
constexpr std::size_t kMaxMessage = 8192;

// What controller drivers return when nobody acknowledges the address. The fault-codes
// convention says ENXIO; many drivers return EREMOTEIO, some plain EIO.
bool is_address_nack(int err) {
    return err == ENXIO || err == EREMOTEIO || err == EIO;
}

std::string bus_fault(int err) {
    switch (err) {
        case ETIMEDOUT:
            return "the bus timed out (SCL held low: a stuck target, missing pull-ups, or clock stretching "
                   "beyond the controller's limit)";
        case EAGAIN:
            return "lost arbitration (another master on the bus?)";
        case EOPNOTSUPP:
            return "the adapter cannot do this transfer in one message (a controller limit on message length)";
        case ESHUTDOWN:
            return "the adapter is suspended";
        default:
            return std::strerror(err);
    }
}

class I2cDevPort final : public BusPort {
public:
    I2cDevPort(FileDescriptor fd, std::string path, std::uint8_t address, std::string description)
        : fd_(std::move(fd)), path_(std::move(path)), address_(address), description_(std::move(description)) {}

    void write(std::span<const std::uint8_t> bytes) override {
        i2c_msg msg{};
        msg.addr = address_;
        msg.flags = 0;
        msg.len = static_cast<__u16>(bytes.size());
        msg.buf = const_cast<__u8*>(bytes.data());  // the kernel only reads a write message
        if (const int err = transfer(msg); err != 0) {
            if (is_address_nack(err))
                throw IoError(fmt::format(
                    "{}: no acknowledge from address 0x{:02X} while writing a packet of {} bytes ({}): check "
                    "--i2c-address, the wiring and pull-ups, and that the device runs its DFU bootloader",
                    path_, address_, bytes.size(), std::strerror(err)));
            throw IoError(fmt::format("{}: writing a packet of {} bytes to 0x{:02X} failed: {}", path_, bytes.size(),
                                      address_, bus_fault(err)));
        }
    }

    bool read(std::span<std::uint8_t> buffer) override {
        i2c_msg msg{};
        msg.addr = address_;
        msg.flags = I2C_M_RD;
        msg.len = static_cast<__u16>(buffer.size());
        msg.buf = buffer.data();
        const int err = transfer(msg);
        if (err == 0) return true;
        // A target busy writing flash may not acknowledge its address: poll again.
        if (is_address_nack(err)) return false;
        throw IoError(fmt::format("{}: reading {} bytes from 0x{:02X} failed: {}", path_, buffer.size(), address_,
                                  bus_fault(err)));
    }

    std::size_t max_transfer() const noexcept override { return kMaxMessage; }
    std::string description() const override { return description_; }

private:
    // 0 or the errno of the failed I2C_RDWR.
    int transfer(i2c_msg& msg) {
        i2c_rdwr_ioctl_data data{&msg, 1};
        int r;
        do r = ::ioctl(fd_.get(), I2C_RDWR, &data);
        while (r < 0 && errno == EINTR);
        return r < 0 ? errno : 0;
    }

    FileDescriptor fd_;
    std::string path_;
    std::uint8_t address_;
    std::string description_;
};

}  // namespace

std::unique_ptr<BusPort> open_i2c_dev(const I2cSettings& settings) {
    const std::string& path = settings.device;
    if (settings.address < kI2cFirstTargetAddress || settings.address > kI2cLastTargetAddress)
        throw OpenError(fmt::format(
            "I2C address 0x{:02X} is not a 7-bit target address: use 0x{:02X}..0x{:02X} (--i2c-address; the "
            "others are reserved by the I2C specification)",
            settings.address, kI2cFirstTargetAddress, kI2cLastTargetAddress));
    FileDescriptor fd = open_dev_node(path, {"I2C adapter", "i2c-dev", "i2c"});
    const std::string name = adapter_name(path);
    const std::string named = name.empty() ? path : fmt::format("{} ({})", path, name);

    unsigned long funcs = 0;
    if (::ioctl(fd.get(), I2C_FUNCS, &funcs) < 0)
        throw OpenError(fmt::format("{}: not an i2c-dev node (I2C_FUNCS failed: {}); I2C adapters are /dev/i2c-N", path,
                                    std::strerror(errno)));
    if (!(funcs & I2C_FUNC_I2C))
        throw OpenError(fmt::format(
            "{}: the adapter can only do SMBus transfers, not the plain I2C messages DFU packets need; use another "
            "adapter or a USB bridge (--i2c kitprog3|mcp2221|cp2112)",
            named));
    // I2C_RDWR goes around kernel drivers, so ask: a driver bound to the address
    // would talk to the device too.
    if (::ioctl(fd.get(), I2C_SLAVE, static_cast<unsigned long>(settings.address)) < 0) {
        const int err = errno;
        if (err == EBUSY)
            throw OpenError(
                fmt::format("{}: address 0x{:02X} is in use by a kernel driver: unbind it (see "
                            "/sys/bus/i2c/devices/*-{:04x}/driver) "
                            "or use another --i2c-address",
                            named, settings.address, settings.address));
        throw OpenError(
            fmt::format("{}: cannot use address 0x{:02X}: {}", named, settings.address, std::strerror(err)));
    }

    const I2cDevBusSpeed speed = i2c_dev_bus_speed(path, settings.speed_hz);
    // The full note is for the CLI to print (i2c_dev_bus_speed); the description keeps
    // the short form so every message about this bus still shows it.
    std::string description =
        fmt::format("i2c {} @ 0x{:02X}, {}", named, settings.address,
                    speed.bus_hz ? fmt::format("{} set by the device tree", format_hz(speed.bus_hz))
                                 : "bus speed set by the kernel");
    if (!speed.note.empty()) description += fmt::format(" (--i2c-speed {} not applied)", format_hz(settings.speed_hz));
    return std::make_unique<I2cDevPort>(std::move(fd), path, settings.address, std::move(description));
}

}  // namespace dfu::transports
