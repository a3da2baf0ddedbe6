#include "formats/intel_hex.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "formats/file_bytes.hpp"
#include "formats/hex_text.hpp"
#include "formats/input_error.hpp"

namespace dfu::formats {

namespace {

using detail::describe_char;

constexpr std::uint64_t kAddressLimit = SparseImage::kAddressLimit;

// One contiguous run of data bytes from one record (a record whose segment offset wraps
// gives two chunks). The bytes live in a buffer shared by all chunks.
struct Chunk {
    std::uint32_t address;
    std::uint32_t length;
    std::size_t offset;  // into HexParser::data_
    std::size_t line;
};

class HexParser {
public:
    HexParser(std::string_view text, const std::string& file) : text_(text), file_(file) {
        // Roughly half of the text is data; reserve once instead of growing.
        data_.reserve(text.size() / 2);
        chunks_.reserve(text.size() / 40 + 1);
    }

    IntelHexFile run() {
        detail::LineReader reader(text_);
        std::string_view line;
        std::size_t leading = 0;
        while (reader.next(line, leading)) {
            if (line.empty()) continue;  // blank lines are tolerated anywhere
            const std::size_t ln = reader.line_number();
            if (eof_line_ != 0) {
                fail(ln, fmt::format("record after the end-of-file record on line {}; the end-of-file "
                                     "record must be the last record",
                                     eof_line_));
            }
            last_record_line_ = ln;
            parse_record(line, leading, ln);
        }
        if (last_record_line_ == 0) fail(0, "file is empty; expected Intel HEX records");
        if (eof_line_ == 0) {
            fail(last_record_line_, "file ends without an end-of-file record (:00000001FF); it may be truncated");
        }
        if (chunks_.empty()) fail(0, "file holds no data records; there is nothing to program");

        IntelHexFile result;
        result.start = start_;
        result.image = build_image();
        return result;
    }

private:
    [[noreturn]] void fail(std::size_t line, std::string message) const {
        throw InputError(file_, line, std::move(message));
    }

    void parse_record(std::string_view line, std::size_t leading, std::size_t ln) {
        if (line[0] != ':') {
            fail(ln, fmt::format("expected ':' at the start of a record, found {}; is this an Intel "
                                 "HEX file?",
                                 describe_char(line[0])));
        }
        const std::string_view digits = line.substr(1);
        if (const std::size_t bad = detail::find_non_hex(digits); bad != std::string_view::npos) {
            fail(ln, fmt::format("{} at column {} is not a hex digit", describe_char(digits[bad]), leading + 2 + bad));
        }
        if (digits.size() % 2 != 0) {
            fail(ln, fmt::format("odd number of hex digits ({}) after ':'; a record is made of whole "
                                 "bytes",
                                 digits.size()));
        }
        if (digits.size() < 10) {
            fail(ln, fmt::format("record is too short: {} hex digits, but even an empty record has 10 "
                                 "(byte count, address, type, checksum)",
                                 digits.size()));
        }
        const std::size_t total = digits.size() / 2;
        std::uint8_t count = 0;
        detail::decode_hex(digits.data(), 1, &count);
        if (total != std::size_t{count} + 5) {
            fail(ln, fmt::format("byte count is {} (0x{:02X}) but the record holds {} data bytes", count, count,
                                 total - 5));
        }

        std::array<std::uint8_t, 255 + 5> rec;
        detail::decode_hex(digits.data(), total, rec.data());
        unsigned sum = 0;
        for (std::size_t i = 0; i + 1 < total; ++i) sum += rec[i];
        const auto expected = static_cast<std::uint8_t>(0x100 - (sum & 0xFF));
        const std::uint8_t actual = rec[total - 1];
        if (actual != expected) {
            fail(ln, fmt::format("checksum is 0x{:02X}, expected 0x{:02X}", actual, expected));
        }

        const auto address = static_cast<std::uint16_t>((rec[1] << 8) | rec[2]);
        const std::uint8_t type = rec[3];
        const std::uint8_t* data = rec.data() + 4;
        switch (type) {
            case 0x00:
                add_data(ln, address, data, count);
                break;
            case 0x01:
                if (count != 0) {
                    fail(ln, fmt::format("end-of-file record (type 01) must hold no data, holds {} bytes", count));
                }
                eof_line_ = ln;
                break;
            case 0x02:
            case 0x04: {
                const char* what = type == 0x02 ? "extended segment address record (type 02)"
                                                : "extended linear address record (type 04)";
                if (count != 2) fail(ln, fmt::format("{} must hold 2 data bytes, holds {}", what, count));
                if (address != 0) {
                    fail(ln, fmt::format("{} must have address field 0000, has {:04X}", what, address));
                }
                const std::uint32_t value = (std::uint32_t{data[0]} << 8) | data[1];
                segment_mode_ = type == 0x02;
                base_ = segment_mode_ ? value * 16 : value << 16;
                break;
            }
            case 0x03:
            case 0x05: {
                const char* what =
                    type == 0x03 ? "start segment address record (type 03)" : "start linear address record (type 05)";
                if (count != 4) fail(ln, fmt::format("{} must hold 4 data bytes, holds {}", what, count));
                const std::uint32_t value = (std::uint32_t{data[0]} << 24) | (std::uint32_t{data[1]} << 16) |
                                            (std::uint32_t{data[2]} << 8) | data[3];
                (type == 0x03 ? start_.segment : start_.linear) = value;
                break;
            }
            default:
                fail(ln, fmt::format("unknown record type 0x{:02X}; Intel HEX has types 00 to 05", type));
        }
    }

