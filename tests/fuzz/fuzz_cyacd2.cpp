// .cyacd2 parser: any text either parses or is refused with "FILE:LINE: message"; what parses
// keeps the parser's promises (one row size, aligned rows that never overlap) and survives
// the writer and a second parse unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "formats/cyacd2.hpp"
#include "formats/rows.hpp"
#include "fuzz_support.hpp"
#include "image_checks.hpp"

using dfu::formats::Cyacd2;
using dfu::formats::Cyacd2Eiv;
using dfu::formats::Cyacd2Row;

namespace {

const std::string kName = "fuzz.cyacd2";

// Records equal apart from their line numbers (the writer drops comments and blank lines).
bool same_records(const Cyacd2& a, const Cyacd2& b) {
    if (a.records.size() != b.records.size()) return false;
    for (std::size_t i = 0; i < a.records.size(); ++i) {
        const auto* ra = std::get_if<Cyacd2Row>(&a.records[i]);
        const auto* rb = std::get_if<Cyacd2Row>(&b.records[i]);
        if ((ra == nullptr) != (rb == nullptr)) return false;
        if (ra != nullptr) {
            if (ra->address != rb->address || ra->data != rb->data) return false;
        } else if (std::get<Cyacd2Eiv>(a.records[i]).vector != std::get<Cyacd2Eiv>(b.records[i]).vector) {
            return false;
        }
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto result = fuzz::parse_line_based(text, kName, dfu::formats::parse_cyacd2);
    if (!result) return 0;
    const Cyacd2& parsed = *result;

    FUZZ_CHECK(parsed.header.file_version == 1);
    FUZZ_CHECK(parsed.header.checksum_type <= 1);
    if (parsed.app_info) {
        FUZZ_CHECK(std::uint64_t{parsed.app_info->start} + parsed.app_info->length <= (std::uint64_t{1} << 32));
    }
    std::size_t rows = 0;
    for (const auto& record : parsed.records) {
        if (const auto* row = std::get_if<Cyacd2Row>(&record)) {
            FUZZ_CHECK(row->data.size() == parsed.row_size);
            FUZZ_CHECK(row->address % parsed.row_size == 0);
            FUZZ_CHECK(row->line >= 1 && row->line <= fuzz::count_lines(text));
            ++rows;
        } else {
            const std::size_t n = std::get<Cyacd2Eiv>(record).vector.size();
            FUZZ_CHECK(n == 0 || n == 8 || n == 16);
        }
    }
    FUZZ_CHECK((rows == 0) == (parsed.row_size == 0));

    // The parser promises rows that do not overlap: building the image must not throw, and
    // cutting it into rows of the file's size gives the file's rows back.
    const auto image = dfu::formats::cyacd2_image(parsed);
    FUZZ_CHECK(image.size() == rows * std::size_t{parsed.row_size});
    if (rows != 0) {
        const auto cut = dfu::formats::map_to_rows(image, parsed.row_size, 0xA5);
        FUZZ_CHECK(cut.size() == rows);
    }

    const Cyacd2 again = dfu::formats::parse_cyacd2(dfu::formats::write_cyacd2(parsed), "roundtrip.cyacd2");
    FUZZ_CHECK(again.header == parsed.header);
    FUZZ_CHECK(again.app_info == parsed.app_info);
    FUZZ_CHECK(again.row_size == parsed.row_size);
    FUZZ_CHECK(same_records(again, parsed));
    return 0;
}
