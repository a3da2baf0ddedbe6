// Internal helpers shared by the text parsers and writers (not part of the API).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/core.h>

namespace dfu::formats::detail {

// Nibble value of an ASCII hex digit, or -1.
inline constexpr std::array<std::int8_t, 256> kHexValue = [] {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t) v = -1;
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'A' + 10);
    return t;
}();

inline constexpr char kHexDigitsUpper[] = "0123456789ABCDEF";

inline int hex_value(char c) noexcept {
    return kHexValue[static_cast<unsigned char>(c)];
}

// Index of the first character of s that is not a hex digit, or npos.
inline std::size_t find_non_hex(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (hex_value(s[i]) < 0) return i;
    }
    return std::string_view::npos;
}

// Decodes 2 * n hex digits (already validated) into out[0..n).
inline void decode_hex(const char* digits, std::size_t n, std::uint8_t* out) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<std::uint8_t>((hex_value(digits[2 * i]) << 4) | hex_value(digits[2 * i + 1]));
    }
}

inline void append_hex_byte(std::string& out, std::uint8_t b) {
    out.push_back(kHexDigitsUpper[b >> 4]);
    out.push_back(kHexDigitsUpper[b & 0x0F]);
}

// A character as it should appear in a message: 'g', or '\x7f' for unprintable ones.
inline std::string describe_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x21 && u < 0x7F) return fmt::format("'{}'", c);
    if (u == ' ') return "a space";
    if (u == '\t') return "a tab";
    return fmt::format("byte 0x{:02X}", u);
}

inline bool is_blank(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// Splits a whole file into lines ('\n' separated; a final line without '\n' counts).
// Each line is returned with leading and trailing blanks (including '\r') removed, and
// its offset in the untrimmed line (for column numbers).
class LineReader {
public:
    explicit LineReader(std::string_view text) noexcept : text_(text) {
        // Tolerate a UTF-8 byte order mark, which some Windows editors add.
        if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
    }

    // Returns false at the end of the text.
    bool next(std::string_view& line, std::size_t& leading) noexcept {
        if (pos_ >= text_.size()) return false;
        const std::size_t nl = text_.find('\n', pos_);
        const std::size_t stop = nl == std::string_view::npos ? text_.size() : nl;
        line = text_.substr(pos_, stop - pos_);
        pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
        ++line_number_;
        leading = 0;
        while (leading < line.size() && is_blank(line[leading])) ++leading;
        line.remove_prefix(leading);
        while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
        return true;
    }

    std::size_t line_number() const noexcept { return line_number_; }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_number_ = 0;
};

}  // namespace dfu::formats::detail
