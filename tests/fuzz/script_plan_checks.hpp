// What every plan from core/script_plan must look like, whatever document it came from.
#pragma once

#include <cstddef>

#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "core/script_plan.hpp"
#include "formats/mtbdfu.hpp"
#include "fuzz_support.hpp"

namespace fuzz {

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
            FUZZ_CHECK(p.data.size() <= dfu::kMaxPacketData);
            FUZZ_CHECK(p.redo_from <= i);
            FUZZ_CHECK(p.log < static_cast<int>(plan.logs.size()));
            FUZZ_CHECK(p.answered == !dfu::command_is_unanswered(p.command));
            FUZZ_CHECK(!p.where.empty());
            data_bytes += p.data.size();
        }
    }
    // Row bytes from data files travel inside packets.
    FUZZ_CHECK(plan.data_file_bytes() <= data_bytes);
    FUZZ_CHECK(plan.bytes_to_device() == data_bytes + plan.packet_count() * dfu::kFrameOverhead);
}

}  // namespace fuzz
