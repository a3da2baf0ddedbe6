// ELF input: executables written with libelf (tests/support/elf_writer.hpp), read back.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "elf_writer.hpp"
#include "formats/elf.hpp"
#include "formats/file_bytes.hpp"
#include "test_support.hpp"

using namespace dfu::formats;
using dfu::formats::test::iota_bytes;
using dfu::formats::test::TempDir;
using testsupport::ElfSegment;
using testsupport::ElfSpec;
using testsupport::write_elf;
using Bytes = std::vector<std::uint8_t>;

namespace {

SparseImage elf_image(const TempDir& dir, const ElfSpec& spec, const std::string& name = "app.elf") {
    const auto p = dir.path() / name;
    write_elf(p, spec);
    return load_elf(p);
}

// .text in flash, .data whose initial values are stored after it in flash (LMA) but run from
// RAM (VMA), and .bss with no file bytes: what a linked Cortex-M image looks like.
ElfSpec cortex_m_like(int elf_class, int encoding) {
    ElfSpec s;
    s.elf_class = elf_class;
    s.encoding = encoding;
    s.segments.push_back({0x10000000, 0x10000000, iota_bytes(300, 1), 0});
    s.segments.push_back({0x10000200, 0x08000000, iota_bytes(40, 100), 64});  // .data: LMA != VMA, plus .bss
    s.segments.push_back({0x10001000, 0x08000100, {}, 512});                  // .bss alone: nothing to load
    return s;
}

}  // namespace

TEST_CASE("elf: loadable segments land at their physical addresses, 32 and 64-bit, both byte orders") {
    for (int cls : {ELFCLASS32, ELFCLASS64})
        for (int enc : {ELFDATA2LSB, ELFDATA2MSB}) {
            CAPTURE(cls);
            CAPTURE(enc);
            TempDir dir;
            const SparseImage img = elf_image(dir, cortex_m_like(cls, enc));
            REQUIRE(img.segments().size() == 2);
            CHECK(img.segments()[0].address == 0x10000000);
            CHECK(img.segments()[0].data == iota_bytes(300, 1));
            CHECK(img.segments()[1].address == 0x10000200);  // p_paddr, not the RAM address
            CHECK(img.segments()[1].data == iota_bytes(40, 100));
            CHECK(img.size() == 340);  // no .bss bytes
        }
}

TEST_CASE("elf: segments other than PT_LOAD are not flash contents") {
    TempDir dir;
    ElfSpec s;
    s.segments.push_back({0x10000000, 0x10000000, iota_bytes(64), 0});
    s.segments.push_back({0x10008000, 0x10008000, iota_bytes(16), 0, PT_NOTE});
    const SparseImage img = elf_image(dir, s);
    REQUIRE(img.segments().size() == 1);
    CHECK(img.end() == 0x10000040);
}

TEST_CASE("elf: executables the reader refuses are named, each for its one fault") {
    // Each differs from a plain 32-bit executable in the one thing the message names.
    struct Refused {
        std::string file;
        ElfSpec spec;
        std::string message;
    };
    ElfSpec only_bss;
    only_bss.segments.push_back({0x20000000, 0x20000000, {}, 4096});
    ElfSpec object;
    object.type = ET_REL;
    ElfSpec overlapping;
    overlapping.segments.push_back({0x1000, 0x1000, iota_bytes(32), 0});
    overlapping.segments.push_back({0x1010, 0x1010, iota_bytes(32), 0});
    ElfSpec high;
    high.elf_class = ELFCLASS64;
    high.segments.push_back({0xFFFFFFF0, 0xFFFFFFF0, iota_bytes(32), 0});
    const Refused cases[] = {
        {"bss.elf", only_bss, "no loadable segment with file data"},
        {"main.o", object, "relocatable object file"},
        {"overlap.elf", overlapping, "segment 1 (0x00001010..0x0000102F) overlaps segment 0"},
        {"high.elf", high, "runs past the 4 GiB"},
    };
    TempDir dir;
    for (const Refused& c : cases) {
        CAPTURE(c.file);
        const auto p = dir.path() / c.file;
        write_elf(p, c.spec);
        CHECK_INPUT_ERROR(load_elf(p), p.string() + ": ", c.message);
    }
}

TEST_CASE("elf: not an ELF, and a truncated one") {
    TempDir dir;
    const auto text = dir.write("notes.elf", ":10000000\n");
    CHECK_INPUT_ERROR(load_elf(text), text.string() + ": ", "not an ELF file");

    const auto p = dir.path() / "whole.elf";
    ElfSpec s;
    s.segments.push_back({0x1000, 0x1000, iota_bytes(2000), 0});
    write_elf(p, s);
    const std::string bytes = read_file_bytes(p);
    // Cut inside the segment's bytes: the program header still claims all 2000.
    const auto cut = dir.write("cut.elf", bytes.substr(0, 1000));
    CHECK_INPUT_ERROR(load_elf(cut), cut.string() + ": ", "truncated");
    const auto header_only = dir.write("tiny.elf", bytes.substr(0, 20));
    CHECK_INPUT_ERROR(load_elf(header_only), header_only.string() + ": ", "ELF");
}
