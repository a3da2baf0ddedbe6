#include "formats/srec.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <vector>

#include "formats/file_bytes.hpp"
#include "formats/hex_text.hpp"
#include "formats/input_error.hpp"

namespace dfu::formats {

namespace {

using detail::describe_char;

// What each record type is, by the digit after 'S'. Address bytes: the width of the address
// field (for S5/S6 it holds the record count, for S7-S9 the start address).
struct RecordKind {
    const char* name;
    unsigned address_bytes;  // 0: reserved type
};

constexpr std::array<RecordKind, 10> kKinds = {{
    {"header record (S0)", 2},
    {"data record (S1)", 2},
    {"data record (S2)", 3},
    {"data record (S3)", 4},
    {"reserved record type S4", 0},
    {"count record (S5)", 2},
    {"count record (S6)", 3},
    {"start address record (S7)", 4},
    {"start address record (S8)", 3},
    {"start address record (S9)", 2},
}};

// Where the data of each data record went, kept only to name the line an overlap repeats.
struct Placed {
    std::uint32_t address;
    std::uint32_t length;
    std::size_t line;
};

class SrecParser {
public:
    SrecParser(std::string_view text, const std::string& file) : text_(text), file_(file) {}

    SrecFile run() {
        detail::LineReader reader(text_);
        std::string_view line;
        std::size_t leading = 0;
        while (reader.next(line, leading)) {
            if (line.empty()) continue;  // blank lines are tolerated anywhere
            const std::size_t ln = reader.line_number();
            if (end_line_ != 0)
                fail(ln,
                     fmt::format("record after the start address record on line {}, which ends the file", end_line_));
            last_line_ = ln;
            parse_record(line, leading, ln);
        }
        if (last_line_ == 0) fail(0, "file is empty; expected Motorola S-records");
        if (end_line_ == 0)
            fail(last_line_, "file ends without a start address record (S7, S8 or S9); it may be truncated");
        if (result_.image.empty()) fail(0, "file holds no data records (S1, S2, S3); there is nothing to program");
        return std::move(result_);
    }

private:
    [[noreturn]] void fail(std::size_t line, std::string message) const {
        throw InputError(file_, line, std::move(message));
    }

    void parse_record(std::string_view line, std::size_t leading, std::size_t ln) {
        if (line[0] != 'S')
            fail(ln, fmt::format("expected 'S' at the start of a record, found {}; is this a Motorola S-record file?",
                                 describe_char(line[0])));
        if (line.size() < 2 || line[1] < '0' || line[1] > '9')
            fail(ln, line.size() < 2 ? std::string("record ends after 'S'; expected the record type 0 to 9")
                                     : fmt::format("{} at column {} is not a record type (0 to 9)",
                                                   describe_char(line[1]), leading + 2));
        const auto type = static_cast<unsigned>(line[1] - '0');
        const RecordKind& kind = kKinds[type];
        if (kind.address_bytes == 0) fail(ln, "record type S4 is reserved and not used in S-record files");
        const std::string_view digits = line.substr(2);
        if (const std::size_t bad = detail::find_non_hex(digits); bad != std::string_view::npos)
            fail(ln, fmt::format("{} at column {} is not a hex digit", describe_char(digits[bad]), leading + 3 + bad));
        if (digits.size() % 2 != 0)
            fail(ln, fmt::format("odd number of hex digits ({}) after the record type; a record is made of whole bytes",
                                 digits.size()));
        const std::size_t total = digits.size() / 2;  // count byte, address, data, checksum
        if (total < 2 + kind.address_bytes)
            fail(ln, fmt::format("{} is too short: {} bytes, but it needs at least {} (count, {}-byte address, "
                                 "checksum)",
                                 kind.name, total, 2 + kind.address_bytes, kind.address_bytes));
        std::array<std::uint8_t, 256> rec{};
        if (total > rec.size())
            fail(ln, fmt::format("record is too long: {} bytes after the type, but the byte count allows at most {}",
                                 total, rec.size()));
        detail::decode_hex(digits.data(), total, rec.data());
        const std::uint8_t count = rec[0];
        if (std::size_t{count} != total - 1)
            fail(ln, fmt::format("byte count is {} (0x{:02X}) but {} bytes follow it", count, count, total - 1));
        unsigned sum = 0;
        for (std::size_t i = 0; i + 1 < total; ++i) sum += rec[i];
        const auto expected = static_cast<std::uint8_t>(~sum & 0xFF);
        if (rec[total - 1] != expected)
            fail(ln, fmt::format("checksum is 0x{:02X}, expected 0x{:02X}", rec[total - 1], expected));

        std::uint32_t address = 0;
        for (unsigned i = 0; i < kind.address_bytes; ++i) address = (address << 8) | rec[1 + i];
        const std::uint8_t* data = rec.data() + 1 + kind.address_bytes;
        const std::size_t length = total - 2 - kind.address_bytes;
        switch (type) {
            case 0:
                result_.header.assign(reinterpret_cast<const char*>(data), length);
                break;
            case 1:
            case 2:
            case 3:
                add_data(ln, address, data, length);
                ++data_records_;
                break;
            case 5:
            case 6:
                if (length != 0) fail(ln, fmt::format("{} must hold no data, holds {} bytes", kind.name, length));
                if (address != data_records_)
                    fail(ln, fmt::format("{} says {} data records, but {} come before it; records may be missing",
                                         kind.name, address, data_records_));
                break;
            default:  // 7, 8, 9
                if (length != 0) fail(ln, fmt::format("{} must hold no data, holds {} bytes", kind.name, length));
                result_.start = address;
                end_line_ = ln;
                break;
        }
    }

    void add_data(std::size_t ln, std::uint32_t address, const std::uint8_t* data, std::size_t length) {
        if (length == 0) return;
        const std::uint64_t end = std::uint64_t{address} + length;
        if (end > SparseImage::kAddressLimit)
            fail(ln, fmt::format("data at 0x{:08X} with {} bytes runs past the end of the 4 GiB address space", address,
                                 length));
        if (!result_.image.add(address, {data, length})) {
            for (const Placed& p : placed_)
                if (address < std::uint64_t{p.address} + p.length && p.address < end)
                    fail(ln, fmt::format("data at 0x{:08X} overlaps data already given on line {}",
                                         std::max(address, p.address), p.line));
        }
        placed_.push_back(Placed{address, static_cast<std::uint32_t>(length), ln});
    }

    std::string_view text_;
    const std::string& file_;
    SrecFile result_;
    std::vector<Placed> placed_;
    std::uint32_t data_records_ = 0;
    std::size_t end_line_ = 0;
    std::size_t last_line_ = 0;
};

}  // namespace

SrecFile parse_srec_file(std::string_view text, const std::string& file_name) {
    return SrecParser(text, file_name).run();
}

SrecFile load_srec_file(const std::filesystem::path& p) {
    const std::string bytes = read_file_bytes(p);
    return parse_srec_file(bytes, input_name(p));
}

SparseImage load_srec(const std::filesystem::path& p) {
    return load_srec_file(p).image;
}

}  // namespace dfu::formats