    void add_data(std::size_t ln, std::uint16_t offset, const std::uint8_t* data, std::uint32_t count) {
        if (count == 0) return;  // an empty data record holds nothing
        if (segment_mode_) {
            // After a type 02 record the Intel spec computes each byte's address as
            // segment base + ((record offset + index) mod 64 KiB): a record that runs past offset
            // 0xFFFF wraps to the start of the same 64 KiB segment, it does not run on. The
            // highest possible address, 0xFFFF0 + 0xFFFF, is far below 4 GiB.
            const std::uint32_t first = std::min<std::uint32_t>(count, 0x10000u - offset);
            push_chunk(base_ + offset, data, first, ln);
            if (first < count) push_chunk(base_, data + first, count - first, ln);
            return;
        }
        // Linear (type 04 or no extended record): the address is base + offset + index with no
        // wrap at 64 KiB. The spec wraps it at 4 GiB; we reject that instead, since such a file
        // is almost certainly wrong.
        const std::uint64_t start = std::uint64_t{base_} + offset;
        if (start + count > kAddressLimit) {
            fail(ln, fmt::format("data at 0x{:08X} with {} bytes runs past the end of the 4 GiB address "
                                 "space (to 0x{:X})",
                                 start, count, start + count - 1));
        }
        push_chunk(static_cast<std::uint32_t>(start), data, count, ln);
    }

    void push_chunk(std::uint32_t address, const std::uint8_t* data, std::uint32_t length, std::size_t ln) {
        if (address < next_expected_) in_order_ = false;
        next_expected_ = std::uint64_t{address} + length;
        chunks_.push_back(Chunk{address, length, data_.size(), ln});
        data_.insert(data_.end(), data, data + length);
    }

    SparseImage build_image() {
        if (!in_order_) {
            std::stable_sort(chunks_.begin(), chunks_.end(),
                             [](const Chunk& a, const Chunk& b) { return a.address < b.address; });
            for (std::size_t i = 1; i < chunks_.size(); ++i) {
                if (chunks_[i].address < std::uint64_t{chunks_[i - 1].address} + chunks_[i - 1].length) {
                    report_overlap();
                }
            }
        }
        // Sorted and disjoint: every add() is an append at the end of the image.
        SparseImage image;
        for (const Chunk& c : chunks_) {
            if (!image.add(c.address, {data_.data() + c.offset, c.length})) {
                fail(c.line, "internal error: data could not be added to the image");  // unreachable
            }
        }
        return image;
    }

    // Some data overlaps. Replays the chunks in file order to name the first line that
    // overlaps an earlier one, as a reader going through the file would see it.
    [[noreturn]] void report_overlap() {
        std::stable_sort(chunks_.begin(), chunks_.end(),
                         [](const Chunk& a, const Chunk& b) { return a.line < b.line; });
        struct Seen {
            std::uint64_t end;
            std::size_t line;
        };
        std::map<std::uint64_t, Seen> seen;  // start -> (end, line); disjoint by construction
        for (const Chunk& c : chunks_) {
            const std::uint64_t start = c.address;
            const std::uint64_t end = start + c.length;
            auto next = seen.upper_bound(start);
            std::uint64_t at = 0;
            std::size_t other = 0;
            if (next != seen.begin() && std::prev(next)->second.end > start) {
                at = start;
                other = std::prev(next)->second.line;
            } else if (next != seen.end() && next->first < end) {
                at = next->first;
                other = next->second.line;
            }
            if (other != 0) {
                fail(c.line, fmt::format("data at 0x{:08X} overlaps data already given on line {}", at, other));
            }
            seen.emplace(start, Seen{end, c.line});
        }
        fail(0, "internal error: overlapping data not found");  // unreachable
    }

