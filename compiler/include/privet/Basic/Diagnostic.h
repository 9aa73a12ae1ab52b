//===- Diagnostic.h - Collecting and rendering diagnostics -----------------------*- C++ -*-===//
//
// Every stage reports user mistakes through a DiagnosticEngine. Diagnostics are collected (never
// printed on the spot), sorted by location when rendered, and the error count decides the exit
// code. The kinds, their stable codes and formats live in DiagnosticKinds.def.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_BASIC_DIAGNOSTIC_H
#define PRIVET_BASIC_DIAGNOSTIC_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace privet {

namespace diag {
enum Kind : uint16_t {
#define DIAG(Name, Severity, Code, Format) Name,
#include "privet/Basic/DiagnosticKinds.def"
  NumKinds
};
} // namespace diag

enum class Severity : uint8_t { Ignored, Note, Warning, Error };

llvm::StringRef severityName(Severity S);

/// One row of the registry, for SARIF's rules array and documentation checks.
struct DiagnosticKindInfo {
  diag::Kind Kind;
  llvm::StringRef Name; ///< `unknown_name`
  llvm::StringRef Code; ///< `E0101`
  Severity DefaultSeverity;
  llvm::StringRef Format; ///< fmt-style, `{0}` placeholders
  /// The format with each placeholder replaced by `…`: a one-line summary of the kind.
  std::string summary() const;
};

/// Every kind, in registry order.
llvm::ArrayRef<DiagnosticKindInfo> allDiagnosticKinds();
const DiagnosticKindInfo &diagnosticKindInfo(diag::Kind K);
/// Looks a kind up by name (`unknown_name`) or code (`E0101`).
std::optional<diag::Kind> findDiagnosticKind(llvm::StringRef NameOrCode);

struct DiagnosticNote {
  std::string Message;
  llvm::SMRange Range; ///< May be invalid: a note without a location.
};

/// A replacement the user can apply: Range (End exclusive) becomes Text.
struct DiagnosticFixIt {
  llvm::SMRange Range;
  std::string Text;
};

struct Diagnostic {
  diag::Kind Kind;
  Severity Sev;        ///< After -W options.
  std::string Message; ///< Formatted, without the code.
  llvm::SMRange Range; ///< Start is the reported location (End exclusive); may be invalid.
  std::vector<DiagnosticNote> Notes;
  std::string Help; ///< E.g. "did you mean `consent`?"; empty if none.
  std::vector<DiagnosticFixIt> FixIts;

  llvm::StringRef code() const { return diagnosticKindInfo(Kind).Code; }
  llvm::StringRef name() const { return diagnosticKindInfo(Kind).Name; }
};

/// A location resolved to file/line/column (1-based; Line 0 when there is none).
struct ResolvedLoc {
  std::string File;
  unsigned Line = 0, Column = 0, EndLine = 0, EndColumn = 0; ///< EndColumn is exclusive.
};

class DiagnosticEngine;

/// Returned by DiagnosticEngine::report to attach notes, help and fix-its.
class DiagnosticBuilder {
public:
  DiagnosticBuilder(DiagnosticEngine &Engine, size_t Index) : Engine(Engine), Index(Index) {}
  DiagnosticBuilder &note(llvm::SMRange Range, llvm::StringRef Message);
  DiagnosticBuilder &note(llvm::SMLoc Loc, llvm::StringRef Message) {
    return note(llvm::SMRange(Loc, Loc), Message);
  }
  DiagnosticBuilder &help(llvm::StringRef Message);
  /// "did you mean `Name`?", with a fix-it replacing Range by Name.
  DiagnosticBuilder &didYouMean(llvm::SMRange Range, llvm::StringRef Name);
  DiagnosticBuilder &fixIt(llvm::SMRange Range, llvm::StringRef Text);

private:
  DiagnosticEngine &Engine;
  size_t Index;
};

namespace detail {
inline std::string toDiagArg(llvm::StringRef S) { return S.str(); }
inline std::string toDiagArg(const std::string &S) { return S; }
inline std::string toDiagArg(const char *S) { return S; }
template <typename T, typename = std::enable_if_t<std::is_integral<T>::value>>
std::string toDiagArg(T V) {
  return std::to_string(V);
}
std::string formatDiagnostic(llvm::StringRef Format, llvm::ArrayRef<std::string> Args);
} // namespace detail

