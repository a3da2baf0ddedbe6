// The script planner (core/script_plan) on documents built straight from the input rather
// than parsed from JSON: few random texts are valid .mtbdfu documents, so fuzz_mtbdfu rarely
// gets past the parser. Here every input is a document of the shape the parser hands on
// (its invariants kept: a group has no data, an offset or "EoF" has a data file in scope,
// counts and lengths within the parser's limits), with sessions, pauses, nested command
// sets, repeat counts and "EoF", data files at either end of the address space, offsets and
// row lengths in every combination. Planning must succeed with a well-formed plan or refuse
// with InputError naming the file.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/script_plan.hpp"
#include "formats/input_error.hpp"
#include "formats/mtbdfu.hpp"
#include "fuzz_support.hpp"
#include "script_plan_checks.hpp"

using dfu::formats::InputError;
using dfu::formats::MtbdfuCommand;
using dfu::formats::MtbdfuDataFile;
using dfu::formats::SparseImage;

namespace {

const std::string kFile = "generated.mtbdfu";

// Data files as the parser would load them: three rows with a gap at 0x10000000, a .bin at
// 0, and a few bytes that end at the top of the 32-bit address space.
std::vector<MtbdfuDataFile> make_data_files() {
    const auto image = [](std::initializer_list<std::pair<std::uint32_t, std::size_t>> parts) {
        auto img = std::make_shared<SparseImage>();
        std::uint8_t v = 1;
        for (const auto& [address, length] : parts) {
            std::vector<std::uint8_t> bytes(length);
            for (auto& b : bytes) b = v++;
            FUZZ_CHECK(img->add(address, bytes));
        }
        return std::shared_ptr<const SparseImage>(std::move(img));
    };
    return {
        MtbdfuDataFile{"app.hex", image({{0x10000000, 1000}, {0x10000400, 100}})},
        MtbdfuDataFile{"app.bin", image({{0, 300}})},
        MtbdfuDataFile{"top.hex", image({{0xFFFFFF00u, 0x40}, {0xFFFFFFF0u, 0x10}})},
    };
}

const std::vector<MtbdfuDataFile>& data_files() {
    static const std::vector<MtbdfuDataFile> files = make_data_files();
    return files;
}

constexpr std::uint32_t kRowLengths[] = {8, 16, 32, 64, 256, 0x200, 0x1000, 1, 7, 0x30, 0x80000000u, 0xFFFFFFFFu};
constexpr std::uint8_t kCommands[] = {0x37, 0x47, 0x49, 0x4A, 0x44, 0x31, 0x35, 0x38, 0x3B, 0x4C, 0x3C, 0x50};

class Generator {
public:
    explicit Generator(fuzz::Reader& in) : in_(in) {}

    dfu::formats::Mtbdfu document() {
        dfu::formats::Mtbdfu doc;
        doc.file = kFile;
        doc.app_info.product_id = in_.u32();
        const std::uint8_t flags = in_.byte();
        doc.app_info.checksum_type = flags & 1u;
        if ((flags & 2u) != 0) doc.app_info.timeout_ms = 1u + in_.byte();
        if ((flags & 4u) != 0) doc.app_info.flash_row_length = row_length();
        const std::size_t sessions = 1 + in_.byte() % 3;
        for (std::size_t s = 0; s < sessions; ++s) {
            dfu::formats::MtbdfuSession session;
            session.json_path = "sessions[" + std::to_string(s) + "]";
            session.commands = list(session.json_path + ".commands", nullptr, 0);
            doc.sessions.push_back(std::move(session));
        }
        return doc;
    }

private:
    std::uint32_t row_length() { return kRowLengths[in_.byte() % std::size(kRowLengths)]; }

    std::vector<MtbdfuCommand> list(const std::string& path, const MtbdfuDataFile* inherited, std::size_t depth) {
        std::vector<MtbdfuCommand> out;
        const std::size_t n = 1 + in_.byte() % 4;
        for (std::size_t i = 0; i < n; ++i)
            out.push_back(command(path + "[" + std::to_string(i) + "]", inherited, depth));
        return out;
    }

