//===- BodyCheck.h - Checks a request body passes before the runtime parses it -----*- C++ -*-===//
//
// The runtime's request parser reads the flat request schema and never recurses far, but a
// server also owes its clients clear errors for bodies that are not UTF-8 or that nest deeper
// than any request needs, and it should find them in one pass without recursion.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SERVE_BODYCHECK_H
#define PRIVET_SERVE_BODYCHECK_H

#include <string>
#include <string_view>

namespace privet::serve {

enum class BodyProblem { None, InvalidUtf8, TooDeep };

/// Checks Body is UTF-8 and that its JSON brackets (outside strings) nest at most MaxDepth deep.
/// Where says where the problem is ("byte 17").
BodyProblem checkBody(std::string_view Body, unsigned MaxDepth, std::string &Where);

} // namespace privet::serve

#endif // PRIVET_SERVE_BODYCHECK_H
