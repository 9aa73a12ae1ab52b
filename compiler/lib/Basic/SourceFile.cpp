//===- SourceFile.cpp - Validated loading of source text ---------------------------------===//
#include "privet/Basic/SourceFile.h"

#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SourceMgr.h"

#include <cstring>

using namespace llvm;

namespace privet {

std::optional<unsigned> addSourceBuffer(DiagnosticEngine &Diags,
                                        std::unique_ptr<MemoryBuffer> Buffer) {
  SourceMgr &SM = Diags.getSourceMgr();
  StringRef Text = Buffer->getBuffer();
  if (Text.startswith("\xEF\xBB\xBF"))
    Buffer = MemoryBuffer::getMemBufferCopy(Text.drop_front(3), Buffer->getBufferIdentifier());
  unsigned Id = SM.AddNewSourceBuffer(std::move(Buffer), SMLoc());
  StringRef Src = SM.getMemoryBuffer(Id)->getBuffer();

  const char *Nul = static_cast<const char *>(std::memchr(Src.data(), 0, Src.size()));
  const UTF8 *Cursor = reinterpret_cast<const UTF8 *>(Src.data());
  const UTF8 *End = reinterpret_cast<const UTF8 *>(Src.data() + Src.size());
  // The first problem in the file is reported; later ones are usually the same mistake.
  const char *BadUtf8 = nullptr;
  if (!isLegalUTF8String(&Cursor, End))
    BadUtf8 = reinterpret_cast<const char *>(Cursor);
  if (Nul && (!BadUtf8 || Nul < BadUtf8)) {
    Diags.report(diag::nul_byte,
                 SMRange(SMLoc::getFromPointer(Nul), SMLoc::getFromPointer(Nul + 1)));
    return std::nullopt;
  }
  if (BadUtf8) {
    std::string Hex;
    raw_string_ostream(Hex) << format_hex_no_prefix(static_cast<unsigned char>(*BadUtf8), 2, true);
    Diags.report(diag::invalid_utf8,
                 SMRange(SMLoc::getFromPointer(BadUtf8), SMLoc::getFromPointer(BadUtf8 + 1)), Hex);
    return std::nullopt;
  }
  return Id;
}

std::optional<unsigned> addSourceText(DiagnosticEngine &Diags, StringRef Text, StringRef Name) {
  return addSourceBuffer(Diags, MemoryBuffer::getMemBufferCopy(Text, Name));
}

std::optional<unsigned> loadSourceFile(DiagnosticEngine &Diags, StringRef Path,
                                       SMRange IncludeRange) {
  auto BufferOrErr = MemoryBuffer::getFile(Path, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/true);
  if (!BufferOrErr) {
    Diags.report(diag::cannot_read_file, IncludeRange, Path, BufferOrErr.getError().message());
    return std::nullopt;
  }
  return addSourceBuffer(Diags, std::move(*BufferOrErr));
}

} // namespace privet
