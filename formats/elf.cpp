#include "formats/elf.hpp"

#include <fmt/core.h>
#include <gelf.h>
#include <libelf.h>

#include <memory>
#include <mutex>
#include <vector>

#include "formats/file_bytes.hpp"
#include "formats/input_error.hpp"

namespace dfu::formats {

namespace {

struct ElfCloser {
    void operator()(Elf* e) const noexcept { elf_end(e); }
};

// elf_version must be called once before any other libelf call in the process.
void init_libelf() {
    static std::once_flag once;
    std::call_once(once, [] { (void)elf_version(EV_CURRENT); });
}

std::string libelf_error() {
    const char* m = elf_errmsg(-1);
    return m ? m : "unknown libelf error";
}

const char* type_hint(GElf_Half type) {
    switch (type) {
        case ET_REL:
            return " (it is a relocatable object file, .o: link it into an executable first)";
        case ET_CORE:
            return " (it is a core dump)";
        default:
            return "";
    }
}

bool looks_like_elf(std::string_view bytes) noexcept {
    return bytes.size() >= SELFMAG && bytes.substr(0, SELFMAG) == std::string_view(ELFMAG, SELFMAG);
}

}  // namespace

SparseImage parse_elf(std::string_view bytes, const std::string& file_name) {
    const auto fail = [&](const std::string& message) { return InputError(file_name, 0, message); };
    if (!looks_like_elf(bytes)) throw fail("not an ELF file (it does not start with 0x7F 'E' 'L' 'F')");
    init_libelf();
    // libelf wants a writable buffer; it reads from it and never writes.
    std::string copy(bytes);
    std::unique_ptr<Elf, ElfCloser> elf(elf_memory(copy.data(), copy.size()));
    if (!elf || elf_kind(elf.get()) != ELF_K_ELF)
        throw fail(fmt::format("not a readable ELF file: {}", libelf_error()));
    GElf_Ehdr ehdr;
    if (!gelf_getehdr(elf.get(), &ehdr)) throw fail(fmt::format("bad ELF header: {}", libelf_error()));
    std::size_t count = 0;
    if (elf_getphdrnum(elf.get(), &count) != 0)
        throw fail(fmt::format("cannot read the program headers: {}", libelf_error()));

    SparseImage image;
    struct Placed {
        std::uint64_t start, end;
        std::size_t index;
    };
    std::vector<Placed> placed;
    for (std::size_t i = 0; i < count; ++i) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf.get(), static_cast<int>(i), &ph))
            throw fail(fmt::format("cannot read program header {}: {}", i, libelf_error()));
        if (ph.p_type != PT_LOAD || ph.p_filesz == 0) continue;
        if (ph.p_offset > copy.size() || ph.p_filesz > copy.size() - ph.p_offset)
            throw fail(
                fmt::format("segment {} claims {} bytes at file offset 0x{:X}, past the end of the {}-byte "
                            "file; it may be truncated",
                            i, ph.p_filesz, ph.p_offset, copy.size()));
        if (ph.p_paddr >= SparseImage::kAddressLimit || ph.p_filesz > SparseImage::kAddressLimit - ph.p_paddr)
            throw fail(
                fmt::format("segment {} at physical address 0x{:X} with {} bytes runs past the 4 GiB "
                            "address space this tool programs",
                            i, ph.p_paddr, ph.p_filesz));
        const std::uint64_t start = ph.p_paddr;
        const std::uint64_t end = start + ph.p_filesz;
        const auto* data = reinterpret_cast<const std::uint8_t*>(copy.data() + ph.p_offset);
        if (!image.add(start, {data, static_cast<std::size_t>(ph.p_filesz)})) {
            for (const Placed& p : placed)
                if (start < p.end && p.start < end)
                    throw fail(fmt::format("segment {} (0x{:08X}..0x{:08X}) overlaps segment {} (0x{:08X}..0x{:08X})",
                                           i, start, end - 1, p.index, p.start, p.end - 1));
            throw fail(fmt::format("segment {} could not be placed at 0x{:08X}", i, start));  // unreachable
        }
        placed.push_back(Placed{start, end, i});
    }
    if (image.empty())
        throw fail(
            fmt::format("no loadable segment with file data (PT_LOAD with p_filesz > 0) among its {} "
                        "program headers{}",
                        count, type_hint(ehdr.e_type)));
    return image;
}

SparseImage load_elf(const std::filesystem::path& p) {
    const std::string bytes = read_file_bytes(p);
    return parse_elf(bytes, input_name(p));
}

}  // namespace dfu::formats
