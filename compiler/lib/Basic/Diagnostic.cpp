//===- Diagnostic.cpp - The diagnostic registry, engine and renderers -------------------===//
#include "privet/Basic/Diagnostic.h"
#include "privet/Basic/SourceFile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

#include <fmt/args.h>
#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstdlib>

using namespace llvm;

namespace privet {

static const DiagnosticKindInfo KindTable[] = {
#define DIAG(Name, Sev, Code, Format) {diag::Name, #Name, Code, Severity::Sev, Format},
#include "privet/Basic/DiagnosticKinds.def"
};
static_assert(sizeof(KindTable) / sizeof(KindTable[0]) == diag::NumKinds, "one table row per kind");

StringRef severityName(Severity S) {
  switch (S) {
  case Severity::Ignored:
    return "ignored";
  case Severity::Note:
    return "note";
  case Severity::Warning:
    return "warning";
  case Severity::Error:
    return "error";
  }
  return "error";
}

std::string DiagnosticKindInfo::summary() const {
  std::string Out;
  for (size_t I = 0; I < Format.size(); ++I) {
    if (Format[I] == '{') {
      size_t Close = Format.find('}', I);
      if (Close != StringRef::npos) {
        Out += "…";
        I = Close;
        continue;
      }
    }
    Out += Format[I];
  }
  return Out;
}

ArrayRef<DiagnosticKindInfo> allDiagnosticKinds() { return KindTable; }

const DiagnosticKindInfo &diagnosticKindInfo(diag::Kind K) {
  assert(K < diag::NumKinds && "bad diagnostic kind");
  return KindTable[K];
}

std::optional<diag::Kind> findDiagnosticKind(StringRef NameOrCode) {
  // Command lines conventionally spell names with hyphens (`-W no-dead-rule`); accept both.
  std::string Name = NameOrCode.str();
  std::replace(Name.begin(), Name.end(), '-', '_');
  for (const auto &Info : KindTable)
    if (Info.Name == Name || Info.Code.equals_insensitive(NameOrCode))
      return Info.Kind;
  return std::nullopt;
}

namespace detail {
std::string formatDiagnostic(StringRef Format, ArrayRef<std::string> Args) {
  fmt::dynamic_format_arg_store<fmt::format_context> Store;
  for (const auto &A : Args)
    Store.push_back(A);
  try {
    return fmt::vformat(fmt::string_view(Format.data(), Format.size()), Store);
  } catch (const fmt::format_error &) {
    // A registry entry whose placeholders do not match its call site: our bug, but the user
    // should still see what went wrong.
    std::string Out = Format.str();
    for (const auto &A : Args)
      Out += " " + A;
    return Out;
  }
}
} // namespace detail

DiagnosticBuilder &DiagnosticBuilder::note(SMRange Range, StringRef Message) {
  Engine.Diags[Index].Notes.push_back({Message.str(), Range});
  return *this;
}

DiagnosticBuilder &DiagnosticBuilder::help(StringRef Message) {
  auto &Help = Engine.Diags[Index].Help;
  if (!Help.empty())
    Help += "; ";
  Help += Message.str();
  return *this;
}

DiagnosticBuilder &DiagnosticBuilder::didYouMean(SMRange Range, StringRef Name) {
  help(("did you mean `" + Name + "`?").str());
  if (Range.isValid())
    fixIt(Range, Name);
  return *this;
}

DiagnosticBuilder &DiagnosticBuilder::fixIt(SMRange Range, StringRef Text) {
  Engine.Diags[Index].FixIts.push_back({Range, Text.str()});
  return *this;
}

Severity DiagnosticEngine::severityFor(diag::Kind K) const {
  Severity S = Overrides[K].value_or(KindTable[K].DefaultSeverity);
  if (S == Severity::Warning && DenyWarnings)
    return Severity::Error;
  return S;
}

void DiagnosticEngine::setSeverity(diag::Kind K, Severity S) { Overrides[K] = S; }

bool DiagnosticEngine::applyWarningOption(StringRef Option) {
  Severity Target = Severity::Warning;
  StringRef Name = Option;
  if (Name.consume_front("no-"))
    Target = Severity::Ignored;
  else if (Name.consume_front("error="))
    Target = Severity::Error;
  auto K = findDiagnosticKind(Name);
  if (!K || KindTable[*K].DefaultSeverity != Severity::Warning)
    return false;
  setSeverity(*K, Target);
  return true;
}

DiagnosticBuilder DiagnosticEngine::reportFormatted(diag::Kind K, SMRange Range,
                                                    std::vector<std::string> Args) {
  Diagnostic D;
  D.Kind = K;
  D.Sev = severityFor(K);
  // report<K>() checks this at compile time; a run-time kind (an analysis finding) here.
  if (Args.size() != diag::formatShape(diag::Formats[K]).ArgCount) {
    D.Message = KindTable[K].Format.str() + " (internal error: " + std::to_string(Args.size()) +
                " arguments for this format)";
  } else {
    D.Message = detail::formatDiagnostic(KindTable[K].Format, Args);
  }
  D.Range = Range;
  if (D.Sev == Severity::Error)
    ++NumErrors;
  else if (D.Sev == Severity::Warning)
    ++NumWarnings;
  if (K == diag::cannot_read_file || K == diag::not_a_regular_file || K == diag::file_too_large)
    IOError = true;
  Diags.push_back(std::move(D));
  return DiagnosticBuilder(*this, Diags.size() - 1);
}

std::vector<const Diagnostic *> DiagnosticEngine::sorted() const {
  struct Keyed {
    unsigned Buffer;
    const char *Ptr;
    size_t Order;
    const Diagnostic *D;
  };
  std::vector<Keyed> Keys;
  for (size_t I = 0; I < Diags.size(); ++I) {
    const Diagnostic &D = Diags[I];
    if (D.Sev == Severity::Ignored)
      continue;
    SMLoc L = D.Range.Start;
    unsigned Buffer = L.isValid() ? SM.FindBufferContainingLoc(L) : 0;
    Keys.push_back({Buffer, L.isValid() ? L.getPointer() : nullptr, I, &D});
  }
  std::sort(Keys.begin(), Keys.end(), [](const Keyed &A, const Keyed &B) {
    if (A.Buffer != B.Buffer)
      return A.Buffer < B.Buffer;
    if (A.Ptr != B.Ptr)
      return std::less<const char *>()(A.Ptr, B.Ptr);
    return A.Order < B.Order;
  });
  std::vector<const Diagnostic *> Out;
  Out.reserve(Keys.size());
  for (auto &K : Keys)
    Out.push_back(K.D);
  return Out;
}

ResolvedLoc DiagnosticEngine::resolve(SMRange Range) const {
  ResolvedLoc R;
  if (!Range.Start.isValid())
    return R;
  unsigned Buffer = SM.FindBufferContainingLoc(Range.Start);
  if (!Buffer)
    return R;
  R.File = SM.getMemoryBuffer(Buffer)->getBufferIdentifier().str();
  std::tie(R.Line, R.Column) = lineAndColumn(SM, Range.Start, Buffer);
  SMLoc End = Range.End.isValid() ? Range.End : Range.Start;
  std::tie(R.EndLine, R.EndColumn) = lineAndColumn(SM, End, Buffer);
  if (R.EndLine == R.Line && R.EndColumn <= R.Column)
    R.EndColumn = R.Column + 1;
  return R;
}

static SourceMgr::DiagKind toLLVMKind(Severity S) {
  switch (S) {
  case Severity::Note:
  case Severity::Ignored:
    return SourceMgr::DK_Note;
  case Severity::Warning:
    return SourceMgr::DK_Warning;
  case Severity::Error:
    return SourceMgr::DK_Error;
  }
  return SourceMgr::DK_Error;
}

/// Text for a terminal: each control character but tab becomes `?`, one column for one, so the
/// caret stays under its column. A policy's escape sequences must not reach a terminal or a CI
/// log that renders them (an ESC could rewrite what the reader sees).
static std::string printable(StringRef S) {
  std::string Out = S.str();
  for (char &C : Out)
    if ((static_cast<unsigned char>(C) < 0x20 && C != '\t') || C == 0x7f)
      C = '?';
  return Out;
}

static void printOne(const DiagnosticEngine &Engine, raw_ostream &OS, bool Colors, SMRange Range,
                     SourceMgr::DiagKind Kind, const Twine &Message,
                     ArrayRef<SMFixIt> FixIts = {}) {
  if (!Range.Start.isValid()) {
    SMDiagnostic Diag("privet", Kind, printable(Message.str()));
    Diag.print(nullptr, OS, Colors);
    return;
  }
  const SourceMgr &SM = Engine.getSourceMgr();
  if (!Engine.isQuoted(SM.FindBufferContainingLoc(Range.Start))) {
    // The location alone, as `file:line:col` in the file-name slot: no line of the file.
    ResolvedLoc L = Engine.resolve(Range);
    SMDiagnostic Diag(L.File + ":" + std::to_string(L.Line) + ":" + std::to_string(L.Column), Kind,
                      printable(Message.str()));
    Diag.print(nullptr, OS, Colors);
    return;
  }
  SmallVector<SMRange, 1> Ranges;
  // A range is drawn with `~` only on its first line; an empty range is just the caret.
  if (Range.End.isValid() && Range.End.getPointer() > Range.Start.getPointer())
    Ranges.push_back(Range);
  SMDiagnostic D = SM.GetMessage(Range.Start, Kind, Message, Ranges, FixIts);
  std::string Line = printable(D.getLineContents());
  SMDiagnostic Printable(SM, D.getLoc(), printable(D.getFilename()), D.getLineNo(), D.getColumnNo(),
                         Kind, printable(D.getMessage()), Line, D.getRanges(), D.getFixIts());
  Printable.print(nullptr, OS, Colors);
}

void DiagnosticEngine::renderText(raw_ostream &Out, bool Colors) const {
  // Standard error is unbuffered: without colours (a file, a pipe, CI) the text goes out in 64 KiB
  // writes rather than one per piece, which for 150,000 warnings is the difference between
  // seconds of system calls and none. With colours (a terminal) it is written as it comes.
  std::string Pending;
  raw_string_ostream Buffer(Pending);
  raw_ostream &OS = Colors ? Out : Buffer;
  auto Drain = [&](bool Always) {
    if (Colors || (!Always && Pending.size() < (1u << 16)))
      return;
    Buffer.flush();
    Out << Pending;
    Pending.clear();
  };
  for (const Diagnostic *D : sorted()) {
    Drain(false);
    std::string Message = D->Message;
    if (!D->Help.empty())
      Message += "; " + D->Help;
    Message += " [" + D->code().str() + "]";
    SmallVector<SMFixIt, 2> FixIts;
    for (const auto &F : D->FixIts) {
      // SourceMgr only draws fix-its on the diagnostic's own line.
      if (F.Range.isValid())
        FixIts.push_back(SMFixIt(F.Range, F.Text));
    }
    printOne(*this, OS, Colors, D->Range, toLLVMKind(D->Sev), Message, FixIts);
    for (const auto &N : D->Notes)
      printOne(*this, OS, Colors, N.Range, SourceMgr::DK_Note, N.Message);
  }
  if (NumErrors || NumWarnings) {
    std::string Summary;
    if (NumErrors)
      Summary += std::to_string(NumErrors) + (NumErrors == 1 ? " error" : " errors");
    if (NumWarnings) {
      if (!Summary.empty())
        Summary += " and ";
      Summary += std::to_string(NumWarnings) + (NumWarnings == 1 ? " warning" : " warnings");
    }
    OS << Summary << " generated.\n";
  }
  Drain(true);
}

static json::Value locationJson(const DiagnosticEngine &Engine, SMRange Range) {
  ResolvedLoc R = Engine.resolve(Range);
  if (R.Line == 0)
    return nullptr;
  return json::Object{{"file", R.File},
                      {"line", R.Line},
                      {"column", R.Column},
                      {"endLine", R.EndLine},
                      {"endColumn", R.EndColumn}};
}

void DiagnosticEngine::renderJson(raw_ostream &OS) const {
  // Streamed, not built as one json::Value: a check with 100,000 findings would hold gigabytes.
  // Keys are written in sorted order, as printing a json::Object writes them.
  json::OStream J(OS, 2);
  J.object([&] {
    J.attributeArray("diagnostics", [&] {
      for (const Diagnostic *D : sorted())
        J.object([&] {
          J.attribute("code", D->code());
          J.attributeArray("fixits", [&] {
            for (const auto &F : D->FixIts)
              J.object([&] {
                J.attribute("location", locationJson(*this, F.Range));
                J.attribute("text", F.Text);
              });
          });
          if (!D->Help.empty())
            J.attribute("help", D->Help);
          J.attribute("location", locationJson(*this, D->Range));
          J.attribute("message", D->Message);
          J.attribute("name", D->name());
          J.attributeArray("notes", [&] {
            for (const auto &N : D->Notes)
              J.object([&] {
                J.attribute("location", locationJson(*this, N.Range));
                J.attribute("message", N.Message);
              });
          });
          J.attribute("severity", severityName(D->Sev));
        });
    });
    J.attribute("errors", NumErrors);
    J.attribute("version", 1);
    J.attribute("warnings", NumWarnings);
  });
  OS << "\n";
}

bool DiagnosticEngine::shouldColorStderr() {
  const char *NoColor = std::getenv("NO_COLOR");
  if (NoColor && *NoColor)
    return false;
  return errs().has_colors();
}

std::optional<std::string> closestName(StringRef Name, ArrayRef<std::string> Candidates) {
  // About one edit per three characters, as clang's typo correction allows.
  unsigned MaxDistance = std::max<unsigned>(1, (Name.size() + 2) / 3);
  std::optional<std::string> Best;
  unsigned BestDistance = MaxDistance + 1;
  for (const auto &C : Candidates) {
    if (C == Name)
      continue;
    unsigned D = Name.edit_distance(C, /*AllowReplacements=*/true, MaxDistance);
    if (D < BestDistance || (D == BestDistance && Best && C < *Best)) {
      BestDistance = D;
      Best = C;
    }
  }
  if (BestDistance > MaxDistance)
    return std::nullopt;
  return Best;
}

} // namespace privet
