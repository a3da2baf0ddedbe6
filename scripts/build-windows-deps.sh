#!/usr/bin/env bash
# Builds the three C libraries dfuhost.exe links that Debian does not package for mingw-w64
# (libserialport 0.1.1, hidapi 0.13.1, libusb 1.0.26) as static libraries, from their
# unmodified source releases, into a prefix under the Windows build folder.
#
#   scripts/build-windows-deps.sh [PREFIX]      (default: build-windows/deps)
#
# The tarballs are read from DFUHOST_THIRD_PARTY (default: ../shared/third-party next to
# the repository) and checked against the SHA256SUMS beside them before anything is unpacked.
# Nothing is copied into the repository. A library already in the prefix is not rebuilt.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
third_party="${DFUHOST_THIRD_PARTY:-$repo/../shared/third-party}"
prefix="$(mkdir -p "${1:-$repo/build-windows/deps}" && cd "${1:-$repo/build-windows/deps}" && pwd)"
host=x86_64-w64-mingw32
jobs="${JOBS:-$(nproc)}"
work="$prefix/src"

if [ ! -f "$third_party/SHA256SUMS" ]; then
  echo "error: $third_party/SHA256SUMS not found; set DFUHOST_THIRD_PARTY to the folder holding" >&2
  echo "       libserialport-0.1.1.tar.gz, hidapi-0.13.1.tar.gz and libusb-1.0.26.tar.gz and their SHA256SUMS" >&2
  exit 1
fi
for tool in $host-gcc-posix $host-g++-posix autoreconf libtoolize cmake ninja; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found (scripts/install-deps.sh --windows)" >&2; exit 1; }
done

# Every tarball we use must be listed and match; sha256sum --check names the one that does not.
(cd "$third_party" && sha256sum --quiet --check SHA256SUMS) || {
  echo "error: checksum mismatch in $third_party (see above); refusing to build" >&2
  exit 1
}

unpack() {  # unpack NAME-VERSION: a fresh source tree under $work
  rm -rf "${work:?}/$1"
  mkdir -p "$work"
  tar -xzf "$third_party/$1.tar.gz" -C "$work"
}

export CC="$host-gcc-posix" CXX="$host-g++-posix" AR="$host-ar" RANLIB="$host-ranlib"
# Autotools: cross-compile, static only, install into the prefix.
autotools_build() {  # autotools_build NAME-VERSION [configure args...]
  local name="$1"
  shift
  unpack "$name"
  (
    cd "$work/$name"
    autoreconf -fi >/dev/null 2>&1
    ./configure -q --host=$host --prefix="$prefix" --enable-static --disable-shared "$@"
    make -s -j"$jobs"
    make -s install
  )
}

if [ ! -f "$prefix/lib/libserialport.a" ]; then
  echo "== libserialport 0.1.1"
  autotools_build libserialport-0.1.1
fi

if [ ! -f "$prefix/lib/libusb-1.0.a" ]; then
  echo "== libusb 1.0.26"
  autotools_build libusb-1.0.26 --disable-examples-build --disable-tests-build
fi

if [ ! -f "$prefix/lib/libhidapi.a" ]; then
  echo "== hidapi 0.13.1"
  unpack hidapi-0.13.1
  cmake -S "$work/hidapi-0.13.1" -B "$work/hidapi-build" -G Ninja \
    -DCMAKE_SYSTEM_NAME=Windows -DCMAKE_C_COMPILER="$CC" -DCMAKE_RC_COMPILER=$host-windres \
    -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DHIDAPI_WITH_TESTS=OFF -DHIDAPI_BUILD_HIDTEST=OFF >/dev/null
  cmake --build "$work/hidapi-build" -j"$jobs" >/dev/null
  cmake --install "$work/hidapi-build" >/dev/null
  # hidapi names its Windows library after the backend; give it the name the others use.
  [ -f "$prefix/lib/libhidapi.a" ] || cp "$prefix/lib/libhidapi"*.a "$prefix/lib/libhidapi.a"
fi

rm -rf "$work"
echo "Windows dependencies ready in $prefix"
