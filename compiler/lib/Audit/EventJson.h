//===- EventJson.h - Reading a JSON Lines event's members ------------------*- C++ -*-===//
//
// Private to the audit library (and its unit test): the field values an event holds, read
// either from llvm::json's tree or, for the common flat line, in place.
//
//===------------------------------------------------------------------------------------===//
#ifndef PRIVET_LIB_AUDIT_EVENTJSON_H
#define PRIVET_LIB_AUDIT_EVENTJSON_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <utility>

namespace privet::audit {

/// An event field as the record holds it.
struct FieldValue {
  enum Kind { Missing, String, Integer, Number, Boolean, Array, Other } K = Missing;
  llvm::StringRef Str;
  int64_t Int = 0;
  bool Bool = false;
  const llvm::json::Array *Arr = nullptr;
};

/// The field value of a member of llvm::json's tree (null and absent are both Missing).
FieldValue fromJson(const llvm::json::Value *V);

/// An event's members read in place, for the common shape of a log line: an object whose
/// members are strings without escapes or control characters, integers of at most 18 digits,
/// true, false or null. What it accepts it reads exactly as llvm::json::parse would (a repeated
/// key's last value wins, as there); anything else (escapes, floats, arrays, nested objects and
/// every malformed line) returns false and is parsed by llvm::json::parse, whose messages the
/// gaps quote. Saves the tree, the owned strings and the map that parse builds for every line.
using FlatMembers = llvm::SmallVector<std::pair<llvm::StringRef, FieldValue>, 32>;
bool scanFlatObject(llvm::StringRef Text, FlatMembers &Out);

/// Whether Text is valid UTF-8, exactly as llvm::json::isUTF8 says, faster on ASCII.
bool isValidUtf8(llvm::StringRef Text);

} // namespace privet::audit

#endif // PRIVET_LIB_AUDIT_EVENTJSON_H
