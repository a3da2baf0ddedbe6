#include "formats/mtbdfu.hpp"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <map>
#include <set>
#include <span>
#include <system_error>
#include <utility>

#include "formats/binary.hpp"
#include "formats/file_bytes.hpp"
#include "formats/hex_text.hpp"
#include "formats/input_error.hpp"
#include "formats/intel_hex.hpp"

namespace dfu::formats {

namespace {

namespace fs = std::filesystem;
// Keeps the document's key order, so the first bad field reported is the first one written.
using Json = nlohmann::ordered_json;
using Fields = std::span<const std::string_view>;

constexpr std::string_view kTopFields[] = {"APPInfo", "commands", "sessions", "comment"};
constexpr std::string_view kChecksumField = "Packet Checksum Type";
constexpr std::string_view kChecksumFieldPublished = "Packet Checkum Type";  // sic, as published
constexpr std::string_view kAppInfoFields[] = {"File Version",          "Product Id",     kChecksumField,
                                               kChecksumFieldPublished, "Application Id", "timeoutMS",
                                               "flashRowLength",        "comment"};
constexpr std::string_view kSessionFields[] = {"commands", "comment"};
constexpr std::string_view kCommandFields[] = {
    "cmdId",          "dataLength", "data",         "dataBytes", "dataFile", "repeat",    "commandSet",
    "flashRowLength", "offset",     "startOffset",  "outFile",   "output",   "outCli",    "rsp",
    "statusCode",     "response",   "retriesCount", "reconnect", "timeoutS", "timeoutMS", "timeoutUS",
    "delayS",         "delayMS",    "delayUS",      "comment"};

// Fields that only make sense on a single command, not on a group.
constexpr std::string_view kCommandOnlyFields[] = {"dataLength", "data", "dataBytes", "rsp", "statusCode", "response"};

struct TimeField {
    std::string_view name;
    std::int64_t us_per_unit;
};
constexpr TimeField kTimeoutFields[] = {{"timeoutS", 1'000'000}, {"timeoutMS", 1'000}, {"timeoutUS", 1}};
constexpr TimeField kDelayFields[] = {{"delayS", 1'000'000}, {"delayMS", 1'000}, {"delayUS", 1}};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Levenshtein distance of the lower-cased strings (so a difference in case alone costs 0).
std::size_t edit_distance(std::string_view a_in, std::string_view b_in) {
    const std::string a = lower(a_in);
    const std::string b = lower(b_in);
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

// The known field closest to `key`, if it is within edit distance 2.
std::optional<std::string_view> suggest(std::string_view key, Fields known) {
    std::optional<std::string_view> best;
    std::size_t best_distance = 3;
    for (const std::string_view k : known) {
        // Bound the work for absurdly long keys: they are never a typo of a short name.
        if (key.size() > k.size() + 2) continue;
        const std::size_t d = edit_distance(key, k);
        if (d < best_distance) {
            best = k;
            best_distance = d;
        }
    }
    return best;
}

std::string join_fields(Fields known) {
    std::string out;
    for (const std::string_view k : known) {
        if (k == kChecksumFieldPublished) continue;  // accepted, but not advertised
        if (!out.empty()) out += ", ";
        out += k;
    }
    return out;
}

bool is_identifier(std::string_view key) {
    if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0]))) return false;
    return std::all_of(key.begin(), key.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// JSON paths as a JavaScript programmer writes them: a.b[2]["File Version"].
std::string child_path(std::string_view parent, std::string_view key) {
    if (is_identifier(key)) return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
    return fmt::format("{}[{}]", parent, Json(std::string(key)).dump(-1, ' ', false, Json::error_handler_t::replace));
}

std::string index_path(std::string_view parent, std::size_t index) {
    return fmt::format("{}[{}]", parent, index);
}

// A JSON string for a message: quoted, escaped, shortened when long.
std::string quote(std::string_view s) {
    constexpr std::size_t kMax = 40;
    std::string shown(s.substr(0, kMax));
    std::string out = Json(shown).dump(-1, ' ', false, Json::error_handler_t::replace);
    if (s.size() > kMax) out.insert(out.size() - 1, "...");
    return out;
}

std::string describe_type(const Json& v) {
    switch (v.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::object:
            return "an object";
        case Json::value_t::array:
            return "an array";
        case Json::value_t::string:
            return "a string";
        case Json::value_t::boolean:
            return "a boolean";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
        case Json::value_t::number_float:
            return "a number";
        default:
            return v.type_name();
    }
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool has_hex_prefix(std::string_view s) {
    return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

fs::path path_from_utf8(const std::string& s) {
    const std::u8string u8(reinterpret_cast<const char8_t*>(s.data()), s.size());
    return fs::path(u8);
}

// A path that names the same file as any other spelling of it (symlinks resolved where the
// file exists, "." and ".." removed otherwise).
std::string identity(const fs::path& p) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(p, ec);
    if (ec) {
        canonical = fs::absolute(p, ec);
        if (ec) canonical = p;
        canonical = canonical.lexically_normal();
    }
    return canonical.string();
}

bool same_file(const fs::path& a, const fs::path& b) {
    std::error_code ec;
    if (fs::equivalent(a, b, ec) && !ec) return true;  // catches hard links too
    return identity(a) == identity(b);
}

bool has_hex_extension(const fs::path& p) {
    const std::string ext = lower(p.extension().string());
    return ext == ".hex" || ext == ".ihex";
}

// Builds the JSON path of the object being parsed, so that a key given twice (which
// nlohmann::json would silently collapse into one) can be reported.
class DuplicateKeyFinder {
public:
    bool on_event(Json::parse_event_t event, const Json& parsed) {
        switch (event) {
            case Json::parse_event_t::object_start:
                frames_.push_back(Frame{true, {}, 0, {}});
                break;
            case Json::parse_event_t::array_start:
                frames_.push_back(Frame{false, {}, 0, {}});
                break;
            case Json::parse_event_t::key: {
                Frame& top = frames_.back();
                top.key = parsed.get<std::string>();
                if (!top.keys.insert(top.key).second && !duplicate_) {
                    duplicate_ = std::make_pair(path_to(frames_.size() - 1), top.key);
                }
                break;
            }
            case Json::parse_event_t::object_end:
            case Json::parse_event_t::array_end:
                frames_.pop_back();
                element_done();
                break;
            case Json::parse_event_t::value:
                element_done();
                break;
        }
        return true;
    }

    // (path of the object, key) of the first key given twice.
    const std::optional<std::pair<std::string, std::string>>& duplicate() const { return duplicate_; }

private:
    struct Frame {
        bool object;
        std::string key;    // current key (objects)
        std::size_t index;  // current element (arrays)
        std::set<std::string> keys;
    };

    void element_done() {
        if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    }

    std::string path_to(std::size_t depth) const {
        std::string path;
        for (std::size_t i = 0; i < depth; ++i) {
            path = frames_[i].object ? child_path(path, frames_[i].key) : index_path(path, frames_[i].index);
        }
        return path;
    }

    std::vector<Frame> frames_;
    std::optional<std::pair<std::string, std::string>> duplicate_;
};

// Only records where the first error is: nlohmann's SAX interface reports a position with every
// error, its DOM parser only with syntax errors.
class JsonErrorLocator final : public nlohmann::json_sax<Json> {
public:
    std::size_t position = 0;

    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t at, const std::string&, const Json::exception&) override {
        position = at;
        return false;
    }
};

class MtbdfuParser {
public:
    MtbdfuParser(std::string_view text, const fs::path& file) : text_(text), file_(file), name_(file.string()) {}

    Mtbdfu run() {
        const Json doc = parse_json();
        Mtbdfu result;
        result.file = name_;
        result.folder = file_.parent_path();

        if (!doc.is_object()) {
            fail("", fmt::format("the file must hold one JSON object with \"APPInfo\" and \"commands\" or "
                                 "\"sessions\", found {}",
                                 describe_type(doc)));
        }
        check_fields(doc, "", kTopFields);
        if (!doc.contains("APPInfo")) {
            fail("",
                 "APPInfo is required: add \"APPInfo\": {\"File Version\": \"0x1\", \"Product Id\": "
                 "\"01020304\", \"Packet Checksum Type\": \"0x0\"}");
        }
        result.app_info = parse_app_info(doc["APPInfo"], "APPInfo");

        const bool has_commands = doc.contains("commands");
        const bool has_sessions = doc.contains("sessions");
        if (has_commands && has_sessions) {
            fail("", "give either \"commands\" (one session) or \"sessions\" (several), not both");
        }
        if (!has_commands && !has_sessions) {
            fail("",
                 "there is nothing to run: add \"commands\": [...] (one session) or \"sessions\": "
                 "[{\"commands\": [...]}]");
        }
        if (has_commands) {
            result.sessions.push_back(MtbdfuSession{"commands", parse_command_list(doc["commands"], "commands")});
        } else {
            const Json& sessions = doc["sessions"];
            if (!sessions.is_array()) {
                fail("sessions", fmt::format("must be an array of sessions like [{{\"commands\": [...]}}], found {}",
                                             describe_type(sessions)));
            }
            if (sessions.empty()) fail("sessions", "is empty; give at least one session");
            for (std::size_t i = 0; i < sessions.size(); ++i) {
                result.sessions.push_back(parse_session(sessions[i], index_path("sessions", i)));
            }
        }
        check_out_files();
        return result;
    }

private:
    struct FileUse {
        fs::path path;
        std::string json_path;
    };

    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        throw InputError(name_, 0, path.empty() ? message : fmt::format("{}: {}", path, message));
    }

    // Deeply nested JSON would exhaust the stack in nlohmann::json's recursive copies and in our
    // own recursion; a .mtbdfu file at the commandSet limit is about 40 levels deep.
    void check_nesting() const {
        constexpr std::size_t kMaxDepth = 64;
        std::size_t depth = 0;
        std::size_t line = 1;
        std::size_t line_start = 0;
        bool in_string = false;
        bool escaped = false;
        for (std::size_t i = 0; i < text_.size(); ++i) {
            const char c = text_[i];
            if (c == '\n') {
                ++line;
                line_start = i + 1;
            }
            if (in_string) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    in_string = false;
                }
            } else if (c == '"') {
                in_string = true;
            } else if (c == '{' || c == '[') {
                if (++depth > kMaxDepth) {
                    throw InputError(name_, line,
                                     fmt::format("JSON is nested more than {} levels deep at column {}; a .mtbdfu "
                                                 "file needs far fewer",
                                                 kMaxDepth, i - line_start + 1));
                }
            } else if ((c == '}' || c == ']') && depth > 0) {
                --depth;
            }
        }
    }

    Json parse_json() {
        check_nesting();
        DuplicateKeyFinder finder;
        Json doc;
        try {
            doc = Json::parse(text_.begin(), text_.end(), [&finder](int, Json::parse_event_t event, Json& parsed) {
                return finder.on_event(event, parsed);
            });
        } catch (const Json::parse_error& e) {
            report_syntax_error(e.byte, e.what());
        } catch (const Json::exception& e) {
            // A number too large for a double (out_of_range 406) comes without a position.
            report_syntax_error(locate_json_error(), e.what());
        }
        if (const auto& dup = finder.duplicate()) {
            const std::string where = dup->first.empty() ? " at the top level" : "";
            fail(dup->first, fmt::format("field '{}' is given twice{}; JSON keeps only one of them, so remove "
                                         "the other",
                                         dup->second, where));
        }
        return doc;
    }

    // The position nlohmann's SAX parser gives the first error in the text.
    std::size_t locate_json_error() const {
        JsonErrorLocator locator;
        Json::sax_parse(text_.begin(), text_.end(), &locator);
        return locator.position;
    }

    // nlohmann reports the byte index (1-based) of the last character it read.
    [[noreturn]] void report_syntax_error(std::size_t byte, std::string description) const {
        const std::size_t index = std::min<std::size_t>(byte == 0 ? 0 : byte - 1, text_.size());
        const std::string_view before = text_.substr(0, index);
        const std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
        const std::size_t line_start = before.rfind('\n');
        const std::size_t column = line_start == std::string_view::npos ? index + 1 : index - line_start;

        if (description.rfind("[json.exception.", 0) == 0) {
            if (const std::size_t end = description.find("] "); end != std::string::npos) description.erase(0, end + 2);
        }
        if (const std::size_t at = description.find("parse error"); at != std::string::npos) {
            if (const std::size_t colon = description.find(": ", at); colon != std::string::npos) {
                description.erase(0, colon + 2);
            }
        }
        throw InputError(
            name_, line,
            fmt::format("invalid JSON at column {}: {}; a .mtbdfu file must be valid JSON", column, description));
    }

    void check_fields(const Json& obj, const std::string& path, Fields known) const {
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            const std::string& key = it.key();
            if (std::find(known.begin(), known.end(), key) != known.end()) continue;
            std::string message = fmt::format("unknown field {}", quote(key));
            if (path.empty()) message = fmt::format("unknown top-level field {}", quote(key));
            if (const auto s = suggest(key, known)) {
                message += fmt::format("; did you mean '{}'?", *s);
            } else {
                message += fmt::format("; the fields allowed here are: {}", join_fields(known));
            }
            fail(path, message);
        }
    }

