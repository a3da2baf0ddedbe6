#include "formats/mtbdfu_json.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "formats/input_error.hpp"

namespace dfu::formats::mtbdfu {

namespace {

bool is_identifier(std::string_view key) {
    if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0]))) return false;
    return std::all_of(key.begin(), key.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
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

// Deeply nested JSON would exhaust the stack in nlohmann::json's recursive copies and in the
// reader's own recursion; a .mtbdfu file at the commandSet limit is about 40 levels deep.
void check_nesting(std::string_view text, const std::string& file) {
    constexpr std::size_t kMaxDepth = 64;
    std::size_t depth = 0;
    std::size_t line = 1;
    std::size_t line_start = 0;
    bool in_string = false;
    bool escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
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
                throw InputError(file, line,
                                 fmt::format("JSON is nested more than {} levels deep at column {}; a .mtbdfu "
                                             "file needs far fewer",
                                             kMaxDepth, i - line_start + 1));
            }
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
}

// The position nlohmann's SAX parser gives the first error in the text.
std::size_t locate_json_error(std::string_view text) {
    JsonErrorLocator locator;
    Json::sax_parse(text.begin(), text.end(), &locator);
    return locator.position;
}

// nlohmann reports the byte index (1-based) of the last character it read.
[[noreturn]] void report_syntax_error(std::string_view text, const std::string& file, std::size_t byte,
                                      std::string description) {
    const std::size_t index = std::min<std::size_t>(byte == 0 ? 0 : byte - 1, text.size());
    const std::string_view before = text.substr(0, index);
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
        file, line,
        fmt::format("invalid JSON at column {}: {}; a .mtbdfu file must be valid JSON", column, description));
}

}  // namespace

Json parse_json(std::string_view text, const std::string& file) {
    check_nesting(text, file);
    DuplicateKeyFinder finder;
    Json doc;
    try {
        doc = Json::parse(text.begin(), text.end(), [&finder](int, Json::parse_event_t event, Json& parsed) {
            return finder.on_event(event, parsed);
        });
    } catch (const Json::parse_error& e) {
        report_syntax_error(text, file, e.byte, e.what());
    } catch (const Json::exception& e) {
        // A number too large for a double (out_of_range 406) comes without a position.
        report_syntax_error(text, file, locate_json_error(text), e.what());
    }
    if (const auto& dup = finder.duplicate()) {
        const std::string where = dup->first.empty() ? " at the top level" : "";
        fail_at(file, dup->first,
                fmt::format("field '{}' is given twice{}; JSON keeps only one of them, so remove the other",
                            dup->second, where));
    }
    return doc;
}

void fail_at(const std::string& file, const std::string& path, const std::string& message) {
    throw InputError(file, 0, path.empty() ? message : fmt::format("{}: {}", path, message));
}

std::string child_path(std::string_view parent, std::string_view key) {
    if (is_identifier(key)) return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
    return fmt::format("{}[{}]", parent, Json(std::string(key)).dump(-1, ' ', false, Json::error_handler_t::replace));
}

std::string index_path(std::string_view parent, std::size_t index) {
    return fmt::format("{}[{}]", parent, index);
}

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

}  // namespace dfu::formats::mtbdfu
