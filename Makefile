# Thin wrapper over CMake; see README.md.
.PHONY: all deps build firmware demo test build-asan test-asan coverage fuzz clean windows test-windows

JOBS ?= $(shell nproc)

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset default
	cmake --build build -j $(JOBS)

# The Cortex-M firmware alone (build/firmware/dfu-firmware.elf); `build` includes it when
# arm-none-eabi-gcc is installed. Prints its size.
firmware: deps
	cmake --preset default
	cmake --build build --target firmware

demo: build
	@scripts/demo.sh build

test: build
	ctest --test-dir build --output-on-failure -j $(JOBS)

build-asan: deps
	cmake --preset asan
	cmake --build build-asan -j $(JOBS)

# Under the sanitizers the 1 % fault soak runs its first ten seeds, not all hundred (each ten
# take 1.5 min there); `make test` runs all of them without the sanitizers.
ASAN_CTEST_EXCLUDE ?= soak: 1 percent.*seeds [1-9][0-9]+ to
test-asan: build-asan
	ctest --test-dir build-asan --output-on-failure -j $(JOBS) -E '$(ASAN_CTEST_EXCLUDE)'

# Line and branch coverage (gcovr) of core/, formats/, transports/ and device-firmware/core by
# the non-soak suite, built in build-coverage/ (preset coverage). Not part of CI.
coverage:
	@scripts/install-deps.sh --coverage
	JOBS=$(JOBS) scripts/coverage.sh

# libFuzzer targets (Clang): FUZZ_SECONDS per target; fails on any crash, leak or timeout.
FUZZ_SECONDS ?= 30
fuzz:
	@scripts/install-deps.sh --fuzz
	JOBS=$(JOBS) scripts/fuzz.sh $(FUZZ_SECONDS)

# Windows dfuhost.exe, cross-built with mingw-w64 (static: runs with nothing installed).
# The C libraries come from ../shared/third-party (DFUHOST_THIRD_PARTY), checksummed.
WINE_PREFIX := $(CURDIR)/build-windows/wineprefix
windows:
	@scripts/install-deps.sh --windows
	JOBS=$(JOBS) scripts/build-windows-deps.sh build-windows/deps
	cmake --preset windows
	cmake --build build-windows -j $(JOBS)

# The unit tests (one doctest .exe) under wine, then dfuhost.exe against the Linux dfu-sim
# over a wine COM port and socket:// (tests/windows/e2e_wine.py). A wine prefix of its own
# under build-windows/, so nothing depends on the user's home.
test-windows: windows build
	@if [ ! -f $(WINE_PREFIX)/system.reg ]; then \
	  echo "Creating the wine prefix $(WINE_PREFIX)"; \
	  WINEPREFIX=$(WINE_PREFIX) WINEDEBUG=-all wineboot --init >/dev/null 2>&1; \
	fi
	WINEPREFIX=$(WINE_PREFIX) WINEDEBUG=-all wine build-windows/windows_unit_tests.exe
	WINEPREFIX=$(WINE_PREFIX) WINEDEBUG=-all tests/windows/e2e_wine.py build-windows build

clean:
	rm -rf build build-asan build-coverage build-fuzz build-windows build-mutate
