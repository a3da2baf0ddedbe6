#include "formats/mtbdfu_writer.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace dfu::formats {

namespace {

using Json = nlohmann::ordered_json;

std::string hex(std::uint64_t v) {
    return fmt::format("0x{:X}", v);
}

std::string bytes_text(const std::vector<std::uint8_t>& bytes) {
    std::string s;
    for (std::size_t i = 0; i < bytes.size(); ++i) s += fmt::format("{}{:02X}", i ? " " : "", bytes[i]);
    return s;
}

// A duration in the coarsest unit that states it exactly.
void put_time(Json& j, const char* prefix, std::chrono::microseconds t) {
    const auto us = static_cast<std::uint64_t>(t.count());
    if (us % 1'000'000 == 0)
        j[std::string(prefix) + "S"] = hex(us / 1'000'000);
    else if (us % 1'000 == 0)
        j[std::string(prefix) + "MS"] = hex(us / 1'000);
    else
        j[std::string(prefix) + "US"] = hex(us);
}

Json command_json(const MtbdfuCommand& c) {
    Json j = Json::object();
    if (!c.comment.empty()) j["comment"] = c.comment;
    if (c.delay_only) {
        put_time(j, "delay", *c.delay);
        return j;
    }
    if (c.cmd_id) j["cmdId"] = hex(*c.cmd_id);
    if (c.data_length) j["dataLength"] = hex(*c.data_length);
    if (c.data) j["data"] = bytes_text(*c.data);
    if (c.data_file) j["dataFile"] = c.data_file->path.generic_string();
    if (c.flash_row_length) j["flashRowLength"] = hex(*c.flash_row_length);
    if (c.offset) j["offset"] = hex(*c.offset);
    if (c.repeat_eof)
        j["repeat"] = "EoF";
    else if (c.repeat)
        j["repeat"] = hex(*c.repeat);
    if (c.out_file) j["outFile"] = c.out_file->generic_string();
    if (c.output) j["output"] = *c.output;
    if (c.expect.status) j["statusCode"] = hex(*c.expect.status);
    if (c.expect.data) j["response"] = bytes_text(*c.expect.data);
    if (c.retries) j["retriesCount"] = hex(*c.retries);
    if (c.reconnect) j["reconnect"] = hex(*c.reconnect);
    if (c.timeout) put_time(j, "timeout", *c.timeout);
    if (c.delay) put_time(j, "delay", *c.delay);
    if (c.is_group()) {
        Json set = Json::array();
        for (const auto& child : c.command_set) set.push_back(command_json(child));
        j["commandSet"] = std::move(set);
    }
    return j;
}

Json commands_json(const MtbdfuSession& s) {
    Json list = Json::array();
    for (const auto& c : s.commands) list.push_back(command_json(c));
    return list;
}

}  // namespace

std::string write_mtbdfu(const Mtbdfu& doc) {
    const MtbdfuAppInfo& a = doc.app_info;
    Json app = Json::object();
    app["File Version"] = hex(a.file_version);
    app["Product Id"] = fmt::format("{:08X}", a.product_id);
    app["Packet Checksum Type"] = hex(a.checksum_type);
    if (a.app_id) app["Application Id"] = hex(*a.app_id);
    if (a.timeout_ms) app["timeoutMS"] = hex(*a.timeout_ms);
    if (a.flash_row_length) app["flashRowLength"] = hex(*a.flash_row_length);
    Json j = Json::object();
    j["APPInfo"] = std::move(app);
    if (doc.sessions.size() == 1 && doc.sessions[0].json_path == "commands") {
        j["commands"] = commands_json(doc.sessions[0]);
    } else {
        Json sessions = Json::array();
        for (const auto& s : doc.sessions) sessions.push_back(Json{{"commands", commands_json(s)}});
        j["sessions"] = std::move(sessions);
    }
    return j.dump(2) + '\n';
}

}  // namespace dfu::formats