    // Fails if more than one of `names` is present; returns the one present, if any.
    std::optional<std::string_view> one_of(const Json& obj, const std::string& path,
                                           std::initializer_list<std::string_view> names) const {
        std::optional<std::string_view> found;
        for (const std::string_view n : names) {
            if (!obj.contains(n)) continue;
            if (found) {
                std::string all;
                for (const std::string_view m : names) all += fmt::format("{}'{}'", all.empty() ? "" : ", ", m);
                fail(path, fmt::format("both '{}' and '{}' are given; keep only one of {}", *found, n, all));
            }
            found = n;
        }
        return found;
    }

    // A number: a hex string, with or without 0x ("0x10" and "10" are both sixteen).
    std::uint32_t hex_number(const Json& v, const std::string& path, std::uint32_t min, std::uint32_t max,
                             std::string_view example, std::string_view alternative = {}) const {
        if (!v.is_string()) {
            fail(path,
                 fmt::format("must be a hex string like \"{}\"{}, found {}", example, alternative, describe_type(v)));
        }
        const std::string& s = v.get_ref<const std::string&>();
        std::string_view digits = s;
        if (has_hex_prefix(digits)) digits.remove_prefix(2);
        if (digits.empty() || detail::find_non_hex(digits) != std::string_view::npos) {
            fail(path, fmt::format("{} is not a hex number; write it like \"{}\"{} (all numbers in a .mtbdfu file "
                                   "are hex, with or without 0x)",
                                   quote(s), example, alternative));
        }
        while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
        std::uint64_t value = 0;
        if (digits.size() <= 8) {
            for (const char c : digits) value = value * 16 + static_cast<unsigned>(detail::hex_value(c));
        }
        if (digits.size() > 8 || value < min || value > max) {
            const std::string_view bits = max == 0xFFFFFFFFu ? " (32 bits)" : "";
            fail(path, fmt::format("{} is out of range: it must be 0x{:X} to 0x{:X}{}{}", quote(s), min, max, bits,
                                   alternative));
        }
        return static_cast<std::uint32_t>(value);
    }

