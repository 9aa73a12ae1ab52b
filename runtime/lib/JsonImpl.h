//===- JsonImpl.h - The decision renderer shared by decisionJson and JSONL sessions -*- C++ -*-===//
#ifndef PRIVET_RUNTIME_LIB_JSONIMPL_H
#define PRIVET_RUNTIME_LIB_JSONIMPL_H

#include "privet/Json.h"

namespace privet::rt::json {

/// The length of the valid UTF-8 sequence at the start of S (1 to 4), or 0 when it is not one
/// (overlong forms, surrogates and code points past U+10FFFF are not).
size_t utf8SequenceLength(std::string_view S);
/// Whether all of S is valid UTF-8.
bool isValidUtf8(std::string_view S);
/// {"id":..,"file":..,"line":..,"col":..} for rule R.
void appendRule(std::string &Out, const CompiledPolicy &P, uint32_t R);
/// {"name":..[,"arg":..[,"seconds":..]]} for obligation instance I.
void appendObligation(std::string &Out, const CompiledPolicy &P, uint32_t I);
/// ,"policy":{"name":..,"version":..,"hash":".."}: which policy answered, for the decision log.
void appendPolicy(std::string &Out, const CompiledPolicy &P);
/// {["id":RawId,]"decision":"error","error":Message[,"policy":..]}, PolicyJson (appendPolicy's
/// text) closing it when the policy is known.
void appendError(std::string &Out, std::string_view RawId, std::string_view Message,
                 std::string_view PolicyJson = {});
/// D's decision object. Rules and obligations are copied from the tables when given (a session's
/// cache of appendRule/appendObligation, filled on first use), else rendered on the spot; so is
/// PolicyJson.
void appendDecision(std::string &Out, const CompiledPolicy &P, const Decision &D,
                    std::string_view RawId, JsonlSession::JsonTable *Rules = nullptr,
                    JsonlSession::JsonTable *Obligations = nullptr,
                    std::string_view PolicyJson = {});

} // namespace privet::rt::json

#endif // PRIVET_RUNTIME_LIB_JSONIMPL_H
