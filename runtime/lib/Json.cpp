//===- Json.cpp - Decisions as JSON, the one definition of the decision schema --------===//
//
// `privet query --format json|--jsonl` and the C API print decisions through this, so the
// schema documented in docs/runtime-api.md has a single implementation.
//
//===------------------------------------------------------------------------------------===//
#include "privet/Runtime.h"

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

std::string decisionJson(const CompiledPolicy &P, const Decision &D, std::string_view RawId) {
  std::string Out = "{";
  if (!RawId.empty()) {
    Out += "\"id\":";
    Out += RawId;
    Out += ',';
  }
  if (D.isError()) {
    Out += "\"decision\":\"error\",\"error\":";
    appendJsonString(Out, D.error());
    Out += '}';
    return Out;
  }
  Out += D.permitted() ? "\"decision\":\"allow\"" : "\"decision\":\"deny\"";
  Out += ",\"rules\":[";
  bool First = true;
  for (uint32_t R : D.rules()) {
    RuleInfo Info = P.rule(R);
    Out += First ? "" : ",";
    First = false;
    Out += "{\"id\":";
    appendJsonString(Out, Info.Id);
    Out += ",\"file\":";
    appendJsonString(Out, Info.File);
    Out += ",\"line\":" + std::to_string(Info.Line) + ",\"col\":" + std::to_string(Info.Col) + "}";
  }
  Out += "],\"obligations\":[";
  First = true;
  for (uint32_t N : D.obligations()) {
    ObligationInstance OI = P.obligationInstance(N);
    Out += First ? "" : ",";
    First = false;
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
  Out += "]}";
  return Out;
}

} // namespace privet::rt
