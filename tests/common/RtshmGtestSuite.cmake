# SPDX-License-Identifier: MIT
# rtshm_add_gtest_suite(NAME SOURCES...): a GoogleTest binary over the static
# library that starts a private rtshmd of this build (tests/common's
# PrivateBroker; RTSHM_RTSHMD, or an rtshmd beside the binary, overrides it),
# registered with CTest. Static: the suites also check internal units.
find_package(GTest REQUIRED)

function(rtshm_add_gtest_suite name)
  add_executable(${name} ${ARGN} ${PROJECT_SOURCE_DIR}/tests/common/private_broker.cpp)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/common
                                             ${PROJECT_SOURCE_DIR}/rtshmd)
  target_compile_definitions(${name} PRIVATE RTSHM_TEST_RTSHMD="$<TARGET_FILE:rtshmd>")
  target_link_libraries(${name} PRIVATE rtshm_static GTest::gtest)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 300)
endfunction()