    std::uint8_t hex_byte(const Json& v, const std::string& path, std::string_view example = "0x00") const {
        return static_cast<std::uint8_t>(hex_number(v, path, 0, 0xFF, example));
    }

    // One byte written as "0x1", "0x01", "01" or "1".
    std::optional<std::uint8_t> byte_token(std::string_view token) const {
        std::string_view digits = token;
        if (has_hex_prefix(digits)) digits.remove_prefix(2);
        if (digits.empty() || digits.size() > 2 || detail::find_non_hex(digits) != std::string_view::npos) {
            return std::nullopt;
        }
        unsigned value = 0;
        for (const char c : digits) value = value * 16 + static_cast<unsigned>(detail::hex_value(c));
        return static_cast<std::uint8_t>(value);
    }

    // Bytes as "01 02 0A", "01020A", "0x01 0x02" or ["0x01", "02"].
    std::vector<std::uint8_t> hex_bytes(const Json& v, const std::string& path) const {
        std::vector<std::uint8_t> out;
        if (v.is_array()) {
            out.reserve(v.size());
            for (std::size_t i = 0; i < v.size(); ++i) {
                const Json& item = v[i];
                const std::string item_path = index_path(path, i);
                if (!item.is_string()) {
                    fail(item_path, fmt::format("must be a hex string like \"0x01\", found {}", describe_type(item)));
                }
                const std::string& s = item.get_ref<const std::string&>();
                const auto b = byte_token(s);
                if (!b) {
                    fail(item_path, fmt::format("{} is not one hex byte; each array item is one byte, like \"0x01\" "
                                                "or \"A5\"",
                                                quote(s)));
                }
                out.push_back(*b);
            }
        } else if (v.is_string()) {
            const std::string& s = v.get_ref<const std::string&>();
            std::size_t pos = 0;
            std::size_t item = 0;
            while (pos < s.size()) {
                if (is_space(s[pos])) {
                    ++pos;
                    continue;
                }
                std::size_t end = pos;
                while (end < s.size() && !is_space(s[end])) ++end;
                const std::string_view token = std::string_view(s).substr(pos, end - pos);
                ++item;
                append_token(token, item, s, path, out);
                pos = end;
            }
        } else {
            fail(path, fmt::format("must be hex bytes like \"01 02 0A\" or [\"0x01\", \"0x02\"], found {}",
                                   describe_type(v)));
        }
        if (out.size() > kMtbdfuMaxDataLength) {
            fail(path, fmt::format("holds {} bytes; a packet carries at most {} (0x{:X})", out.size(),
                                   kMtbdfuMaxDataLength, kMtbdfuMaxDataLength));
        }
        return out;
    }

