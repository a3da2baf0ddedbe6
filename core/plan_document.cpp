#include "core/plan_document.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "core/protocol.hpp"
#include "core/requests.hpp"

namespace dfu {

namespace {

// What the document says of one packet of a data-file row: the command and how many bytes it
// takes (Program/Verify Data: the 8-byte header and the row's rest; Erase Data: the address).
struct RowPacket {
    std::uint8_t code = 0;
    std::uint16_t size = 0;
    bool operator==(const RowPacket&) const = default;
};

// The command set of one row: runs of equal packets become one command with a repeat.
std::vector<formats::MtbdfuCommand> row_command_set(const std::vector<RowPacket>& shape) {
    std::vector<formats::MtbdfuCommand> set;
    for (std::size_t i = 0; i < shape.size();) {
        std::size_t j = i;
        while (j < shape.size() && shape[j] == shape[i]) ++j;
        formats::MtbdfuCommand c;
        c.cmd_id = shape[i].code;
        c.data_length = shape[i].size;
        if (j - i > 1) c.repeat = static_cast<std::uint32_t>(j - i);
        set.push_back(std::move(c));
        i = j;
    }
    return set;
}

}  // namespace

formats::Mtbdfu document_of_plan(const ScriptPlan& plan, const DocumentOptions& o) {
    if (plan.sessions.size() != 1) throw std::logic_error("a job's plan is one session");
    const std::vector<ScriptPacket>& packets = plan.sessions[0].packets;
    formats::Mtbdfu doc;
    doc.app_info.file_version = 1;
    doc.app_info.product_id = plan.product_id;
    doc.app_info.checksum_type = static_cast<std::uint8_t>(plan.checksum);
    doc.app_info.app_id = o.app_id;
    doc.app_info.flash_row_length = o.row_size;
    formats::MtbdfuSession& session = doc.sessions.emplace_back();
    session.json_path = "commands";
    bool rows_written = false;
    // Enter DFU and Exit DFU are the session's own.
    for (std::size_t i = 1; i + 1 < packets.size();) {
        const ScriptPacket& p = packets[i];
        if (p.row == ScriptPacket::kNoRow) {
            formats::MtbdfuCommand c;
            c.comment = plan.command_of(p).where;
            c.cmd_id = p.command;
            const auto data = plan.data(p);
            c.data_length = static_cast<std::uint32_t>(data.size());
            c.data = std::vector<std::uint8_t>(data.begin(), data.end());
            if (p.answered) c.retries = o.retries;
            session.commands.push_back(std::move(c));
            ++i;
            continue;
        }
        if (rows_written) throw std::logic_error("the plan's rows are interrupted by other commands");
        rows_written = true;
        // Every row must have the first row's shape: one command set, repeated to the end.
        std::vector<RowPacket> shape;
        std::size_t rows = 0;
        while (i + 1 < packets.size() && packets[i].row != ScriptPacket::kNoRow) {
            const std::uint32_t row = packets[i].row;
            std::vector<RowPacket> this_row;
            for (; i + 1 < packets.size() && packets[i].row == row; ++i)
                this_row.push_back({packets[i].command, packets[i].data_size});
            if (rows++ == 0) shape = std::move(this_row);
            else if (this_row != shape) throw std::logic_error("the plan's rows differ in shape");
        }
        formats::MtbdfuCommand c;
        c.comment = fmt::format("{} rows of {} bytes", rows, o.row_size);
        c.data_file = formats::MtbdfuDataFile{o.data_file, nullptr};
        c.flash_row_length = o.row_size;
        c.repeat_eof = true;
        c.retries = o.retries;
        c.command_set = row_command_set(shape);
        session.commands.push_back(std::move(c));
    }
    return doc;
}

}  // namespace dfu