enum class DiagnosticFormat { Text, Json };

class DiagnosticEngine {
public:
  explicit DiagnosticEngine(llvm::SourceMgr &SM) : SM(SM) {}

  llvm::SourceMgr &getSourceMgr() const { return SM; }

  template <typename... Args>
  DiagnosticBuilder report(diag::Kind K, llvm::SMRange Range, const Args &...A) {
    return reportFormatted(K, Range, {detail::toDiagArg(A)...});
  }
  template <typename... Args>
  DiagnosticBuilder report(diag::Kind K, llvm::SMLoc L, const Args &...A) {
    return reportFormatted(K, llvm::SMRange(L, L), {detail::toDiagArg(A)...});
  }
  /// A privet::Loc from the checked Policy (its Range must still point into this SourceMgr).
  template <typename LocT, typename... Args>
  auto report(diag::Kind K, const LocT &L, const Args &...A)
      -> decltype(L.Range, DiagnosticBuilder(*this, 0)) {
    return reportFormatted(K, L.Range, {detail::toDiagArg(A)...});
  }
  DiagnosticBuilder reportFormatted(diag::Kind K, llvm::SMRange Range,
                                    std::vector<std::string> Args);

  /// Applies one `-W` option: `no-<name>` ignores a warning, `error=<name>` makes it an error,
  /// `<name>` re-enables it. Returns false (and changes nothing) for an unknown name or an
  /// attempt to ignore or downgrade an error.
  bool applyWarningOption(llvm::StringRef Option);
  void setSeverity(diag::Kind K, Severity S);
  /// `--deny-warnings`: every warning reported from now on counts as an error.
  void setDenyWarnings(bool Deny) { DenyWarnings = Deny; }
  bool denyWarnings() const { return DenyWarnings; }
  Severity severityFor(diag::Kind K) const;

  unsigned errorCount() const { return NumErrors; }
  unsigned warningCount() const { return NumWarnings; }
  bool hasErrors() const { return NumErrors != 0; }
  /// True once a file could not be read (cannot_read_file, not_a_regular_file, file_too_large):
  /// callers exit with the I/O code.
  bool hasIOError() const { return IOError; }

  /// Collected diagnostics (ignored ones excluded), sorted by location: file load order, then
  /// offset; diagnostics without a location first.
  std::vector<const Diagnostic *> sorted() const;
  /// Everything collected, in report order, including ignored ones.
  const std::vector<Diagnostic> &all() const { return Diags; }

  ResolvedLoc resolve(llvm::SMRange Range) const;

  /// Diagnostics in this buffer are rendered without its source lines: it is not a policy
  /// (an `import` of `/etc/shadow` must not print the file in a CI log).
  void doNotQuote(unsigned BufferId) { Unquoted.push_back(BufferId); }
  bool isQuoted(unsigned BufferId) const { return !llvm::is_contained(Unquoted, BufferId); }

  /// Clang-style text: `file:line:col: error: message [E0101]`, the source line, a caret and `~`
  /// under the range, then the notes.
  void renderText(llvm::raw_ostream &OS, bool Colors) const;
  /// JSON, schema in docs/diagnostics.md.
  void renderJson(llvm::raw_ostream &OS) const;
  void render(llvm::raw_ostream &OS, DiagnosticFormat F, bool Colors) const {
    F == DiagnosticFormat::Json ? renderJson(OS) : renderText(OS, Colors);
  }
  /// Colours only when stderr is a terminal and NO_COLOR is unset.
  static bool shouldColorStderr();

private:
  friend class DiagnosticBuilder;

  llvm::SourceMgr &SM;
  std::vector<Diagnostic> Diags;
  std::vector<std::optional<Severity>> Overrides =
      std::vector<std::optional<Severity>>(diag::NumKinds);
  bool DenyWarnings = false;
  bool IOError = false;
  std::vector<unsigned> Unquoted;
  unsigned NumErrors = 0, NumWarnings = 0;
};

/// The closest of Candidates to Name by edit distance, if close enough to be a plausible typo.
std::optional<std::string> closestName(llvm::StringRef Name,
                                       llvm::ArrayRef<std::string> Candidates);

} // namespace privet

#endif // PRIVET_BASIC_DIAGNOSTIC_H
