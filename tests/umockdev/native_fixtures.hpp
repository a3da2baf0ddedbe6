#pragma once
// Sysfs and /dev as a Raspberry Pi shows its I2C adapters and spidev nodes, built in a
// umockdev testbed, and the run of the real Flasher over a BusPort.
#include <string>

#include "bus_target.hpp"
#include "core/flasher.hpp"
#include "testbed.hpp"
#include "transports/polled_bus_transport.hpp"

namespace umock {

// /dev/i2c-N with its i2c-dev class device and the adapter above it. With `dt_hz`, the
// adapter's of_node carries clock-frequency as the device tree encodes it (big-endian u32).
inline void add_i2c_adapter(Testbed& tb, unsigned n, const std::string& name, unsigned dt_hz = 0) {
    const std::string ctrl = "/devices/platform/soc/fe8040" + std::to_string(n) + "0.i2c";
    const std::string adapter = ctrl + "/i2c-" + std::to_string(n);
    const std::string dt_node = "firmware/devicetree/base/soc/i2c@7e8040" + std::to_string(n) + "0";
    std::string desc = "P: " + adapter + "\nE: SUBSYSTEM=i2c\nE: DEVTYPE=i2c_adapter\nA: name=" + name + "\n";
    if (dt_hz) desc += "L: of_node=../../../../../" + dt_node + "\n";
    desc += "\nP: " + adapter + "/i2c-dev/i2c-" + std::to_string(n) + "\nE: SUBSYSTEM=i2c-dev\nE: DEVNAME=/dev/i2c-" +
            std::to_string(n) + "\nA: dev=89:" + std::to_string(n) + "\nA: name=" + name + "\nL: device=../../../i2c-" +
            std::to_string(n) + "\n\n";
    tb.add_from_string(desc);
    if (dt_hz) {
        const std::uint8_t be[4] = {static_cast<std::uint8_t>(dt_hz >> 24), static_cast<std::uint8_t>(dt_hz >> 16),
                                    static_cast<std::uint8_t>(dt_hz >> 8), static_cast<std::uint8_t>(dt_hz)};
        tb.write_file("sys/" + dt_node + "/clock-frequency", std::span<const std::uint8_t>(be, 4));
    }
    tb.add_node("/dev/i2c-" + std::to_string(n), "89:" + std::to_string(n));
}

// /dev/spidevB.C with its spidev class device and the SPI device it stands for.
inline void add_spidev(Testbed& tb, unsigned bus, unsigned cs, const std::string& modalias = "spi:spidev") {
    const std::string b = std::to_string(bus), c = std::to_string(cs);
    const std::string spi = "/devices/platform/soc/fe2040" + b + "0.spi/spi_master/spi" + b + "/spi" + b + "." + c;
    tb.add_from_string("P: " + spi + "\nE: SUBSYSTEM=spi\nA: modalias=" + modalias + "\n\nP: " + spi +
                       "/spidev/spidev" + b + "." + c + "\nE: SUBSYSTEM=spidev\nE: DEVNAME=/dev/spidev" + b + "." + c +
                       "\nA: dev=153:" + std::to_string(bus * 8 + cs) + "\nL: device=../../../spi" + b + "." + c +
                       "\n\n");
    tb.add_node("/dev/spidev" + b + "." + c, "153:" + std::to_string(bus * 8 + cs));
}

inline dfu::EngineOptions fast_engine_options() {
    dfu::EngineOptions o;
    o.error_holdoff = std::chrono::milliseconds(0);
    o.timeout = std::chrono::milliseconds(300);
    return o;
}

// The real Flasher through the polled-bus framing over `port`.
inline dfu::RunResult program_over(std::unique_ptr<dfu::transports::BusPort> port, const dfu::FirmwareJob& job,
                                   dfu::EngineOptions options = fast_engine_options()) {
    dfu::transports::PolledBusTransport transport(std::move(port), 64);
    dfu::EventSink quiet;
    dfu::Flasher flasher(transport, job, options, quiet);
    return flasher.run(dfu::Action::program);
}

}  // namespace umock
