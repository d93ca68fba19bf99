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
