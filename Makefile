# Thin wrapper over CMake; see README.md.
.PHONY: all deps build firmware demo test build-asan test-asan fuzz clean

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

test-asan: build-asan
	ctest --test-dir build-asan --output-on-failure -j $(JOBS)

# libFuzzer targets (Clang): FUZZ_SECONDS per target; fails on any crash, leak or timeout.
FUZZ_SECONDS ?= 30
fuzz:
	@scripts/install-deps.sh --fuzz
	JOBS=$(JOBS) scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-fuzz