    void append_token(std::string_view token, std::size_t item, const std::string& whole, const std::string& path,
                      std::vector<std::uint8_t>& out) const {
        const auto bad = [&](std::string_view why) {
            fail(path, fmt::format("item {} ({}) of {} {}", item, quote(token), quote(whole), why));
        };
        if (has_hex_prefix(token)) {
            const auto b = byte_token(token);
            if (!b) {
                bad("is not one hex byte: a 0x value is one byte of 1 or 2 hex digits; write \"0x01 0x02\" or "
                    "\"0102\"");
            }
            out.push_back(*b);
            return;
        }
        if (const std::size_t at = detail::find_non_hex(token); at != std::string_view::npos) {
            bad(fmt::format("holds {}, which is not a hex digit; separate bytes with spaces only",
                            detail::describe_char(token[at])));
        }
        if (token.size() == 1) {
            out.push_back(static_cast<std::uint8_t>(detail::hex_value(token[0])));
            return;
        }
        if (token.size() % 2 != 0) bad("has an odd number of hex digits; write two digits per byte");
        const std::size_t first = out.size();
        out.resize(first + token.size() / 2);
        detail::decode_hex(token.data(), token.size() / 2, out.data() + first);
    }

    bool flag(const Json& v, const std::string& path) const {
        if (v.is_boolean()) return v.get<bool>();
        if (v.is_string()) {
            const std::string s = lower(v.get_ref<const std::string&>());
            if (s == "true") return true;
            if (s == "false") return false;
        }
        const std::string found = v.is_string() ? quote(v.get_ref<const std::string&>()) : describe_type(v);
        fail(path, fmt::format("must be true or false (or the strings \"true\" / \"false\"), found {}", found));
    }

