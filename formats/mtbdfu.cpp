#include "formats/mtbdfu.hpp"

// The schema of a .mtbdfu document: which objects hold which fields, which combinations make
// sense, and the model they become. The JSON itself (formats/mtbdfu_json.cpp), the values
// (formats/mtbdfu_values.cpp, with the field names of formats/mtbdfu_fields.cpp) and the files
// it names (formats/mtbdfu_files.cpp) are read by the helpers here.

#include <fmt/core.h>

#include <algorithm>
#include <string>
#include <utility>

#include "formats/file_bytes.hpp"
#include "formats/mtbdfu_fields.hpp"
#include "formats/mtbdfu_files.hpp"
#include "formats/mtbdfu_json.hpp"
#include "formats/mtbdfu_values.hpp"

namespace dfu::formats {

namespace {

namespace fs = std::filesystem;
using namespace mtbdfu;

class MtbdfuParser {
public:
    MtbdfuParser(std::string_view text, const fs::path& file)
        : text_(text), file_(file), values_(file.string()), files_(values_, file) {}

    Mtbdfu run() {
        const Json doc = parse_json(text_, values_.file());
        Mtbdfu result;
        result.file = values_.file();
        result.folder = file_.parent_path();

        if (!doc.is_object()) {
            values_.fail("", fmt::format("the file must hold one JSON object with \"APPInfo\" and \"commands\" or "
                                         "\"sessions\", found {}",
                                         describe_type(doc)));
        }
        values_.check_fields(doc, "", kTopFields);
        if (!doc.contains("APPInfo")) {
            values_.fail("",
                         "APPInfo is required: add \"APPInfo\": {\"File Version\": \"0x1\", \"Product Id\": "
                         "\"01020304\", \"Packet Checksum Type\": \"0x0\"}");
        }
        result.app_info = parse_app_info(doc["APPInfo"], "APPInfo");

        const bool has_commands = doc.contains("commands");
        const bool has_sessions = doc.contains("sessions");
        if (has_commands && has_sessions) {
            values_.fail("", "give either \"commands\" (one session) or \"sessions\" (several), not both");
        }
        if (!has_commands && !has_sessions) {
            values_.fail("",
                         "there is nothing to run: add \"commands\": [...] (one session) or \"sessions\": "
                         "[{\"commands\": [...]}]");
        }
        if (has_commands) {
            result.sessions.push_back(MtbdfuSession{"commands", parse_command_list(doc["commands"], "commands")});
        } else {
            const Json& sessions = doc["sessions"];
            if (!sessions.is_array()) {
                values_.fail("sessions",
                             fmt::format("must be an array of sessions like [{{\"commands\": [...]}}], found {}",
                                         describe_type(sessions)));
            }
            if (sessions.empty()) values_.fail("sessions", "is empty; give at least one session");
            for (std::size_t i = 0; i < sessions.size(); ++i) {
                result.sessions.push_back(parse_session(sessions[i], index_path("sessions", i)));
            }
        }
        files_.check_out_files();
        return result;
    }

private:
    MtbdfuAppInfo parse_app_info(const Json& j, const std::string& path) const {
        if (!j.is_object()) {
            values_.fail(
                path, fmt::format("must be an object like {{\"File Version\": \"0x1\", \"Product Id\": \"01020304\", "
                                  "\"Packet Checksum Type\": \"0x0\"}}, found {}",
                                  describe_type(j)));
        }
        values_.check_fields(j, path, kAppInfoFields);
        const auto field = [&](std::string_view name) { return child_path(path, name); };

        MtbdfuAppInfo info;
        if (!j.contains("File Version")) values_.fail(path, "\"File Version\" is required (it is \"0x1\")");
        info.file_version = values_.hex_number(j["File Version"], field("File Version"), 0, 0xFFFFFFFFu, "0x1");

        if (!j.contains("Product Id")) {
            values_.fail(path, "\"Product Id\" is required: the device's product ID in hex, like \"01020304\"");
        }
        info.product_id = values_.hex_number(j["Product Id"], field("Product Id"), 0, 0xFFFFFFFFu, "01020304");

        const auto checksum = values_.one_of(j, path, {kChecksumField, kChecksumFieldPublished});
        if (!checksum) {
            values_.fail(path, "\"Packet Checksum Type\" is required: \"0x0\" (basic sum) or \"0x1\" (CRC-16)");
        }
        info.checksum_type = static_cast<std::uint8_t>(
            values_.hex_number(j[std::string(*checksum)], field(*checksum), 0, 1, "0x0", " (0 basic sum, 1 CRC-16)"));

        if (j.contains("Application Id"))
            info.app_id = values_.hex_byte(j["Application Id"], field("Application Id"), "0x0");
        if (j.contains("timeoutMS")) {
            info.timeout_ms = values_.hex_number(j["timeoutMS"], field("timeoutMS"), 1, 0xFFFFFFFFu, "0x12C");
        }
        if (j.contains("flashRowLength")) {
            info.flash_row_length =
                values_.hex_number(j["flashRowLength"], field("flashRowLength"), 1, 0xFFFFFFFFu, "0x200");
        }
        return info;
    }

