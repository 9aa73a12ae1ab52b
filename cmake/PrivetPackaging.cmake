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
# Every public runtime header: runtime/include/privet holds nothing else.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/privet/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/privet FILES_MATCHING PATTERN "*.h")
install(EXPORT privetTargets NAMESPACE privet:: DESTINATION ${PRIVET_CMAKE_INSTALL_DIR})
# Signature checking (privet::verify, with libsodium) is its own export set: a consumer that only
# decides needs nothing but the runtime; `find_package(privet COMPONENTS verify)` asks for it.
install(TARGETS privet_verify EXPORT privetVerifyTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/runtime/verify/include/privet/Verify.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/privet)
install(EXPORT privetVerifyTargets NAMESPACE privet:: DESTINATION ${PRIVET_CMAKE_INSTALL_DIR})

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

# The reference documentation: SARIF logs link each rule to its section of diagnostics.md here
# unless PRIVET_DOCS_URL points elsewhere.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
  FILES_MATCHING PATTERN "*.md")

# `make package` (cpack -G DEB): one .deb with the privet tool, the runtime libraries, headers,
# CMake and pkg-config files and the standard library, installed under /usr, for CI runners.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME privet)
set(CPACK_PACKAGE_VENDOR "Privet")
set(CPACK_PACKAGE_CONTACT "Privet maintainers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Privacy policies as code: compiler, checker and decision runtime")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The dependencies of the shared libraries the package's binaries link (libc, libstdc++, ...).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/package)
include(CPack)
