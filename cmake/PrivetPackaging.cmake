# Install rules and package metadata: a user's project finds the runtime with
# find_package(privet) (targets privet::runtime, privet::runtime_shared) or pkg-config (privet,
# privet-static), and links the runtime alone: no LLVM, no ANTLR.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PRIVET_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/privet)
set(PRIVET_STDLIB_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/privet/stdlib)

install(TARGETS privet_runtime privet_runtime_shared EXPORT privetTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES
  ${PROJECT_SOURCE_DIR}/runtime/include/privet/Artifact.h
  ${PROJECT_SOURCE_DIR}/runtime/include/privet/ArtifactContents.h
  ${PROJECT_SOURCE_DIR}/runtime/include/privet/Json.h
  ${PROJECT_SOURCE_DIR}/runtime/include/privet/Result.h
  ${PROJECT_SOURCE_DIR}/runtime/include/privet/Runtime.h
  ${PROJECT_SOURCE_DIR}/runtime/include/privet/privet.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/privet)
install(EXPORT privetTargets NAMESPACE privet:: DESTINATION ${PRIVET_CMAKE_INSTALL_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/privetConfig.cmake.in
  ${PROJECT_BINARY_DIR}/privetConfig.cmake
  INSTALL_DESTINATION ${PRIVET_CMAKE_INSTALL_DIR}
  PATH_VARS PRIVET_STDLIB_INSTALL_DIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/privetConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/privetConfig.cmake ${PROJECT_BINARY_DIR}/privetConfigVersion.cmake
  DESTINATION ${PRIVET_CMAKE_INSTALL_DIR})

# Relative to the .pc file, so that an installed tree can be moved (and installed with --prefix).
file(RELATIVE_PATH PRIVET_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
foreach(pc privet privet-static)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()

if(EXISTS ${PROJECT_SOURCE_DIR}/stdlib)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/stdlib/ DESTINATION ${PRIVET_STDLIB_INSTALL_DIR}
    FILES_MATCHING PATTERN "*.privet")
endif()
