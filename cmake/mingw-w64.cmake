# Cross-compiling dfuhost.exe for 64-bit Windows with Debian's mingw-w64 (GCC 12).
# The posix threads variant: std::thread, std::mutex and std::call_once need it.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(DFUHOST_MINGW_TRIPLET x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${DFUHOST_MINGW_TRIPLET}-gcc-posix)
set(CMAKE_CXX_COMPILER ${DFUHOST_MINGW_TRIPLET}-g++-posix)
set(CMAKE_RC_COMPILER ${DFUHOST_MINGW_TRIPLET}-windres)

# Only the mingw sysroot and the libraries scripts/build-windows-deps.sh built: the build
# machine's own libraries and headers must not leak in (the header-only libraries are
# brought in one folder at a time by cmake/windows-deps.cmake).
set(CMAKE_FIND_ROOT_PATH /usr/${DFUHOST_MINGW_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# One self-contained .exe: no libgcc, libstdc++ or winpthread DLLs beside it.
# -O2 as on Linux (the preset): GCC 12 at -O3 warns falsely (-Warray-bounds) in std::vector::insert.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++ -s")

# Windows programs run here under wine (the unit tests, tests/windows/e2e_wine.py).
set(CMAKE_CROSSCOMPILING_EMULATOR wine)
