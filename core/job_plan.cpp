#include "core/job_plan.hpp"

#include <fmt/format.h>

#include "core/protocol.hpp"
#include "core/requests.hpp"
#include "core/row_packing.hpp"

namespace dfu {

const char* action_name(Action a) noexcept {
    switch (a) {
        case Action::program:
            return "program";
        case Action::verify:
            return "verify";
        case Action::erase:
            return "erase";
    }
    return "?";
}

namespace {

class JobPlanner {
public:
    explicit JobPlanner(const FirmwareJob& job) {
        plan_.file = job.source;
        plan_.product_id = job.product_id;
        plan_.checksum = job.checksum;
        session_ = &plan_.sessions.emplace_back();
        session_->json_path = job.source;
    }

    // One packet; `unit` is where its unit starts (the packet itself when omitted).
    ScriptPacket& add(std::uint8_t code, const std::string& where, std::span<const std::uint8_t> data,
                      std::optional<std::size_t> unit = std::nullopt) {
        ScriptCommand c;
        c.where = where;
        plan_.commands.push_back(std::move(c));
        ScriptPacket p;
        p.command = code;
        p.answered = !command_is_unanswered(code);
        p.command_index = static_cast<std::uint32_t>(plan_.commands.size() - 1);
        p.data_at = plan_.bytes.size();
        p.data_size = static_cast<std::uint16_t>(data.size());
        plan_.bytes.insert(plan_.bytes.end(), data.begin(), data.end());
        p.unit = static_cast<std::uint32_t>(unit.value_or(session_->packets.size()));
        return session_->packets.emplace_back(p);
    }

    std::size_t next_index() const { return session_->packets.size(); }
    ScriptPlan take() { return std::move(plan_); }
    void count_row_bytes(std::size_t n) { plan_.data_file_bytes_ += n; }

private:
    ScriptPlan plan_;
    ScriptSession* session_;
};

std::string row_where(const FirmwareJob& job, const RowStep& row) {
    return row.line ? fmt::format("{}:{}", job.source, row.line) : job.source;
}

}  // namespace

ScriptPlan plan_job(const FirmwareJob& job, Action action, std::size_t packet_size) {
    JobPlanner p(job);
    p.add(cmd::enter, "Enter DFU", requests::enter(job.product_id));
    if (action == Action::program && job.app)
        p.add(cmd::set_app_metadata, "Set Application Metadata",
              requests::set_app_metadata(job.app_id, job.app->start, job.app->length));
    const RowPacking packing = pack_row(job.row_size, packet_size);
    for (const Step& step : job.steps) {
        if (const auto* eiv = std::get_if<EivStep>(&step)) {
            if (action != Action::erase)
                p.add(cmd::set_eiv, fmt::format("Set EI Vector ({}:{})", job.source, eiv->line),
                      requests::set_eiv(eiv->vector));
            continue;
        }
        const auto& row = std::get<RowStep>(step);
        const std::string where = row_where(job, row);
        const std::size_t unit = p.next_index();
        if (action == Action::erase) {
            p.add(cmd::erase_data, where, requests::erase(row.address)).row = row.address;
            continue;
        }
        const std::span<const std::uint8_t> bytes(row.data);
        std::size_t offset = 0;
        for (const std::size_t n : packing.send_data) {
            ScriptPacket& s = p.add(cmd::send_data, where, bytes.subspan(offset, n), unit);
            s.row = row.address;
            s.answer_may_be_lost = true;
            offset += n;
        }
        const bool verify = action == Action::verify;
        ScriptPacket& end = p.add(verify ? cmd::verify_data : cmd::program_data, where,
                                  requests::row_end(row.address, bytes, bytes.subspan(offset)), unit);
        end.row = row.address;
        end.mismatch_is_finding = verify;
        p.count_row_bytes(row.data.size());
    }
    if (action != Action::erase && job.app)
        p.add(cmd::verify_app, "Verify Application", requests::verify_app(job.app_id));
    p.add(cmd::exit, "Exit DFU", requests::exit());
    return p.take();
}

}  // namespace dfu
