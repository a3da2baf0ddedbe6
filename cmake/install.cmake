# What `cmake --install` and the .deb (CPack) put on a Linux system: the binary, the dfuh-cli
# link to it, the man page, the shell completions (written at build time by running the
# binary) and the udev rules. Included from the top-level CMakeLists.txt after cli/.
set(_gen ${CMAKE_BINARY_DIR}/install-files)
file(MAKE_DIRECTORY ${_gen})

# dfuh-cli: a link beside dfuhost in the build tree too, so it can be tried there.
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/dfuh-cli
  COMMAND ${CMAKE_COMMAND} -E create_symlink dfuhost ${CMAKE_BINARY_DIR}/dfuh-cli
  DEPENDS dfuhost
  COMMENT "Linking dfuh-cli -> dfuhost")
add_custom_target(dfuh_cli_link ALL DEPENDS ${CMAKE_BINARY_DIR}/dfuh-cli)
install(FILES ${CMAKE_BINARY_DIR}/dfuh-cli DESTINATION bin)

install(FILES ${PROJECT_SOURCE_DIR}/man/dfuhost.1 DESTINATION share/man/man1)
install(FILES ${PROJECT_SOURCE_DIR}/scripts/udev/60-dfuhost.rules DESTINATION lib/udev/rules.d)

set(_completions)
foreach(shell_file bash:dfuhost zsh:_dfuhost fish:dfuhost.fish)
  string(REPLACE ":" ";" pair ${shell_file})
  list(GET pair 0 shell)
  list(GET pair 1 name)
  set(out ${_gen}/${shell}/${name})
  file(MAKE_DIRECTORY ${_gen}/${shell})
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DDFUHOST=$<TARGET_FILE:dfuhost> -DSHELL_NAME=${shell} -DOUT=${out}
            -P ${PROJECT_SOURCE_DIR}/cmake/write_completion.cmake
    DEPENDS dfuhost ${PROJECT_SOURCE_DIR}/cmake/write_completion.cmake
    COMMENT "Writing the ${shell} completion")
  list(APPEND _completions ${out})
endforeach()
add_custom_target(completions ALL DEPENDS ${_completions})
install(FILES ${_gen}/bash/dfuhost DESTINATION share/bash-completion/completions)
install(FILES ${_gen}/zsh/_dfuhost DESTINATION share/zsh/vendor-completions)
install(FILES ${_gen}/fish/dfuhost.fish DESTINATION share/fish/vendor_completions.d)

# The .deb: `cpack -G DEB` in the build directory (or `cmake --build build --target package`).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dfuhost)
set(CPACK_PACKAGE_VENDOR "dfuhost")
set(CPACK_PACKAGE_CONTACT "dfuhost maintainers <dfuhost@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION electronics)
# The shared libraries it links (libserialport, libusb, hidapi, libfmt, pugixml) as Depends.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
