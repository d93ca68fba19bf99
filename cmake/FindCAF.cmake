# FindCAF
# -------
# Finds the C++ Actor Framework 0.17 as Debian's libcaf-dev installs it (no CMake
# config ships with it).
#
# Components: core (libcaf_core), io (libcaf_io), openssl (libcaf_openssl).
# Imported targets: CAF::core, CAF::io, CAF::openssl.
# Result variables: CAF_FOUND, CAF_VERSION, CAF_INCLUDE_DIR, CAF_<COMP>_LIBRARY.
# Hint: CAF_ROOT (CMake or environment variable) is searched first, so headers and
# libraries come from the same build (the tsan preset uses an instrumented CAF).

if(NOT CAF_ROOT AND DEFINED ENV{CAF_ROOT})
  set(CAF_ROOT "$ENV{CAF_ROOT}")
endif()
if(CAF_ROOT)
  find_path(CAF_INCLUDE_DIR NAMES caf/config.hpp PATHS "${CAF_ROOT}/include" NO_DEFAULT_PATH)
endif()
find_path(CAF_INCLUDE_DIR NAMES caf/config.hpp)

if(CAF_INCLUDE_DIR AND EXISTS "${CAF_INCLUDE_DIR}/caf/config.hpp")
  file(STRINGS "${CAF_INCLUDE_DIR}/caf/config.hpp" _caf_version_line
       REGEX "^#define CAF_VERSION [0-9]+")
  string(REGEX REPLACE "^#define CAF_VERSION ([0-9]+).*" "\\1" _caf_v "${_caf_version_line}")
  math(EXPR _caf_major "${_caf_v} / 10000")
  math(EXPR _caf_minor "(${_caf_v} / 100) % 100")
  math(EXPR _caf_patch "${_caf_v} % 100")
  set(CAF_VERSION "${_caf_major}.${_caf_minor}.${_caf_patch}")
endif()

if(NOT CAF_FIND_COMPONENTS)
  set(CAF_FIND_COMPONENTS core)
endif()

foreach(_comp ${CAF_FIND_COMPONENTS})
  if(CAF_ROOT)
    find_library(CAF_${_comp}_LIBRARY NAMES caf_${_comp}
                 PATHS "${CAF_ROOT}/lib" "${CAF_ROOT}/lib64" NO_DEFAULT_PATH)
  endif()
  find_library(CAF_${_comp}_LIBRARY NAMES caf_${_comp})
  if(CAF_${_comp}_LIBRARY AND CAF_INCLUDE_DIR)
    set(CAF_${_comp}_FOUND TRUE)
  endif()
endforeach()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CAF
  REQUIRED_VARS CAF_INCLUDE_DIR
  VERSION_VAR CAF_VERSION
  HANDLE_COMPONENTS
  REASON_FAILURE_MESSAGE "install the Debian package 'libcaf-dev'")

if(CAF_FOUND)
  find_package(Threads REQUIRED)
  foreach(_comp ${CAF_FIND_COMPONENTS})
    if(CAF_${_comp}_FOUND AND NOT TARGET CAF::${_comp})
      add_library(CAF::${_comp} UNKNOWN IMPORTED)
      set_target_properties(CAF::${_comp} PROPERTIES
        IMPORTED_LOCATION "${CAF_${_comp}_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
        INTERFACE_LINK_LIBRARIES Threads::Threads)
    endif()
  endforeach()
  if(TARGET CAF::io AND TARGET CAF::core)
    set_property(TARGET CAF::io APPEND PROPERTY INTERFACE_LINK_LIBRARIES CAF::core)
  endif()
endif()

mark_as_advanced(CAF_INCLUDE_DIR CAF_core_LIBRARY CAF_io_LIBRARY CAF_openssl_LIBRARY)
