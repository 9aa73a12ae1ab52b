//===- SamplePolicy.h - A small hand-built artifact shared by the runtime tests -*- C++ -*-===//
//
// The compiler is not involved: the diagram below is written out by hand so the runtime tests
// pin down the runtime alone. It encodes (approximately; only the runtime is under test):
//
//   action use; action share;
//   category personal_information { contact { name; email_address; } payment; ip_address; }
//   category profile;
//   purpose marketing; purpose site_operation;
//   enum consent_state { given, withdrawn, not_asked }
//   attribute marketing_opt_out: bool = false;   attribute consent_status: consent_state;
//   attribute age: int;                          attribute data_age: duration = 0 seconds;
//   obligation unsubscribe_link "Unsubscribe link";  obligation retain_for(duration) "Retention";
//   r0 marketing_email: allow use contact for marketing with unsubscribe_link
//   r1   except deny when marketing_opt_out;
//   r2 deny use payment for marketing;
//   r3 allow use ip_address for site_operation with retain_for(30 days)
//        when data_age < 30 days and age >= 16;
//   r4 allow use payment for site_operation when consent_status == given;
//   r5 deny use profile for marketing;
//   combine ip_address with email_address as profile;
//
// Nodes are deliberately listed root-first so that the serializer's renumbering is exercised.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_TESTS_SAMPLEPOLICY_H
#define PRIVET_TESTS_SAMPLEPOLICY_H

#include "privet/Artifact.h"
#include "privet/ArtifactContents.h"
#include "privet/Domain.h"
#include "privet/Runtime.h"

#include <cinttypes>
#include <cstdio>
#include <string>

