# The engine links the transport seam, not the wires: dfu_core, its tests and the fuzzers must
# not link libusb, hidapi or libserialport (nor dfu_transports, which brings them).
#
# Included by the top-level CMakeLists.txt after every target exists, it walks each target's
# link libraries, transitively, and stops the configuration when one reaches a wire library.
# Run as a script (cmake -P, the `link_seam` test), it reads what the linker actually wrote:
# the NEEDED entries of a binary that must be free of them, and of dfuhost, which must have
# them (so a change in objdump's output cannot make the check pass by finding nothing).

set(DFUHOST_WIRE_LIBRARIES PkgConfig::libusb PkgConfig::hidapi PkgConfig::libserialport dfu_transports
    dfuhost_platform_serial)

if(CMAKE_SCRIPT_MODE_FILE)
  # -DOBJDUMP=... -DFREE=binary -DLINKED=binary
  function(needed_of binary out)
    execute_process(COMMAND ${OBJDUMP} -p ${binary} OUTPUT_VARIABLE dump RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${OBJDUMP} -p ${binary} failed (${rc})")
    endif()
    string(REGEX MATCHALL "NEEDED +[^\n]+" needed "${dump}")
    set(${out} "${needed}" PARENT_SCOPE)
  endfunction()
  set(patterns "libusb-1\\.0" "libhidapi" "libserialport")
  needed_of(${LINKED} linked)
  foreach(p IN LISTS patterns)
    if(NOT linked MATCHES "${p}")
      message(FATAL_ERROR "${LINKED} does not need ${p}; the check cannot tell (NEEDED: ${linked})")
    endif()
  endforeach()
  needed_of(${FREE} free)
  foreach(p IN LISTS patterns)
    if(free MATCHES "${p}")
      message(FATAL_ERROR "${FREE} links a wire library (${p}): the engine must link the transport seam only "
                          "(NEEDED: ${free})")
    endif()
  endforeach()
  message(STATUS "${FREE}: no wire library among ${free}")
  return()
endif()

# Every library `target` links, directly or through others (LINK_ONLY included), into `out`.
function(dfuhost_link_closure target out)
  set(seen)
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue t)
    if(NOT TARGET ${t} OR t IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${t})
    get_target_property(type ${t} TYPE)
    set(libs)
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(direct ${t} LINK_LIBRARIES)
      if(direct)
        list(APPEND libs ${direct})
      endif()
    endif()
    get_target_property(iface ${t} INTERFACE_LINK_LIBRARIES)
    if(iface)
      list(APPEND libs ${iface})
    endif()
    foreach(lib IN LISTS libs)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
      list(APPEND queue ${lib})
    endforeach()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

foreach(target dfu_core dfu_framing core_tests fuzz_mtbdfu fuzz_script_plan fuzz_packet fuzz_stream_transport)
  if(NOT TARGET ${target})
    continue()
  endif()
  dfuhost_link_closure(${target} closure)
  foreach(wire IN LISTS DFUHOST_WIRE_LIBRARIES)
    if(wire IN_LIST closure)
      message(FATAL_ERROR "${target} links ${wire}: the engine, its tests and the fuzzers link the transport seam "
                          "(dfu_transport_seam, dfu_framing), not the wires; see docs/design.md")
    endif()
  endforeach()
endforeach()
