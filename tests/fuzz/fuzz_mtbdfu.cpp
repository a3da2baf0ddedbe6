// .mtbdfu parser, then the script planner on whatever parses (planning only: no port, no
// packet log is opened). Documents run from a private folder holding two small data files,
// so dataFile paths that name them are planned for real and every other name takes the
// missing-file path. Any input either plans, or is refused with InputError naming the file
// and a line or a JSON path.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/script_plan.hpp"
#include "formats/input_error.hpp"
#include "formats/intel_hex.hpp"
#include "formats/mtbdfu.hpp"
#include "fuzz_support.hpp"
#include "script_plan_checks.hpp"

namespace fs = std::filesystem;
using dfu::formats::InputError;

namespace {

fs::path g_folder;
fs::path g_document;

void remove_folder() {
    std::error_code ec;
    fs::remove_all(g_folder, ec);
}

void write_file(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary);
    out << bytes;
    FUZZ_CHECK(out.good());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    g_folder = fs::temp_directory_path() / ("dfuhost-fuzz-mtbdfu-" + std::to_string(::getpid()));
    fs::create_directories(g_folder);
    std::atexit(remove_folder);
    g_document = g_folder / "fuzz.mtbdfu";

    // Two and a bit 512-byte rows with an address gap; the name is the one the published
    // samples use. The .bin is read at address 0.
    dfu::formats::SparseImage image;
    std::vector<std::uint8_t> bytes(1100);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 7 + 3);
    image.add(0x10000000, std::span(bytes).first(1000));
    image.add(0x10000400, std::span(bytes).subspan(1000));
    write_file(g_folder / "blinky_cm4_crc.hex", dfu::formats::write_intel_hex(image));
    write_file(g_folder / "app.bin", std::string(300, '\x5A'));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string name = g_document.string();
    dfu::formats::Mtbdfu doc;
    // The JSON tree costs tens of bytes per input byte; the slack covers the data files.
    fuzz::HeapMeter::start();
    try {
        doc = dfu::formats::parse_mtbdfu(text, g_document);
    } catch (const InputError& e) {
        fuzz::check_heap_peak(fuzz::HeapMeter::stop(), size, 64, 256 * 1024);
        FUZZ_CHECK(e.file() == name);
        FUZZ_CHECK(!e.message().empty());
        return 0;
    }
    fuzz::check_heap_peak(fuzz::HeapMeter::stop(), size, 64, 256 * 1024);
    FUZZ_CHECK(!doc.sessions.empty());
    for (const auto& s : doc.sessions) FUZZ_CHECK(!s.commands.empty());

    dfu::ScriptOptions options;
    // Half the inputs plan with a --row-size, half without, so both paths stay in reach.
    if (size % 2 == 0) options.row_size = 0x200;
    // Planning costs a few microseconds per packet under the sanitizers: the default limit
    // (8 million) would make a valid document a timeout. The limit's logic is the same.
    options.max_packets = 100'000;
    try {
        const dfu::ScriptPlan plan = dfu::plan_script(doc, options);
        fuzz::check_plan(plan, doc, options);
    } catch (const InputError& e) {
        FUZZ_CHECK(e.file() == name);
        FUZZ_CHECK(e.line() == 0);
        FUZZ_CHECK(!e.message().empty());
    }
    return 0;
}
