#include "formats/cyacd2.hpp"

#include <fmt/core.h>

#include <optional>
#include <unordered_map>
#include <utility>

#include "formats/file_bytes.hpp"
#include "formats/hex_text.hpp"
#include "formats/input_error.hpp"
#include "formats/rows.hpp"

namespace dfu::formats {

namespace {

using detail::describe_char;

constexpr std::string_view kAppInfoSyntax = "@APPINFO:0x<start>,0x<length>";

// At most `n` characters of s, for quoting user text in a message.
std::string quote(std::string_view s, std::size_t n = 40) {
    if (s.size() <= n) return std::string(s);
    return fmt::format("{}...", s.substr(0, n));
}

std::uint32_t le32(const std::uint8_t* b) {
    return std::uint32_t{b[0]} | (std::uint32_t{b[1]} << 8) | (std::uint32_t{b[2]} << 16) | (std::uint32_t{b[3]} << 24);
}

void put_le32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) detail::append_hex_byte(out, static_cast<std::uint8_t>(v >> (8 * i)));
}

// A hex number with an optional 0x prefix and surrounding blanks; nullopt if malformed or
// above 0xFFFFFFFF.
std::optional<std::uint32_t> parse_hex_u32(std::string_view s) {
    while (!s.empty() && detail::is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && detail::is_blank(s.back())) s.remove_suffix(1);
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
    if (s.empty() || detail::find_non_hex(s) != std::string_view::npos) return std::nullopt;
    while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
    if (s.size() > 8) return std::nullopt;
    std::uint32_t v = 0;
    for (char c : s) v = (v << 4) | static_cast<std::uint32_t>(detail::hex_value(c));
    return v;
}

class Cyacd2Parser {
public:
    Cyacd2Parser(std::string_view text, const std::string& file) : text_(text) { c_.file = file; }

    Cyacd2 run() {
        detail::LineReader reader(text_);
        std::string_view line;
        std::size_t leading = 0;
        while (reader.next(line, leading)) {
            if (line.empty() || line[0] == '#') continue;  // blank lines and comments
            const std::size_t ln = reader.line_number();
            if (!have_header_) {
                parse_header(line, leading, ln);
                have_header_ = true;
            } else if (line[0] == ':') {
                parse_row(line, leading, ln);
            } else if (line[0] == '@') {
                parse_directive(line, leading, ln);
            } else {
                fail(ln, fmt::format("unexpected {} at the start of the line; after the header a line is a "
                                     "data row (':'), a directive ('@') or a comment ('#')",
                                     describe_char(line[0])));
            }
        }
        if (!have_header_) {
            fail(0, "no header line: the file is empty or holds only comments and blank lines");
        }
        return std::move(c_);
    }

private:
    [[noreturn]] void fail(std::size_t line, std::string message) const {
        throw InputError(c_.file, line, std::move(message));
    }

    void check_hex(std::string_view digits, std::size_t first_column, std::size_t ln, std::string_view what) const {
        if (const std::size_t bad = detail::find_non_hex(digits); bad != std::string_view::npos) {
            fail(ln, fmt::format("{}: {} at column {} is not a hex digit", what, describe_char(digits[bad]),
                                 first_column + bad));
        }
    }

    void parse_header(std::string_view line, std::size_t leading, std::size_t ln) {
        if (line[0] == ':' || line[0] == '@') {
            fail(ln,
                 "missing header: the first line that is not a comment must be the 24-hex-digit "
                 "header (e.g. 010000000000000104030201), but this is a data row or directive");
        }
        check_hex(line, leading + 1, ln, "header");
        if (line.size() != 24) {
            fail(ln, fmt::format("header must be exactly 24 hex digits (12 bytes: file version, silicon "
                                 "ID, silicon revision, checksum type, app ID, product ID), found {}{}",
                                 line.size(),
                                 line.size() == 12 ? "; this looks like an old .cyacd file, not .cyacd2" : ""));
        }
        std::uint8_t b[12];
        detail::decode_hex(line.data(), 12, b);
        Cyacd2Header& h = c_.header;
        h.file_version = b[0];
        h.silicon_id = le32(b + 1);
        h.silicon_rev = b[5];
        h.checksum_type = b[6];
        h.app_id = b[7];
        h.product_id = le32(b + 8);
        if (h.file_version != 0x01) {
            fail(ln, fmt::format("file version is 0x{:02X}; only version 0x01 is supported", h.file_version));
        }
        if (h.checksum_type > 1) {
            fail(ln,
                 fmt::format("checksum type is 0x{:02X}; expected 0x00 (basic sum) or 0x01 (CRC-16)", h.checksum_type));
        }
    }

    void parse_row(std::string_view line, std::size_t leading, std::size_t ln) {
        const std::string_view digits = line.substr(1);
        check_hex(digits, leading + 2, ln, "data row");
        if (digits.size() < 8) {
            fail(ln, fmt::format("data row is too short: {} hex digits; a row is ':', an 8-digit "
                                 "address and the row's data",
                                 digits.size()));
        }
        if (digits.size() % 2 != 0) {
            fail(ln, fmt::format("odd number of hex digits ({}) in the data row; a row is made of whole "
                                 "bytes",
                                 digits.size()));
        }
        std::uint8_t a[4];
        detail::decode_hex(digits.data(), 4, a);
        const std::uint32_t address = le32(a);
        const std::size_t n = (digits.size() - 8) / 2;
        if (!is_valid_row_size(n)) {
            fail(ln, fmt::format("row holds {} bytes; a row must be a power of two of at least 8 bytes "
                                 "(e.g. 128, 256 or 512)",
                                 n));
        }
        if (c_.row_size == 0) {
            c_.row_size = static_cast<std::uint32_t>(n);
            first_row_line_ = ln;
        } else if (n != c_.row_size) {
            fail(ln, fmt::format("row holds {} bytes, but the row on line {} holds {}; all rows must be "
                                 "the same size",
                                 n, first_row_line_, c_.row_size));
        }
        if (address % n != 0) {
            fail(ln, fmt::format("row address 0x{:08X} is not a multiple of the row size {} (0x{:X})", address, n, n));
        }
        if (const auto [it, inserted] = row_lines_.emplace(address, ln); !inserted) {
            fail(ln, fmt::format("row address 0x{:08X} already appears on line {}", address, it->second));
        }
        Cyacd2Row row{address, std::vector<std::uint8_t>(n), ln};
        detail::decode_hex(digits.data() + 8, n, row.data.data());
        c_.records.emplace_back(std::move(row));
    }

