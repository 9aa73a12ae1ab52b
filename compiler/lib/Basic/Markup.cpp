//===- Markup.cpp - Text escaped for HTML and XML -----------------------------------------===//
#include "privet/Basic/Markup.h"

namespace privet {

std::string escapeMarkup(llvm::StringRef S) {
  std::string Out;
  Out.reserve(S.size());
  for (char C : S) {
    switch (C) {
    case '&':
      Out += "&amp;";
      break;
    case '<':
      Out += "&lt;";
      break;
    case '>':
      Out += "&gt;";
      break;
    case '"':
      Out += "&quot;";
      break;
    case '\'':
      Out += "&#39;";
      break;
    default:
      if (static_cast<unsigned char>(C) >= 0x20 || C == '\n' || C == '\t' || C == '\r')
        Out += C;
    }
  }
  return Out;
}

} // namespace privet
