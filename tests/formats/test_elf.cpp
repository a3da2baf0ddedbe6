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

TEST_CASE("elf: no loadable bytes is refused, naming an object file for what it is") {
    TempDir dir;
    ElfSpec only_bss;
    only_bss.segments.push_back({0x20000000, 0x20000000, {}, 4096});
    const auto p = dir.path() / "bss.elf";
    write_elf(p, only_bss);
    CHECK_INPUT_ERROR(load_elf(p), p.string() + ": ", "no loadable segment with file data");

    ElfSpec object;
    object.type = ET_REL;
    const auto o = dir.path() / "main.o";
    write_elf(o, object);
    CHECK_INPUT_ERROR(load_elf(o), o.string() + ": ", "relocatable object file");
}

TEST_CASE("elf: overlapping segments are named") {
    TempDir dir;
    ElfSpec s;
    s.segments.push_back({0x1000, 0x1000, iota_bytes(32), 0});
    s.segments.push_back({0x1010, 0x1010, iota_bytes(32), 0});
    const auto p = dir.path() / "overlap.elf";
    write_elf(p, s);
    CHECK_INPUT_ERROR(load_elf(p), p.string() + ": ", "segment 1 (0x00001010..0x0000102F) overlaps segment 0");
}

TEST_CASE("elf: a 64-bit segment above 4 GiB is refused") {
    TempDir dir;
    ElfSpec s;
    s.elf_class = ELFCLASS64;
    s.segments.push_back({0xFFFFFFF0, 0xFFFFFFF0, iota_bytes(32), 0});
    const auto p = dir.path() / "high.elf";
    write_elf(p, s);
    CHECK_INPUT_ERROR(load_elf(p), p.string() + ": ", "runs past the 4 GiB");
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
