//===- Json.cpp - Decisions as JSON, the one definition of the decision schema --------===//
//
// `privet query --format json|--jsonl`, decideJson and the C API print decisions through this,
// so the schema documented in docs/runtime-api.md has a single implementation.
//
//===------------------------------------------------------------------------------------===//
#include "JsonImpl.h"

namespace privet::rt {

namespace json {

size_t utf8SequenceLength(std::string_view S) {
  auto B = [&](size_t I) { return static_cast<unsigned char>(S[I]); };
  auto Cont = [&](size_t I) { return I < S.size() && (B(I) & 0xC0) == 0x80; };
  unsigned char C = B(0);
  if (C < 0x80)
    return 1;
  if (C >= 0xC2 && C <= 0xDF)
    return Cont(1) ? 2 : 0;
  if (C >= 0xE0 && C <= 0xEF) {
    if (!Cont(1) || !Cont(2))
      return 0;
    // No overlong forms (E0 80..9F), no UTF-16 surrogates (ED A0..BF).
    if ((C == 0xE0 && B(1) < 0xA0) || (C == 0xED && B(1) > 0x9F))
      return 0;
    return 3;
  }
  if (C >= 0xF0 && C <= 0xF4) {
    if (!Cont(1) || !Cont(2) || !Cont(3))
      return 0;
    // No overlong forms (F0 80..8F), nothing past U+10FFFF (F4 90..).
    if ((C == 0xF0 && B(1) < 0x90) || (C == 0xF4 && B(1) > 0x8F))
      return 0;
    return 4;
  }
  return 0;
}

bool isValidUtf8(std::string_view S) {
  for (size_t I = 0; I < S.size();) {
    if (static_cast<unsigned char>(S[I]) < 0x80) {
      ++I;
      continue;
    }
    size_t N = utf8SequenceLength(S.substr(I));
    if (N == 0)
      return false;
    I += N;
  }
  return true;
}

} // namespace json

void appendJsonString(std::string &Out, std::string_view S) {
  static const char Hex[] = "0123456789abcdef";
  Out += '"';
  for (size_t I = 0; I < S.size(); ++I) {
    char C = S[I];
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
      if (U < 0x20 || U == 0x7F) {
        Out += "\\u00";
        Out += Hex[U >> 4];
        Out += Hex[U & 15];
      } else if (U < 0x80) {
        Out += C;
      } else if (size_t N = json::utf8SequenceLength(S.substr(I))) {
        Out.append(S, I, N);
        I += N - 1;
      } else {
        Out += "\xEF\xBF\xBD"; // U+FFFD REPLACEMENT CHARACTER for the invalid byte
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
                    std::string_view RawId, JsonlSession::JsonTable *Rules,
                    JsonlSession::JsonTable *Obligations, std::string_view PolicyJson) {
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
      Rules->appendTo(Out, R, [&](std::string &Text) { appendRule(Text, P, R); });
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
      Obligations->appendTo(Out, O, [&](std::string &Text) { appendObligation(Text, P, O); });
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

std::string errorJson(const CompiledPolicy &P, std::string_view Message, std::string_view RawId) {
  std::string Policy, Out;
  json::appendPolicy(Policy, P);
  json::appendError(Out, RawId, Message, Policy);
  return Out;
}

std::string decisionJson(const CompiledPolicy &P, const Decision &D, std::string_view RawId) {
  std::string Out;
  json::appendDecision(Out, P, D, RawId);
  return Out;
}

} // namespace privet::rt