namespace privet::rt::testing {

// Data value ids.
enum : uint32_t {
  PersonalInformation = 0,
  Contact = 1,
  Name = 2,
  EmailAddress = 3,
  Payment = 4,
  IpAddress = 5,
  Profile = 6
};
// Attribute ids.
enum : uint32_t { MarketingOptOut = 0, ConsentStatus = 1, Age = 2, DataAge = 3 };
constexpr int64_t Day = 86400;

inline ArtifactContents samplePolicy() {
  ArtifactContents C;
  C.PolicyName = "sample";
  C.PolicyTitle = "Sample Privacy Policy";
  C.PolicyVersion = "2026-01-01";
  C.SourceHash = 0x1234abcd5678ef00ull;

  for (unsigned D = 0; D < NumDimensions; ++D) {
    C.Dims[D].Name = std::string(domain::DimensionKeys[D]);
    C.Dims[D].ValueClass = {0};
    C.Dims[D].NumClasses = 1;
  }
  DimensionTable &Action = C.Dims[unsigned(Dim::Action)];
  Action.ValueNames = {"use", "share"};
  Action.ValueTitles = {"Use", "Share"};
  Action.IsLeaf = {1, 1};
  Action.Parents = {{}, {}};
  Action.ValueClass = {0, 1, 2};
  Action.NumClasses = 3;
  Action.NumLeafClasses = 2;
  Action.DerivedCovers = {{0, 1}};

  DimensionTable &Data = C.Dims[unsigned(Dim::Data)];
  Data.ValueNames = {"personal_information", "contact", "name", "email_address", "payment",
                     "ip_address",           "profile"};
  Data.ValueTitles = {
      "Personal Information", "Contact information", "", "Email address", "", "IP address", ""};
  Data.IsLeaf = {0, 0, 1, 1, 1, 1, 1};
  Data.Parents = {{}, {0}, {1}, {1}, {0}, {0}, {}};
  // Classes: 0 contact-like, 1 payment, 2 ip, 3 profile, 4 personal_information, 5 omitted.
  Data.ValueClass = {4, 0, 0, 0, 1, 2, 3, 5};
  Data.NumClasses = 6;
  Data.NumLeafClasses = 4;
  Data.DerivedCovers = {{0, 1, 2}, {0, 1, 2, 3}};

  DimensionTable &Purpose = C.Dims[unsigned(Dim::Purpose)];
  Purpose.ValueNames = {"marketing", "site_operation"};
  Purpose.ValueTitles = {"Marketing", "Site operation"};
  Purpose.IsLeaf = {1, 1};
  Purpose.Parents = {{}, {}};
  Purpose.ValueClass = {0, 1, 2};
  Purpose.NumClasses = 3;
  Purpose.NumLeafClasses = 2;
  Purpose.DerivedCovers = {{0, 1}};

  C.Enums = {{"consent_state", {"given", "withdrawn", "not_asked"}}};
  C.Attributes = {{"marketing_opt_out", AttrKind::Bool, 0, true, 0, {}},
                  {"consent_status", AttrKind::Enum, 0, false, 0, {}},
                  {"age", AttrKind::Int, 0, false, 0, {16}},
                  {"data_age", AttrKind::Duration, 0, true, 0, {30 * Day}}};
  C.Obligations = {{"unsubscribe_link", "Unsubscribe link", false, AttrKind::Bool, 0},
                   {"retain_for", "Retention", true, AttrKind::Duration, 0}};
  C.ObligationInstances = {{0, false, 0}, {1, true, 30 * Day}};

  auto Rule = [](const char *Id, bool Allow, uint32_t Parent, uint32_t Line, const char *Text,
                 std::vector<std::string> Sources) {
    RuleEntry R;
    R.Id = Id;
    R.IsAllow = Allow;
    R.Parent = Parent;
    R.File = "sample.privet";
    R.Line = Line;
    R.Col = 1;
    R.SourceText = Text;
    R.Sources = std::move(Sources);
    return R;
  };
  C.Rules = {
      Rule("marketing_email", true, UINT32_MAX, 10,
           "allow use contact for marketing with unsubscribe_link",
           {"§9 We may send you marketing communications"}),
      Rule("sample:11:3", false, 0, 11, "deny when marketing_opt_out",
           {"§9 You may opt out of marketing communications"}),
      Rule("no_payment_marketing", false, UINT32_MAX, 12, "deny use payment for marketing", {}),
      Rule("logs", true, UINT32_MAX, 13,
           "allow use ip_address for site_operation with retain_for(30 days) when data_age < "
           "30 days and age >= 16",
           {"§3 Log data", "§7 Retention"}),
      Rule("payments", true, UINT32_MAX, 15,
           "allow use payment for site_operation when consent_status == given", {}),
      Rule("no_profiling", false, UINT32_MAX, 16, "deny use profile for marketing", {}),
  };

  CombinationEntry Comb;
  Comb.Result = Profile;
  Comb.UnderFirst = {0, 0, 0, 0, 0, 1, 0};  // ip_address
  Comb.UnderSecond = {0, 0, 0, 1, 0, 0, 0}; // email_address
  Comb.UnderResult = {0, 0, 0, 0, 0, 0, 1}; // profile
  C.Combinations = {Comb};

  auto Term = [](bool Allow, std::vector<uint32_t> Rules, std::vector<uint32_t> Obls) {
    Terminal T;
    T.Allow = Allow;
    T.Rules = std::move(Rules);
    T.Obligations = std::move(Obls);
    return T;
  };
  C.Terminals = {
      Term(false, {}, {}),        // T0 default deny
      Term(true, {0}, {0}),       // T1 marketing_email
      Term(false, {1}, {}),       // T2 the opt-out exception
      Term(false, {2}, {}),       // T3 no_payment_marketing
      Term(true, {4}, {}),        // T4 payments
      Term(true, {3}, {1}),       // T5 logs, retain_for(30 days)
      Term(false, {5}, {}),       // T6 no_profiling
      Term(false, {1, 2}, {}),    // T7
      Term(false, {2, 5}, {}),    // T8
      Term(false, {1, 2, 5}, {}), // T9
  };
  auto T = [](uint32_t I) { return TerminalBit | I; };
  auto DimNode = [](Dim D, std::vector<uint32_t> Children) {
    Node N;
    N.K = Node::DimensionTest;
    N.Var = unsigned(D);
    N.Children = std::move(Children);
    return N;
  };
  auto AttrNode = [](uint32_t A, std::vector<uint32_t> Children, std::vector<int64_t> Th = {}) {
    Node N;
    N.K = Node::AttributeTest;
    N.Var = A;
    N.Thresholds = std::move(Th);
    N.Children = std::move(Children);
    return N;
  };
  C.Nodes = {
      /*N0*/ DimNode(Dim::Action, {1, T(0), T(0)}),
      /*N1*/ DimNode(Dim::Purpose, {2, 3, 4}),
      // marketing
      /*N2*/ DimNode(Dim::Data, {5, T(3), T(0), T(6), 6, 7}),
      // site_operation
      /*N3*/ DimNode(Dim::Data, {T(0), 8, 9, T(0), T(0), T(0)}),
      // purpose omitted
      /*N4*/ DimNode(Dim::Data, {10, T(3), T(0), T(6), 6, 7}),
      /*N5*/ AttrNode(MarketingOptOut, {T(1), T(2)}),
      /*N6*/ AttrNode(MarketingOptOut, {T(3), T(7)}),
      /*N7*/ AttrNode(MarketingOptOut, {T(8), T(9)}),
      /*N8*/ AttrNode(ConsentStatus, {T(4), T(0), T(0)}),
      /*N9*/ AttrNode(DataAge, {11, T(0)}, {30 * Day}),
      /*N10*/ AttrNode(MarketingOptOut, {T(0), T(2)}),
      /*N11*/ AttrNode(Age, {T(0), T(5)}, {16}),
  };
  C.Root = 0;
  return C;
}

/// What every decision JSON of P ends with, written out here apart from the runtime's renderer:
/// ,"policy":{"name":..,"version":..,"hash":"<16 hex digits>"} before the closing brace.
inline std::string policyJsonSuffix(const CompiledPolicy &P) {
  char Hash[17];
  std::snprintf(Hash, sizeof Hash, "%016" PRIx64, P.contentHash());
  return ",\"policy\":{\"name\":\"" + std::string(P.name()) + "\",\"version\":\"" +
         std::string(P.version()) + "\",\"hash\":\"" + Hash + "\"}}";
}

/// Json with the policy suffix removed, after checking that it is there and right: the tests of
/// the other fields compare what is left.
inline std::string withoutPolicy(const CompiledPolicy &P, const std::string &Json) {
  std::string Suffix = policyJsonSuffix(P);
  if (Json.size() < Suffix.size() ||
      Json.compare(Json.size() - Suffix.size(), Suffix.size(), Suffix) != 0)
    return "(no policy suffix `" + Suffix + "`) " + Json;
  return Json.substr(0, Json.size() - Suffix.size()) + "}";
}

/// Two versions of the sample for reload tests, told apart by name: v1 (the sample) allows email
/// marketing; v2 denies it.
inline std::string sampleVersion(bool Second) {
  ArtifactContents C = samplePolicy();
  C.PolicyName = Second ? "v2" : "v1";
  if (Second) {
    C.Terminals[1].Allow = false;
    C.Terminals[1].Obligations.clear();
  }
  return serializeArtifact(C);
}

} // namespace privet::rt::testing

#endif // PRIVET_TESTS_SAMPLEPOLICY_H
