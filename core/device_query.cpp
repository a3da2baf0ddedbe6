#include "core/device_query.hpp"

#include <algorithm>

#include "core/flasher.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "core/requests.hpp"

namespace dfu {

namespace {

constexpr std::size_t kEntryBytes = 8;  // start u32, length u32 per application

}  // namespace

DeviceReport read_device_report(transports::Transport& transport, ChecksumType checksum, std::uint32_t product_id,
                                unsigned apps, EngineOptions options, EventSink& events,
                                const std::atomic<bool>* cancel) {
    DeviceReport report;
    for (unsigned a = 0; a < apps; ++a) report.apps.push_back(AppStatus{static_cast<std::uint8_t>(a), {}, {}, {}});
    const auto refused = [&report](std::uint8_t command, std::uint8_t status) {
        report.refused_command = command;
        report.refused_status = status;
    };
    report.identity = query_device(transport, checksum, product_id, options, events, cancel, [&](Client& client) {
        // Verify Application first: it answers SUCCESS even when the metadata row is bad, and
        // any error answer sends the device back to NONE, where it refuses everything else.
        for (AppStatus& app : report.apps) {
            const Response r = client.command(cmd::verify_app, requests::verify_app(app.app));
            if (r.status != status::success) {
                refused(cmd::verify_app, r.status);
                return true;
            }
            app.valid = requests::decode_verify_app(r.data).value_or(false);
        }
        // Whole entries, as many as fit the answer (frame overhead 7 bytes) in the packet size.
        const std::size_t per_request =
            std::max<std::size_t>(1, (options.packet_size - kFrameOverhead) / kEntryBytes) * kEntryBytes;
        const std::size_t total = report.apps.size() * kEntryBytes;
        for (std::size_t from = 0; from < total; from += per_request) {
            const std::size_t to = std::min(total, from + per_request);
            const Response r = client.command(cmd::get_metadata, requests::get_metadata(static_cast<std::uint16_t>(from),
                                                                                      static_cast<std::uint16_t>(to)));
            if (r.status != status::success) {
                refused(cmd::get_metadata, r.status);
                return true;
            }
            for (std::size_t at = 0; at + kEntryBytes <= r.data.size() && from + at < to; at += kEntryBytes) {
                AppStatus& app = report.apps[(from + at) / kEntryBytes];
                app.start = read_le32(r.data.data() + at);
                app.length = read_le32(r.data.data() + at + 4);
            }
        }
        return true;
    });
    return report;
}

CommandReply send_one_command(transports::Transport& transport, ChecksumType checksum, std::uint32_t product_id,
                              std::uint8_t code, std::span<const std::uint8_t> data, EngineOptions options,
                              EventSink& events, const std::atomic<bool>* cancel) {
    CommandReply reply;
    const auto send = [&](Client& client) {
        if (command_is_unanswered(code)) {
            client.command_unanswered(code, data);
            return;
        }
        const Response r = client.command(code, data, options.timeout, Client::Wait::ceiling);
        reply.answered = true;
        reply.status = r.status;
        reply.data = r.data;
    };
    if (code == cmd::enter) {
        // The user's own Enter DFU, data as given: the one session the host does not open itself.
        Client client(transport, checksum, options, events, cancel);
        try {
            transport.discard_input();
            send(client);
            if (reply.status == status::success) reply.identity = requests::decode_enter(reply.data);
            client.command_unanswered(cmd::exit, {});
        } catch (...) {
            rethrow_as_run_error("interrupted");
        }
        return reply;
    }
    reply.identity = query_device(transport, checksum, product_id, options, events, cancel, [&](Client& client) {
        send(client);
        return code != cmd::exit;
    });
    return reply;
}

}  // namespace dfu