    const std::string& file_name(const Json& v, const std::string& path, std::string_view example) const {
        if (!v.is_string()) {
            fail(path, fmt::format("must be a file name like \"{}\", found {}", example, describe_type(v)));
        }
        const std::string& s = v.get_ref<const std::string&>();
        if (s.empty()) fail(path, fmt::format("is empty; give a file name like \"{}\"", example));
        return s;
    }

    fs::path resolve(const std::string& name) const {
        return (file_.parent_path() / path_from_utf8(name)).lexically_normal();
    }

    std::optional<std::chrono::microseconds> duration(const Json& obj, const std::string& path,
                                                      std::span<const TimeField> fields, bool allow_zero) const {
        const auto present = one_of(obj, path, {fields[0].name, fields[1].name, fields[2].name});
        if (!present) return std::nullopt;
        const TimeField& f =
            *std::find_if(fields.begin(), fields.end(), [&](const TimeField& t) { return t.name == *present; });
        const std::uint32_t count =
            hex_number(obj[std::string(f.name)], child_path(path, f.name), allow_zero ? 0 : 1, 0xFFFFFFFFu, "0x64");
        return std::chrono::microseconds(std::int64_t{count} * f.us_per_unit);
    }

    MtbdfuAppInfo parse_app_info(const Json& j, const std::string& path) const {
        if (!j.is_object()) {
            fail(path, fmt::format("must be an object like {{\"File Version\": \"0x1\", \"Product Id\": \"01020304\", "
                                   "\"Packet Checksum Type\": \"0x0\"}}, found {}",
                                   describe_type(j)));
        }
        check_fields(j, path, kAppInfoFields);
        const auto field = [&](std::string_view name) { return child_path(path, name); };

        MtbdfuAppInfo info;
        if (!j.contains("File Version")) fail(path, "\"File Version\" is required (it is \"0x1\")");
        info.file_version = hex_number(j["File Version"], field("File Version"), 0, 0xFFFFFFFFu, "0x1");

        if (!j.contains("Product Id")) {
            fail(path, "\"Product Id\" is required: the device's product ID in hex, like \"01020304\"");
        }
        info.product_id = hex_number(j["Product Id"], field("Product Id"), 0, 0xFFFFFFFFu, "01020304");

        const auto checksum = one_of(j, path, {kChecksumField, kChecksumFieldPublished});
        if (!checksum) {
            fail(path, "\"Packet Checksum Type\" is required: \"0x0\" (basic sum) or \"0x1\" (CRC-16)");
        }
        info.checksum_type = static_cast<std::uint8_t>(
            hex_number(j[std::string(*checksum)], field(*checksum), 0, 1, "0x0", " (0 basic sum, 1 CRC-16)"));

        if (j.contains("Application Id")) info.app_id = hex_byte(j["Application Id"], field("Application Id"), "0x0");
        if (j.contains("timeoutMS")) {
            info.timeout_ms = hex_number(j["timeoutMS"], field("timeoutMS"), 1, 0xFFFFFFFFu, "0x12C");
        }
        if (j.contains("flashRowLength")) {
            info.flash_row_length = hex_number(j["flashRowLength"], field("flashRowLength"), 1, 0xFFFFFFFFu, "0x200");
        }
        return info;
    }

