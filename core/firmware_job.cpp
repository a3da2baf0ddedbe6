#include "core/firmware_job.hpp"

#include "core/packet.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "formats/binary.hpp"
#include "formats/cyacd2.hpp"
#include "formats/input_error.hpp"
#include "formats/intel_hex.hpp"
#include "formats/rows.hpp"

namespace dfu {

std::size_t FirmwareJob::row_count() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(steps.begin(), steps.end(), [](const Step& s) { return std::holds_alternative<RowStep>(s); }));
}

std::uint64_t FirmwareJob::payload_bytes() const noexcept {
    std::uint64_t n = 0;
    for (const Step& s : steps)
        if (const auto* r = std::get_if<RowStep>(&s)) n += r->data.size();
    return n;
}

namespace {

using formats::InputError;

bool valid_row_size(std::uint32_t n) {
    return n >= 64 && n <= 4096 && (n & (n - 1)) == 0;
}

void apply_app_range_options(FirmwareJob& job, const ImageOptions& o) {
    if (o.app_start.has_value() != o.app_length.has_value())
        throw InputError(job.source, 0, "--app-start and --app-length go together: give both or neither");
    if (!o.app_start) return;
    if (*o.app_length == 0) throw InputError(job.source, 0, "--app-length must not be 0");
    if (std::uint64_t{*o.app_start} + *o.app_length + 4 > 0x1'0000'0000ULL)
        throw InputError(job.source, 0, "--app-start + --app-length (+4 signature bytes) passes 4 GiB");
    job.app = AppRange{*o.app_start, *o.app_length};
    job.app_origin = "--app-start/--app-length";
}

// An image whose last four bytes are the CRC-32C of everything before them carries its
// own signature (the "_crc" images of Infineon's flows): the app range follows from it.
// Only trusted when every row of the range is sent, so the device hashes what we sent.
std::optional<AppRange> find_signature(const formats::SparseImage& image, const std::vector<formats::Row>& rows,
                                       std::uint32_t row_size, std::uint8_t fill) {
    if (image.size() < 8) return std::nullopt;
    const std::uint64_t first_row = image.lowest() / row_size;
    const std::uint64_t last_row = (image.end() - 1) / row_size;
    if (last_row - first_row + 1 != rows.size()) return std::nullopt;  // some row in between is not sent
    const std::uint32_t start = image.lowest();
    const auto length = static_cast<std::uint32_t>(image.end() - 4 - start);
    const std::uint32_t want = image_crc32c(image, start, length, fill);
    std::uint8_t sig[4];
    image.copy_out(start + length, sig, fill);
    const std::uint32_t have = read_le32(sig);
    if (want != have) return std::nullopt;
    return AppRange{start, length};
}

FirmwareJob job_from_image(const std::filesystem::path& file, std::string format, const formats::SparseImage& image,
                           const ImageOptions& o) {
    FirmwareJob job;
    job.source = file.string();
    job.format = std::move(format);
    job.checksum = o.checksum.value_or(ChecksumType::sum);
    job.product_id = o.product_id.value_or(0);
    job.app_id = o.app_id.value_or(0);
    job.row_size = o.row_size.value_or(512);
    if (!valid_row_size(job.row_size))
        throw InputError(job.source, 0,
                         fmt::format("--row-size {} is not a power of two from 64 to 4096", job.row_size));
    if (image.empty()) throw InputError(job.source, 0, "the file holds no data");
    std::vector<formats::Row> rows = formats::map_to_rows(image, job.row_size, o.fill);
    apply_app_range_options(job, o);
    if (!job.app) {
        if (auto sig = find_signature(image, rows, job.row_size, o.fill)) {
            job.app = sig;
            job.app_origin = fmt::format("CRC-32C signature found at 0x{:08X}", sig->start + sig->length);
        }
    }
    job.steps.reserve(rows.size());
    for (auto& r : rows) job.steps.emplace_back(RowStep{r.address, std::move(r.data), 0});
    return job;
}

FirmwareJob job_from_cyacd2(const std::filesystem::path& file, formats::Cyacd2 c, const ImageOptions& o) {
    FirmwareJob job;
    job.source = file.string();
    job.format = "cyacd2";
    const auto file_checksum = static_cast<ChecksumType>(c.header.checksum_type);
    job.checksum = o.checksum.value_or(file_checksum);
    if (o.checksum && *o.checksum != file_checksum)
        job.warnings.push_back(fmt::format("--checksum overrides the file's checksum type {}", c.header.checksum_type));
    job.product_id = o.product_id.value_or(c.header.product_id);
    if (o.product_id && *o.product_id != c.header.product_id)
        job.warnings.push_back(
            fmt::format("--product-id 0x{:08X} overrides the file's 0x{:08X}", *o.product_id, c.header.product_id));
    job.app_id = o.app_id.value_or(c.header.app_id);
    job.silicon_id = c.header.silicon_id;
    job.silicon_rev = c.header.silicon_rev;
    if (c.row_size == 0) throw InputError(job.source, 0, "the file holds no data rows");
    job.row_size = c.row_size;
    if (o.row_size && *o.row_size != c.row_size)
        throw InputError(job.source, 0,
                         fmt::format("the file's rows are {} bytes but --row-size says {}", c.row_size, *o.row_size));

    std::uint32_t lowest = 0xFFFFFFFF;
    std::uint64_t end = 0;
    for (auto& rec : c.records) {
        if (auto* row = std::get_if<formats::Cyacd2Row>(&rec)) {
            lowest = std::min(lowest, row->address);
            end = std::max<std::uint64_t>(end, std::uint64_t{row->address} + row->data.size());
            job.steps.emplace_back(RowStep{row->address, std::move(row->data), row->line});
        } else {
            auto& eiv = std::get<formats::Cyacd2Eiv>(rec);
            job.steps.emplace_back(EivStep{std::move(eiv.vector), eiv.line});
        }
    }
    apply_app_range_options(job, o);
    if (!job.app) {
        if (c.app_info) {
            job.app = AppRange{c.app_info->start, c.app_info->length};
            job.app_origin = "@APPINFO";
        } else {
            // Without APPINFO the range is the rows' span (docs/protocol.md, "Metadata, Verify
            // Application and CRC-32C"; Infineon's host sums the row sizes instead, see "Where we
            // differ from the reference").
            job.app = AppRange{lowest, static_cast<std::uint32_t>(end - lowest)};
            job.app_origin = "the span of the rows (no @APPINFO)";
        }
    }
    return job;
}

}  // namespace

