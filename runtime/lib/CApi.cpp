//===- CApi.cpp - The C API (privet.h) over the C++ runtime ---------------------------===//
//
// Each C object holds a shared_ptr to its policy, so C callers may free objects in any order.
// Every entry point that can allocate catches exceptions: none may unwind into C.
//
//===------------------------------------------------------------------------------------===//
#include "privet/privet.h"

#include "privet/Json.h"
#include "privet/Runtime.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

using namespace privet::rt;

struct privet_policy {
  std::shared_ptr<const CompiledPolicy> P;
};

struct privet_request {
  std::shared_ptr<const CompiledPolicy> P;
  Request R;
};

struct privet_decision {
  std::shared_ptr<const CompiledPolicy> P;
  Decision D;
  /// Set when the call itself was unusable (a NULL argument, out of memory).
  std::string CallError;
};

struct privet_batch {
  std::shared_ptr<const CompiledPolicy> P;
  BatchDecider B;
};

struct privet_handle {
  std::unique_ptr<PolicyHandle> H;
};

namespace {

char *copyString(std::string_view S) {
  char *Out = static_cast<char *>(std::malloc(S.size() + 1));
  if (!Out)
    return nullptr;
  std::memcpy(Out, S.data(), S.size());
  Out[S.size()] = '\0';
  return Out;
}

void setError(char **Error, std::string_view Message) {
  if (Error)
    *Error = copyString(Message);
}

/// The number a caller passed as a privet_dim. Read through its bytes: a C caller may pass any int
/// (`(privet_dim)-1`), and loading a C++ enum outside its range is undefined behaviour.
unsigned dimNumber(const privet_dim &D) {
  std::underlying_type_t<privet_dim> V;
  std::memcpy(&V, &D, sizeof V);
  return unsigned(V);
}
bool validDim(const privet_dim &D) { return dimNumber(D) < NumDimensions; }
std::string noSuchDim(const privet_dim &D) {
  return "dimension " + std::to_string(dimNumber(D)) + " does not exist";
}

/// Strings handed out are NUL-terminated in the artifact; the views point at their first byte.
const char *cstr(std::string_view S) { return S.data(); }

privet_policy *wrap(Result<std::shared_ptr<const CompiledPolicy>> R, char **Error) {
  if (!R) {
    setError(Error, R.error());
    return nullptr;
  }
  return new privet_policy{R.take()};
}

template <typename Fn> int guarded(privet_request *Req, Fn &&F) {
  if (!Req)
    return -1;
  try {
    F(Req->R);
  } catch (...) {
    // A failed setter poisons the request, whatever failed: the next decide is an error.
    Req->R.recordError("out of memory");
    return -1;
  }
  return Req->R.hasError() ? -1 : 0;
}

privet_outcome outcomeOf(Decision::Kind K) {
  switch (K) {
  case Decision::Kind::Allow:
    return PRIVET_ALLOW;
  case Decision::Kind::Deny:
    return PRIVET_DENY;
  case Decision::Kind::Error:
    return PRIVET_ERROR;
  }
  return PRIVET_ERROR;
}

const Decision *batchDecision(const privet_batch *B, uint32_t Id) {
  return B && Id < B->B.numDecisions() ? &B->B.decision(Id) : nullptr;
}

} // namespace