    MtbdfuSession parse_session(const Json& j, const std::string& path) {
        if (!j.is_object()) {
            fail(path, fmt::format("must be an object like {{\"commands\": [...]}}, found {}", describe_type(j)));
        }
        check_fields(j, path, kSessionFields);
        if (!j.contains("commands")) fail(path, "has no \"commands\"; every session needs a list of commands");
        const std::string commands_path = child_path(path, "commands");
        return MtbdfuSession{path, parse_command_list(j["commands"], commands_path)};
    }

    std::vector<MtbdfuCommand> parse_command_list(const Json& j, const std::string& path) {
        if (!j.is_array()) {
            fail(path, fmt::format("must be an array of command objects like [{{\"cmdId\": \"0x38\"}}], found {}",
                                   describe_type(j)));
        }
        if (j.empty()) fail(path, "is empty; a session needs at least one command");
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
            fail(path, fmt::format("must be an object like {{\"cmdId\": \"0x38\"}}, found {}", describe_type(j)));
        }
        check_fields(j, path, kCommandFields);
        const auto field = [&](std::string_view name) { return child_path(path, name); };
        const auto has = [&](std::string_view name) { return j.contains(name); };
        const auto at = [&](std::string_view name) -> const Json& { return j[std::string(name)]; };

        MtbdfuCommand cmd;
        cmd.json_path = path;

        // Pairs of spellings first, so that "both given" is reported before either is parsed.
        const auto data_key = one_of(j, path, {"data", "dataBytes"});
        const auto output_key = one_of(j, path, {"output", "outCli"});
        const auto offset_key = one_of(j, path, {"offset", "startOffset"});
        const auto status_key = one_of(j, path, {"statusCode", "rsp"});
        cmd.timeout = duration(j, path, kTimeoutFields, false);
        cmd.delay = duration(j, path, kDelayFields, true);

        if (has("cmdId")) cmd.cmd_id = hex_byte(at("cmdId"), field("cmdId"), "0x37");