    MtbdfuSession parse_session(const Json& j, const std::string& path) {
        if (!j.is_object()) {
            values_.fail(path,
                         fmt::format("must be an object like {{\"commands\": [...]}}, found {}", describe_type(j)));
        }
        values_.check_fields(j, path, kSessionFields);
        if (!j.contains("commands")) values_.fail(path, "has no \"commands\"; every session needs a list of commands");
        const std::string commands_path = child_path(path, "commands");
        return MtbdfuSession{path, parse_command_list(j["commands"], commands_path)};
    }

    std::vector<MtbdfuCommand> parse_command_list(const Json& j, const std::string& path) {
        if (!j.is_array()) {
            values_.fail(path,
                         fmt::format("must be an array of command objects like [{{\"cmdId\": \"0x38\"}}], found {}",
                                     describe_type(j)));
        }
        if (j.empty()) values_.fail(path, "is empty; a session needs at least one command");
        std::vector<MtbdfuCommand> commands;
        commands.reserve(j.size());
        for (std::size_t i = 0; i < j.size(); ++i) {
            commands.push_back(parse_command(j[i], index_path(path, i), nullptr, 0));
        }
        return commands;
    }

    // `inherited`: the data file of the nearest enclosing group that has one.
    MtbdfuCommand parse_command(const Json& j, const std::string& path, const MtbdfuDataFile* inherited,
                                std::size_t depth) {
        if (!j.is_object()) {
            values_.fail(path,
                         fmt::format("must be an object like {{\"cmdId\": \"0x38\"}}, found {}", describe_type(j)));
        }
        values_.check_fields(j, path, kCommandFields);
        const auto field = [&](std::string_view name) { return child_path(path, name); };
        const auto has = [&](std::string_view name) { return j.contains(name); };
        const auto at = [&](std::string_view name) -> const Json& { return j[std::string(name)]; };

        MtbdfuCommand cmd;
        cmd.json_path = path;

        // Pairs of spellings first, so that "both given" is reported before either is parsed.
        const auto data_key = values_.one_of(j, path, {"data", "dataBytes"});
        const auto output_key = values_.one_of(j, path, {"output", "outCli"});
        const auto offset_key = values_.one_of(j, path, {"offset", "startOffset"});
        const auto status_key = values_.one_of(j, path, {"statusCode", "rsp"});
        cmd.timeout = values_.duration(j, path, kTimeoutFields, false);
        cmd.delay = values_.duration(j, path, kDelayFields, true);

        if (has("cmdId")) cmd.cmd_id = values_.hex_byte(at("cmdId"), field("cmdId"), "0x37");

        const bool group = has("commandSet");
        if (group && cmd.cmd_id) {
            values_.fail(path,
                         "has both cmdId and commandSet: an object is either one command (cmdId) or a group of "
                         "commands (commandSet); move the command into the commandSet");
        }
        if (group) {
            for (const std::string_view name : kCommandOnlyFields) {
                if (has(name)) {
                    values_.fail(path,
                                 fmt::format("'{}' belongs on a command, not on a group (commandSet): move it into "
                                             "the commands of the commandSet",
                                             name));
                }
            }
        }
        if (!group && !cmd.cmd_id) {
            if (!cmd.delay) {
                values_.fail(path,
                             "cmdId is required: give \"cmdId\" (a command), \"commandSet\" (a group of commands) "
                             "or only \"delayMS\" (a pause)");
            }
            // A pause: one delay field and an optional comment, nothing else.
            for (auto it = j.begin(); it != j.end(); ++it) {
                const std::string& key = it.key();
                if (key == "comment" || key.rfind("delay", 0) == 0) continue;
                values_.fail(path,
                             fmt::format("'{}' needs a command: an object without cmdId or commandSet is a pause and "
                                         "holds only a delay (and a comment); add a cmdId or move '{}' elsewhere",
                                         key, key));
            }
            cmd.delay_only = true;
            return cmd;
        }

        if (has("dataFile")) {
            cmd.data_file = files_.data_file(at("dataFile"), field("dataFile"));
        }
        const MtbdfuDataFile* source = cmd.data_file ? &*cmd.data_file : inherited;

        if (has("flashRowLength")) {
            cmd.flash_row_length =
                values_.hex_number(at("flashRowLength"), field("flashRowLength"), 1, 0xFFFFFFFFu, "0x200");
        }
        if (offset_key) {
            const std::string offset_path = field(*offset_key);
            cmd.offset = values_.hex_number(at(*offset_key), offset_path, 0, 0xFFFFFFFFu, "0x0");
            if (!source) {
                values_.fail(offset_path,
                             "there is no dataFile to start in: add a \"dataFile\" here or on the enclosing "
                             "commandSet");
            }
            const std::uint64_t span = source->image->end() - source->image->lowest();
            if (*cmd.offset >= span) {
                values_.fail(offset_path,
                             fmt::format("0x{:X} is past the end of the data file {}: its data spans 0x{:X} bytes from "
                                         "0x{:08X} (the offset counts from the lowest address)",
                                         *cmd.offset, source->path.string(), span, source->image->lowest()));
            }
        }

        if (has("repeat")) {
            const Json& r = at("repeat");
            if (r.is_string() && ascii_lower(r.get_ref<const std::string&>()) == "eof") {
                if (!source) {
                    values_.fail(field("repeat"),
                                 "\"EoF\" repeats until the data file is used up, but there is no "
                                 "dataFile here or on an enclosing commandSet: add a \"dataFile\" or "
                                 "give a count like \"0x10\"");
                }
                cmd.repeat_eof = true;
            } else {
                cmd.repeat = values_.hex_number(r, field("repeat"), 1, kMtbdfuMaxRepeat, "0x10", " or \"EoF\"");
            }
        }

        if (has("dataLength")) {
            cmd.data_length =
                values_.hex_number(at("dataLength"), field("dataLength"), 0, kMtbdfuMaxDataLength, "0x10");
        }
        if (data_key) cmd.data = values_.hex_bytes(at(*data_key), field(*data_key));
        if (cmd.data && cmd.data_length && cmd.data->size() != *cmd.data_length) {
            values_.fail(path, fmt::format("dataLength is 0x{:X} ({}) but '{}' holds {} byte{}; make them agree",
                                           *cmd.data_length, *cmd.data_length, *data_key, cmd.data->size(),
                                           cmd.data->size() == 1 ? "" : "s"));
        }
        if (cmd.data_length && *cmd.data_length > 0 && !cmd.data && !source) {
            values_.fail(
                field("dataLength"),
                fmt::format("is 0x{:X} but there is nothing to send: add \"data\", or a \"dataFile\" here or on "
                            "the enclosing commandSet",
                            *cmd.data_length));
        }

        if (has("outFile")) cmd.out_file = files_.out_file(at("outFile"), field("outFile"));
        if (output_key) cmd.output = values_.flag(at(*output_key), field(*output_key));

        if (status_key) cmd.expect.status = values_.hex_byte(at(*status_key), field(*status_key), "0x00");
        if (has("response")) cmd.expect.data = values_.hex_bytes(at("response"), field("response"));
        if (has("retriesCount"))
            cmd.retries = values_.hex_number(at("retriesCount"), field("retriesCount"), 0, 0xFFFFFFFFu, "0x3");
        if (has("reconnect"))
            cmd.reconnect = values_.hex_number(at("reconnect"), field("reconnect"), 0, 0xFFFFFFFFu, "0x1");

        if (group) {
            const std::string set_path = field("commandSet");
            const Json& set = at("commandSet");
            if (!set.is_array()) {
                values_.fail(set_path,
                             fmt::format("must be an array of command objects, found {}", describe_type(set)));
            }
            if (set.empty()) values_.fail(set_path, "is empty; a commandSet needs at least one command");
            if (depth + 1 >= kMtbdfuMaxNesting) {
                values_.fail(set_path, fmt::format("commandSets are nested more than {} deep", kMtbdfuMaxNesting));
            }
            cmd.command_set.reserve(set.size());
            for (std::size_t i = 0; i < set.size(); ++i) {
                cmd.command_set.push_back(parse_command(set[i], index_path(set_path, i), source, depth + 1));
            }
        }
        return cmd;
    }

    std::string_view text_;
    fs::path file_;
    ValueReader values_;
    DocumentFiles files_;
};

}  // namespace

Mtbdfu parse_mtbdfu(std::string_view text, const std::filesystem::path& file) {
    return MtbdfuParser(text, file).run();
}

Mtbdfu load_mtbdfu(const std::filesystem::path& file) {
    const std::string text = read_file_bytes(file);
    return parse_mtbdfu(text, file);
}

namespace {
void collect_data_files(const std::vector<MtbdfuCommand>& commands, std::vector<fs::path>& found) {
    for (const MtbdfuCommand& c : commands) {
        if (c.data_file && std::find(found.begin(), found.end(), c.data_file->path) == found.end())
            found.push_back(c.data_file->path);
        collect_data_files(c.command_set, found);
    }
}
}  // namespace

std::vector<fs::path> data_files(const Mtbdfu& doc) {
    std::vector<fs::path> found;
    for (const MtbdfuSession& s : doc.sessions) collect_data_files(s.commands, found);
    return found;
}

}  // namespace dfu::formats
