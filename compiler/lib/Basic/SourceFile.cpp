//===- SourceFile.cpp - Validated loading of source text ---------------------------------===//
#include "privet/Basic/SourceFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SourceMgr.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;

namespace privet {

static bool hasLoneCR(StringRef Text) {
  for (size_t I = Text.find('\r'); I != StringRef::npos; I = Text.find('\r', I + 1))
    if (I + 1 == Text.size() || Text[I + 1] != '\n')
      return true;
  return false;
}

std::optional<unsigned> addSourceBuffer(DiagnosticEngine &Diags,
                                        std::unique_ptr<MemoryBuffer> Buffer) {
  SourceMgr &SM = Diags.getSourceMgr();
  StringRef Text = Buffer->getBuffer();
  if (Text.startswith("\xEF\xBB\xBF"))
    Buffer = MemoryBuffer::getMemBufferCopy(Text.drop_front(3), Buffer->getBufferIdentifier());
  // SourceMgr counts lines by '\n' only, so a file with classic Mac (CR-only) line endings would
  // put every location on line 1. A lone CR becomes '\n' in our copy: same length, so offsets
  // and columns are unchanged; CRLF is left alone.
  Text = Buffer->getBuffer();
  if (hasLoneCR(Text)) {
    std::string Copy = Text.str();
    for (size_t I = 0; I < Copy.size(); ++I)
      if (Copy[I] == '\r' && (I + 1 == Copy.size() || Copy[I + 1] != '\n'))
        Copy[I] = '\n';
    Buffer = MemoryBuffer::getMemBufferCopy(Copy, Buffer->getBufferIdentifier());
  }
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
    Diags.report<diag::nul_byte>(
        SMRange(SMLoc::getFromPointer(Nul), SMLoc::getFromPointer(Nul + 1)));
    return std::nullopt;
  }
  if (BadUtf8) {
    std::string Hex;
    raw_string_ostream(Hex) << format_hex_no_prefix(static_cast<unsigned char>(*BadUtf8), 2, true);
    Diags.report<diag::invalid_utf8>(
        SMRange(SMLoc::getFromPointer(BadUtf8), SMLoc::getFromPointer(BadUtf8 + 1)), Hex);
    return std::nullopt;
  }
  return Id;
}

std::pair<unsigned, unsigned> lineAndColumn(SourceMgr &SM, SMLoc Loc, unsigned BufferId) {
  const char *P = Loc.getPointer();
  // FindLocForLineAndColumn is a lookup in SourceMgr's cached table of line starts, so the line
  // holding P is found by an exponential, then a binary, search: the last line starting at or
  // before P.
  auto StartOf = [&](unsigned Line) -> const char * {
    SMLoc L = SM.FindLocForLineAndColumn(BufferId, Line, 1);
    return L.isValid() ? L.getPointer() : nullptr;
  };
  unsigned Lo = 1, Hi = 2;
  while (const char *S = StartOf(Hi)) {
    if (S > P)
      break;
    Lo = Hi;
    Hi *= 2;
  }
  while (Hi - Lo > 1) {
    unsigned Mid = Lo + (Hi - Lo) / 2;
    const char *S = StartOf(Mid);
    if (S && S <= P)
      Lo = Mid;
    else
      Hi = Mid;
  }
  return {Lo, static_cast<unsigned>(P - StartOf(Lo)) + 1};
}

std::optional<unsigned> addSourceText(DiagnosticEngine &Diags, StringRef Text, StringRef Name) {
  return addSourceBuffer(Diags, MemoryBuffer::getMemBufferCopy(Text, Name));
}

uint64_t defaultMaxSourceBytes() {
  if (const char *Env = std::getenv("PRIVET_MAX_SOURCE_BYTES")) {
    uint64_t Value;
    if (!StringRef(Env).getAsInteger(10, Value) && Value > 0)
      return Value;
  }
  return DefaultMaxSourceBytes;
}

std::optional<unsigned> loadSourceFile(DiagnosticEngine &Diags, StringRef Path,
                                       SMRange IncludeRange, uint64_t MaxBytes) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, so `privet check
  // fifo` would hang before it could refuse the path. It changes nothing for a regular file.
  SmallString<256> PathZ(Path);
  int Fd = ::open(PathZ.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (Fd < 0) {
    Diags.report<diag::cannot_read_file>(IncludeRange, Path,
                                         std::error_code(errno, std::generic_category()).message());
    return std::nullopt;
  }
  struct stat St;
  if (::fstat(Fd, &St) != 0) {
    Diags.report<diag::cannot_read_file>(IncludeRange, Path,
                                         std::error_code(errno, std::generic_category()).message());
    ::close(Fd);
    return std::nullopt;
  }
  if (S_ISDIR(St.st_mode)) {
    ::close(Fd);
    Diags.report<diag::cannot_read_file>(IncludeRange, Path,
                                         std::make_error_code(std::errc::is_a_directory).message());
    return std::nullopt;
  }
  if (!S_ISREG(St.st_mode)) {
    ::close(Fd);
    Diags.report<diag::not_a_regular_file>(IncludeRange, Path);
    return std::nullopt;
  }
  uint64_t Size = static_cast<uint64_t>(St.st_size);
  if (Size > MaxBytes) {
    ::close(Fd);
    Diags.report<diag::file_too_large>(IncludeRange, Path, Size, MaxBytes);
    return std::nullopt;
  }
  auto BufferOrErr = MemoryBuffer::getOpenFile(sys::fs::convertFDToNativeFile(Fd), Path, Size,
                                               /*RequiresNullTerminator=*/true);
  ::close(Fd);
  if (!BufferOrErr) {
    Diags.report<diag::cannot_read_file>(IncludeRange, Path, BufferOrErr.getError().message());
    return std::nullopt;
  }
  return addSourceBuffer(Diags, std::move(*BufferOrErr));
}

} // namespace privet
