//===- Protocol.h - The pure parts of the language server: framing, positions, context -*- C++
//-*-===//
//
// LSP positions count UTF-16 code units within a line; the compiler counts bytes. These helpers
// convert between the two, frame JSON-RPC messages with Content-Length headers and classify what
// the cursor expects for completion. They hold no state, so they are unit-tested directly.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_LSP_PROTOCOL_H
#define PRIVET_LSP_PROTOCOL_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace privet::lsp {

/// An LSP position: 0-based line and UTF-16 code unit within it.
struct Position {
  unsigned Line = 0;
  unsigned Character = 0;
  friend bool operator==(Position A, Position B) {
    return A.Line == B.Line && A.Character == B.Character;
  }
};

/// The byte offset of P in Text. A line past the end gives Text.size(); a character past the end
/// of its line gives the line's end (the spec says to clamp).
size_t offsetOf(llvm::StringRef Text, Position P);
/// The position of byte Offset in Text (clamped to Text.size()).
Position positionOf(llvm::StringRef Text, size_t Offset);

llvm::json::Object toJson(Position P);
/// Reads {"line":..,"character":..}; nullopt when either is missing.
std::optional<Position> positionFromJson(const llvm::json::Value *V);

/// What a completion at the cursor should offer.
struct CompletionContext {
  enum Kind {
    Any,
    Purpose,
    Basis,
    Obligation,
    Qualified,
    Recipient,     ///< After `to` or `role` (in `recipients where role R`).
    Region,        ///< After `in` (also `located in`).
    RecipientFact, ///< After `where`, or `and`/`or`/`not` within `recipients where`.
    Contract,      ///< After a fact's `under`: only `contract`.
  } K = Any;
  std::string Qualifier; ///< For Qualified: `gdpr` in `gdpr.con|`.
  std::string Prefix;    ///< The part of the name already typed before the cursor.
  std::string Keyword;   ///< The word before the name (`for`, `to`, ...), if any.
};
/// Classifies the cursor at byte Offset of Text by the word before the name being typed:
/// `for` expects a purpose, `under` a legal basis, `with` an obligation, `to` and `role` a
/// recipient, `in` a region; `name.` a member of that module. In a recipient-set expression
/// (`recipients where F`) a fact keyword is expected after `where`, `and`, `or` and `not`, and
/// `contract` after `under`.
CompletionContext completionContextAt(llvm::StringRef Text, size_t Offset);

/// The identifier (with `.` qualifiers) around byte Offset; empty when there is none.
/// Start receives its byte offset.
llvm::StringRef identifierAt(llvm::StringRef Text, size_t Offset, size_t &Start);

/// A lexical token for semantic highlighting: byte range and what it is.
struct LexToken {
  enum Kind { Keyword, String, Number, Comment, Annotation, Identifier } K;
  size_t Begin, End;
};
/// Splits Text into the tokens worth colouring (punctuation and blanks are skipped). A block
/// comment is one token even across lines; the caller splits it.
std::vector<LexToken> lexForHighlighting(llvm::StringRef Text);
bool isKeyword(llvm::StringRef Word);
llvm::ArrayRef<const char *> keywords();

/// file:///a%20b -> /a b; nullopt for another scheme.
std::optional<std::string> uriToPath(llvm::StringRef Uri);
std::string pathToUri(llvm::StringRef Path);

/// Reads one Content-Length framed message body from In. nullopt at end of input; Error is set
/// (and nullopt returned) when the header is malformed or the body is cut short.
std::optional<std::string> readMessage(std::FILE *In, std::string &Error);
void writeMessage(llvm::raw_ostream &OS, const llvm::json::Value &Message);

} // namespace privet::lsp

#endif // PRIVET_LSP_PROTOCOL_H
