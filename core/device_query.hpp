#pragma once
// One DFU session that reads rather than writes: what `info` shows besides the identity
// (each application's metadata entry and validity), and `send`'s single command. Both run
// inside query_device() (core/flasher.hpp): its Enter DFU, identity checks and Exit.
#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/client.hpp"
#include "core/events.hpp"
#include "transports/transport.hpp"

namespace dfu {

struct AppStatus {
    std::uint8_t app = 0;
    std::optional<std::uint32_t> start;  // the metadata row's entry; nullopt when it could not be read
    std::optional<std::uint32_t> length;
    std::optional<bool> valid;  // Verify Application's answer; nullopt when not asked
};

struct DeviceReport {
    DeviceIdentity identity;
    std::vector<AppStatus> apps;
    // The first error status and the command that earned it (the device is then back in NONE
    // and is asked nothing more): Get Metadata's 0x02 says the metadata row fails its CRC.
    std::optional<std::uint8_t> refused_status;
    std::uint8_t refused_command = 0;
};

// Enter DFU, Verify Application for applications 0 .. apps-1, Get Metadata of their entries
// (as many per request as `options.packet_size` carries), Exit. Throws dfu::Error as
// query_device does (exit 5 on silence, 8 on a refused product ID); error answers to the
// reads are reported, not thrown.
DeviceReport read_device_report(transports::Transport& transport, ChecksumType checksum, std::uint32_t product_id,
                                unsigned apps, EngineOptions options, EventSink& events,
                                const std::atomic<bool>* cancel = nullptr);

struct CommandReply {
    bool answered = false;  // false for the commands the device never answers (Sync, Exit, 0x47)
    std::uint8_t status = 0;
    std::vector<std::uint8_t> data;
    std::optional<DeviceIdentity> identity;  // from the Enter DFU sent before it
};

// `send`: one command with `data`, in a session of its own as a .mtbdfu session would hold
// it: Enter DFU (product_id), the command, Exit DFU. When the command is Enter DFU itself it is
// sent as given (its data, not product_id) and followed by Exit; when it is Exit DFU, no second
// Exit follows. The answer is returned whatever its status; only silence throws (exit 5).
CommandReply send_one_command(transports::Transport& transport, ChecksumType checksum, std::uint32_t product_id,
                              std::uint8_t code, std::span<const std::uint8_t> data, EngineOptions options,
                              EventSink& events, const std::atomic<bool>* cancel = nullptr);

}  // namespace dfu
