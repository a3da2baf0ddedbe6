// The device responder core (device-firmware/core): dfu_init with an input-chosen
// configuration, then a sequence of dfu_handle_packet calls on packets cut from the input,
// over a small flash model. Checks that the responder touches flash only inside the flash,
// in whole aligned rows, the metadata row only for Set Application Metadata; that every
// response fits the buffer it was given and is a well-formed packet; and that silence and
// answers follow the framing rules of dfu_responder.h (F1, F2, S1, S4).
//
// Input: 12 configuration bytes (missing ones read as 0), then packets, each
//   ctrl: bits 0-5 milliseconds since the previous packet (x 256 with bit 6);
//         bit 7 set: the payload is sent as it is; clear: the payload is a command code and
//         its data, framed here with a correct checksum, so commands are reachable
//   length: one byte, or 0xFF followed by a u16 LE length
//   payload
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "dfu_responder.h"
#include "fuzz_support.hpp"

namespace {

// Flash the size of a few rows, checked on every access.
struct Flash {
    std::uint32_t base = 0;
    std::uint32_t size = 0;
    std::uint32_t row = 0;
    std::uint32_t metadata = 0;
    std::vector<std::uint8_t> bytes;
    std::uint8_t faults = 0;  // bit 0 reads, bit 1 writes, bit 2 erases fail now and then; bit 3 writes corrupt
    unsigned calls = 0;
    int command = -1;  // the command of a sound frame being handled, else -1

