# Installs the arbor libraries and a CMake package, so that a user project can
#   find_package(arbor REQUIRED)
#   target_link_libraries(app PRIVATE arbor::actors)
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)

get_property(_arbor_libs GLOBAL PROPERTY ARBOR_LIBRARIES)
install(TARGETS ${_arbor_libs} arbor_warnings EXPORT arborTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION include/arbor)
install(EXPORT arborTargets NAMESPACE arbor:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/arbor)

configure_package_config_file(cmake/arborConfig.cmake.in
  "${PROJECT_BINARY_DIR}/arborConfig.cmake"
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/arbor)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/arborConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/arborConfig.cmake"
              "${PROJECT_BINARY_DIR}/arborConfigVersion.cmake"
              cmake/FindCAF.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/arbor)