        const bool group = has("commandSet");
        if (group && cmd.cmd_id) {
            fail(path,
                 "has both cmdId and commandSet: an object is either one command (cmdId) or a group of "
                 "commands (commandSet); move the command into the commandSet");
        }
        if (group) {
            for (const std::string_view name : kCommandOnlyFields) {
                if (has(name)) {
                    fail(path, fmt::format("'{}' belongs on a command, not on a group (commandSet): move it into "
                                           "the commands of the commandSet",
                                           name));
                }
            }
        }
        if (!group && !cmd.cmd_id) {
            if (!cmd.delay) {
                fail(path,
                     "cmdId is required: give \"cmdId\" (a command), \"commandSet\" (a group of commands) "
                     "or only \"delayMS\" (a pause)");
            }
            // A pause: one delay field and an optional comment, nothing else.
            for (auto it = j.begin(); it != j.end(); ++it) {
                const std::string& key = it.key();
                if (key == "comment" || key.rfind("delay", 0) == 0) continue;
                fail(path, fmt::format("'{}' needs a command: an object without cmdId or commandSet is a pause and "
                                       "holds only a delay (and a comment); add a cmdId or move '{}' elsewhere",
                                       key, key));
            }
            cmd.delay_only = true;
            return cmd;
        }

        if (has("dataFile")) {
            cmd.data_file = load_data_file(at("dataFile"), field("dataFile"));
        }
        const MtbdfuDataFile* source = cmd.data_file ? &*cmd.data_file : inherited;

        if (has("flashRowLength")) {
            cmd.flash_row_length = hex_number(at("flashRowLength"), field("flashRowLength"), 1, 0xFFFFFFFFu, "0x200");
        }
        if (offset_key) {
            const std::string offset_path = field(*offset_key);
            cmd.offset = hex_number(at(*offset_key), offset_path, 0, 0xFFFFFFFFu, "0x0");
            if (!source) {
                fail(offset_path,
                     "there is no dataFile to start in: add a \"dataFile\" here or on the enclosing "
                     "commandSet");
            }
            const std::uint64_t span = source->image->end() - source->image->lowest();
            if (*cmd.offset >= span) {
                fail(offset_path,
                     fmt::format("0x{:X} is past the end of the data file {}: its data spans 0x{:X} bytes from "
                                 "0x{:08X} (the offset counts from the lowest address)",
                                 *cmd.offset, source->path.string(), span, source->image->lowest()));
            }
        }

        if (has("repeat")) {
            const Json& r = at("repeat");
            if (r.is_string() && lower(r.get_ref<const std::string&>()) == "eof") {
                if (!source) {
                    fail(field("repeat"),
                         "\"EoF\" repeats until the data file is used up, but there is no "
                         "dataFile here or on an enclosing commandSet: add a \"dataFile\" or "
                         "give a count like \"0x10\"");
                }
                cmd.repeat_eof = true;
            } else {
                cmd.repeat = hex_number(r, field("repeat"), 1, kMtbdfuMaxRepeat, "0x10", " or \"EoF\"");
            }
        }

        if (has("dataLength")) {
            cmd.data_length = hex_number(at("dataLength"), field("dataLength"), 0, kMtbdfuMaxDataLength, "0x10");
        }
        if (data_key) cmd.data = hex_bytes(at(*data_key), field(*data_key));
        if (cmd.data && cmd.data_length && cmd.data->size() != *cmd.data_length) {
            fail(path,
                 fmt::format("dataLength is 0x{:X} ({}) but '{}' holds {} byte{}; make them agree", *cmd.data_length,
                             *cmd.data_length, *data_key, cmd.data->size(), cmd.data->size() == 1 ? "" : "s"));
        }
        if (cmd.data_length && *cmd.data_length > 0 && !cmd.data && !source) {
            fail(field("dataLength"),
                 fmt::format("is 0x{:X} but there is nothing to send: add \"data\", or a \"dataFile\" here or on "
                             "the enclosing commandSet",
                             *cmd.data_length));
        }

