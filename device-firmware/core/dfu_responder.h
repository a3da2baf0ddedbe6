/*
 * dfu_responder.h - portable C99 DFU command responder (device side).
 *
 * Answers the DFU command-response protocol described in docs/protocol.md ("Packet frame",
 * "Device states", "Commands", "Status codes", "Timing"; where these choices differ from
 * Infineon's middleware: "Where we differ from the reference"). No host headers, no malloc, no
 * globals: everything lives in struct dfu_responder; flash goes through dfu_flash_port;
 * the port delimits packets (length field or idle gap) and hands each one to
 * dfu_handle_packet().
 *
 * How it answers: as Infineon's DFU middleware 5.2 (cy_dfu.c, basic flow) with the template
 * Cy_DFU_WriteData()/Cy_DFU_ReadData() of its dfu_user.c, where the two decide; the tags below
 * say where we chose, or where the middleware's answer depends on the firmware around it.
 * docs/protocol.md "Where we differ from the reference" lists what is left.
 * ------------------------------------------------------------------------------------------
 *  F1 Framing checks, in this order (cy_dfu.c VerifyPacket): fewer than 7 bytes or byte 0 !=
 *     0x01 -> 0x04; N + 7 more than received or more than max_packet (the command buffer)
 *     -> 0x03; byte N + 6 != 0x17 -> 0x04; checksum -> 0x08. Bytes after the end byte are
 *     ignored. Framing errors are answered whatever byte 1 says (also 0x35/0x47/0x3B).
 *  F2 Error responses are 7 bytes. A success response that would not fit rsp_cap is
 *     replaced by 0x03 (an error like any other). rsp NULL or rsp_cap < 7 is a port bug:
 *     the packet is dropped unprocessed (return 0). rsp_cap >= max_packet always suffices.
 *  S1 Errors while NONE or FINISHED are answered but change nothing (no hold-off).
 *     Errors while UPDATING: the error is answered, the state becomes NONE at once, the
 *     row buffer is emptied and every packet is discarded (return 0) until
 *     error_holdoff_ms have passed since the erroring packet (the middleware's example loop
 *     waits its 20 ms timeout, then Cy_DFU_Init() and a transport reset). 0 disables it.
 *  S2 The idle timeout counts from the last packet handled while UPDATING (silent ones
 *     included); it is applied by dfu_poll() and before the next packet. 0 disables it.
 *  S3 FINISHED behaves exactly like NONE; dfu_state() keeps reporting FINISHED until the
 *     next successful Enter DFU (the middleware hands FINISHED to the application).
 *  S4 In NONE and FINISHED every command but Enter and Exit is answered 0x05, Sync (0x35)
 *     and 0x47 included. While UPDATING, Sync and 0x47 are never answered; a failing 0x47
 *     (overflow) still counts as an error (NONE + hold-off).
 *  S5 Exit DFU (0x3B) is accepted in any state, moves to FINISHED, never answers and does
 *     not itself validate or start an application (the port may do that on FINISHED).
 *  E1 Enter DFU: data lengths other than 0, 4, 6 -> 0x03. The product ID compare is exact:
 *     a device with product ID 0 accepts no data or an ID of 0. The 2 extra bytes of the
 *     6-byte form are ignored. Enter works in every state; while UPDATING it answers again
 *     and keeps the row buffer and the EI vector. SDK version 5.2: bytes 4..7 rev, 02, 05, 01.
 *  D1 The row buffer holds row_size + 16 bytes (the middleware's data buffer); Send Data
 *     beyond it -> 0x03.
 *  D2 Program Data: data < 8 bytes -> 0x03; buffered + trailing bytes beyond the buffer ->
 *     0x03; row CRC-32C -> 0x08; address not writable -> 0x0A (outside the flash and the
 *     EEPROM window, inside a protected region, or the metadata row when
 *     protect_metadata_row); address not row aligned or not exactly one row -> 0x03; port
 *     write failure -> 0x04; read-back mismatch -> 0x02.
 *     Verify Data: the same up to the CRC, then every failure is 0x02 (cy_dfu.c maps all of
 *     Cy_DFU_ReadData's errors to ERROR_VERIFY): length not a multiple of the row, range
 *     not inside the flash or the EEPROM window, starting in a protected region, read
 *     failure, mismatch. The row buffer is emptied whatever the outcome.
 *  D3 Erase Data: data != 4 bytes -> 0x03; address not writable (as D2) -> 0x0A; not row
 *     aligned -> 0x03; port failure -> 0x04. Empties the row buffer (and, when it erases,
 *     zeroes its first row_size bytes: the template erases by writing a zeroed buffer).
 *  A1 Verify Application: data length not 1 or 4 -> 0x03. The answer is status 0x00 with
 *     one byte, 0x01 only when: app < max_apps, the metadata row's own CRC-32C (last 4
 *     bytes) is right, length != 0, [start, start+length+4) lies inside flash, and CRC-32C
 *     over [start, start+length) equals the u32 LE stored at start+length. A port read
 *     failure -> 0x04.
 *  M1 Set Application Metadata: data != 9 bytes -> 0x03; app >= max_apps -> 0x0F. The
 *     metadata row is read into the row buffer (its contents are replaced, its fill level
 *     is kept, as the middleware's data buffer); an unchanged entry is not written; else the
 *     entry is patched, the row re-CRCed and written. Read or write failure -> 0x04.
 *  M2 Get Metadata: data != 4 bytes -> 0x03; from > to, or to - from + 7 > max_packet -> 0x04;
 *     to past the row buffer -> 0x04; metadata CRC wrong -> 0x02; else the metadata row is
 *     read into the row buffer and bytes [from, to) of that buffer answered.
 *  V1 Set EI Vector: eiv_supported == 0 -> 0x05; lengths other than 0, 8, 16 -> 0x04;
 *     the vector is kept in the responder (dfu_eiv()); 0 bytes clears it.
 *  C1 Any other command code (0x50-0xFF included) -> 0x05.
 *  K1 dfu_init() rejects: NULL pointers or port functions; checksum_type > 1;
 *     row_size < 16, > DFU_MAX_ROW_SIZE or not a multiple of 4; flash_size 0 or not a
 *     multiple of row_size; flash_base + flash_size > 2^32; metadata_addr not a row
 *     inside flash (DFU_METADATA_ADDR_LAST_ROW picks the last row); max_packet < 15
 *     (an Enter DFU answer must fit) or > row_size + 16 + 7; max_apps whose entries would
 *     reach the metadata CRC; an EEPROM window that is not whole rows, ends past 4 GiB or
 *     overlaps the flash.
 */
