# Writes one shell's completion script by running the built dfuhost:
#   cmake -DDFUHOST=path/to/dfuhost -DSHELL_NAME=bash -DOUT=file -P write_completion.cmake
execute_process(COMMAND ${DFUHOST} completion ${SHELL_NAME} OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${DFUHOST} completion ${SHELL_NAME} failed (${rc})")
endif()
file(RENAME ${OUT}.tmp ${OUT})
