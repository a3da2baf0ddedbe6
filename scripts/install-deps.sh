#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages dfuhost builds and tests with, if any is missing
# (the Arm toolchain, QEMU and socat for the Cortex-M firmware and its qemu tests included).
# --fuzz adds Clang and its libFuzzer runtime, for scripts/fuzz.sh (not needed otherwise).
# --coverage adds gcovr, for scripts/coverage.sh (make coverage; not needed otherwise).
# --windows adds mingw-w64 (the cross compiler for dfuhost.exe), wine64 (to test it) and the
# autotools that scripts/build-windows-deps.sh builds libserialport and libusb with.
set -euo pipefail

# make too: a bare Debian or Ubuntu image has none, and the README's next commands are make's.
packages=(
  make g++ cmake ninja-build pkg-config
  libcli11-dev nlohmann-json3-dev libfmt-dev doctest-dev libpugixml-dev
  libserialport-dev libusb-1.0-0-dev libhidapi-dev libelf-dev
  umockdev libumockdev-dev
  python3 python3-jsonschema python3-junitparser
  zsh fish  # the completion tests load their scripts in them
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm socat
)
if [ "${1:-}" = "--fuzz" ]; then
  # libclang-rt-dev follows the distribution's default clang (libclang-rt-14-dev on bookworm).
  packages+=(clang libclang-rt-dev)
elif [ "${1:-}" = "--coverage" ]; then
  packages+=(gcovr)
elif [ "${1:-}" = "--windows" ]; then
  packages+=(mingw-w64 g++-mingw-w64-x86-64-posix wine64 autoconf automake libtool)
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--fuzz|--coverage|--windows]" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "error: not root and no sudo; install these packages first: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
