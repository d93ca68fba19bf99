# Finds every third-party dependency and fails with one line naming the Debian
# package to install (scripts/install-deps.sh installs all of them).

macro(arbor_require found package what)
  if(NOT ${found})
    message(FATAL_ERROR "arbor: ${what} not found: install the Debian package '${package}' "
                        "(or run scripts/install-deps.sh)")
  endif()
endmacro()

find_package(Threads REQUIRED)

find_package(CAF QUIET COMPONENTS core io)
arbor_require(CAF_FOUND libcaf-dev "CAF 0.17 (libcaf_core, libcaf_io)")

# Boost's own CMake config (BoostConfig.cmake), not CMake's FindBoost module.
find_package(Boost 1.81.0 EXACT CONFIG QUIET COMPONENTS json filesystem)
arbor_require(Boost_FOUND "libboost1.81-dev libboost-json1.81-dev libboost-filesystem1.81-dev"
              "Boost 1.81 (json, filesystem)")

find_package(spdlog CONFIG QUIET)
arbor_require(spdlog_FOUND libspdlog-dev "spdlog")

find_package(CLI11 CONFIG QUIET)
arbor_require(CLI11_FOUND libcli11-dev "CLI11")

if(ARBOR_BUILD_TESTS)
  find_package(Catch2 2 CONFIG QUIET)
  arbor_require(Catch2_FOUND catch2 "Catch2 v2")
endif()

# The allocator linked into arbord and the benchmarks (not into arbor's libraries:
# an application picks its own). An actor server allocates and frees every actor,
# mailbox element and message; gperftools' tcmalloc_minimal serves those from
# per-thread caches, and on the project's machine starts and stops supervised
# children about a third faster than glibc's malloc (docs/performance.md).
# Sanitizer builds keep glibc's: ASan and TSan bring their own allocator.
set(ARBOR_MALLOC "tcmalloc" CACHE STRING "Allocator for arbord and the benchmarks: 'tcmalloc' or 'system'")
set_property(CACHE ARBOR_MALLOC PROPERTY STRINGS tcmalloc system)
add_library(arbor_malloc INTERFACE)
if(ARBOR_MALLOC STREQUAL "tcmalloc" AND ARBOR_SANITIZER STREQUAL "")
  find_library(ARBOR_TCMALLOC_LIBRARY tcmalloc_minimal)
  find_path(ARBOR_TCMALLOC_INCLUDE_DIR gperftools/malloc_extension_c.h)
  set(tcmalloc_found FALSE)
  if(ARBOR_TCMALLOC_LIBRARY AND ARBOR_TCMALLOC_INCLUDE_DIR)
    set(tcmalloc_found TRUE)
  endif()
  arbor_require(tcmalloc_found libgoogle-perftools-dev
                "tcmalloc_minimal (or configure with -DARBOR_MALLOC=system)")
  # --no-as-needed: nothing calls into the library by name, it replaces malloc.
  target_link_libraries(arbor_malloc INTERFACE
    "-Wl,--push-state,--no-as-needed" ${ARBOR_TCMALLOC_LIBRARY} "-Wl,--pop-state")
  target_include_directories(arbor_malloc SYSTEM INTERFACE ${ARBOR_TCMALLOC_INCLUDE_DIR})
  target_compile_definitions(arbor_malloc INTERFACE ARBOR_MALLOC_TCMALLOC=1)
elseif(NOT ARBOR_MALLOC MATCHES "^(tcmalloc|system)$")
  message(FATAL_ERROR "arbor: ARBOR_MALLOC must be 'tcmalloc' or 'system'")
endif()
