# xdpchain_add_gtest(NAME <target> SOURCES <files...> LIBS <libs...> LABELS <labels...>
#                    [TIMEOUT <seconds>])
# Builds a GoogleTest binary and registers it as ONE ctest test (so a test binary that sets
# up kernel state runs once), with the given labels. Tests labelled kernel, netns or vm need
# root; they run from the build directory.
function(xdpchain_add_gtest)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${T_NAME} PRIVATE
    XDPCHAIN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    XDPCHAIN_BINARY_DIR="${PROJECT_BINARY_DIR}"
    XDPCHAIN_PROGS_DIR="${PROJECT_BINARY_DIR}/tests/progs")
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} --gtest_color=no WORKING_DIRECTORY ${PROJECT_BINARY_DIR})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()
