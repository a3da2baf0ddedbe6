# The libraries of a Windows build, under the target names the Linux build gets from
# find_package and pkg-config, so the rest of the build does not care which it is.
#
# C libraries: static builds of libserialport, hidapi and libusb made by
# scripts/build-windows-deps.sh in DFUHOST_WINDOWS_DEPS. Header-only libraries (CLI11,
# nlohmann_json, fmt in header-only mode, doctest): the build machine's own headers, each
# exposed through a folder of its own so that nothing else from /usr/include is seen.
set(DFUHOST_WINDOWS_DEPS "${PROJECT_SOURCE_DIR}/build-windows/deps" CACHE PATH
    "Prefix holding the static Windows builds of libserialport, hidapi and libusb")
set(DFUHOST_HOST_HEADERS "/usr/include" CACHE PATH "Where the header-only libraries' headers are")

foreach(lib serialport hidapi usb-1.0)
  if(NOT EXISTS "${DFUHOST_WINDOWS_DEPS}/lib/lib${lib}.a")
    message(FATAL_ERROR "${DFUHOST_WINDOWS_DEPS}/lib/lib${lib}.a not found: run scripts/build-windows-deps.sh "
                        "(make windows does) or set DFUHOST_WINDOWS_DEPS")
  endif()
endforeach()

function(dfuhost_c_library target lib include_dir)
  add_library(${target} STATIC IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${DFUHOST_WINDOWS_DEPS}/lib/lib${lib}.a"
    INTERFACE_INCLUDE_DIRECTORIES "${include_dir}"
    INTERFACE_LINK_LIBRARIES "${ARGN}")
endfunction()
dfuhost_c_library(PkgConfig::libserialport serialport "${DFUHOST_WINDOWS_DEPS}/include" setupapi)
dfuhost_c_library(PkgConfig::hidapi hidapi "${DFUHOST_WINDOWS_DEPS}/include" setupapi)
dfuhost_c_library(PkgConfig::libusb usb-1.0 "${DFUHOST_WINDOWS_DEPS}/include/libusb-1.0" "")

set(header_root "${CMAKE_BINARY_DIR}/host-headers")
function(dfuhost_header_library target folder)
  set(dir "${header_root}/${target}")
  string(REPLACE "::" "_" dir "${dir}")
  file(MAKE_DIRECTORY "${dir}")
  if(NOT EXISTS "${DFUHOST_HOST_HEADERS}/${folder}")
    message(FATAL_ERROR "${DFUHOST_HOST_HEADERS}/${folder} not found (scripts/install-deps.sh installs it)")
  endif()
  file(CREATE_LINK "${DFUHOST_HOST_HEADERS}/${folder}" "${dir}/${folder}" SYMBOLIC)
  add_library(${target} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${dir}" ${ARGN})
endfunction()
dfuhost_header_library(CLI11::CLI11 CLI)
dfuhost_header_library(nlohmann_json::nlohmann_json nlohmann)
dfuhost_header_library(fmt::fmt fmt INTERFACE_COMPILE_DEFINITIONS FMT_HEADER_ONLY=1)
dfuhost_header_library(doctest::doctest doctest)