    std::string_view text_;
    const std::string& file_;
    std::vector<std::uint8_t> data_;
    std::vector<Chunk> chunks_;
    HexStartAddress start_;
    std::uint32_t base_ = 0;
    bool segment_mode_ = false;
    bool in_order_ = true;  // every chunk starts at or after the end of the one before
    std::uint64_t next_expected_ = 0;
    std::size_t eof_line_ = 0;
    std::size_t last_record_line_ = 0;
};

// Appends one record: ':' count address type data checksum '\n'.
void append_record(std::string& out, std::uint8_t type, std::uint16_t address, const std::uint8_t* data,
                   std::size_t n) {
    std::array<char, 1 + 2 * (255 + 5) + 1> buf;
    char* p = buf.data();
    unsigned sum = static_cast<unsigned>(n) + (address >> 8) + (address & 0xFF) + type;
    const auto put = [&p](std::uint8_t b) {
        *p++ = detail::kHexDigitsUpper[b >> 4];
        *p++ = detail::kHexDigitsUpper[b & 0x0F];
    };
    *p++ = ':';
    put(static_cast<std::uint8_t>(n));
    put(static_cast<std::uint8_t>(address >> 8));
    put(static_cast<std::uint8_t>(address & 0xFF));
    put(type);
    for (std::size_t i = 0; i < n; ++i) {
        put(data[i]);
        sum += data[i];
    }
    put(static_cast<std::uint8_t>(0x100 - (sum & 0xFF)));
    *p++ = '\n';
    out.append(buf.data(), static_cast<std::size_t>(p - buf.data()));
}

}  // namespace

IntelHexFile parse_intel_hex_file(std::string_view text, const std::string& file_name) {
    return HexParser(text, file_name).run();
}

IntelHexFile load_intel_hex_file(const std::filesystem::path& p) {
    const std::string bytes = read_file_bytes(p);
    return parse_intel_hex_file(bytes, input_name(p));
}

SparseImage parse_intel_hex(std::string_view text, const std::string& file_name) {
    return parse_intel_hex_file(text, file_name).image;
}

SparseImage load_intel_hex(const std::filesystem::path& p) {
    return load_intel_hex_file(p).image;
}

std::string write_intel_hex(const SparseImage& image, std::size_t bytes_per_record, const HexStartAddress& start) {
    if (bytes_per_record == 0 || bytes_per_record > 255) {
        throw std::invalid_argument(fmt::format("Intel HEX records hold 1 to 255 bytes, not {}", bytes_per_record));
    }
    std::string out;
    const std::size_t records = image.size() / bytes_per_record + 2 * image.segments().size() + 4;
    out.reserve(image.size() * 2 + records * 12);

    std::uint32_t upper = 0;  // upper 16 address bits in effect (0 until a type 04 record)
    for (const auto& seg : image.segments()) {
        std::uint64_t address = seg.address;
        std::size_t i = 0;
        while (i < seg.data.size()) {
            const auto hi = static_cast<std::uint32_t>(address >> 16);
            if (hi != upper) {
                const std::uint8_t value[2] = {static_cast<std::uint8_t>(hi >> 8), static_cast<std::uint8_t>(hi)};
                append_record(out, 0x04, 0, value, 2);
                upper = hi;
            }
            const auto low = static_cast<std::uint16_t>(address & 0xFFFF);
            const std::size_t n = std::min({bytes_per_record, seg.data.size() - i, std::size_t{0x10000} - low});
            append_record(out, 0x00, low, seg.data.data() + i, n);
            i += n;
            address += n;
        }
    }
    const auto put_start = [&out](std::uint8_t type, std::uint32_t v) {
        const std::uint8_t value[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                                       static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
        append_record(out, type, 0, value, 4);
    };
    if (start.segment) put_start(0x03, *start.segment);
    if (start.linear) put_start(0x05, *start.linear);
    append_record(out, 0x01, 0, nullptr, 0);
    return out;
}

}  // namespace dfu::formats
