# Thin wrapper over CMake; see README.md.
.PHONY: all deps build demo test build-asan test-asan clean

JOBS ?= $(shell nproc)

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset default
	cmake --build build -j $(JOBS)

demo: build
	@scripts/demo.sh build

test: build
	ctest --test-dir build --output-on-failure -j $(JOBS)

build-asan: deps
	cmake --preset asan
	cmake --build build-asan -j $(JOBS)

test-asan: build-asan
	ctest --test-dir build-asan --output-on-failure -j $(JOBS)

clean:
	rm -rf build build-asan