    void parse_directive(std::string_view line, std::size_t leading, std::size_t ln) {
        const std::size_t colon = line.find(':');
        const std::string_view name = line.substr(1, colon == std::string_view::npos ? line.size() : colon - 1);
        if (name != "APPINFO" && name != "EIV") {
            fail(ln, fmt::format("unknown directive '@{}'; a .cyacd2 file knows @APPINFO and @EIV", quote(name)));
        }
        if (colon == std::string_view::npos) {
            fail(ln, name == "EIV" ? std::string("@EIV needs ':' and the vector in hex (@EIV:<hex>)")
                                   : fmt::format("@APPINFO needs a value: {}", kAppInfoSyntax));
        }
        const std::string_view value = line.substr(colon + 1);
        if (name == "APPINFO") {
            parse_appinfo(value, ln);
        } else {
            parse_eiv(value, leading + colon + 2, ln);
        }
    }

    void parse_appinfo(std::string_view value, std::size_t ln) {
        if (app_info_line_ != 0) {
            fail(ln,
                 fmt::format("second @APPINFO; the first is on line {} and a file holds at most one", app_info_line_));
        }
        const std::size_t comma = value.find(',');
        std::optional<std::uint32_t> start, length;
        if (comma != std::string_view::npos) {
            start = parse_hex_u32(value.substr(0, comma));
            length = parse_hex_u32(value.substr(comma + 1));
        }
        if (!start || !length) {
            fail(ln, fmt::format("@APPINFO must be {} with two hex numbers of at most 32 bits, found "
                                 "'@APPINFO:{}'",
                                 kAppInfoSyntax, quote(value)));
        }
        if (std::uint64_t{*start} + *length > SparseImage::kAddressLimit) {
            fail(ln, fmt::format("@APPINFO range 0x{:08X} + 0x{:X} runs past the end of the 4 GiB "
                                 "address space",
                                 *start, *length));
        }
        c_.app_info = AppInfo{*start, *length};
        app_info_line_ = ln;
    }

    void parse_eiv(std::string_view value, std::size_t first_column, std::size_t ln) {
        check_hex(value, first_column, ln, "@EIV");
        if (value.size() % 2 != 0) {
            fail(ln,
                 fmt::format("odd number of hex digits ({}) in @EIV; the vector is made of whole bytes", value.size()));
        }
        const std::size_t n = value.size() / 2;
        if (n != 0 && n != 8 && n != 16) {
            fail(ln, fmt::format("@EIV holds {} bytes; an encryption initial vector has 0, 8 or 16 bytes", n));
        }
        Cyacd2Eiv eiv{std::vector<std::uint8_t>(n), ln};
        detail::decode_hex(value.data(), n, eiv.vector.data());
        c_.records.emplace_back(std::move(eiv));
    }

    std::string_view text_;
    Cyacd2 c_;
    bool have_header_ = false;
    std::size_t first_row_line_ = 0;
    std::size_t app_info_line_ = 0;
    std::unordered_map<std::uint32_t, std::size_t> row_lines_;  // row address -> line
};

}  // namespace

Cyacd2 parse_cyacd2(std::string_view text, const std::string& file_name) {
    return Cyacd2Parser(text, file_name).run();
}

Cyacd2 load_cyacd2(const std::filesystem::path& p) {
    const std::string bytes = read_file_bytes(p);
    return parse_cyacd2(bytes, input_name(p));
}

std::string write_cyacd2(const Cyacd2& c) {
    std::string out;
    const Cyacd2Header& h = c.header;
    detail::append_hex_byte(out, h.file_version);
    put_le32(out, h.silicon_id);
    detail::append_hex_byte(out, h.silicon_rev);
    detail::append_hex_byte(out, h.checksum_type);
    detail::append_hex_byte(out, h.app_id);
    put_le32(out, h.product_id);
    out.push_back('\n');
    if (c.app_info) out += fmt::format("@APPINFO:0x{:x},0x{:x}\n", c.app_info->start, c.app_info->length);
    for (const auto& record : c.records) {
        if (const auto* row = std::get_if<Cyacd2Row>(&record)) {
            out.reserve(out.size() + 10 + 2 * row->data.size());
            out.push_back(':');
            put_le32(out, row->address);
            for (std::uint8_t b : row->data) detail::append_hex_byte(out, b);
        } else {
            out += "@EIV:";
            for (std::uint8_t b : std::get<Cyacd2Eiv>(record).vector) detail::append_hex_byte(out, b);
        }
        out.push_back('\n');
    }
    return out;
}

SparseImage cyacd2_image(const Cyacd2& c) {
    SparseImage image;
    for (const auto& record : c.records) {
        if (const auto* row = std::get_if<Cyacd2Row>(&record)) {
            if (!image.add(row->address, row->data)) {
                throw InputError(c.file, row->line, fmt::format("row at 0x{:08X} overlaps another row", row->address));
            }
        }
    }
    return image;
}

}  // namespace dfu::formats
