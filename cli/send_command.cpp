#include "cli/send_command.hpp"

#include <fmt/format.h>

#include "cli/transport_choice.hpp"
#include "core/device_query.hpp"
#include "core/error.hpp"
#include "core/protocol.hpp"

namespace dfu::cli {

namespace {

std::string hex_text(std::span<const std::uint8_t> bytes) {
    std::string s;
    for (const std::uint8_t b : bytes) s += fmt::format("{:02X}", b);
    return s;
}

}  // namespace

int run_send(const RawOptions& raw, Reporter& out, const std::atomic<bool>& interrupted) {
    // Every word is checked before the port opens.
    const std::uint8_t code = send_command_option(raw);
    const std::vector<std::uint8_t> data = send_data_option(raw);
    const EngineOptions engine = engine_options(raw);
    const std::uint32_t product_id = product_id_option(raw);
    const TransportChoice wire = transport_choice(raw, "send");
    for (const auto& w : wire.warnings()) out.warning(w);
    auto transport = wire.open([&out](const std::string& line) { out.debug(line); });
    const CommandReply reply =
        send_one_command(*transport, checksum_option(raw), product_id, code, data, engine, out.events(), &interrupted);

    // "Get Metadata (0x3C)"; names of custom and unknown codes already carry the code.
    const std::string name = command_name(code);
    const std::string what = command_word(code).empty() ? name : fmt::format("{} (0x{:02X})", name, code);
    const bool ok = !reply.answered || reply.status == status::success;
    nlohmann::json result{{"event", "result"},
                          {"ok", ok},
                          {"exit_code", static_cast<int>(ok ? ExitCode::ok : ExitCode::device_error)},
                          {"action", "send"},
                          {"command", fmt::format("0x{:02X}", code)},
                          {"command_name", command_name(code)},
                          {"sent", hex_text(data)},
                          {"answered", reply.answered}};
    std::string error;
    if (reply.answered) {
        result["status"] = fmt::format("0x{:02X}", reply.status);
        result["status_name"] = status_name(reply.status);
        result["data"] = hex_text(reply.data);
        if (!ok) {
            error = fmt::format("{} answered {} (0x{:02X}): {}", what, status_name(reply.status), reply.status,
                                status_meaning(reply.status));
            result["error"] = error;
        }
    }
    out.result(result);
    out.say(fmt::format("Device on {}", transport->description()));
    if (!reply.answered) {
        out.say(fmt::format("Sent {}; the device never answers it", what));
        return 0;
    }
    out.say(fmt::format("{}: {} (0x{:02X}), {} data bytes{}{}", what, status_name(reply.status), reply.status,
                        reply.data.size(), reply.data.empty() ? "" : ": ", hex_bytes(reply.data)));
    if (!ok) throw Error(ExitCode::device_error, error);
    return 0;
}

}  // namespace dfu::cli