extern "C" {

void privet_string_free(char *S) { std::free(S); }

privet_policy *privet_policy_load(const char *Path, char **Error) {
  if (!Path) {
    setError(Error, "no path given");
    return nullptr;
  }
  try {
    return wrap(CompiledPolicy::load(Path), Error);
  } catch (...) {
    setError(Error, "out of memory");
    return nullptr;
  }
}

privet_policy *privet_policy_from_bytes(const void *Data, size_t Size, char **Error) {
  if (!Data && Size) {
    setError(Error, "no data given");
    return nullptr;
  }
  try {
    return wrap(CompiledPolicy::fromBytes(
                    std::string_view(static_cast<const char *>(Data), Data ? Size : 0)),
                Error);
  } catch (...) {
    setError(Error, "out of memory");
    return nullptr;
  }
}

void privet_policy_free(privet_policy *P) { delete P; }

const char *privet_policy_name(const privet_policy *P) { return P ? cstr(P->P->name()) : ""; }
const char *privet_policy_title(const privet_policy *P) { return P ? cstr(P->P->title()) : ""; }
const char *privet_policy_version(const privet_policy *P) { return P ? cstr(P->P->version()) : ""; }
uint64_t privet_policy_content_hash(const privet_policy *P) { return P ? P->P->contentHash() : 0; }

uint32_t privet_value_count(const privet_policy *P, privet_dim D) {
  return P && validDim(D) ? P->P->numValues(Dim(dimNumber(D))) : 0;
}
uint32_t privet_value_id(const privet_policy *P, privet_dim D, const char *Name) {
  return P && validDim(D) && Name ? P->P->valueId(Dim(dimNumber(D)), Name) : PRIVET_INVALID_ID;
}
const char *privet_value_name(const privet_policy *P, privet_dim D, uint32_t Id) {
  if (!P || !validDim(D) || Id >= P->P->numValues(Dim(dimNumber(D))))
    return nullptr;
  return cstr(P->P->valueName(Dim(dimNumber(D)), Id));
}

uint32_t privet_attribute_count(const privet_policy *P) { return P ? P->P->numAttributes() : 0; }
uint32_t privet_attribute_id(const privet_policy *P, const char *Name) {
  return P && Name ? P->P->attributeId(Name) : PRIVET_INVALID_ID;
}
const char *privet_attribute_name(const privet_policy *P, uint32_t A) {
  return P && A < P->P->numAttributes() ? cstr(P->P->attributeName(A)) : nullptr;
}

/// The enum of attribute A, or InvalidId when A is out of range or not an enum.
static uint32_t enumOf(const privet_policy *P, uint32_t A) {
  if (!P || A >= P->P->numAttributes() || P->P->attributeKind(A) != AttrKind::Enum)
    return InvalidId;
  return P->P->attributeEnum(A);
}
uint32_t privet_attribute_enum_value_count(const privet_policy *P, uint32_t A) {
  uint32_t E = enumOf(P, A);
  return E == InvalidId ? 0 : P->P->numEnumValues(E);
}
uint32_t privet_attribute_enum_value_id(const privet_policy *P, uint32_t A, const char *Name) {
  uint32_t E = enumOf(P, A);
  return E == InvalidId || !Name ? PRIVET_INVALID_ID : P->P->enumValueId(E, Name);
}
const char *privet_attribute_enum_value_name(const privet_policy *P, uint32_t A, uint32_t V) {
  uint32_t E = enumOf(P, A);
  if (E == InvalidId || V >= P->P->numEnumValues(E))
    return nullptr;
  return cstr(P->P->enumValueName(E, V));
}

uint32_t privet_rule_count(const privet_policy *P) { return P ? P->P->numRules() : 0; }
const char *privet_rule_id(const privet_policy *P, uint32_t R) {
  return P && R < P->P->numRules() ? cstr(P->P->rule(R).Id) : nullptr;
}
const char *privet_rule_file(const privet_policy *P, uint32_t R) {
  return P && R < P->P->numRules() ? cstr(P->P->rule(R).File) : nullptr;
}
uint32_t privet_rule_line(const privet_policy *P, uint32_t R) {
  return P && R < P->P->numRules() ? P->P->rule(R).Line : 0;
}
uint32_t privet_rule_col(const privet_policy *P, uint32_t R) {
  return P && R < P->P->numRules() ? P->P->rule(R).Col : 0;
}
const char *privet_rule_source_text(const privet_policy *P, uint32_t R) {
  return P && R < P->P->numRules() ? cstr(P->P->rule(R).SourceText) : nullptr;
}

const char *privet_obligation_name(const privet_policy *P, uint32_t I) {
  if (!P || I >= P->P->numObligationInstances())
    return nullptr;
  return cstr(P->P->obligationName(P->P->obligationInstance(I).Obligation));
}
const char *privet_obligation_title(const privet_policy *P, uint32_t I) {
  if (!P || I >= P->P->numObligationInstances())
    return nullptr;
  return cstr(P->P->obligationTitle(P->P->obligationInstance(I).Obligation));
}
char *privet_obligation_describe(const privet_policy *P, uint32_t I) {
  if (!P || I >= P->P->numObligationInstances())
    return nullptr;
  try {
    return copyString(P->P->describeObligationInstance(I));
  } catch (...) {
    return nullptr;
  }
}

privet_request *privet_request_new(const privet_policy *P) {
  if (!P)
    return nullptr;
  try {
    return new privet_request{P->P, Request(*P->P)};
  } catch (...) {
    return nullptr;
  }
}
void privet_request_free(privet_request *R) { delete R; }
void privet_request_clear(privet_request *R) {
  if (R)
    R->R.clear();
}
const char *privet_request_error(const privet_request *R) {
  if (!R)
    return "no request given";
  return R->R.hasError() ? R->R.error().c_str() : nullptr;
}

int privet_request_set(privet_request *R, privet_dim D, const char *Name) {
  return guarded(R, [&](Request &Q) {
    if (!validDim(D))
      return Q.recordError(noSuchDim(D));
    Q.set(Dim(dimNumber(D)), std::string_view(Name ? Name : ""));
  });
}
int privet_request_set_id(privet_request *R, privet_dim D, uint32_t Id) {
  return guarded(R, [&](Request &Q) {
    if (!validDim(D))
      return Q.recordError(noSuchDim(D));
    Q.set(Dim(dimNumber(D)), Id);
  });
}
int privet_request_add_data(privet_request *R, const char *Name) {
  return guarded(R, [&](Request &Q) { Q.addData(std::string_view(Name ? Name : "")); });
}
int privet_request_add_data_id(privet_request *R, uint32_t Id) {
  return guarded(R, [&](Request &Q) { Q.addData(Id); });
}
int privet_request_omit(privet_request *R, privet_dim D) {
  return guarded(R, [&](Request &Q) {
    if (!validDim(D))
      return Q.recordError(noSuchDim(D));
    Q.omit(Dim(dimNumber(D)));
  });
}

int privet_request_set_bool(privet_request *R, const char *A, int V) {
  return guarded(R, [&](Request &Q) { Q.setBool(std::string_view(A ? A : ""), V != 0); });
}
int privet_request_set_int(privet_request *R, const char *A, int64_t V) {
  return guarded(R, [&](Request &Q) { Q.setInt(std::string_view(A ? A : ""), V); });
}
int privet_request_set_duration(privet_request *R, const char *A, int64_t Seconds) {
  return guarded(R, [&](Request &Q) { Q.setDuration(std::string_view(A ? A : ""), Seconds); });
}
int privet_request_set_enum(privet_request *R, const char *A, const char *V) {
  return guarded(R, [&](Request &Q) {
    Q.setEnum(std::string_view(A ? A : ""), std::string_view(V ? V : ""));
  });
}
int privet_request_set_bool_id(privet_request *R, uint32_t A, int V) {
  return guarded(R, [&](Request &Q) { Q.setBool(A, V != 0); });
}
int privet_request_set_int_id(privet_request *R, uint32_t A, int64_t V) {
  return guarded(R, [&](Request &Q) { Q.setInt(A, V); });
}
int privet_request_set_duration_id(privet_request *R, uint32_t A, int64_t Seconds) {
  return guarded(R, [&](Request &Q) { Q.setDuration(A, Seconds); });
}
int privet_request_set_enum_id(privet_request *R, uint32_t A, uint32_t V) {
  return guarded(R, [&](Request &Q) { Q.setEnum(A, V); });
}
int privet_request_unset_id(privet_request *R, uint32_t A) {
  return guarded(R, [&](Request &Q) { Q.unset(A); });
}

privet_decision *privet_decision_new(void) {
  try {
    return new privet_decision();
  } catch (...) {
    return nullptr;
  }
}
void privet_decision_free(privet_decision *D) { delete D; }

privet_outcome privet_decide(const privet_policy *P, const privet_request *R, privet_decision *D) {
  if (!D)
    return PRIVET_ERROR;
  D->CallError.clear();
  if (!P || !R) {
    D->CallError = !P ? "no policy given" : "no request given";
    return PRIVET_ERROR;
  }
  try {
    // Keep the policy alive while the decision points into it; skip the refcount traffic when
    // the same decision object is reused with the same policy.
    if (D->P != P->P)
      D->P = P->P;
    P->P->decide(R->R, D->D);
  } catch (...) {
    D->CallError = "out of memory";
    return PRIVET_ERROR;
  }
  return privet_decision_outcome(D);
}

privet_outcome privet_decision_outcome(const privet_decision *D) {
  if (!D || !D->CallError.empty())
    return PRIVET_ERROR;
  return outcomeOf(D->D.kind());
}

int privet_decision_permitted(const privet_decision *D) {
  return privet_decision_outcome(D) == PRIVET_ALLOW;
}

const char *privet_decision_error(const privet_decision *D) {
  if (!D)
    return "no decision given";
  if (!D->CallError.empty())
    return D->CallError.c_str();
  return D->D.isError() ? D->D.error().c_str() : nullptr;
}

size_t privet_decision_rule_count(const privet_decision *D) {
  return D && D->CallError.empty() ? D->D.rules().size() : 0;
}
uint32_t privet_decision_rule(const privet_decision *D, size_t I) {
  return I < privet_decision_rule_count(D) ? D->D.rules()[I] : PRIVET_INVALID_ID;
}
size_t privet_decision_obligation_count(const privet_decision *D) {
  return D && D->CallError.empty() ? D->D.obligations().size() : 0;
}
uint32_t privet_decision_obligation(const privet_decision *D, size_t I) {
  return I < privet_decision_obligation_count(D) ? D->D.obligations()[I] : PRIVET_INVALID_ID;
}

char *privet_decision_json(const privet_decision *D) {
  try {
    if (!D || !D->CallError.empty() || !D->P) {
      return copyString(errorJson(privet_decision_error(D) ? privet_decision_error(D)
                                                           : "the decision was never decided"));
    }
    return copyString(decisionJson(*D->P, D->D));
  } catch (...) {
    return nullptr;
  }
}

char *privet_decide_json(const privet_policy *P, const char *Json, size_t Length,
                         privet_outcome *Outcome) {
  if (Outcome)
    *Outcome = PRIVET_ERROR;
  try {
    std::string Out;
    Decision::Kind K = Decision::Kind::Error;
    if (!P || !Json)
      Out = errorJson(!P ? "no policy given" : "no request given");
    else
      K = decideJson(*P->P, std::string_view(Json, Length), Out);
    char *Result = copyString(Out);
    if (Result && Outcome)
      *Outcome = outcomeOf(K);
    return Result;
  } catch (...) {
    return nullptr;
  }
}

char *privet_explain(const privet_policy *P, const privet_request *R) {
  if (!P || !R)
    return copyString("decision: error: no policy or request given\n");
  try {
    return copyString(P->P->explain(R->R));
  } catch (...) {
    return nullptr;
  }
}

char *privet_why_not_json(const privet_policy *P, const privet_request *R, char **Error) {
  if (!P || !R) {
    setError(Error, "no policy or request given");
    return nullptr;
  }
  try {
    Result<WhyNot> W = P->P->whyNot(R->R);
    if (!W) {
      setError(Error, W.error());
      return nullptr;
    }
    return copyString(whyNotJson(*P->P, *W));
  } catch (...) {
    setError(Error, "out of memory");
    return nullptr;
  }
}

int64_t privet_permitted_values(const privet_policy *P, const privet_request *R, privet_dim D,
                                uint32_t *Out, size_t Capacity, char **Error) {
  if (!P || !R || !validDim(D) || (!Out && Capacity)) {
    setError(Error, "bad argument");
    return -1;
  }
  try {
    auto Values = P->P->permittedValues(R->R, Dim(dimNumber(D)));
    if (!Values) {
      setError(Error, Values.error());
      return -1;
    }
    for (size_t K = 0; K < Values->size() && K < Capacity; ++K)
      Out[K] = (*Values)[K];
    return int64_t(Values->size());
  } catch (...) {
    setError(Error, "out of memory");
    return -1;
  }
}

privet_handle *privet_handle_open(const char *Path, char **Error) {
  if (!Path) {
    setError(Error, "no path given");
    return nullptr;
  }
  try {
    auto H = PolicyHandle::open(Path);
    if (!H) {
      setError(Error, H.error());
      return nullptr;
    }
    return new privet_handle{H.take()};
  } catch (...) {
    setError(Error, "out of memory");
    return nullptr;
  }
}

int privet_handle_reload(privet_handle *H, const char *Path, char **Error) {
  if (!H || !Path) {
    setError(Error, "no handle or path given");
    return -1;
  }
  try {
    Status S = H->H->reload(Path);
    if (!S) {
      setError(Error, S.error());
      return -1;
    }
    return 0;
  } catch (...) {
    setError(Error, "out of memory");
    return -1;
  }
}

privet_policy *privet_handle_acquire(const privet_handle *H) {
  if (!H)
    return nullptr;
  try {
    return new privet_policy{H->H->get()};
  } catch (...) {
    return nullptr;
  }
}

void privet_handle_free(privet_handle *H) { delete H; }

privet_batch *privet_batch_new(const privet_policy *P) {
  if (!P)
    return nullptr;
  try {
    return new privet_batch{P->P, BatchDecider(*P->P)};
  } catch (...) {
    return nullptr;
  }
}

void privet_batch_free(privet_batch *B) { delete B; }

int privet_batch_decide(privet_batch *B, const privet_batch_columns *C, uint8_t *Outcome,
                        uint32_t *Decision, uint32_t *Rule, char **Error) {
  if (!B || !C) {
    setError(Error, !B ? "no batch given" : "no columns given");
    return -1;
  }
  try {
    // The C struct mirrors BatchColumns field by field; the attribute columns are copied since
    // their layouts are declared separately.
    BatchColumns In;
    In.NumRows = C->rows;
    for (unsigned D = 0; D < NumDimensions; ++D)
      In.Values[D] = C->values[D];
    In.DataOffsets = C->data_offsets;
    In.DataIds = C->data_ids;
    std::vector<BatchColumns::Attribute> Attrs(C->attribute_count);
    for (size_t A = 0; A < C->attribute_count; ++A)
      Attrs[A] = {C->attributes[A].attr, C->attributes[A].values, C->attributes[A].present};
    In.Attributes = Attrs.data();
    In.NumAttributes = Attrs.size();
    Status S = B->B.decide(In, BatchResults{Outcome, Decision, Rule});
    if (!S) {
      setError(Error, S.error());
      return -1;
    }
    return 0;
  } catch (...) {
    setError(Error, "out of memory");
    return -1;
  }
}

size_t privet_batch_decision_count(const privet_batch *B) { return B ? B->B.numDecisions() : 0; }

privet_outcome privet_batch_decision_outcome(const privet_batch *B, uint32_t Id) {
  const Decision *D = batchDecision(B, Id);
  return D ? outcomeOf(D->kind()) : PRIVET_ERROR;
}

const char *privet_batch_decision_error(const privet_batch *B, uint32_t Id) {
  const Decision *D = batchDecision(B, Id);
  return D && D->isError() ? D->error().c_str() : nullptr;
}

size_t privet_batch_decision_rule_count(const privet_batch *B, uint32_t Id) {
  const Decision *D = batchDecision(B, Id);
  return D ? D->rules().size() : 0;
}

uint32_t privet_batch_decision_rule(const privet_batch *B, uint32_t Id, size_t I) {
  const Decision *D = batchDecision(B, Id);
  return D && I < D->rules().size() ? D->rules()[I] : PRIVET_INVALID_ID;
}

size_t privet_batch_decision_obligation_count(const privet_batch *B, uint32_t Id) {
  const Decision *D = batchDecision(B, Id);
  return D ? D->obligations().size() : 0;
}

uint32_t privet_batch_decision_obligation(const privet_batch *B, uint32_t Id, size_t I) {
  const Decision *D = batchDecision(B, Id);
  return D && I < D->obligations().size() ? D->obligations()[I] : PRIVET_INVALID_ID;
}

int privet_batch_get_counts(const privet_batch *B, privet_batch_counts *Out) {
  if (!B || !Out)
    return -1;
  const BatchDecider::Counts &C = B->B.counts();
  *Out = {C.Rows,        C.RunRows,      C.MemoRows, C.WalkedRows, C.InterleavedRows,
          C.GeneralRows, C.MemoOffBlocks};
  return 0;
}

} // extern "C"