#ifndef DFU_RESPONDER_H
#define DFU_RESPONDER_H

#include <stddef.h>
#include <stdint.h>

#include "dfu_checksum.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef DFU_MAX_ROW_SIZE
#define DFU_MAX_ROW_SIZE 512
#endif

/* Packet framing */
#define DFU_SOP 0x01u
#define DFU_EOP 0x17u
#define DFU_PACKET_OVERHEAD 7u /* start, code, length (2), checksum (2), end */

/* Commands */
#define DFU_CMD_VERIFY_APP 0x31u
#define DFU_CMD_SYNC 0x35u
#define DFU_CMD_SEND_DATA 0x37u
#define DFU_CMD_ENTER 0x38u
#define DFU_CMD_EXIT 0x3Bu
#define DFU_CMD_GET_METADATA 0x3Cu
#define DFU_CMD_ERASE_DATA 0x44u
#define DFU_CMD_SEND_DATA_NR 0x47u
#define DFU_CMD_PROGRAM_DATA 0x49u
#define DFU_CMD_VERIFY_DATA 0x4Au
#define DFU_CMD_SET_METADATA 0x4Cu
#define DFU_CMD_SET_EIV 0x4Du

/* Status codes */
#define DFU_STATUS_SUCCESS 0x00u
#define DFU_STATUS_ERROR_VERIFY 0x02u
#define DFU_STATUS_ERROR_LENGTH 0x03u
#define DFU_STATUS_ERROR_DATA 0x04u
#define DFU_STATUS_ERROR_CMD 0x05u
#define DFU_STATUS_ERROR_CHECKSUM 0x08u
#define DFU_STATUS_ERROR_ADDRESS 0x0Au
#define DFU_STATUS_ERROR_UNKNOWN 0x0Fu

/* States */
#define DFU_STATE_NONE 0
#define DFU_STATE_UPDATING 1
#define DFU_STATE_FINISHED 2

/* Checksum types */
#define DFU_CHECKSUM_SUM 0u
#define DFU_CHECKSUM_CRC16 1u

/* The SDK version reported by Enter DFU (5.2). */
#define DFU_SDK_VERSION_MAJOR 5u
#define DFU_SDK_VERSION_MINOR 2u

/* The row buffer holds this much more than a row (the middleware's CY_DFU_SIZEOF_DATA_BUFFER). */
#define DFU_ROW_BUFFER_EXTRA 16u

