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
#include <string_view>
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

/// Each kind's format, in registry order, for compile-time checks of report() calls.
constexpr std::string_view Formats[] = {
#define DIAG(Name, Severity, Code, Format) Format,
#include "privet/Basic/DiagnosticKinds.def"
};

/// What a format's placeholders are: `{N}` only (no format specs, no automatic `{}`), `{{`/`}}`
/// escapes, and ArgCount the number of positional arguments, with every index below it used.
struct FormatShape {
  bool Valid = true;
  unsigned ArgCount = 0;
};

constexpr FormatShape formatShape(std::string_view F) {
  FormatShape S;
  uint64_t Used = 0;
  for (size_t I = 0; I < F.size(); ++I) {
    if (F[I] == '}') {
      if (I + 1 < F.size() && F[I + 1] == '}')
        ++I;
      else
        S.Valid = false;
      continue;
    }
    if (F[I] != '{')
      continue;
    if (I + 1 < F.size() && F[I + 1] == '{') {
      ++I;
      continue;
    }
    unsigned N = 0;
    size_t J = I + 1;
    for (; J < F.size() && F[J] >= '0' && F[J] <= '9'; ++J)
      N = N * 10 + unsigned(F[J] - '0');
    if (J == I + 1 || J >= F.size() || F[J] != '}' || N >= 64) {
      S.Valid = false;
      continue;
    }
    Used |= uint64_t(1) << N;
    if (N + 1 > S.ArgCount)
      S.ArgCount = N + 1;
    I = J;
  }
  if (S.ArgCount < 64 && Used != (uint64_t(1) << S.ArgCount) - 1)
    S.Valid = false; // an index skipped: its argument would be silently dropped
  return S;
}

constexpr bool allFormatsWellFormed() {
  for (std::string_view F : Formats)
    if (!formatShape(F).Valid)
      return false;
  return true;
}
static_assert(allFormatsWellFormed(),
              "a format in DiagnosticKinds.def has a malformed placeholder or skips an index");

/// The number of arguments kind K's format takes.
template <Kind K> constexpr unsigned ArgCount = formatShape(Formats[K]).ArgCount;
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
/// Arguments are text (names, messages) or integers (counts, sizes). Anything else is a compile
/// error: a bool or a char would print as a number, a pointer as an address.
inline std::string toDiagArg(llvm::StringRef S) { return S.str(); }
inline std::string toDiagArg(const std::string &S) { return S; }
inline std::string toDiagArg(const char *S) { return S; }
template <typename T, typename = std::enable_if_t<std::is_integral<T>::value>>
std::string toDiagArg(T V) {
  static_assert(!std::is_same<T, bool>::value && !std::is_same<T, char>::value,
                "a diagnostic argument is text or an integer, not a bool or a char");
  return std::to_string(V);
}
std::string formatDiagnostic(llvm::StringRef Format, llvm::ArrayRef<std::string> Args);
} // namespace detail

enum class DiagnosticFormat { Text, Json };

class DiagnosticEngine {
public:
  explicit DiagnosticEngine(llvm::SourceMgr &SM) : SM(SM) {}

  llvm::SourceMgr &getSourceMgr() const { return SM; }

  /// Reports kind K at Range: `Diags.report<diag::unknown_name>(Range, Name)`. The number of
  /// arguments is checked against K's format at compile time.
  template <diag::Kind K, typename... Args>
  DiagnosticBuilder report(llvm::SMRange Range, const Args &...A) {
    static_assert(sizeof...(Args) == diag::ArgCount<K>,
                  "the number of arguments does not match this diagnostic's format");
    return reportFormatted(K, Range, {detail::toDiagArg(A)...});
  }
  template <diag::Kind K, typename... Args>
  DiagnosticBuilder report(llvm::SMLoc L, const Args &...A) {
    return report<K>(llvm::SMRange(L, L), A...);
  }
  /// A privet::Loc from the checked Policy (its Range must still point into this SourceMgr).
  template <diag::Kind K, typename LocT, typename... Args>
  auto report(const LocT &L, const Args &...A) -> decltype(L.Range, DiagnosticBuilder(*this, 0)) {
    return report<K>(L.Range, A...);
  }
  /// For a kind known only at run time (analysis findings carry theirs): Args must have as many
  /// entries as K's format has placeholders, or the message says that it is malformed.
  DiagnosticBuilder reportFormatted(diag::Kind K, llvm::SMRange Range,
                                    std::vector<std::string> Args);

  /// The diagnostic reported Index-th, to add notes or help to it later.
  DiagnosticBuilder amend(size_t Index) { return DiagnosticBuilder(*this, Index); }

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
