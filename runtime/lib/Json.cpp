//===- Json.cpp - Decisions as JSON, the one definition of the decision schema --------===//
//
// `privet query --format json|--jsonl`, decideJson and the C API print decisions through this,
// so the schema documented in docs/runtime-api.md has a single implementation.
//
//===------------------------------------------------------------------------------------===//
#include "JsonImpl.h"

namespace privet::rt {

void appendJsonString(std::string &Out, std::string_view S) {
  static const char Hex[] = "0123456789abcdef";
  Out += '"';
  for (char C : S) {
    auto U = static_cast<unsigned char>(C);
    switch (C) {
    case '"':
      Out += "\\\"";
      break;
    case '\\':
      Out += "\\\\";
      break;
    case '\n':
      Out += "\\n";
      break;
    case '\r':
      Out += "\\r";
      break;
    case '\t':
      Out += "\\t";
      break;
    default:
      if (U < 0x20) {
        Out += "\\u00";
        Out += Hex[U >> 4];
        Out += Hex[U & 15];
      } else {
        Out += C;
      }
    }
  }
  Out += '"';
}

namespace json {

void appendRule(std::string &Out, const CompiledPolicy &P, uint32_t R) {
  RuleInfo Info = P.rule(R);
  Out += "{\"id\":";
  appendJsonString(Out, Info.Id);
  Out += ",\"file\":";
  appendJsonString(Out, Info.File);
  Out += ",\"line\":" + std::to_string(Info.Line) + ",\"col\":" + std::to_string(Info.Col) + "}";
}

void appendObligation(std::string &Out, const CompiledPolicy &P, uint32_t I) {
  ObligationInstance OI = P.obligationInstance(I);
  Out += "{\"name\":";
  appendJsonString(Out, P.obligationName(OI.Obligation));
  if (OI.HasArg) {
    AttrKind K = P.obligationParamKind(OI.Obligation);
    Out += ",\"arg\":";
    appendJsonString(Out, P.formatValue(K, P.obligationParamEnum(OI.Obligation), OI.Arg));
    if (K == AttrKind::Duration)
      Out += ",\"seconds\":" + std::to_string(OI.Arg);
  }
  Out += '}';
}

static void appendId(std::string &Out, std::string_view RawId) {
  Out += '{';
  if (RawId.empty())
    return;
  Out += "\"id\":";
  Out += RawId;
  Out += ',';
}

void appendPolicy(std::string &Out, const CompiledPolicy &P) {
  static const char Hex[] = "0123456789abcdef";
  Out += ",\"policy\":{\"name\":";
  appendJsonString(Out, P.name());
  Out += ",\"version\":";
  appendJsonString(Out, P.version());
  Out += ",\"hash\":\"";
  uint64_t H = P.contentHash();
  for (int Shift = 60; Shift >= 0; Shift -= 4)
    Out += Hex[(H >> Shift) & 15];
  Out += "\"}";
}

void appendError(std::string &Out, std::string_view RawId, std::string_view Message,
                 std::string_view PolicyJson) {
  appendId(Out, RawId);
  Out += "\"decision\":\"error\",\"error\":";
  appendJsonString(Out, Message);
  Out += PolicyJson;
  Out += '}';
}

void appendDecision(std::string &Out, const CompiledPolicy &P, const Decision &D,
                    std::string_view RawId, const JsonlSession::JsonTable *Rules,
                    const JsonlSession::JsonTable *Obligations, std::string_view PolicyJson) {
  std::string Own;
  if (PolicyJson.empty()) {
    appendPolicy(Own, P);
    PolicyJson = Own;
  }
  if (D.isError())
    return appendError(Out, RawId, D.error(), PolicyJson);
  appendId(Out, RawId);
  Out += D.permitted() ? "\"decision\":\"allow\",\"rules\":[" : "\"decision\":\"deny\",\"rules\":[";
  bool First = true;
  for (uint32_t R : D.rules()) {
    if (!First)
      Out += ',';
    First = false;
    if (Rules)
      Rules->appendTo(Out, R);
    else
      appendRule(Out, P, R);
  }
  Out += "],\"obligations\":[";
  First = true;
  for (uint32_t O : D.obligations()) {
    if (!First)
      Out += ',';
    First = false;
    if (Obligations)
      Obligations->appendTo(Out, O);
    else
      appendObligation(Out, P, O);
  }
  Out += ']';
  Out += PolicyJson;
  Out += '}';
}

} // namespace json

std::string errorJson(std::string_view Message, std::string_view RawId) {
  std::string Out;
  json::appendError(Out, RawId, Message);
  return Out;
}

std::string decisionJson(const CompiledPolicy &P, const Decision &D, std::string_view RawId) {
  std::string Out;
  json::appendDecision(Out, P, D, RawId);
  return Out;
}

} // namespace privet::rt
