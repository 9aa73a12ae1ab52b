//===- SourceMap.h - ANTLR positions as locations in the SourceMgr buffer --------*- C++ -*-===//
//
// Private to compiler/lib/Syntax, which alone includes ANTLR headers.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_LIB_SYNTAX_SOURCEMAP_H
#define PRIVET_LIB_SYNTAX_SOURCEMAP_H

#include "antlr4-runtime.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/SMLoc.h"

#include <vector>

namespace privet::syntax {

using llvm::SMLoc;
using llvm::SMRange;
using llvm::StringRef;

inline bool isAscii(StringRef Text) {
  return llvm::all_of(Text, [](char C) { return static_cast<unsigned char>(C) < 0x80; });
}

/// ANTLR's input stream over Text, decoded into exactly as many code points as Text has.
/// ANTLRInputStream's own decoding zero-fills a buffer of three code points per byte first:
/// for a 13 MB policy, 150 MB written before the lexer starts, the largest part of the
/// parse's memory. Valid UTF-8 decodes the same either way; anything else is left to ANTLR's
/// decoding, so that it fails as it always has.
class SourceInputStream : public antlr4::ANTLRInputStream {
public:
  explicit SourceInputStream(StringRef Text) {
    if (isAscii(Text)) {
      _data.assign(Text.begin(), Text.end());
      return;
    }
    _data.resize(Text.size());
    const auto *From = reinterpret_cast<const llvm::UTF8 *>(Text.data());
    auto *To = reinterpret_cast<llvm::UTF32 *>(&_data[0]);
    llvm::UTF32 *Start = To;
    if (llvm::ConvertUTF8toUTF32(&From, From + Text.size(), &To, To + Text.size(),
                                 llvm::strictConversion) == llvm::conversionOK) {
      _data.resize(size_t(To - Start));
      _data.shrink_to_fit();
      return;
    }
    load(std::string(Text));
  }
};

/// Maps ANTLR's code-point indexes to byte offsets in the buffer (identity for ASCII text).
class SourceMap {
public:
  explicit SourceMap(StringRef Text) : Text(Text) {
    if (isAscii(Text))
      return;
    for (size_t I = 0; I < Text.size(); ++I)
      if ((static_cast<unsigned char>(Text[I]) & 0xC0) != 0x80)
        ByteOf.push_back(I);
    ByteOf.push_back(Text.size());
  }

  SMLoc loc(size_t CodePoint) const {
    size_t Byte = ByteOf.empty()              ? CodePoint
                  : CodePoint < ByteOf.size() ? ByteOf[CodePoint]
                                              : Text.size();
    if (Byte > Text.size())
      Byte = Text.size();
    return SMLoc::getFromPointer(Text.data() + Byte);
  }

  SMRange range(const antlr4::Token *T) const {
    if (!T)
      return {};
    if (T->getType() == antlr4::Token::EOF)
      return SMRange(loc(Text.size()), loc(Text.size()));
    return SMRange(loc(T->getStartIndex()), loc(T->getStopIndex() + 1));
  }

  SMRange range(antlr4::ParserRuleContext *Ctx) const {
    if (!Ctx || !Ctx->getStart())
      return {};
    SMRange Start = range(Ctx->getStart());
    const antlr4::Token *Stop = Ctx->getStop();
    if (!Stop || Stop->getTokenIndex() < Ctx->getStart()->getTokenIndex())
      return Start;
    return SMRange(Start.Start, range(Stop).End);
  }

  StringRef slice(SMRange R) const {
    if (!R.isValid())
      return {};
    return StringRef(R.Start.getPointer(), R.End.getPointer() - R.Start.getPointer());
  }

  StringRef Text;

private:
  std::vector<uint32_t> ByteOf;
};

} // namespace privet::syntax

#endif // PRIVET_LIB_SYNTAX_SOURCEMAP_H
