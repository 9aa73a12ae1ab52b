# Packages the VS Code extension into a .vsix in the build tree and checks what it holds.
# cmake -DSOURCE_DIR=editors/vscode -DSTAGE_DIR=<dir> -DVSIX=<file> -DNODE=<node> -P package.cmake
foreach(var SOURCE_DIR STAGE_DIR VSIX NODE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "package.cmake needs -D${var}=...")
  endif()
endforeach()

# vsce packages its working directory: stage a copy of the sources (the npm packages are linked,
# not copied) so the compiled JavaScript and the .vsix stay out of the source tree.
file(REMOVE_RECURSE ${STAGE_DIR})
file(MAKE_DIRECTORY ${STAGE_DIR})
foreach(item package.json package-lock.json README.md language-configuration.json .vscodeignore
             tsconfig.json src syntaxes snippets)
  file(COPY ${SOURCE_DIR}/${item} DESTINATION ${STAGE_DIR})
endforeach()
file(CREATE_LINK ${SOURCE_DIR}/node_modules ${STAGE_DIR}/node_modules SYMBOLIC)
file(REMOVE ${VSIX})

# The manifest's `vscode:prepublish` script compiles src/ into the staged out/ first.
execute_process(
  COMMAND ${NODE} node_modules/@vscode/vsce/vsce package
          --allow-missing-repository --skip-license --out ${VSIX}
  WORKING_DIRECTORY ${STAGE_DIR}
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "vsce package failed (${result})")
endif()
if(NOT EXISTS ${VSIX})
  message(FATAL_ERROR "vsce package reported success but wrote no ${VSIX}")
endif()

set(unpacked ${STAGE_DIR}.unpacked)
file(REMOVE_RECURSE ${unpacked})
file(ARCHIVE_EXTRACT INPUT ${VSIX} DESTINATION ${unpacked})
set(ext ${unpacked}/extension)
foreach(required extension.vsixmanifest)
  if(NOT EXISTS ${unpacked}/${required})
    message(FATAL_ERROR "${VSIX} lacks ${required}")
  endif()
endforeach()
# The packaged grammar, snippets and configuration are the sources' own.
foreach(shipped syntaxes/privet.tmLanguage.json snippets/privet.json language-configuration.json
                package.json)
  if(NOT EXISTS ${ext}/${shipped})
    message(FATAL_ERROR "${VSIX} lacks extension/${shipped}")
  endif()
  file(SHA256 ${ext}/${shipped} packaged)
  file(SHA256 ${SOURCE_DIR}/${shipped} source)
  if(NOT packaged STREQUAL source)
    message(FATAL_ERROR "extension/${shipped} in ${VSIX} differs from the source")
  endif()
endforeach()
# The compiled extension and the client library it loads at run time.
foreach(required out/extension.js node_modules/vscode-languageclient/node.js)
  if(NOT EXISTS ${ext}/${required})
    message(FATAL_ERROR "${VSIX} lacks extension/${required}")
  endif()
endforeach()
file(READ ${ext}/out/extension.js js)
if(NOT js MATCHES "privet.restartServer" OR NOT js MATCHES "PRIVET_STDLIB_PATH")
  message(FATAL_ERROR "extension/out/extension.js in ${VSIX} is not the compiled src/extension.ts")
endif()
# Sources, tests and build-time packages stay out.
foreach(excluded src test tsconfig.json node_modules/typescript node_modules/@vscode/vsce
                 node_modules/vscode-textmate)
  if(EXISTS ${ext}/${excluded})
    message(FATAL_ERROR "${VSIX} should not contain extension/${excluded}")
  endif()
endforeach()
message(STATUS "packaged ${VSIX}")
