# The Cortex-M firmware (device-firmware/ports/cortex-m) as an ExternalProject built with
# cmake/arm-none-eabi.cmake: optional, built only when arm-none-eabi-gcc is installed
# (scripts/install-deps.sh installs it). Sets DFU_FIRMWARE_ELF (the default configuration) and
# DFU_FIRMWARE_MIDDLEWARE_ELF (built for --preset middleware) when it is built.
option(DFUHOST_FIRMWARE "Build the Cortex-M firmware when arm-none-eabi-gcc is installed" ON)
set(DFU_FIRMWARE_ELF "")
set(DFU_FIRMWARE_MIDDLEWARE_ELF "")
if(NOT DFUHOST_FIRMWARE)
  message(STATUS "Firmware: off (DFUHOST_FIRMWARE=OFF)")
  return()
endif()
find_program(ARM_NONE_EABI_GCC arm-none-eabi-gcc)
if(NOT ARM_NONE_EABI_GCC)
  message(STATUS "Firmware: arm-none-eabi-gcc not found: the Cortex-M firmware and its qemu tests are skipped "
                 "(scripts/install-deps.sh installs gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm)")
  return()
endif()
message(STATUS "Firmware: building device-firmware/ports/cortex-m with ${ARM_NONE_EABI_GCC}")
include(ExternalProject)
# The child build is a different target: none of this project's flags (sanitizers included) apply.
ExternalProject_Add(firmware
  SOURCE_DIR ${PROJECT_SOURCE_DIR}/device-firmware/ports/cortex-m
  BINARY_DIR ${CMAKE_BINARY_DIR}/firmware
  CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/cmake/arm-none-eabi.cmake -DCMAKE_BUILD_TYPE=MinSizeRel
  INSTALL_COMMAND ""
  BUILD_ALWAYS ON
  USES_TERMINAL_BUILD ON)
set(DFU_FIRMWARE_ELF ${CMAKE_BINARY_DIR}/firmware/dfu-firmware.elf)
set(DFU_FIRMWARE_MIDDLEWARE_ELF ${CMAKE_BINARY_DIR}/firmware/dfu-firmware-middleware.elf)