std::string lower_extension(const std::filesystem::path& p) {
    std::string e = p.extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return e;
}

std::uint32_t image_crc32c(const formats::SparseImage& image, std::uint32_t start, std::uint32_t length,
                           std::uint8_t fill) {
    std::array<std::uint8_t, 256> fill_bytes;
    fill_bytes.fill(fill);
    std::uint32_t crc = 0;
    std::uint64_t at = start;
    const std::uint64_t end = std::uint64_t{start} + length;
    auto add_fill = [&](std::uint64_t upto) {
        while (at < upto) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(fill_bytes.size(), upto - at));
            crc = crc32c_update(crc, std::span(fill_bytes).first(n));
            at += n;
        }
    };
    for (const auto& seg : image.segments()) {
        if (seg.end() <= at) continue;
        if (seg.address >= end) break;
        add_fill(seg.address);
        const std::uint64_t to = std::min(seg.end(), end);
        crc = crc32c_update(crc, std::span(seg.data).subspan(static_cast<std::size_t>(at - seg.address),
                                                             static_cast<std::size_t>(to - at)));
        at = to;
    }
    add_fill(end);
    return crc;
}

FirmwareInput load_firmware(const std::filesystem::path& file, const ImageOptions& o) {
    const std::string ext = lower_extension(file);
    FirmwareInput in;
    if (ext == ".hex" || ext == ".ihex" || ext == ".ihx") {
        if (o.base) throw InputError(file.string(), 0, "--base applies to .bin files only");
        in.image = formats::load_intel_hex(file);
        in.job = job_from_image(file, "Intel HEX", in.image, o);
    } else if (ext == ".bin") {
        if (!o.base) throw InputError(file.string(), 0, "a .bin file has no address: give --base ADDR");
        in.image = formats::load_binary(file, *o.base);
        in.job = job_from_image(file, "binary", in.image, o);
        // Rows are written whole: a .bin that starts inside a row overwrites the row's first
        // bytes, which the user may not have meant to touch.
        if (const std::uint32_t lead = *o.base % in.job.row_size; lead != 0)
            in.job.warnings.push_back(fmt::format(
                "--base 0x{:08X} is not aligned to the {}-byte row: the row is written whole, so 0x{:08X}..0x{:08X} "
                "({} bytes before the image) become the fill value 0x{:02X}",
                *o.base, in.job.row_size, *o.base - lead, *o.base, lead, o.fill));
    } else if (ext == ".cyacd2") {
        if (o.base) throw InputError(file.string(), 0, "--base applies to .bin files only");
        formats::Cyacd2 c = formats::load_cyacd2(file);
        in.image = formats::cyacd2_image(c);
        in.header = c.header;
        in.job = job_from_cyacd2(file, std::move(c), o);
    } else if (ext == ".mtbdfu") {
        throw InputError(file.string(), 0, "a .mtbdfu holds sessions, not an image: use 'dfuhost run'");
    } else {
        throw InputError(
            file.string(), 0,
            fmt::format("unknown file type '{}': expected .hex, .bin or .cyacd2", ext.empty() ? "(none)" : ext));
    }
    return in;
}

FirmwareJob load_firmware_job(const std::filesystem::path& file, const ImageOptions& o) {
    return load_firmware(file, o).job;
}

}  // namespace dfu
