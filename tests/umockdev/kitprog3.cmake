# KitProg3 over the real libusb under umockdev (Linux with libumockdev-dev). Included from
# tests/transports/CMakeLists.txt; self-contained so it can move next to the other umockdev
# tests as it is. Without umockdev the test is reported as skipped.
pkg_check_modules(umockdev_kp3 QUIET IMPORTED_TARGET umockdev-1.0)
if(umockdev_kp3_FOUND)
  pkg_get_variable(umockdev_kp3_libdir umockdev-1.0 libdir)
  find_file(KP3_UMOCKDEV_PRELOAD NAMES libumockdev-preload.so.0 libumockdev-preload.so HINTS ${umockdev_kp3_libdir})
endif()
if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux" OR NOT umockdev_kp3_FOUND OR NOT KP3_UMOCKDEV_PRELOAD)
  add_test(NAME kitprog3_umockdev_not_built COMMAND sh -c "echo 'umockdev (libumockdev-dev) not found'; exit 77")
  set_tests_properties(kitprog3_umockdev_not_built PROPERTIES SKIP_RETURN_CODE 77)
  return()
endif()

# ASan's runtime must be the first library loaded: with gcc's shared libasan it goes first.
set(kp3_ld_preload "${KP3_UMOCKDEV_PRELOAD}")
if(DFUHOST_SANITIZE)
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libasan.so
                  OUTPUT_VARIABLE kp3_asan OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(IS_ABSOLUTE "${kp3_asan}" AND EXISTS "${kp3_asan}")
    file(REAL_PATH "${kp3_asan}" kp3_asan)
    set(kp3_ld_preload "${kp3_asan}:${kp3_ld_preload}")
  endif()
endif()

set(kp3_umockdev_dir ${CMAKE_CURRENT_LIST_DIR})
add_executable(kitprog3_umockdev_tests ${kp3_umockdev_dir}/kitprog3_umockdev_test.cpp
                                       ${kp3_umockdev_dir}/kitprog3_usbfs_model.cpp)
target_include_directories(kitprog3_umockdev_tests PRIVATE ${kp3_umockdev_dir} ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(kitprog3_umockdev_tests PRIVATE dfu_core dfu_transports dfu_responder dfuhost_test_support
                      doctest::doctest PkgConfig::umockdev_kp3)
target_compile_definitions(kitprog3_umockdev_tests PRIVATE DFU_UMOCKDEV_PRELOAD="${kp3_ld_preload}")
doctest_discover_tests(kitprog3_umockdev_tests PROPERTIES ENVIRONMENT "LD_PRELOAD=${kp3_ld_preload}")
