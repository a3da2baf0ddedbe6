// What every plan from core/script_plan must look like, whatever document it came from.
#pragma once

#include <cstddef>

#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "core/script_plan.hpp"
#include "formats/mtbdfu.hpp"
#include "fuzz_support.hpp"

namespace fuzz {

inline std::size_t count_commands(const std::vector<dfu::formats::MtbdfuCommand>& commands) {
    std::size_t n = 0;
    for (const auto& c : commands) n += 1 + count_commands(c.command_set);
    return n;
}
inline std::size_t count_commands(const dfu::formats::Mtbdfu& doc) {
    std::size_t n = 0;
    for (const auto& s : doc.sessions) n += count_commands(s.commands);
    return n;
}

inline void check_plan(const dfu::ScriptPlan& plan, const dfu::formats::Mtbdfu& doc,
                       const dfu::ScriptOptions& options) {
    FUZZ_CHECK(plan.sessions.size() == doc.sessions.size());
    FUZZ_CHECK(plan.packet_count() <= options.max_packets);
    std::uint64_t data_bytes = 0;
    for (const auto& session : plan.sessions) {
        const auto& packets = session.packets;
        FUZZ_CHECK(packets.size() >= 2);
        FUZZ_CHECK(packets.front().command == dfu::cmd::enter);
        FUZZ_CHECK(packets.back().command == dfu::cmd::exit);
        for (std::size_t i = 0; i < packets.size(); ++i) {
            const auto& p = packets[i];
            FUZZ_CHECK(p.command_index < plan.commands.size());
            FUZZ_CHECK(p.data_at + p.data_size <= plan.bytes.size());
            FUZZ_CHECK(p.unit <= i);
            FUZZ_CHECK(plan.command_of(p).log < static_cast<int>(plan.logs.size()));
            FUZZ_CHECK(p.answered == !dfu::command_is_unanswered(p.command));
            FUZZ_CHECK(!plan.where(p).empty());
            data_bytes += plan.data(p).size();
        }
    }
    // Row bytes from data files travel inside packets.
    FUZZ_CHECK(plan.data_file_bytes() <= data_bytes);
    FUZZ_CHECK(plan.bytes_to_device() == data_bytes + plan.packet_count() * dfu::kFrameOverhead);
    // The plan stores a command's attributes and literal data once, however often it repeats.
    FUZZ_CHECK(plan.commands.size() <= 2 * plan.sessions.size() + count_commands(doc));
}

}  // namespace fuzz
