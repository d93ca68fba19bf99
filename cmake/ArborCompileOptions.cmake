# Compiler settings for arbor's own targets: warnings, sanitizers, ccache.

find_program(ARBOR_CCACHE ccache)
if(ARBOR_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${ARBOR_CCACHE}")
endif()

add_library(arbor_warnings INTERFACE)
target_compile_options(arbor_warnings INTERFACE -Wall -Wextra -Wpedantic
                                                $<$<BOOL:${ARBOR_WERROR}>:-Werror>)

# GCC 12 reports -Wmaybe-uninitialized false positives inside libstdc++
# (std::variant, std::optional of std::string) once sanitizers change inlining.
#
# -Wno-tsan: Asio's handler fences (std::atomic_thread_fence) are not modelled by
# TSan and GCC warns about each; Asio hands operations between threads under its
# scheduler mutex, which TSan does model, so the fences add nothing it needs.
#
# Sanitizer builds replace the build type's -O2 -g (later options win) with
# -g1, line tables being all a sanitizer's report needs, and a lower -O:
# ThreadSanitizer -O1, as its documentation recommends; ASan+UBSan -Og, because
# UBSan's checks make GCC's optimiser the largest part of the build (one
# Beast-heavy file: 238 s at -O2 -g, 140 s at -O1 -g1, 76 s at -Og -g1).
# docs/building.md has the whole-build figures.
if(ARBOR_SANITIZER STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -O1 -g1
                      -Wno-maybe-uninitialized -Wno-tsan)
  add_link_options(-fsanitize=thread)
elseif(ARBOR_SANITIZER STREQUAL "address")
  # UBSan checks stay recoverable so that tests/ubsan.supp can name the one
  # known case inside CAF's headers; UBSAN_OPTIONS=halt_on_error=1 (the asan test
  # preset) still stops at anything else.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -Og -g1 -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
elseif(NOT ARBOR_SANITIZER STREQUAL "")
  message(FATAL_ERROR "arbor: ARBOR_SANITIZER must be '', 'thread' or 'address'")
endif()

# One static library per source folder, exported as arbor::<name>.
function(arbor_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;HEADERS;DEPS" ${ARGN})
  add_library(arbor_${name} STATIC ${ARG_SOURCES} ${ARG_HEADERS})
  add_library(arbor::${name} ALIAS arbor_${name})
  set_target_properties(arbor_${name} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME arbor_${name})
  target_include_directories(arbor_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:include/arbor>)
  target_link_libraries(arbor_${name} PUBLIC ${ARG_DEPS} PRIVATE $<BUILD_INTERFACE:arbor_warnings>)
  set_property(GLOBAL APPEND PROPERTY ARBOR_LIBRARIES arbor_${name})
  foreach(header ${ARG_HEADERS})
    get_filename_component(dir "${header}" DIRECTORY)
    install(FILES ${header} DESTINATION include/arbor/${name}/${dir})
  endforeach()
endfunction()

# An executable of ours: warnings on, linked against the given libraries.
function(arbor_add_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} arbor_warnings)
endfunction()
