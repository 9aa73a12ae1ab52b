//===- Markup.h - Text escaped for HTML and XML ----------------------------------*- C++ -*-===//
#ifndef PRIVET_BASIC_MARKUP_H
#define PRIVET_BASIC_MARKUP_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace privet {

/// S as the content of an HTML or XML element or of a quoted attribute value: `&`, `<`, `>`,
/// `"` and `'` become character references, and the C0 control characters XML 1.0 forbids even
/// as references (all but tab, line feed and carriage return; HTML treats them as parse errors)
/// are dropped.
std::string escapeMarkup(llvm::StringRef S);

} // namespace privet

#endif // PRIVET_BASIC_MARKUP_H
