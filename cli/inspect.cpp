#include "cli/inspect.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "cli/result_json.hpp"
#include "core/error.hpp"
#include "core/packet.hpp"
#include "core/protocol.hpp"
#include "core/requests.hpp"
#include "core/job_plan.hpp"
#include "core/script_plan.hpp"
#include "formats/binary.hpp"
#include "formats/cyacd2.hpp"
#include "formats/input_error.hpp"
#include "formats/intel_hex.hpp"
#include "formats/mtbdfu.hpp"

namespace dfu::cli {

namespace {

using nlohmann::json;

std::string hex32(std::uint64_t v) {
    return fmt::format("0x{:08X}", v);
}

// Rows of `row_size` that hold at least one byte of the image.
std::size_t rows_touched(const formats::SparseImage& image, std::uint32_t row_size) {
    std::size_t n = 0;
    std::uint64_t last = UINT64_MAX;
    for (const auto& s : image.segments()) {
        std::uint64_t first = s.address / row_size;
        const std::uint64_t end = (s.end() - 1) / row_size;
        if (first == last) ++first;
        if (end >= first) n += end - first + 1;
        last = end;
    }
    return n;
}

// What a plan sends on a clean line, and the least it gets back (every answered packet's frame
// and the data its success answer always carries).
json plan_counts(const ScriptPlan& plan, std::size_t packet_size) {
    std::uint64_t from_device = 0;
    for (const auto& session : plan.sessions)
        for (const auto& p : session.packets)
            if (p.answered) from_device += kFrameOverhead + requests::least_answer_size(p.command);
    return {{"packet_size", packet_size},
            {"packets", plan.packet_count()},
            {"bytes_to_device", plan.bytes_to_device()},
            {"bytes_from_device", from_device}};
}

// What inspect found, as the run's result: the same `result` event a failure sends.
json inspect_result(json found) {
    return result_json(CommandResult("inspect", std::move(found)));
}

int inspect_image(const RawOptions& raw, Reporter& out) {
    const std::filesystem::path file = raw.file;
    const ImageOptions io = image_options(raw);
    const EngineOptions engine = engine_options(raw);
    const FirmwareInput in = load_firmware(file, io);
    const formats::SparseImage& image = in.image;
    const FirmwareJob& job = in.job;
    const std::optional<formats::Cyacd2Header>& header = in.header;
    json j{{"file", file.string()}};
    std::vector<std::string> lines;
    j["format"] = job.format;
    lines.push_back(fmt::format("File        {} ({})", file.string(), job.format));
    if (header) {
        j["header"] = {{"file_version", header->file_version},
                       {"silicon_id", hex32(header->silicon_id)},
                       {"silicon_rev", fmt::format("0x{:02X}", header->silicon_rev)},
                       {"checksum", header->checksum_type ? "crc16" : "sum"},
                       {"app_id", header->app_id},
                       {"product_id", hex32(header->product_id)}};
        lines.push_back(
            fmt::format("Header      version {}, silicon ID {} rev 0x{:02X}, checksum {}, app {}, product ID {}",
                        header->file_version, hex32(header->silicon_id), header->silicon_rev,
                        header->checksum_type ? "crc16" : "sum", header->app_id, hex32(header->product_id)));
    }
    json ranges = json::array();
    lines.push_back(fmt::format("Data        {} bytes in {} range{}", image.size(), image.segments().size(),
                                image.segments().size() == 1 ? "" : "s"));
    for (const auto& s : image.segments()) {
        const std::uint32_t crc = crc32c(s.data);
        ranges.push_back(
            {{"start", hex32(s.address)}, {"end", hex32(s.end())}, {"bytes", s.data.size()}, {"crc32c", hex32(crc)}});
        lines.push_back(fmt::format("  {}..{}  {:>8} bytes  CRC-32C {}", hex32(s.address), hex32(s.end()),
                                    s.data.size(), hex32(crc)));
    }
    j["bytes"] = image.size();
    j["ranges"] = ranges;
    json rows{};
    std::string row_text;
    for (std::uint32_t r : {128u, 256u, 512u}) {
        const std::size_t n = rows_touched(image, r);
        rows[std::to_string(r)] = n;
        row_text += fmt::format("{}{} of {}", row_text.empty() ? "" : ", ", n, r);
    }
    j["rows_by_size"] = rows;
    lines.push_back(fmt::format("Rows        {} (sent: {} rows of {} bytes)", row_text, job.row_count(), job.row_size));
    if (job.app) {
        const std::uint32_t crc = image_crc32c(image, job.app->start, job.app->length, io.fill);
        std::uint8_t sig[4];
        image.copy_out(job.app->start + job.app->length, sig, io.fill);
        const std::uint32_t stored = read_le32(sig);
        j["app"] = {{"id", job.app_id},
                    {"start", hex32(job.app->start)},
                    {"length", job.app->length},
                    {"origin", job.app_origin},
                    {"crc32c", hex32(crc)},
                    {"signature", hex32(stored)},
                    {"signature_matches", crc == stored}};
        lines.push_back(fmt::format("App         {} at {}, {} bytes ({}); CRC-32C {}, signature {} {}", job.app_id,
                                    hex32(job.app->start), job.app->length, job.app_origin, hex32(crc), hex32(stored),
                                    crc == stored ? "(matches)" : "(DOES NOT MATCH: Verify Application will fail)"));
    } else {
        lines.push_back("App         no range (give --app-start/--app-length to check the application)");
    }
    for (const Action action : {Action::program, Action::verify, Action::erase}) {
        const ScriptPlan plan = plan_job(job, action, engine.packet_size);
        j[fmt::format("{}_plan", action_name(action))] = plan_counts(plan, engine.packet_size);
        std::string name = action_name(action);
        name[0] = static_cast<char>(name[0] - 'a' + 'A');
        lines.push_back(fmt::format("{:<12}{} packets of at most {} bytes, {} bytes to the device", name,
                                    plan.packet_count(), engine.packet_size, plan.bytes_to_device()));
    }
    out.result(inspect_result(std::move(j)));
    for (const auto& l : lines) out.say(l);
    return 0;
}

int inspect_mtbdfu(const RawOptions& raw, Reporter& out) {
    const formats::Mtbdfu doc = formats::load_mtbdfu(raw.file);
    ScriptOptions so;
    so.row_size = image_options(raw).row_size;
    const ScriptPlan plan = plan_script(doc, so);
    json j{{"file", doc.file},
           {"format", "mtbdfu"},
           {"app_info",
            {{"file_version", doc.app_info.file_version},
             {"product_id", hex32(doc.app_info.product_id)},
             {"checksum", doc.app_info.checksum_type ? "crc16" : "sum"}}},
           {"packets", plan.packet_count()},
           {"bytes_to_device", plan.bytes_to_device()},
           {"data_file_bytes", plan.data_file_bytes()}};
    out.say(fmt::format("File        {} (.mtbdfu)", doc.file));
    out.say(fmt::format("APPInfo     file version {}, product ID {}, checksum {}", doc.app_info.file_version,
                        hex32(doc.app_info.product_id), doc.app_info.checksum_type ? "crc16" : "sum"));
    json sessions = json::array();
    for (const auto& s : plan.sessions) {
        std::map<std::uint8_t, std::size_t> by_command;
        std::uint64_t bytes = 0;
        for (const auto& p : s.packets) {
            ++by_command[p.command];
            bytes += p.data_size + kFrameOverhead;
        }
        json counts{};
        std::string text;
        for (const auto& [code, n] : by_command) {
            counts[fmt::format("0x{:02X}", code)] = n;
            text += fmt::format("{}{} x {}", text.empty() ? "" : ", ", n, command_name(code));
        }
        sessions.push_back(
            {{"path", s.json_path}, {"packets", s.packets.size()}, {"bytes_to_device", bytes}, {"commands", counts}});
        out.say(fmt::format("Session     {}: {} packets, {} bytes to the device: {}", s.json_path, s.packets.size(),
                            bytes, text));
    }
    j["sessions"] = sessions;
    out.say(fmt::format("Total       {} packets, {} bytes to the device, {} bytes from data files", plan.packet_count(),
                        plan.bytes_to_device(), plan.data_file_bytes()));
    out.result(inspect_result(std::move(j)));
    return 0;
}

}  // namespace

int run_inspect(const RawOptions& raw, Reporter& out) {
    if (lower_extension(raw.file) == ".mtbdfu") return inspect_mtbdfu(raw, out);
    return inspect_image(raw, out);
}

}  // namespace dfu::cli
