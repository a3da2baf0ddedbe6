// A test-only program for child_process_test: opens an I2C node with the real
// open_i2c_dev(), writes one packet and polls for the response, under whatever testbed
// its parent set up (UMOCKDEV_DIR and LD_PRELOAD are inherited).
//   umockdev_bus_child DEVICE ADDRESS PACKET_HEX   -> prints the response as hex
// Exit codes follow dfuhost's: 4 cannot open, 5 no response or I/O failure.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "transports/bus_open.hpp"
#include "transports/polled_bus_transport.hpp"

using namespace dfu::transports;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s DEVICE ADDRESS PACKET_HEX\n", argv[0]);
        return 2;
    }
    I2cSettings s;
    s.device = argv[1];
    s.address = static_cast<std::uint8_t>(std::strtoul(argv[2], nullptr, 0));
    std::vector<std::uint8_t> packet;
    const std::string hex = argv[3];
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        packet.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    try {
        PolledBusTransport bus(open_i2c_dev(s), 64);
        bus.send(packet, Reply::expected);
        std::vector<std::uint8_t> frame;
        if (!bus.receive(frame, Clock::now() + std::chrono::seconds(5))) {
            std::fprintf(stderr, "no response\n");
            return 5;
        }
        for (auto b : frame) std::printf("%02x", b);
        std::printf("\n");
        return 0;
    } catch (const OpenError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 4;
    } catch (const IoError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 5;
    }
}
