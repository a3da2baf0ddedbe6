#pragma once
// Test-side ELF writer: executables made with libelf's own writing calls (elf_newehdr,
// elf_newphdr, one section per segment), so the tests need no cross compiler and do not check
// formats/elf.cpp's reading against a writer of its own. Link PkgConfig::libelf.
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace testsupport {

struct ElfSegment {
    std::uint32_t paddr = 0;  // load address: where flash holds the bytes
    std::uint32_t vaddr = 0;  // run address (differs for .data)
    std::vector<std::uint8_t> bytes;
    std::uint32_t bss = 0;  // p_memsz - p_filesz
    std::uint32_t type = PT_LOAD;
};

struct ElfSpec {
    int elf_class = ELFCLASS32;    // or ELFCLASS64
    int encoding = ELFDATA2LSB;    // or ELFDATA2MSB
    std::uint16_t type = ET_EXEC;  // or ET_REL, ...
    std::vector<ElfSegment> segments;
};

inline void write_elf(const std::filesystem::path& path, const ElfSpec& spec) {
    const auto fail = [](const std::string& what) {
        throw std::runtime_error("write_elf: " + what + ": " + elf_errmsg(-1));
    };
    if (elf_version(EV_CURRENT) == EV_NONE) fail("elf_version");
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) throw std::runtime_error("write_elf: cannot create " + path.string());
    Elf* elf = elf_begin(fd, ELF_C_WRITE, nullptr);
    if (!elf) fail("elf_begin");
    if (!gelf_newehdr(elf, spec.elf_class)) fail("gelf_newehdr");
    GElf_Ehdr eh;
    gelf_getehdr(elf, &eh);
    eh.e_ident[EI_DATA] = static_cast<unsigned char>(spec.encoding);
    eh.e_type = spec.type;
    eh.e_machine = EM_ARM;
    eh.e_version = EV_CURRENT;
    if (!gelf_update_ehdr(elf, &eh)) fail("gelf_update_ehdr");
    if (!spec.segments.empty() && !gelf_newphdr(elf, spec.segments.size())) fail("gelf_newphdr");
    std::vector<Elf_Scn*> sections;
    for (const ElfSegment& s : spec.segments) {
        Elf_Scn* scn = elf_newscn(elf);
        if (!scn) fail("elf_newscn");
        Elf_Data* d = elf_newdata(scn);
        d->d_buf = const_cast<std::uint8_t*>(s.bytes.data());
        d->d_size = s.bytes.size();
        d->d_type = ELF_T_BYTE;
        d->d_align = 1;
        d->d_version = EV_CURRENT;
        GElf_Shdr sh;
        gelf_getshdr(scn, &sh);
        sh.sh_type = SHT_PROGBITS;
        sh.sh_flags = SHF_ALLOC;
        sh.sh_addr = s.vaddr;
        gelf_update_shdr(scn, &sh);
        sections.push_back(scn);
    }
    if (elf_update(elf, ELF_C_NULL) < 0) fail("elf_update (layout)");  // places the sections
    for (std::size_t i = 0; i < spec.segments.size(); ++i) {
        const ElfSegment& s = spec.segments[i];
        GElf_Shdr sh;
        gelf_getshdr(sections[i], &sh);
        GElf_Phdr ph{};
        ph.p_type = s.type;
        ph.p_offset = sh.sh_offset;
        ph.p_vaddr = s.vaddr;
        ph.p_paddr = s.paddr;
        ph.p_filesz = s.bytes.size();
        ph.p_memsz = s.bytes.size() + s.bss;
        ph.p_flags = PF_R;
        ph.p_align = 1;
        if (!gelf_update_phdr(elf, static_cast<int>(i), &ph)) fail("gelf_update_phdr");
    }
    elf_flagphdr(elf, ELF_C_SET, ELF_F_DIRTY);
    if (elf_update(elf, ELF_C_WRITE) < 0) fail("elf_update (write)");
    elf_end(elf);
    ::close(fd);
}

}  // namespace testsupport
