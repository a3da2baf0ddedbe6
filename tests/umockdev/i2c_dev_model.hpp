#pragma once
// An i2c-dev adapter as the kernel presents it to user space (<linux/i2c-dev.h>,
// <linux/i2c.h>): I2C_FUNCS, I2C_SLAVE and I2C_RDWR, with a BusTarget (the device
// responder core) at one address on the bus. Written from the kernel's ABI, not from
// the host's i2c_dev.cpp, so the host code is checked against the interface itself.
#include <linux/i2c.h>

#include <cerrno>
#include <cstdint>
#include <mutex>
#include <set>
#include <vector>

#include "bus_target.hpp"
#include "testbed.hpp"

namespace umock {

class I2cDevModel final : public IoctlHandler {
public:
    I2cDevModel(testsupport::BusTarget& target, std::uint8_t address) : target_(target), address_(address) {}

    // What the adapter can do (I2C_FUNCS): a full I2C controller unless a test says otherwise.
    unsigned long funcs = I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL;
    // What this adapter's driver returns when nobody acknowledges an address.
    int nack_errno = ENXIO;
    // Addresses a kernel driver has bound: I2C_SLAVE refuses them with EBUSY.
    std::set<unsigned> claimed_by_driver;

    // One i2c_msg as it crossed the bus: the bytes written, or the bytes read back.
    struct Message {
        std::uint16_t addr = 0;
        std::uint16_t flags = 0;
        std::vector<std::uint8_t> data;
        bool acknowledged = true;
    };
    // Every I2C_RDWR call (a combined transaction) with its messages.
    std::vector<std::vector<Message>> transactions() const;
    unsigned long slave_address() const;

    long ioctl(IoctlCall& call) override;

private:
    long rdwr(IoctlCall& call);

    testsupport::BusTarget& target_;
    std::uint8_t address_;
    mutable std::mutex mutex_;  // the handler runs on umockdev's worker thread
    std::vector<std::vector<Message>> transactions_;
    unsigned long slave_address_ = 0;
};

}  // namespace umock
