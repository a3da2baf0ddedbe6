#!/usr/bin/env bash
# Runs the DFU responder firmware (device-firmware/ports/cortex-m) under qemu-system-arm
# (mps2-an385) with its UART0 on a pseudo-terminal linked at PATH, like `dfu-sim --link PATH`.
#
#   scripts/qemu-dfu.sh --link PATH [--flash FILE] [--preset default|middleware]
#                       [--checksum sum|crc16] [--product-id HEX] [--max-packet N] [--firmware ELF]
#
# --preset picks the image: default (build/firmware/dfu-firmware.elf: the core's defaults, length
# framing) or middleware (dfu-firmware-middleware.elf: the layout of Infineon's DFU middleware
# templates, gap framing; docs/protocol.md "Device configuration"), as dfu-sim --preset.
# FILE is in dfu-sim's --flash layout: the raw 1 MiB from the flash base 0x10000000, then (middleware)
# the 32 KiB EEPROM window; created fresh when missing or empty (erased to 0x00, plus the preset's
# initial metadata row, written by the firmware), kept across runs. Without --flash the flash is
# fresh on every start and nothing is kept. QEMU backs the board's 16 MiB PSRAM (0x21000000, where
# the firmware keeps its flash) with a 16 MiB file of exactly that size, so FILE is copied into
# offset 0 of a temporary backing file before the start and copied back when QEMU stops. The
# product ID, checksum and largest packet (as dfu-sim's --max-packet: 15..535 with 512-byte rows;
# default the preset's, 64 or 528) go into the firmware's configuration block at PSRAM offset
# 0xF00000 (psram_flash.h). Prints PATH once the pseudo-terminal is there.
# SIGTERM or SIGINT stops QEMU, writes FILE and exits 0.
#
# The UART goes through a Unix socket (-chardev socket,nodelay=on) that socat turns into the
# pseudo-terminal: QEMU's own -serial pty drops guest output while no host holds it open.
set -euo pipefail

usage() {
    echo "usage: $0 --link PATH [--flash FILE] [--preset default|middleware] [--checksum sum|crc16] [--product-id HEX] [--max-packet N] [--firmware ELF]" >&2
    exit 2
}
die() {
    echo "qemu-dfu: $*" >&2
    exit 2
}

FLASH_SIZE=$((1024 * 1024))   # the flash of both presets (dfu_config_defaults, dfu_preset_config)
PSRAM_SIZE=16M                # QEMU refuses a backing file of another size for mps2-an385
CONFIG_OFFSET=$((0xF00000))   # FW_CONFIG_OFFSET
here="$(cd "$(dirname "$0")/.." && pwd)"

link="" flash="" preset="default" checksum="sum" product_id="01020304" max_packet=0 firmware="${DFU_FIRMWARE:-}"
while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || usage
    case "$1" in
        --link) link="$2" ;;
        --flash) flash="$2" ;;
        --preset) preset="$2" ;;
        --checksum) checksum="$2" ;;
        --product-id) product_id="$2" ;;
        --max-packet) max_packet="$2" ;;
        --firmware) firmware="$2" ;;
        *) usage ;;
    esac
    shift 2
done
[ -n "$link" ] || usage
case "$preset" in
    default) image=dfu-firmware.elf eeprom_size=0 ;;
    middleware) image=dfu-firmware-middleware.elf eeprom_size=$((32 * 1024)) ;;
    *) die "--preset: '$preset' is neither default nor middleware" ;;
esac
[ -n "$firmware" ] || firmware="$here/build/firmware/$image"
file_size=$((FLASH_SIZE + eeprom_size))
case "$checksum" in
    sum) checksum_type=0 ;;
    crc16) checksum_type=1 ;;
    *) die "--checksum: '$checksum' is neither sum nor crc16" ;;
esac
[[ "$product_id" =~ ^(0[xX])?[0-9a-fA-F]{1,8}$ ]] || die "--product-id: '$product_id' is not a hexadecimal number of up to 8 digits"
product_id=$((16#${product_id#0[xX]}))
# The core refuses other sizes (dfu_init, K1) and the firmware would not start.
[[ "$max_packet" =~ ^[0-9]{1,4}$ ]] && { [ "$max_packet" -eq 0 ] || { [ "$max_packet" -ge 15 ] && [ "$max_packet" -le 535 ]; }; } ||
    die "--max-packet: '$max_packet' is not a number from 15 to 535"
[ -f "$firmware" ] || die "$firmware: no firmware image (build it: make firmware)"
for tool in qemu-system-arm socat; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps.sh installs it)"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/qemu-dfu.XXXXXX")"
trap 'rm -rf "$work"' EXIT
keep=1
if [ -z "$flash" ]; then
    flash="$work/flash.bin" keep=0
fi
fresh=0
if [ ! -s "$flash" ]; then
    head -c "$file_size" /dev/zero >"$flash" || die "$flash: cannot create the flash file"
    fresh=1
fi
size=$(stat -c %s "$flash")
[ "$size" -eq "$file_size" ] ||
    die "$flash: holds $size bytes, the $preset firmware's flash (and EEPROM) is $file_size: remove it or use another"

backing="$work/psram.img"
socket="$work/uart.sock"
truncate -s "$PSRAM_SIZE" "$backing"
dd if="$flash" of="$backing" bs=64K conv=notrunc status=none
# fw_config_block: magic "DFUC", product ID, checksum type, max_packet, fresh, u32 LE each.
le32() {
    # shellcheck disable=SC2059 # the inner printf builds the escapes the outer one turns into bytes
    printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)))"
}
{ le32 $((0x43554644)); le32 "$product_id"; le32 "$checksum_type"; le32 "$max_packet"; le32 "$fresh"; } |
    dd of="$backing" bs=1 seek="$CONFIG_OFFSET" conv=notrunc status=none

qemu_pid="" socat_pid=""
stop() {
    trap - EXIT TERM INT
    [ -n "$socat_pid" ] && kill "$socat_pid" 2>/dev/null || true
    [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    # The backing file is mapped shared: after QEMU has gone it holds every byte written.
    [ "$keep" -eq 0 ] || dd if="$backing" of="$flash" bs=1K count=$((file_size / 1024)) conv=notrunc status=none
    rm -rf "$work"
    rm -f "$link"
}
trap 'stop; exit 0' TERM INT
trap 'stop' EXIT

qemu-system-arm -machine mps2-an385,memory-backend=fl \
    -object memory-backend-file,id=fl,size="$PSRAM_SIZE",mem-path="$backing",share=on \
    -display none -monitor none \
    -chardev socket,id=s0,path="$socket",server=on,wait=off,nodelay=on -serial chardev:s0 \
    -kernel "$firmware" &
qemu_pid=$!
# QEMU creates the socket as it starts (well under 20 ms); give up after 5 s.
for _ in $(seq 500); do
    [ -S "$socket" ] && break
    kill -0 "$qemu_pid" 2>/dev/null || die "qemu-system-arm exited at start"
    sleep 0.01
done
[ -S "$socket" ] || die "qemu-system-arm did not open its UART socket"

socat PTY,link="$link",raw,echo=0 UNIX-CONNECT:"$socket" &
socat_pid=$!
for _ in $(seq 500); do
    [ -e "$link" ] && break
    kill -0 "$socat_pid" 2>/dev/null || die "socat exited at start"
    sleep 0.01
done
[ -e "$link" ] || die "socat did not create $link"
echo "$link"

# Until a signal, or until QEMU or socat ends by itself (then FILE is written all the same).
wait -n "$qemu_pid" "$socat_pid" || true