    bool inside(std::uint32_t addr, std::uint64_t len) const {
        return addr >= base && std::uint64_t{addr} - base + len <= size;
    }
    bool fail_now(std::uint8_t bit) { return (faults & bit) != 0 && ++calls % 5 == 0; }
};

int flash_read(void* ctx, std::uint32_t addr, std::uint8_t* dst, std::uint32_t len) {
    auto* f = static_cast<Flash*>(ctx);
    FUZZ_CHECK(dst != nullptr);
    FUZZ_CHECK(f->inside(addr, len));
    if (f->fail_now(1)) return -1;
    if (len != 0) std::memcpy(dst, f->bytes.data() + (addr - f->base), len);
    return 0;
}

int flash_write_row(void* ctx, std::uint32_t addr, const std::uint8_t* src, std::uint32_t len) {
    auto* f = static_cast<Flash*>(ctx);
    FUZZ_CHECK(src != nullptr);
    FUZZ_CHECK(len == f->row);
    FUZZ_CHECK((addr - f->base) % f->row == 0);
    FUZZ_CHECK(f->inside(addr, len));
    // Program Data may not touch the metadata row (D2); only Set Application Metadata does (M1).
    FUZZ_CHECK(addr != f->metadata || f->command == DFU_CMD_SET_METADATA);
    FUZZ_CHECK(f->command == DFU_CMD_PROGRAM_DATA || f->command == DFU_CMD_SET_METADATA);
    if (f->fail_now(2)) return -1;
    std::memcpy(f->bytes.data() + (addr - f->base), src, len);
    if ((f->faults & 8) != 0) f->bytes[addr - f->base] ^= 0x01;
    return 0;
}

int flash_erase_row(void* ctx, std::uint32_t addr) {
    auto* f = static_cast<Flash*>(ctx);
    FUZZ_CHECK((addr - f->base) % f->row == 0);
    FUZZ_CHECK(f->inside(addr, f->row));
    FUZZ_CHECK(addr != f->metadata);  // D3
    FUZZ_CHECK(f->command == DFU_CMD_ERASE_DATA);
    if (f->fail_now(4)) return -1;
    std::fill_n(f->bytes.begin() + (addr - f->base), f->row, std::uint8_t{0});
    return 0;
}

// What dfu_responder.h F1 says about a packet: 0 for a sound frame, else the error status.
std::uint8_t frame_verdict(const dfu_config& c, const std::uint8_t* p, std::size_t len) {
    if (len < 7 || p[0] != DFU_SOP) return DFU_STATUS_ERROR_DATA;
    const std::size_t n = p[2] | std::size_t{p[3]} << 8;
    if (n + 7 > len || n + 7 > c.max_packet) return DFU_STATUS_ERROR_LENGTH;
    if (p[n + 6] != DFU_EOP) return DFU_STATUS_ERROR_DATA;  // bytes after it are ignored
    const auto sum = fuzz::reference_checksum(c.checksum_type, p, 4 + n);
    if (p[4 + n] != sum[0] || p[5 + n] != sum[1]) return DFU_STATUS_ERROR_CHECKSUM;
    return DFU_STATUS_SUCCESS;
}

void check_response(const dfu_config& c, const std::uint8_t* rsp, std::size_t len) {
    FUZZ_CHECK(len >= 7);
    FUZZ_CHECK(rsp[0] == DFU_SOP);
    const std::size_t n = rsp[2] | std::size_t{rsp[3]} << 8;
    FUZZ_CHECK(len == n + 7);
    FUZZ_CHECK(rsp[len - 1] == DFU_EOP);
    const auto sum = fuzz::reference_checksum(c.checksum_type, rsp, 4 + n);
    FUZZ_CHECK(rsp[4 + n] == sum[0] && rsp[5 + n] == sum[1]);
    if (rsp[1] != DFU_STATUS_SUCCESS) FUZZ_CHECK(n == 0);  // F2: error responses carry no data
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Reader in(data, size);
    static constexpr std::uint32_t kRowSizes[8] = {16, 32, 64, 128, 256, 512, 4096, 20};

    const std::uint8_t b0 = in.byte();
    const std::uint8_t b1 = in.byte();
    dfu_config cfg;
    dfu_config_defaults(&cfg);
    cfg.row_size = kRowSizes[b0 & 7u];
    const std::uint32_t rows = 2u + ((b0 >> 3) & 7u);
    cfg.flash_size = rows * cfg.row_size;
    cfg.checksum_type = (b0 >> 6) & 1u;
    cfg.eiv_supported = b0 >> 7;
    // At 0x10000000, at 0, or ending exactly at the top of the 32-bit address space.
    const std::uint32_t bases[3] = {0x10000000u, 0u, static_cast<std::uint32_t>(0x100000000ull - cfg.flash_size)};
    cfg.flash_base = bases[(b1 & 3u) % 3u];
    const std::uint32_t meta_row = (b1 >> 2) & 7u;
    cfg.metadata_addr = meta_row == 0 ? DFU_METADATA_ADDR_LAST_ROW : cfg.flash_base + (meta_row % rows) * cfg.row_size;
    const std::uint32_t packet_span = cfg.row_size + 16u + 7u - 15u + 1u;
    cfg.max_packet = 15u + in.u16() % packet_span;
    const std::uint8_t cap_choice = in.byte();
    cfg.error_holdoff_ms = in.byte();
    cfg.idle_timeout_ms = in.byte() * 40u;
    const std::uint8_t id_choice = in.byte();
    cfg.product_id = (id_choice & 1u) != 0 ? 0u : 0x01020304u;
    cfg.silicon_id = (id_choice & 2u) != 0 ? 0x12345678u : 0u;
    cfg.silicon_rev = in.byte();
    const std::uint8_t fault_choice = in.byte();
    std::uint32_t now = (in.byte() & 1u) != 0 ? 0xFFFFF000u : 1000u;  // also across the u32 wrap
    (void)in.byte();  // reserved, so configurations keep their meaning if one is added

    // 0 gives max_packet (always enough, F2); other values a smaller buffer, down to none.
    const std::size_t rsp_cap = cap_choice == 0 ? cfg.max_packet : (cap_choice - 1u) % (cfg.max_packet + 1u);

    Flash flash;
    flash.base = cfg.flash_base;
    flash.size = cfg.flash_size;
    flash.row = cfg.row_size;
    flash.faults = (fault_choice & 0x80u) != 0 ? fault_choice & 0x0Fu : 0u;
    flash.bytes.assign(cfg.flash_size, (fault_choice & 0x10u) != 0 ? 0xFF : 0x00);
    dfu_flash_port port{&flash, flash_read, flash_write_row, flash_erase_row};

    // On the heap, exactly sized, so ASan sees any write past the struct or the buffers.
    auto r = std::make_unique<dfu_responder>();
    if (dfu_init(r.get(), &cfg, &port) != 0) return 0;
    flash.metadata = r->cfg.metadata_addr;
    FUZZ_CHECK(flash.inside(flash.metadata, cfg.row_size));

    while (!in.empty()) {
        const std::uint8_t ctrl = in.byte();
        const std::uint32_t delta = ctrl & 0x3Fu;
        now += (ctrl & 0x40u) != 0 ? delta << 8 : delta;
        std::size_t len = in.byte();
        if (len == 0xFF) len = in.u16();
        const std::uint8_t* payload = nullptr;
        len = in.take(len, &payload);

        std::unique_ptr<std::uint8_t[]> pkt;
        if ((ctrl & 0x80u) != 0) {
            pkt = std::make_unique<std::uint8_t[]>(len);
            if (len != 0) std::memcpy(pkt.get(), payload, len);
        } else {
            const std::size_t n = len == 0 ? 0 : len - 1;
            pkt = std::make_unique<std::uint8_t[]>(n + 7);
            pkt[0] = DFU_SOP;
            pkt[1] = len == 0 ? 0 : payload[0];
            pkt[2] = static_cast<std::uint8_t>(n);
            pkt[3] = static_cast<std::uint8_t>(n >> 8);
            if (n != 0) std::memcpy(pkt.get() + 4, payload + 1, n);
            const auto sum = fuzz::reference_checksum(cfg.checksum_type, pkt.get(), 4 + n);
            pkt[4 + n] = sum[0];
            pkt[5 + n] = sum[1];
            pkt[6 + n] = DFU_EOP;
            len = n + 7;
        }

        const std::uint8_t verdict = frame_verdict(cfg, pkt.get(), len);
        const int code = verdict == DFU_STATUS_SUCCESS ? pkt[1] : -1;
        const bool discarding = dfu_discarding(r.get(), now) != 0;
        dfu_poll(r.get(), now);  // what dfu_handle_packet does first: the idle timeout may end UPDATING
        const bool updating = dfu_state(r.get()) == DFU_STATE_UPDATING;
        flash.command = code;
        auto rsp = std::make_unique<std::uint8_t[]>(rsp_cap);
        const std::size_t out = dfu_handle_packet(r.get(), pkt.get(), len, now, rsp.get(), rsp_cap);
        flash.command = -1;

        FUZZ_CHECK(out <= rsp_cap);
        if (rsp_cap < DFU_PACKET_OVERHEAD || discarding) {
            FUZZ_CHECK(out == 0);  // F2: no room for any answer; S1: input discarded
        } else if (verdict != DFU_STATUS_SUCCESS) {
            FUZZ_CHECK(out == 7);  // F1: a broken frame is answered whatever its command byte says
            FUZZ_CHECK(rsp[1] == verdict);
        } else if (code == DFU_CMD_EXIT || (updating && (code == DFU_CMD_SYNC || code == DFU_CMD_SEND_DATA_NR))) {
            FUZZ_CHECK(out == 0);  // S4, S5
        } else {
            FUZZ_CHECK(out != 0);
        }
        if (out != 0) check_response(cfg, rsp.get(), out);
        if (out != 0 && code == DFU_CMD_ENTER && rsp[1] == DFU_STATUS_SUCCESS) FUZZ_CHECK(out == 15);

        const int state = dfu_state(r.get());
        FUZZ_CHECK(state == DFU_STATE_NONE || state == DFU_STATE_UPDATING || state == DFU_STATE_FINISHED);
        FUZZ_CHECK(r->row_len <= cfg.row_size + DFU_ROW_BUFFER_EXTRA);  // D1
        std::size_t eiv_len = 99;
        dfu_eiv(r.get(), &eiv_len);
        FUZZ_CHECK(eiv_len == 0 || eiv_len == 8 || eiv_len == 16);
    }
    return 0;
}