    MtbdfuCommand command(const std::string& path, const MtbdfuDataFile* inherited, std::size_t depth) {
        MtbdfuCommand c;
        c.json_path = path;
        const std::uint8_t kind = in_.byte();
        if (kind % 8 == 0) {  // a pause
            c.delay_only = true;
            c.delay = std::chrono::microseconds(in_.byte());
            return c;
        }
        // Groups while the document stays small and under the parser's nesting limit.
        const bool group = kind % 8 <= 2 && depth + 1 < dfu::formats::kMtbdfuMaxNesting && ++groups_ <= 24;

        if ((kind & 0x08u) != 0) c.data_file = data_files()[in_.byte() % data_files().size()];
        const MtbdfuDataFile* source = c.data_file ? &*c.data_file : inherited;
        if ((kind & 0x10u) != 0) c.flash_row_length = row_length();
        if ((kind & 0x20u) != 0 && source != nullptr) {
            // The parser keeps offsets inside the file's span; row aligned or not.
            const std::uint64_t span = source->image->end() - source->image->lowest();
            c.offset = static_cast<std::uint32_t>((in_.byte() % 2 == 0 ? in_.u32() : in_.byte() * 64u) % span);
        }
        const std::uint8_t repeat = in_.byte();
        if (repeat % 4 == 1) {
            c.repeat = 1u + repeat / 4u % 8u;
        } else if (repeat % 4 == 2) {
            c.repeat = 1u + in_.u32() % dfu::formats::kMtbdfuMaxRepeat;
        } else if (repeat % 4 == 3 && source != nullptr) {
            c.repeat_eof = true;
        }
        const std::uint8_t extras = in_.byte();
        if ((extras & 1u) != 0) c.out_file = "log" + std::to_string(extras >> 4) + ".txt";
        if ((extras & 2u) != 0) c.output = (extras & 4u) != 0;
        if ((extras & 8u) != 0) c.timeout = std::chrono::microseconds(1 + in_.byte());
        if ((extras & 16u) != 0) c.retries = in_.byte();
        if ((extras & 32u) != 0) c.reconnect = in_.byte() % 3;
        if ((extras & 64u) != 0) c.delay = std::chrono::microseconds(in_.byte());

        if (group) {
            c.command_set = list(path + ".commandSet", source, depth + 1);
            return c;
        }
        const std::uint8_t code = in_.byte();
        c.cmd_id = code < 0xF0 ? kCommands[code % std::size(kCommands)] : code;
        const std::uint8_t data = in_.byte();
        const std::uint32_t length = data % 4 == 3 ? in_.u16() : data / 4u % 64u;
        if ((data & 0x40u) != 0) {
            c.data.emplace(length % 300u);
            for (auto& b : *c.data) b = in_.byte();
            if ((data & 0x80u) != 0) c.data_length = static_cast<std::uint32_t>(c.data->size());
        } else if ((data & 0x80u) != 0 && (length == 0 || source != nullptr)) {
            c.data_length = length;  // taken from the data file
        }
        const std::uint8_t expect = in_.byte();
        if ((expect & 1u) != 0) c.expect.status = in_.byte();
        if ((expect & 2u) != 0) c.expect.data = std::vector<std::uint8_t>(expect >> 4, 0xA5);
        return c;
    }

    fuzz::Reader& in_;
    std::size_t groups_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Reader in(data, size);
    dfu::ScriptOptions options;
    const std::uint8_t choice = in.byte();
    if ((choice & 1u) != 0) options.row_size = kRowLengths[(choice >> 1) % std::size(kRowLengths)];
    // Planning costs microseconds per packet under the sanitizers; the limit's logic is the
    // same at any value.
    options.max_packets = 4'000;
    const dfu::formats::Mtbdfu doc = Generator(in).document();
    try {
        const dfu::ScriptPlan plan = dfu::plan_script(doc, options);
        fuzz::check_plan(plan, doc, options);
    } catch (const InputError& e) {
        FUZZ_CHECK(e.file() == kFile);
        FUZZ_CHECK(e.line() == 0);
        FUZZ_CHECK(!e.message().empty());
    }
    return 0;
}