/* metadata_addr value meaning "the last row of flash". */
#define DFU_METADATA_ADDR_LAST_ROW 0xFFFFFFFFu

/* A range of DFU addresses; size 0 marks an unused slot. */
typedef struct {
    uint32_t start;
    uint32_t size;
} dfu_region;

#ifndef DFU_MAX_PROTECTED
#define DFU_MAX_PROTECTED 2
#endif

typedef struct {
    uint32_t flash_base;       /* default 0x10000000 */
    uint32_t flash_size;       /* default 1 MiB */
    uint32_t row_size;         /* default 512 */
    uint32_t metadata_addr;    /* default: last row of the default flash */
    uint32_t product_id;       /* default 0x01020304 */
    uint32_t silicon_id;       /* default 0 */
    uint8_t silicon_rev;       /* default 0 */
    uint8_t checksum_type;     /* DFU_CHECKSUM_SUM (default) or DFU_CHECKSUM_CRC16 */
    uint32_t max_packet;       /* largest packet accepted incl. 7 framing bytes; default 64 */
    uint32_t error_holdoff_ms; /* default 20 */
    uint32_t idle_timeout_ms;  /* default 5000 */
    uint8_t eiv_supported;     /* default 1 */
    uint32_t max_apps;         /* metadata entries; 0 (default): as many as fit before the CRC */
    uint8_t protect_metadata_row; /* default 1: Program/Erase Data of the metadata row -> 0x0A */
    /* Rows the loader refuses to write (its own image, an application it protects): 0x0A. */
    dfu_region protected_regions[DFU_MAX_PROTECTED]; /* default none */
    dfu_region eeprom;         /* a second writable window outside the flash; default none */
} dfu_config;

void dfu_config_defaults(dfu_config* cfg);

typedef struct {
    void* ctx;
    int (*read)(void* ctx, uint32_t addr, uint8_t* dst, uint32_t len);            /* 0 = ok */
    int (*write_row)(void* ctx, uint32_t addr, const uint8_t* src, uint32_t len); /* 0 = ok */
    int (*erase_row)(void* ctx, uint32_t addr);                                   /* 0 = ok */
} dfu_flash_port;

typedef struct dfu_responder {
    dfu_config cfg; /* resolved copy (metadata_addr never LAST_ROW here) */
    dfu_flash_port flash;
    int state;            /* DFU_STATE_* */
    uint32_t row_len;     /* bytes buffered in row[] */
    uint32_t last_cmd_ms; /* time of the last packet handled while UPDATING */
    uint32_t holdoff_start_ms;
    uint8_t holdoff; /* 1 while input is being discarded */
    uint8_t eiv_len; /* 0, 8 or 16 */
    uint8_t eiv[16];
    uint8_t scratch[32]; /* flash read chunks for compares and CRCs */
    uint8_t row[DFU_MAX_ROW_SIZE + DFU_ROW_BUFFER_EXTRA];
} dfu_responder;

/* 0 ok; nonzero: bad configuration or port (see K1 above). */
int dfu_init(dfu_responder* r, const dfu_config* cfg, const dfu_flash_port* flash);

/* One delimited packet in. Writes the response into rsp and returns its length;
 * 0 = no response (0x35, 0x47, 0x3B, or input discarded during the error hold-off).
 * rsp_cap >= max_packet is always enough. */
size_t dfu_handle_packet(dfu_responder* r, const uint8_t* pkt, size_t len, uint32_t now_ms, uint8_t* rsp,
                         size_t rsp_cap);

/* Time passes: ends the hold-off, applies the idle timeout. Call it now and then. */
void dfu_poll(dfu_responder* r, uint32_t now_ms);

/* DFU_STATE_NONE, DFU_STATE_UPDATING or DFU_STATE_FINISHED. */
int dfu_state(const dfu_responder* r);

/* 1 while a packet arriving at now_ms would be discarded (error hold-off), else 0. */
int dfu_discarding(const dfu_responder* r, uint32_t now_ms);

/* The EI vector last set (NULL when none); *len receives 0, 8 or 16. */
const uint8_t* dfu_eiv(const dfu_responder* r, size_t* len);

/* Builds a packet (request or response) with the given checksum type into out.
 * Returns its length (len + 7), or 0 when it does not fit out_cap or len > 0xFFFF. */
size_t dfu_build_packet(uint8_t code, const uint8_t* data, size_t len, uint8_t checksum_type, uint8_t* out,
                        size_t out_cap);

#ifdef __cplusplus
}
#endif

#endif /* DFU_RESPONDER_H */
