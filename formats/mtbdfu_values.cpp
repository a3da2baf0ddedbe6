#include "formats/mtbdfu_values.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstddef>

#include "formats/hex_text.hpp"
#include "formats/mtbdfu.hpp"

namespace dfu::formats::mtbdfu {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool has_hex_prefix(std::string_view s) {
    return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

// One byte written as "0x1", "0x01", "01" or "1".
std::optional<std::uint8_t> byte_token(std::string_view token) {
    std::string_view digits = token;
    if (has_hex_prefix(digits)) digits.remove_prefix(2);
    if (digits.empty() || digits.size() > 2 || detail::find_non_hex(digits) != std::string_view::npos) {
        return std::nullopt;
    }
    unsigned value = 0;
    for (const char c : digits) value = value * 16 + static_cast<unsigned>(detail::hex_value(c));
    return static_cast<std::uint8_t>(value);
}

}  // namespace

void ValueReader::fail(const std::string& path, const std::string& message) const {
    fail_at(file_, path, message);
}

void ValueReader::check_fields(const Json& obj, const std::string& path, Fields known) const {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        const std::string& key = it.key();
        if (std::find(known.begin(), known.end(), key) != known.end()) continue;
        fail(path, unknown_field_message(key, path.empty(), known));
    }
}

std::optional<std::string_view> ValueReader::one_of(const Json& obj, const std::string& path,
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

std::uint32_t ValueReader::hex_number(const Json& v, const std::string& path, std::uint32_t min, std::uint32_t max,
                                      std::string_view example, std::string_view alternative) const {
    if (!v.is_string()) {
        fail(path, fmt::format("must be a hex string like \"{}\"{}, found {}", example, alternative, describe_type(v)));
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
        fail(path,
             fmt::format("{} is out of range: it must be 0x{:X} to 0x{:X}{}{}", quote(s), min, max, bits, alternative));
    }
    return static_cast<std::uint32_t>(value);
}

std::uint8_t ValueReader::hex_byte(const Json& v, const std::string& path, std::string_view example) const {
    return static_cast<std::uint8_t>(hex_number(v, path, 0, 0xFF, example));
}

std::vector<std::uint8_t> ValueReader::hex_bytes(const Json& v, const std::string& path) const {
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
        fail(path,
             fmt::format("must be hex bytes like \"01 02 0A\" or [\"0x01\", \"0x02\"], found {}", describe_type(v)));
    }
    if (out.size() > kMtbdfuMaxDataLength) {
        fail(path, fmt::format("holds {} bytes; a packet carries at most {} (0x{:X})", out.size(), kMtbdfuMaxDataLength,
                               kMtbdfuMaxDataLength));
    }
    return out;
}

void ValueReader::append_token(std::string_view token, std::size_t item, const std::string& whole,
                               const std::string& path, std::vector<std::uint8_t>& out) const {
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

bool ValueReader::flag(const Json& v, const std::string& path) const {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_string()) {
        const std::string s = ascii_lower(v.get_ref<const std::string&>());
        if (s == "true") return true;
        if (s == "false") return false;
    }
    const std::string found = v.is_string() ? quote(v.get_ref<const std::string&>()) : describe_type(v);
    fail(path, fmt::format("must be true or false (or the strings \"true\" / \"false\"), found {}", found));
}

const std::string& ValueReader::file_name(const Json& v, const std::string& path, std::string_view example) const {
    if (!v.is_string()) {
        fail(path, fmt::format("must be a file name like \"{}\", found {}", example, describe_type(v)));
    }
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty()) fail(path, fmt::format("is empty; give a file name like \"{}\"", example));
    return s;
}

std::optional<std::chrono::microseconds> ValueReader::duration(const Json& obj, const std::string& path,
                                                               std::span<const TimeField> fields,
                                                               bool allow_zero) const {
    const auto present = one_of(obj, path, {fields[0].name, fields[1].name, fields[2].name});
    if (!present) return std::nullopt;
    const TimeField& f =
        *std::find_if(fields.begin(), fields.end(), [&](const TimeField& t) { return t.name == *present; });
    const std::uint32_t count =
        hex_number(obj[std::string(f.name)], child_path(path, f.name), allow_zero ? 0 : 1, 0xFFFFFFFFu, "0x64");
    return std::chrono::microseconds(std::int64_t{count} * f.us_per_unit);
}

}  // namespace dfu::formats::mtbdfu
