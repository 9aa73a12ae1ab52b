// Lets clang compile the ANTLR 4.9 runtime headers; force-included (clang only) by grammar/.
//
// ANTLR 4.9's dfa::Vocabulary has `const std::vector<std::string>` members without initializers,
// so under clang's reading of the standard its defaulted default constructor is deleted, and the
// runtime's own misc/InterpreterData (included by antlr4-runtime.h) fails to compile. GCC accepts
// it. Giving those members empty initializers for the single inclusion of Vocabulary.h (it is
// `#pragma once`) changes neither layout nor behaviour: the library was built from the same
// declarations, and every constructor it defines initializes them explicitly.
#pragma once

#include <string>
#include <vector>

#include "antlr4-common.h"

#define _literalNames                                                                              \
  _literalNames {}
#define _symbolicNames                                                                             \
  _symbolicNames {}
#define _displayNames                                                                              \
  _displayNames {}
#include "Vocabulary.h"
#undef _literalNames
#undef _symbolicNames
#undef _displayNames
