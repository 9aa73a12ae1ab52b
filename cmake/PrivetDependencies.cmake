# Finds every build dependency and fails at configure time naming the Debian package to install.

function(privet_missing what package)
  message(FATAL_ERROR "${what} not found: install the Debian package `${package}` "
                      "(scripts/setup.sh installs everything Privet needs).")
endfunction()

# ANTLR tool: the parser is generated at build time. Debian's antlr4_generate() helper is not used
# because it runs `java -jar antlr4.jar`, whose manifest has no class path.
find_program(ANTLR4_TOOL antlr4 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT ANTLR4_TOOL)
  privet_missing("the ANTLR tool (antlr4)" antlr4)
endif()
execute_process(COMMAND ${ANTLR4_TOOL} OUTPUT_VARIABLE _antlr_banner ERROR_VARIABLE _antlr_banner)
string(REGEX MATCH "Version ([0-9]+\\.[0-9]+\\.[0-9]+)" _ "${_antlr_banner}")
set(ANTLR4_TOOL_VERSION "${CMAKE_MATCH_1}")
if(NOT ANTLR4_TOOL_VERSION MATCHES "^4\\.7\\.")
  message(FATAL_ERROR "expected the ANTLR tool 4.7.x (Debian 12 `antlr4`), found "
                      "'${ANTLR4_TOOL_VERSION}'; generated code must match the 4.9 runtime")
endif()

find_package(antlr4-runtime QUIET)
if(NOT antlr4-runtime_FOUND OR NOT ANTLR4_INCLUDE_DIR)
  privet_missing("the ANTLR C++ runtime" libantlr4-runtime-dev)
endif()
if(NOT antlr4-runtime_VERSION VERSION_GREATER_EQUAL 4.9 OR antlr4-runtime_VERSION VERSION_GREATER_EQUAL 4.10)
  message(FATAL_ERROR "expected the ANTLR C++ runtime 4.9 (Debian 12), found ${antlr4-runtime_VERSION}")
endif()

find_package(LLVM 14 QUIET CONFIG PATHS /usr/lib/llvm-14/lib/cmake/llvm NO_DEFAULT_PATH)
if(NOT LLVM_FOUND)
  privet_missing("LLVM 14 (ADT and Support)" llvm-14-dev)
endif()
if(NOT EXISTS ${LLVM_LIBRARY_DIR}/libLLVMSupport.a)
  privet_missing("static LLVMSupport" llvm-14-dev)
endif()

find_package(fmt QUIET)
if(NOT fmt_FOUND)
  privet_missing("fmt" libfmt-dev)
endif()

find_package(CLI11 QUIET CONFIG)
if(NOT CLI11_FOUND)
  privet_missing("CLI11" libcli11-dev)
endif()

if(PRIVET_BUILD_TESTS)
  find_package(GTest QUIET)
  if(NOT GTest_FOUND)
    privet_missing("GoogleTest" "googletest libgtest-dev")
  endif()
  find_program(LIT_PY lit.py PATHS /usr/lib/llvm-14/build/utils/lit NO_DEFAULT_PATH)
  if(NOT LIT_PY)
    privet_missing("lit" llvm-14-tools)
  endif()
  find_program(FILECHECK FileCheck PATHS ${LLVM_TOOLS_BINARY_DIR} /usr/lib/llvm-14/bin NO_DEFAULT_PATH)
  if(NOT FILECHECK)
    privet_missing("FileCheck" llvm-14-tools)
  endif()
  find_program(SYSTEM_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH)
  if(NOT SYSTEM_PYTHON)
    privet_missing("python3" python3)
  endif()
endif()

if(PRIVET_BUILD_BENCH)
  find_package(benchmark QUIET)
  if(NOT benchmark_FOUND)
    privet_missing("Google Benchmark" libbenchmark-dev)
  endif()
endif()

# LLVM's headers and static Support library, as a target our libraries link.
add_library(privet_llvm INTERFACE)
target_include_directories(privet_llvm SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS})
target_compile_definitions(privet_llvm INTERFACE ${LLVM_DEFINITIONS})
target_link_libraries(privet_llvm INTERFACE ${LLVM_LIBRARY_DIR}/libLLVMSupport.a ${LLVM_LIBRARY_DIR}/libLLVMDemangle.a
                      pthread z tinfo)
