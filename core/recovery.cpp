#include "core/recovery.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/protocol.hpp"
#include "core/requests.hpp"

namespace dfu {

// ERROR_CMD is among them because a device that dropped to NONE after an error whose answer
// was lost refuses everything but Enter DFU; a device that really lacks a command refuses it
// every time, and the same-point budget ends that quickly.
bool status_is_transient(std::uint8_t s) noexcept {
    return s == status::checksum || s == status::length || s == status::data || s == status::verify ||
           s == status::command;
}

std::string status_text(const DeviceStatus& s) {
    return fmt::format("{} answered {} (0x{:02X}): {}", command_name(s.command), status_name(s.status), s.status,
                       status_meaning(s.status));
}

Response ask(Client& client, std::uint8_t code, std::span<const std::uint8_t> data, std::chrono::microseconds ceiling,
             Client::Wait wait, std::uint8_t expected) {
    Response r = client.command(code, data, ceiling, wait);
    if (r.status != expected) throw DeviceStatus{r.status, code, r.before_request_end};
    return r;
}

namespace {

// Enter DFU and read the identity (docs/protocol.md, "Commands"). One attempt.
DeviceIdentity enter_once(Client& client, std::uint32_t product_id, std::chrono::microseconds ceiling) {
    const Response r = ask(client, cmd::enter, requests::enter(product_id), ceiling);
    const auto id = requests::decode_enter(r.data);
    if (!id)
        throw LinkFailure(LinkFailure::Kind::corrupt,
                          fmt::format("Enter DFU answer carries {} bytes, expected 8", r.data.size()));
    return *id;
}

}  // namespace

// A refused product ID is an identity error (exit 8), but only on the first Enter of a run:
// once the device has taken the product ID, a refusal later is damage on the line. The
// refusal is asked once more, never more: the device answers ERROR_DATA both to a wrong
// product ID and to a packet whose end byte was damaged (docs/protocol.md, "Status codes"), so
// a single 0x04 cannot tell a wrong file from one hit byte. Two in a row can: on the 1 % fault
// soak one refusal alone gave a false exit 8 (seeds 41-50).
DeviceIdentity enter_device(Client& client, std::uint32_t product_id, std::chrono::microseconds ceiling,
                            const std::function<void(const Recovery&)>& recovered, bool first) {
    constexpr unsigned kRefusalsForMismatch = 2;
    const unsigned attempts = client.options().retries + 1;
    unsigned refusals = 0;
    for (unsigned attempt = 1;; ++attempt) {
        try {
            return enter_once(client, product_id, ceiling);
        } catch (const LinkFailure& f) {
            if (attempt >= attempts) {
                if (f.kind() == LinkFailure::Kind::timeout)
                    throw Error(
                        ExitCode::no_response,
                        fmt::format("no response from the device on {} to Enter DFU within {} ms ({} attempts): "
                                    "check the port and baud rate, that the device is in its bootloader, "
                                    "and the checksum type (--checksum)",
                                    client.transport().description(),
                                    std::chrono::duration_cast<std::chrono::milliseconds>(ceiling).count(), attempts));
                throw Error(ExitCode::no_response,
                            fmt::format("{} ({} attempts): check the baud rate and --checksum", f.what(), attempts));
            }
            recovered(Recovery{f.what(), "Enter DFU", attempt, attempts});
        } catch (const DeviceStatus& s) {
            const bool refusal = first && s.status == status::data;
            if (refusal && ++refusals >= std::min(kRefusalsForMismatch, attempts))
                throw Error(ExitCode::identity_mismatch,
                            fmt::format("the device refused product ID 0x{:08X} ({}, {} times): the file or "
                                        "--product-id is for another product",
                                        product_id, status_name(s.status), refusals));
            if (attempt >= attempts) {
                // 0x03 is framing as often as a product ID the device cannot take: only a
                // refusal that lasts through every attempt counts.
                if (first && s.status == status::length)
                    throw Error(ExitCode::identity_mismatch,
                                fmt::format("the device refused product ID 0x{:08X} ({}): the file or --product-id is "
                                            "for another product",
                                            product_id, status_name(s.status)));
                throw Error(ExitCode::device_error, status_text(s));
            }
            recovered(Recovery{status_text(s), "Enter DFU", attempt, attempts});
        }
        client.settle_after_error();
    }
}

bool UnitAttempts::failed_at(std::size_t point) noexcept {
    same_point_ = point == last_point_ ? same_point_ + 1 : 1;
    last_point_ = point;
    return same_point_ > retries_ || attempt_ >= max_attempts();
}

}  // namespace dfu
