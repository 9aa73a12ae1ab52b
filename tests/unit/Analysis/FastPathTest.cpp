//===- FastPathTest.cpp - The indexed rule analyses against pairwise reference versions -===//
//
// checkReachability and checkRedundancy find the denies that cover a dead rule and the rule that
// makes another redundant through a scope index and, for rules without exceptions, through
// tests on their guards instead of their whole regions. These tests compute the same findings
// the straightforward way (every pair of rules, exact set operations on the regions) on random
// policies from tests/support, which have exceptions nested three deep, conditions, negated
// scope items and obligations, so every shortcut and every fallback is taken.
//
//===----------------------------------------------------------------------------------------===//
#include "RandomPolicy.h"
#include "privet/Analysis/Checks.h"
#include "privet/Analysis/Regions.h"

#include "fmt/format.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace privet;
using namespace privet::analysis;

namespace {

std::string kindOf(const Policy &P, uint32_t R) {
  if (!P.Rules[R].isTopLevel())
    return "exception";
  return P.Rules[R].IsAllow ? "allow rule" : "deny rule";
}

bool scopesOverlap(const PolicyRegions &R, uint32_t A, uint32_t B) {
  for (unsigned D = 0; D != NumDimensions; ++D)
    if (!R.effectiveDims(A)[D].anyCommon(R.effectiveDims(B)[D]))
      return false;
  return true;
}

bool scopeWithin(const PolicyRegions &R, uint32_t A, uint32_t B) {
  for (unsigned D = 0; D != NumDimensions; ++D) {
    llvm::BitVector X = R.effectiveDims(A)[D];
    X.reset(R.effectiveDims(B)[D]);
    if (X.any())
      return false;
  }
  return true;
}

std::string render(const Finding &F) {
  std::string Out = F.message();
  for (const FindingNote &N : F.Notes)
    Out += " | " + N.Message;
  return Out;
}

/// The dead-rule (covered by denies) and redundant-rule findings, computed pairwise.
std::vector<std::string> reference(const Policy &P, unsigned MaxNotes) {
  RequestSpace S({&P});
  PolicyRegions R(S, 0);
  Mdd &M = S.mdd();
  size_t N = P.Rules.size();
  std::vector<bool> Dead(N, false);
  std::vector<std::string> Out;
  auto Ref = [&](uint32_t X) { return "`" + P.Rules[X].Id + "`"; };
  for (uint32_t Rl = 0; Rl != N; ++Rl) {
    if (R.applies(Rl) == Mdd::False) {
      Dead[Rl] = true;
      continue;
    }
    if (!P.Rules[Rl].IsAllow)
      continue;
    Mdd::Ref Reach = M.diff(R.own(Rl), R.blocked(Rl));
    if (Reach != Mdd::False && M.diff(Reach, R.denied()) != Mdd::False)
      continue;
    Dead[Rl] = true;
    if (R.own(Rl) == Mdd::False || Reach == Mdd::False || P.Rules[Rl].RetentionOf)
      continue; // Not the covering-deny cases.
    std::vector<uint32_t> Covering;
    for (uint32_t D = 0; D != N; ++D)
      if (!P.Rules[D].IsAllow && scopesOverlap(R, D, Rl) && M.conj(R.own(D), Reach) != Mdd::False)
        Covering.push_back(D);
    Finding F{diag::dead_rule, {}, P.Rules[Rl].Location, {}, {}};
    auto Single = std::find_if(Covering.begin(), Covering.end(),
                               [&](uint32_t D) { return M.diff(Reach, R.own(D)) == Mdd::False; });
    if (Single != Covering.end()) {
      F.Args = {kindOf(P, Rl), P.Rules[Rl].Id,
                fmt::format("{} {} covers its whole scope", kindOf(P, *Single), Ref(*Single))};
      F.Notes.push_back(
          {{}, fmt::format("{} {} denies everything it allows", kindOf(P, *Single), Ref(*Single))});
    } else {
      F.Args = {kindOf(P, Rl), P.Rules[Rl].Id, "deny rules cover its whole scope"};
      for (size_t I = 0; I != Covering.size() && I != MaxNotes; ++I)
        F.Notes.push_back({{},
                           fmt::format("{} {} denies part of its scope", kindOf(P, Covering[I]),
                                       Ref(Covering[I]))});
      if (Covering.size() > MaxNotes)
        F.Notes.back().Message += fmt::format(" (and {} more rules)", Covering.size() - MaxNotes);
    }
    Out.push_back(render(F));
  }
  for (uint32_t Rl = 0; Rl != N; ++Rl) {
    const Rule &X = P.Rules[Rl];
    if (!X.isTopLevel() || Dead[Rl] || !X.Exceptions.empty())
      continue;
    Mdd::Ref Mine = R.applies(Rl);
    for (uint32_t Other = 0; Other != N; ++Other) {
      const Rule &Y = P.Rules[Other];
      if (Other == Rl || !Y.isTopLevel() || Dead[Other] || Y.IsAllow != X.IsAllow ||
          !scopeWithin(R, Rl, Other))
        continue;
      if (X.IsAllow && !std::includes(Y.Obligations.begin(), Y.Obligations.end(),
                                      X.Obligations.begin(), X.Obligations.end()))
        continue;
      Mdd::Ref Theirs = X.IsAllow ? R.own(Other) : R.denyOut(Other);
      if (M.diff(Mine, Theirs) != Mdd::False)
        continue;
      if (Mine == Theirs && Other > Rl && Y.Exceptions.empty() &&
          (!X.IsAllow || X.Obligations == Y.Obligations))
        continue;
      Finding F{
          diag::redundant_rule,
          {kindOf(P, Rl), X.Id,
           fmt::format("{} {} already {} every request it applies to{}", kindOf(P, Other),
                       Ref(Other), X.IsAllow ? "allows" : "denies",
                       X.IsAllow && !X.Obligations.empty() ? ", with at least the same obligations"
                                                           : "")},
          X.Location,
          {{{}, fmt::format("{} {} is declared here", kindOf(P, Other), Ref(Other))}},
          {}};
      Out.push_back(render(F));
      break;
    }
  }
  llvm::sort(Out);
  return Out;
}

std::vector<std::string> fast(const Policy &P, unsigned MaxNotes) {
  AnalysisOptions Opts;
  Opts.MaxNotes = MaxNotes;
  std::vector<std::string> Out;
  for (const Finding &F : runAnalyses(P, Opts)) {
    if (F.Kind == diag::redundant_rule)
      Out.push_back(render(F));
    // The covering-deny forms of W0401 (the others do not search the denies).
    if (F.Kind == diag::dead_rule && F.Args.size() == 3 &&
        (F.Args[2] == "deny rules cover its whole scope" ||
         F.Args[2].find("covers its whole scope") != std::string::npos) &&
        F.Args[2] != "its exceptions cover its whole scope")
      Out.push_back(render(F));
  }
  llvm::sort(Out);
  return Out;
}

TEST(FastPathTest, CoveringDeniesAndRedundancyMatchThePairwiseChecks) {
  unsigned Compared = 0, Dead = 0, Redundant = 0;
  for (unsigned Seed = 1; Seed <= 400; ++Seed) {
    std::mt19937_64 Rng(Seed);
    Policy P = privet::testing::randomPolicy(Rng);
    // Few notes, so the "(and N more rules)" count is compared too.
    unsigned MaxNotes = 1 + Seed % 3;
    std::vector<std::string> Want = reference(P, MaxNotes), Got = fast(P, MaxNotes);
    ASSERT_EQ(Want, Got) << "seed " << Seed << "\n" << privet::testing::describePolicy(P);
    Compared += Want.size();
    for (const std::string &F : Want)
      (F.find("never takes effect") != std::string::npos ? Dead : Redundant)++;
  }
  // The comparison means something only if the random policies produce both kinds.
  EXPECT_GT(Dead, 20u);
  EXPECT_GT(Redundant, 20u);
  EXPECT_EQ(Compared, Dead + Redundant);
}

} // namespace
