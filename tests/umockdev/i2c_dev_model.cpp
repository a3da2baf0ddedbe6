#include "i2c_dev_model.hpp"

#include <linux/i2c-dev.h>
#include <linux/i2c.h>

#include <algorithm>
#include <cstddef>

namespace umock {
namespace {
// i2c-dev's own limit on one message's length (I2C_RDWR).
constexpr std::size_t kMaxMessageLength = 8192;
}  // namespace

std::vector<std::vector<I2cDevModel::Message>> I2cDevModel::transactions() const {
    std::lock_guard lock(mutex_);
    return transactions_;
}

unsigned long I2cDevModel::slave_address() const {
    std::lock_guard lock(mutex_);
    return slave_address_;
}

long I2cDevModel::ioctl(IoctlCall& call) {
    switch (call.request()) {
        case I2C_FUNCS: {
            ClientMemory out = call.pointee(sizeof(unsigned long));
            if (!out.valid()) return -EFAULT;
            out.as<unsigned long>() = funcs;
            return 0;
        }
        case I2C_SLAVE:
        case I2C_SLAVE_FORCE: {
            const unsigned long a = call.value();
            if (a > 0x7F) return -EINVAL;
            if (call.request() == I2C_SLAVE && claimed_by_driver.count(static_cast<unsigned>(a))) return -EBUSY;
            std::lock_guard lock(mutex_);
            slave_address_ = a;
            return 0;
        }
        case I2C_RDWR:
            return rdwr(call);
        default:
            return -ENOTTY;
    }
}

long I2cDevModel::rdwr(IoctlCall& call) {
    ClientMemory arg = call.pointee(sizeof(i2c_rdwr_ioctl_data));
    if (!arg.valid()) return -EFAULT;
    const auto& request = arg.as<i2c_rdwr_ioctl_data>();
    if (request.nmsgs == 0 || request.nmsgs > I2C_RDWR_IOCTL_MAX_MSGS) return -EINVAL;
    ClientMemory msgs = arg.pointee(offsetof(i2c_rdwr_ioctl_data, msgs), request.nmsgs * sizeof(i2c_msg));
    if (!msgs.valid()) return -EFAULT;

    std::vector<Message> seen;
    long result = request.nmsgs;
    for (std::size_t i = 0; i < request.nmsgs; ++i) {
        const i2c_msg m = reinterpret_cast<const i2c_msg*>(msgs.bytes().data())[i];
        if (m.len > kMaxMessageLength || (m.flags & I2C_M_TEN)) {
            result = -EINVAL;
            break;
        }
        Message record{m.addr, m.flags, {}, true};
        ClientMemory buf = msgs.pointee(i * sizeof(i2c_msg) + offsetof(i2c_msg, buf), m.len);
        if (m.len > 0 && !buf.valid()) {
            result = -EFAULT;
            break;
        }
        const auto bytes = buf.bytes();
        // Nobody else is on this bus: any other address goes unacknowledged.
        bool ack = m.addr == address_;
        if (ack && (m.flags & I2C_M_RD)) {
            ack = target_.read(bytes);
            if (ack) record.data.assign(bytes.begin(), bytes.end());
        } else if (ack) {
            record.data.assign(bytes.begin(), bytes.end());
            target_.write(bytes);
        }
        record.acknowledged = ack;
        seen.push_back(std::move(record));
        if (!ack) {
            // The controller gives up on the whole transfer at the first NACK.
            result = -nack_errno;
            break;
        }
    }
    std::lock_guard lock(mutex_);
    transactions_.push_back(std::move(seen));
    return result;
}

}  // namespace umock