        if (has("outFile")) {
            const std::string out_path = field("outFile");
            const std::string& name = file_name(at("outFile"), out_path, "log.txt");
            // A packet log is written (truncated) by whoever runs the document, often root on
            // a rig: a document from elsewhere must not name /etc/... or ../../.bashrc.
            const fs::path given = path_from_utf8(name).lexically_normal();
            if (given.has_root_path() || (!given.empty() && *given.begin() == ".."))
                fail(out_path, fmt::format("\"{}\" is outside the folder of the .mtbdfu; packet logs are written "
                                           "there: give a relative name without '..'",
                                           name));
            const fs::path resolved = resolve(name);
            std::error_code ec;
            if (fs::is_symlink(resolved, ec))
                fail(out_path, fmt::format("{} is a symbolic link; give the name of a plain file for the packet log",
                                           resolved.string()));
            if (fs::is_directory(resolved, ec)) {
                fail(out_path,
                     fmt::format("{} is a directory; give a file name for the packet log", resolved.string()));
            }
            out_files_.push_back(FileUse{resolved, out_path});
            cmd.out_file = resolved;
        }
        if (output_key) cmd.output = flag(at(*output_key), field(*output_key));

        if (status_key) cmd.expect.status = hex_byte(at(*status_key), field(*status_key), "0x00");
        if (has("response")) cmd.expect.data = hex_bytes(at("response"), field("response"));
        if (has("retriesCount"))
            cmd.retries = hex_number(at("retriesCount"), field("retriesCount"), 0, 0xFFFFFFFFu, "0x3");
        if (has("reconnect")) cmd.reconnect = hex_number(at("reconnect"), field("reconnect"), 0, 0xFFFFFFFFu, "0x1");

        if (group) {
            const std::string set_path = field("commandSet");
            const Json& set = at("commandSet");
            if (!set.is_array()) {
                fail(set_path, fmt::format("must be an array of command objects, found {}", describe_type(set)));
            }
            if (set.empty()) fail(set_path, "is empty; a commandSet needs at least one command");
            if (depth + 1 >= kMtbdfuMaxNesting) {
                fail(set_path, fmt::format("commandSets are nested more than {} deep", kMtbdfuMaxNesting));
            }
            cmd.command_set.reserve(set.size());
            for (std::size_t i = 0; i < set.size(); ++i) {
                cmd.command_set.push_back(parse_command(set[i], index_path(set_path, i), source, depth + 1));
            }
        }
        return cmd;
    }

    MtbdfuDataFile load_data_file(const Json& v, const std::string& path) {
        const std::string& name = file_name(v, path, "app.hex");
        MtbdfuDataFile df;
        df.path = resolve(name);
        data_files_.push_back(FileUse{df.path, path});

        const std::string key = identity(df.path);
        if (const auto it = images_.find(key); it != images_.end()) {
            df.image = it->second;
            return df;
        }
        const std::string shown = df.path.string();
        std::string bytes;
        try {
            bytes = read_file_bytes(df.path);
        } catch (const InputError& e) {
            const bool relative = !path_from_utf8(name).is_absolute();
            fail(path, fmt::format("cannot read the data file: {}{}", e.what(),
                                   relative ? fmt::format(" ({} is relative to the folder of {})", quote(name), name_)
                                            : std::string()));
        }
        try {
            auto image = std::make_shared<SparseImage>(has_hex_extension(df.path) ? parse_intel_hex(bytes, shown)
                                                                                  : parse_binary(bytes, 0, shown));
            df.image = std::move(image);
        } catch (const InputError& e) {
            fail(path, e.what());
        }
        images_.emplace(key, df.image);
        return df;
    }

    // A packet log must never overwrite an input.
    void check_out_files() const {
        for (const FileUse& out : out_files_) {
            if (same_file(out.path, file_)) {
                fail(out.json_path, fmt::format("{} is this .mtbdfu file; the packet log would overwrite it: choose "
                                                "another name, like \"log.txt\"",
                                                out.path.string()));
            }
            for (const FileUse& data : data_files_) {
                if (same_file(out.path, data.path)) {
                    fail(out.json_path, fmt::format("{} is the data file of {}; the packet log would overwrite it: "
                                                    "choose another name, like \"log.txt\"",
                                                    out.path.string(), data.json_path));
                }
            }
        }
    }

    std::string_view text_;
    fs::path file_;
    std::string name_;
    std::map<std::string, std::shared_ptr<const SparseImage>> images_;  // by identity()
    std::vector<FileUse> data_files_;
    std::vector<FileUse> out_files_;
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
