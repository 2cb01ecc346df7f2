# xdpchain_add_vm_test(NAME <name> KERNEL <6.1|6.12|full version> COMMAND <cmd> [<arg>...]
#                      [TIMEOUT <seconds>])
# Registers a ctest test, labelled vm, that runs <cmd> inside a throwaway qemu VM booted
# from the installed Debian kernel KERNEL (tests/vm/run-in-vm.sh), in ${CMAKE_BINARY_DIR}.
# The test passes if the command exits 0 in the guest.
#   COMMAND  as for add_test: a target name as the first word is replaced by the path of
#            its file; generator expressions are allowed ($<TARGET_FILE:foo_test>).
#   TIMEOUT  the ctest time limit, default 600; the VM itself is killed 30 s earlier, so
#            that run-in-vm.sh can report it (exit 124) instead of ctest killing it.
# Needs root, qemu-system-x86 and the kernel packages (scripts/install-deps.sh).
function(xdpchain_add_vm_test)
  cmake_parse_arguments(PARSE_ARGV 0 VM "" "NAME;KERNEL;TIMEOUT" "COMMAND")
  if(VM_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "xdpchain_add_vm_test: unknown arguments: ${VM_UNPARSED_ARGUMENTS}")
  endif()
  foreach(required NAME KERNEL COMMAND)
    if("${VM_${required}}" STREQUAL "")
      message(FATAL_ERROR "xdpchain_add_vm_test: ${required} is required")
    endif()
  endforeach()
  if(NOT VM_TIMEOUT)
    set(VM_TIMEOUT 600)
  endif()
  if(NOT VM_TIMEOUT MATCHES "^[0-9]+$" OR VM_TIMEOUT LESS 60)
    message(FATAL_ERROR "xdpchain_add_vm_test(${VM_NAME}): TIMEOUT must be a number >= 60")
  endif()
  math(EXPR vm_limit "${VM_TIMEOUT} - 30")

  list(POP_FRONT VM_COMMAND program)
  if(TARGET ${program})
    set(program "$<TARGET_FILE:${program}>")
  endif()

  add_test(NAME ${VM_NAME}
    COMMAND "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/run-in-vm.sh"
            --kernel ${VM_KERNEL} --timeout ${vm_limit} --cwd "${CMAKE_BINARY_DIR}"
            -- ${program} ${VM_COMMAND}
    WORKING_DIRECTORY "${CMAKE_BINARY_DIR}")
  # PROCESSORS: each VM is one host thread (single-threaded TCG, tests/vm/README.md).
  set_tests_properties(${VM_NAME} PROPERTIES LABELS vm TIMEOUT ${VM_TIMEOUT} PROCESSORS 1)
endfunction()

# xdpchain_gtest_patterns(OUT A B ...) sets OUT to "*A:*B:...", a --gtest_filter naming the
# listed tests (or, after a "-", the ones to leave out).
function(xdpchain_gtest_patterns out)
  list(TRANSFORM ARGN PREPEND "*")
  string(REPLACE ";" ":" joined "${ARGN}")
  set(${out} "${joined}" PARENT_SCOPE)
endfunction()
