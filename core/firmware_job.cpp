#include "core/firmware_job.hpp"

#include "core/packet.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/error.hpp"
#include "formats/binary.hpp"
#include "formats/cyacd2.hpp"
#if DFUHOST_ELF
#include "formats/elf.hpp"
#endif
#include "formats/file_bytes.hpp"
#include "formats/input_error.hpp"
#include "formats/intel_hex.hpp"
#include "formats/rows.hpp"
#include "formats/srec.hpp"

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

namespace {
// A job with the settings every input takes from the command line, or their defaults.
FirmwareJob job_named(std::string source, std::string format, const ImageOptions& o) {
    FirmwareJob job;
    job.source = std::move(source);
    job.format = std::move(format);
    job.checksum = o.checksum.value_or(ChecksumType::sum);
    job.product_id = o.product_id.value_or(0);
    job.app_id = o.app_id.value_or(0);
    job.row_size = o.row_size.value_or(512);
    return job;
}
}  // namespace

FirmwareJob job_from_image(const std::filesystem::path& file, std::string format, const formats::SparseImage& image,
                           const ImageOptions& o) {
    FirmwareJob job = job_named(formats::input_name(file), std::move(format), o);
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
    job.source = formats::input_name(file);
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

namespace {

struct FormatName {
    InputFormat format;
    const char* word;  // --format
    const char* name;  // FirmwareJob::format, messages
};
constexpr FormatName kFormats[] = {
    {InputFormat::intel_hex, "hex", "Intel HEX"}, {InputFormat::binary, "bin", "binary"},
    {InputFormat::cyacd2, "cyacd2", "cyacd2"},    {InputFormat::elf, "elf", "ELF"},
    {InputFormat::srec, "srec", "S-record"},
};

const char* format_name(InputFormat f) {
    for (const auto& n : kFormats)
        if (n.format == f) return n.name;
    return "?";
}

// A .bin's --base: required there, refused elsewhere (every other format carries addresses).
void check_base(const std::string& name, InputFormat f, const ImageOptions& o) {
    if (f == InputFormat::binary && !o.base) throw InputError(name, 0, "a .bin file has no address: give --base ADDR");
    if (f != InputFormat::binary && o.base)
        throw InputError(name, 0, fmt::format("--base applies to .bin files only; this is read as {}", format_name(f)));
}

}  // namespace

std::vector<std::string> input_format_words() {
    std::vector<std::string> words;
    for (const auto& n : kFormats) words.emplace_back(n.word);
    return words;
}

std::optional<InputFormat> input_format_named(std::string_view word) {
    for (const auto& n : kFormats)
        if (word == n.word) return n.format;
    return std::nullopt;
}

const char* input_format_word(InputFormat f) noexcept {
    for (const auto& n : kFormats)
        if (n.format == f) return n.word;
    return "?";
}

FirmwareJob erase_range_job(const AddressRange& range, const ImageOptions& o) {
    FirmwareJob job = job_named(fmt::format("--range 0x{:08X}:0x{:X}", range.start, range.length), "address range", o);
    const auto refuse = [](const std::string& m) { return Error(ExitCode::usage, m); };
    if (o.format || o.base || o.app_start || o.app_length)
        throw refuse(
            "--range erases rows by address: --format, --base, --app-start and --app-length belong to an "
            "image file");
    if (!valid_row_size(job.row_size))
        throw refuse(fmt::format("--row-size {} is not a power of two from 64 to 4096", job.row_size));
    const std::uint64_t end = std::uint64_t{range.start} + range.length;
    if (range.length == 0) throw refuse("--range: the length is 0; nothing to erase");
    if (end > formats::SparseImage::kAddressLimit)
        throw refuse(fmt::format("--range 0x{:08X}:0x{:X} runs past the 4 GiB address space (to 0x{:X})", range.start,
                                 range.length, end - 1));
    // The job holds each row's bytes (the engine counts progress by them): a bound keeps a typo
    // such as 0:4G from taking gigabytes. The largest flash of the parts this protocol serves is a few MiB.
    if (range.length > kMaxEraseRangeBytes)
        throw refuse(fmt::format("--range: 0x{:X} bytes is more than the {} MiB one run erases; erase in parts",
                                 range.length, kMaxEraseRangeBytes >> 20));
    if (range.start % job.row_size != 0 || range.length % job.row_size != 0)
        throw refuse(
            fmt::format("--range 0x{:08X}:0x{:X} is not whole {}-byte rows: the start and the length must "
                        "be multiples of the row size (rows 0x{:08X}..0x{:08X} cover it; --row-size if the "
                        "device's rows differ)",
                        range.start, range.length, job.row_size, range.start - range.start % job.row_size,
                        (end + job.row_size - 1) / job.row_size * job.row_size - 1));
    // Erase sends addresses only; the rows' bytes are there for the progress count.
    for (std::uint64_t a = range.start; a < end; a += job.row_size)
        job.steps.emplace_back(
            RowStep{static_cast<std::uint32_t>(a), std::vector<std::uint8_t>(job.row_size, o.fill), 0});
    return job;
}

std::optional<InputFormat> input_format_of_extension(const std::filesystem::path& file) {
    const std::string ext = lower_extension(file);
    if (ext == ".hex" || ext == ".ihex" || ext == ".ihx") return InputFormat::intel_hex;
    if (ext == ".bin") return InputFormat::binary;
    if (ext == ".cyacd2") return InputFormat::cyacd2;
    if (ext == ".elf" || ext == ".axf") return InputFormat::elf;
    if (ext == ".srec" || ext == ".s19" || ext == ".s28" || ext == ".s37" || ext == ".mot") return InputFormat::srec;
    return std::nullopt;
}

InputFormat resolve_input_format(const std::filesystem::path& file, std::optional<InputFormat> forced) {
    const std::string name = formats::input_name(file);
    InputFormat f{};
    if (forced) {
        f = *forced;
    } else if (formats::is_standard_input(file)) {
        throw Error(ExitCode::usage,
                    "standard input (-) has no extension to tell its format: give --format "
                    "hex, bin, cyacd2, elf or srec");
    } else if (const auto by_extension = input_format_of_extension(file)) {
        f = *by_extension;
    } else {
        const std::string ext = lower_extension(file);
        if (ext == ".mtbdfu") {
            throw InputError(name, 0, "a .mtbdfu holds sessions, not an image: use 'dfuhost run'");
        } else {
            throw InputError(name, 0,
                             fmt::format("unknown file type '{}': expected .hex, .bin, .cyacd2, .elf or .srec "
                                         "(.s19/.s28/.s37), or say which with --format",
                                         ext.empty() ? "(none)" : ext));
        }
    }
#if !DFUHOST_ELF
    if (f == InputFormat::elf)
        throw Error(ExitCode::usage, fmt::format("{}: this build reads no ELF files (it was built without libelf, as "
                                                 "the Windows build is); convert it to Intel HEX first, e.g. "
                                                 "arm-none-eabi-objcopy -O ihex FILE.elf FILE.hex",
                                                 name));
#endif
    return f;
}

FirmwareInput load_firmware(const std::filesystem::path& file, const ImageOptions& o) {
    const InputFormat format = resolve_input_format(file, o.format);
    const std::string name = formats::input_name(file);
    check_base(name, format, o);
    FirmwareInput in;
    switch (format) {
        case InputFormat::intel_hex:
            in.image = formats::load_intel_hex(file);
            break;
        case InputFormat::srec:
            in.image = formats::load_srec(file);
            break;
        case InputFormat::elf:
#if DFUHOST_ELF
            in.image = formats::load_elf(file);
#endif
            break;
        case InputFormat::binary:
            in.image = formats::load_binary(file, *o.base);
            break;
        case InputFormat::cyacd2: {
            formats::Cyacd2 c = formats::load_cyacd2(file);
            in.image = formats::cyacd2_image(c);
            in.header = c.header;
            in.job = job_from_cyacd2(file, std::move(c), o);
            return in;
        }
    }
    in.job = job_from_image(file, format_name(format), in.image, o);
    // Rows are written whole: a .bin that starts inside a row overwrites the row's first
    // bytes, which the user may not have meant to touch.
    if (format == InputFormat::binary)
        if (const std::uint32_t lead = *o.base % in.job.row_size; lead != 0)
            in.job.warnings.push_back(fmt::format(
                "--base 0x{:08X} is not aligned to the {}-byte row: the row is written whole, so 0x{:08X}..0x{:08X} "
                "({} bytes before the image) become the fill value 0x{:02X}",
                *o.base, in.job.row_size, *o.base - lead, *o.base, lead, o.fill));
    return in;
}

FirmwareJob load_firmware_job(const std::filesystem::path& file, const ImageOptions& o) {
    return load_firmware(file, o).job;
}

}  // namespace dfu
