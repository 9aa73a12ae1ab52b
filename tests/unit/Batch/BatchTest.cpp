//===- BatchTest.cpp - BatchDecider and DictionaryEncoder against decide() -----------------===//
//
// Random policies are compiled and loaded; random columns (omitted values, ids out of range,
// several data categories, unset and out-of-range attributes, runs of equal rows) are decided as
// a batch and row by row with decide(), and every row must agree: outcome, rules, obligations and
// error message.
//
//===----------------------------------------------------------------------------------------===//
#include "PolicyImpl.h"
#include "RandomPolicy.h"

#include "privet/Lower/Lowering.h"
#include "privet/Runtime.h"

#include "gtest/gtest.h"

#include <random>
#include <set>

using namespace privet;

namespace {

/// P compiled and loaded as the runtime would load its artifact; null if either step fails.
std::shared_ptr<const rt::CompiledPolicy> compileAndLoad(const Policy &P) {
  auto Contents = compilePolicy(P);
  if (!Contents) {
    llvm::consumeError(Contents.takeError());
    return nullptr;
  }
  auto Loaded = rt::CompiledPolicy::fromBytes(rt::serializeArtifact(*Contents));
  return Loaded ? Loaded.take() : nullptr;
}

std::shared_ptr<const rt::CompiledPolicy> compileRandom(std::mt19937_64 &Rng) {
  for (;;)
    if (auto CP = compileAndLoad(privet::testing::randomPolicy(Rng)))
      return CP;
}

/// Random columns for CP, kept alive together with the BatchColumns that points at them.
struct Columns {
  std::vector<uint32_t> Values[NumDimensions];
  std::vector<uint64_t> Offsets;
  std::vector<uint32_t> DataIds;
  std::vector<std::vector<int64_t>> AttrValues;
  std::vector<std::vector<uint8_t>> AttrPresent;
  /// A bool attribute's values as bytes too (BatchColumns::Attribute::Bools).
  std::vector<std::vector<uint8_t>> AttrBytes;
  std::vector<rt::BatchColumns::Attribute> Attrs;
  rt::BatchColumns View;
};

uint32_t randomId(std::mt19937_64 &Rng, uint32_t Count) {
  unsigned Pick = Rng() % 20;
  if (Pick == 0)
    return rt::InvalidId;
  if (Pick == 1)
    return Count + uint32_t(Rng() % 3); // out of range
  return Count ? uint32_t(Rng() % Count) : rt::InvalidId;
}

void randomColumns(const rt::CompiledPolicy &CP, std::mt19937_64 &Rng, size_t Rows, bool Csr,
                   Columns &C) {
  for (unsigned D = 0; D < NumDimensions; ++D) {
    if (Rng() % 6 == 0)
      continue; // the whole column omitted
    C.Values[D].resize(Rows);
    for (size_t R = 0; R < Rows; ++R)
      C.Values[D][R] = randomId(Rng, CP.numValues(rt::Dim(D)));
  }
  if (Csr) {
    C.Offsets.push_back(0);
    for (size_t R = 0; R < Rows; ++R) {
      unsigned N = Rng() % 4;
      for (unsigned K = 0; K < N; ++K)
        C.DataIds.push_back(randomId(Rng, CP.numValues(rt::Dim::Data)) %
                            (CP.numValues(rt::Dim::Data) + 1));
      C.Offsets.push_back(C.DataIds.size());
    }
  }
  for (uint32_t A = 0; A < CP.numAttributes(); ++A) {
    if (Rng() % 4 == 0)
      continue;
    std::vector<int64_t> V(Rows);
    std::vector<uint8_t> P(Rows);
    for (size_t R = 0; R < Rows; ++R) {
      P[R] = Rng() % 5 != 0;
      switch (CP.attributeKind(A)) {
      case rt::AttrKind::Bool:
        V[R] = int64_t(Rng() % 3); // 2 is true as well
        break;
      case rt::AttrKind::Enum:
        V[R] = int64_t(Rng() % (CP.numEnumValues(CP.attributeEnum(A)) + 1)) - (Rng() % 50 == 0);
        break;
      default:
        V[R] = int64_t(Rng() % 200) - 50;
      }
    }
    C.AttrValues.push_back(std::move(V));
    C.AttrPresent.push_back(std::move(P));
    C.Attrs.push_back({A, nullptr, nullptr});
  }
  // Runs of equal rows, as logs have them: copy some rows onto the next ones.
  for (size_t R = 1; R < Rows; ++R) {
    if (Rng() % 3)
      continue;
    for (auto &Col : C.Values)
      if (!Col.empty())
        Col[R] = Col[R - 1];
    for (size_t A = 0; A < C.Attrs.size(); ++A) {
      C.AttrValues[A][R] = C.AttrValues[A][R - 1];
      C.AttrPresent[A][R] = C.AttrPresent[A][R - 1];
    }
  }
  C.View.NumRows = Rows;
  for (unsigned D = 0; D < NumDimensions; ++D)
    C.View.Values[D] = C.Values[D].empty() ? nullptr : C.Values[D].data();
  if (Csr) {
    C.View.DataOffsets = C.Offsets.data();
    C.View.DataIds = C.DataIds.data();
  }
  for (size_t A = 0; A < C.Attrs.size(); ++A) {
    C.Attrs[A].Values = C.AttrValues[A].data();
    C.Attrs[A].Present = Rng() % 4 ? C.AttrPresent[A].data() : nullptr;
    // Half the bool columns as bytes (values 0, 1 and 2, as the int64 column holds them).
    C.AttrBytes.emplace_back(C.AttrValues[A].begin(), C.AttrValues[A].end());
    if (CP.attributeKind(C.Attrs[A].Attr) == rt::AttrKind::Bool && Rng() % 2) {
      C.Attrs[A].Values = nullptr;
      C.Attrs[A].Bools = C.AttrBytes[A].data();
    }
  }
  C.View.Attributes = C.Attrs.data();
  C.View.NumAttributes = C.Attrs.size();
}

/// Row R built as a Request through the public setters, as a caller without the batch API would.
rt::Request rowRequest(const rt::CompiledPolicy &CP, const rt::BatchColumns &In, size_t R) {
  rt::Request Req(CP);
  for (unsigned D = 0; D < NumDimensions; ++D) {
    if (rt::Dim(D) == rt::Dim::Data && In.DataOffsets)
      continue;
    if (In.Values[D] && In.Values[D][R] != rt::InvalidId)
      Req.set(rt::Dim(D), In.Values[D][R]);
  }
  if (In.DataOffsets)
    for (uint64_t K = In.DataOffsets[R]; K < In.DataOffsets[R + 1]; ++K)
      Req.addData(In.DataIds[K]);
  for (size_t A = 0; A < In.NumAttributes; ++A) {
    const rt::BatchColumns::Attribute &Col = In.Attributes[A];
    if (Col.Present && !Col.Present[R])
      continue;
    int64_t V = Col.Bools ? int64_t(Col.Bools[R]) : Col.Values[R];
    switch (CP.attributeKind(Col.Attr)) {
    case rt::AttrKind::Bool:
      Req.setBool(Col.Attr, V != 0);
      break;
    case rt::AttrKind::Int:
      Req.setInt(Col.Attr, V);
      break;
    case rt::AttrKind::Duration:
      Req.setDuration(Col.Attr, V);
      break;
    case rt::AttrKind::Enum:
      if (V < 0)
        Req.recordError("enum value id " + std::to_string(V) + " is out of range for attribute `" +
                        std::string(CP.attributeName(Col.Attr)) + "`");
      else
        Req.setEnum(Col.Attr, uint32_t(V));
      break;
    }
  }
  return Req;
}

std::vector<uint32_t> ids(rt::Span<uint32_t> S) { return {S.begin(), S.end()}; }

/// Every row is counted once, by the way it was answered.
void expectCountsAddUp(const rt::BatchDecider &Batch, uint64_t Rows) {
  const rt::BatchDecider::Counts &C = Batch.counts();
  EXPECT_EQ(C.Rows, Rows);
  EXPECT_EQ(C.RunRows + C.MemoRows + C.WalkedRows + C.GeneralRows, C.Rows);
  EXPECT_LE(C.InterleavedRows, C.WalkedRows);
}

/// Batches of random columns on random policies, every row against decide(). Adds the
/// deciders' counts to Sum.
void checkAgreesWithDecide(uint64_t Seed, rt::BatchDecider::Counts &Sum) {
  std::mt19937_64 Rng(Seed);
  size_t Checked = 0, Slow = 0;
  for (unsigned Policy = 0; Policy < 60; ++Policy) {
    auto CP = compileRandom(Rng);
    rt::BatchDecider Batch(*CP);
    uint64_t Total = 0;
    for (unsigned Round = 0; Round < 3; ++Round) {
      Columns C;
      // Rows are keyed in blocks of 256: calls of one block, of several and of a part.
      const size_t Rows = Round == 0 ? 200 : Round == 1 ? 777 : 513;
      randomColumns(*CP, Rng, Rows, /*Csr=*/Round == 2, C);
      std::vector<uint8_t> Outcome(Rows);
      std::vector<uint32_t> Id(Rows), Rule(Rows);
      rt::Status S = Batch.decide(C.View, {Outcome.data(), Id.data(), Rule.data()});
      ASSERT_TRUE(S.ok()) << S.error();
      expectCountsAddUp(Batch, Total += Rows);
      for (size_t R = 0; R < Rows; ++R) {
        rt::Decision Want = CP->decide(rowRequest(*CP, C.View, R));
        ASSERT_LT(Id[R], Batch.numDecisions());
        const rt::Decision &Got = Batch.decision(Id[R]);
        SCOPED_TRACE("policy " + std::to_string(Policy) + " round " + std::to_string(Round) +
                     " row " + std::to_string(R));
        ASSERT_EQ(uint8_t(Want.kind()), Outcome[R]);
        ASSERT_EQ(Want.kind(), Got.kind());
        ASSERT_EQ(Want.error(), Got.error());
        ASSERT_EQ(ids(Want.rules()), ids(Got.rules()));
        ASSERT_EQ(ids(Want.obligations()), ids(Got.obligations()));
        ASSERT_EQ(Want.rules().empty() ? rt::InvalidId : Want.rules()[0], Rule[R]);
        Slow += Want.isError() || Want.rules().size() > 1;
        ++Checked;
      }
    }
    const rt::BatchDecider::Counts &C = Batch.counts();
    Sum.Rows += C.Rows;
    Sum.RunRows += C.RunRows;
    Sum.MemoRows += C.MemoRows;
    Sum.WalkedRows += C.WalkedRows;
    Sum.InterleavedRows += C.InterleavedRows;
    Sum.GeneralRows += C.GeneralRows;
    Sum.MemoOffBlocks += C.MemoOffBlocks;
    // Interning: no two table entries have the same content.
    for (uint32_t A = 0; A < Batch.numDecisions(); ++A)
      for (uint32_t B = A + 1; B < Batch.numDecisions(); ++B) {
        const rt::Decision &X = Batch.decision(A), &Y = Batch.decision(B);
        EXPECT_FALSE(X.kind() == Y.kind() && X.error() == Y.error() &&
                     ids(X.rules()) == ids(Y.rules()) &&
                     ids(X.obligations()) == ids(Y.obligations()));
      }
  }
  EXPECT_EQ(Checked, 60u * (200 + 777 + 513));
  EXPECT_GT(Slow, 0u); // the general path was exercised too
}

TEST(BatchDecider, AgreesWithDecideOnRandomPolicies) {
  rt::BatchDecider::Counts C;
  checkAgreesWithDecide(20261201, C);
  // Every way of answering a row was taken; these small diagrams are walked one row at a time.
  EXPECT_GT(C.RunRows, 0u);
  EXPECT_GT(C.MemoRows, 0u);
  EXPECT_GT(C.WalkedRows, 0u);
  EXPECT_GT(C.GeneralRows, 0u);
  EXPECT_EQ(C.InterleavedRows, 0u);
}

/// The same with the walks interleaved, as they are on diagrams too large for the cache.
TEST(BatchDecider, InterleavedWalksAgreeWithDecide) {
  const uint64_t Saved = rt::InterleavedWalksFromWords;
  rt::InterleavedWalksFromWords = 0;
  rt::BatchDecider::Counts C;
  checkAgreesWithDecide(20261202, C);
  rt::InterleavedWalksFromWords = Saved;
  EXPECT_EQ(C.InterleavedRows, C.WalkedRows);
  EXPECT_GT(C.InterleavedRows, 0u);
  EXPECT_GT(C.MemoRows, 0u);
  EXPECT_GT(C.GeneralRows, 0u);
}

/// Rows that never repeat (an integer attribute counting up) turn the memo off for a while;
/// rows that repeat turn it back on, and every answer agrees with decide() throughout.
TEST(BatchDecider, LeavesOutTheMemoWhileRowsDoNotRepeat) {
  for (uint64_t Interleave : {uint64_t(0), ~uint64_t(0)}) {
    const uint64_t Saved = rt::InterleavedWalksFromWords;
    rt::InterleavedWalksFromWords = Interleave;
    std::mt19937_64 Rng(99);
    std::shared_ptr<const rt::CompiledPolicy> CP;
    uint32_t IntAttr = rt::InvalidId;
    while (IntAttr == rt::InvalidId) {
      CP = compileRandom(Rng);
      for (uint32_t A = 0; A < CP->numAttributes(); ++A)
        if (CP->attributeKind(A) == rt::AttrKind::Int)
          IntAttr = A;
    }
    rt::BatchDecider Batch(*CP);
    // 16 random tuples; in the first call each row has its own integer, in the second the
    // tuples repeat with it.
    constexpr size_t Rows = 256 * 40;
    Columns Tuples;
    randomColumns(*CP, Rng, 16, /*Csr=*/false, Tuples);
    for (unsigned D = 0; D < NumDimensions; ++D) // no mistakes: the memo may answer every tuple
      for (uint32_t &V : Tuples.Values[D])
        if (V != rt::InvalidId && V >= CP->numValues(rt::Dim(D)))
          V = rt::InvalidId;
    std::vector<uint32_t> Values[NumDimensions];
    std::vector<int64_t> Counter(Rows);
    for (unsigned Call = 0; Call < 2; ++Call) {
      rt::BatchColumns In;
      In.NumRows = Rows;
      for (unsigned D = 0; D < NumDimensions; ++D) {
        if (!Tuples.View.Values[D])
          continue;
        Values[D].resize(Rows);
        for (size_t R = 0; R < Rows; ++R)
          Values[D][R] = Tuples.View.Values[D][Rng() % 16];
        In.Values[D] = Values[D].data();
      }
      for (size_t R = 0; R < Rows; ++R)
        Counter[R] = Call == 0 ? int64_t(R) : int64_t(Rng() % 2);
      rt::BatchColumns::Attribute Col{IntAttr, Counter.data(), nullptr};
      In.Attributes = &Col;
      In.NumAttributes = 1;
      const rt::BatchDecider::Counts Before = Batch.counts();
      std::vector<uint32_t> Id(Rows);
      ASSERT_TRUE(Batch.decide(In, {nullptr, Id.data(), nullptr}).ok());
      expectCountsAddUp(Batch, Rows * (Call + 1));
      for (size_t R = 0; R < Rows; ++R) {
        rt::Decision Want = CP->decide(rowRequest(*CP, In, R));
        const rt::Decision &Got = Batch.decision(Id[R]);
        ASSERT_EQ(Want.kind(), Got.kind()) << "call " << Call << " row " << R;
        ASSERT_EQ(ids(Want.rules()), ids(Got.rules())) << "call " << Call << " row " << R;
        ASSERT_EQ(ids(Want.obligations()), ids(Got.obligations()));
      }
      const rt::BatchDecider::Counts &After = Batch.counts();
      if (Call == 0) {
        // Every block but the first and one in sixteen after it left the memo out.
        EXPECT_GE(After.MemoOffBlocks, 40u - 1 - 3);
        EXPECT_EQ(After.MemoRows, 0u);
      } else {
        // The first block that asks the memo again finds it useful and keeps it: only the
        // blocks the first call left it out for go without it.
        EXPECT_LE(After.MemoOffBlocks - Before.MemoOffBlocks, 15u);
        EXPECT_GT(After.MemoRows - Before.MemoRows, Rows / 2);
      }
    }
    rt::InterleavedWalksFromWords = Saved;
  }
}

TEST(BatchDecider, RejectsUnusableColumns) {
  std::mt19937_64 Rng(7);
  auto CP = compileRandom(Rng);
  while (CP->numAttributes() == 0)
    CP = compileRandom(Rng);
  rt::BatchDecider Batch(*CP);
  std::vector<int64_t> V(4, 0);
  std::vector<uint8_t> Out(4, 9);
  rt::BatchColumns::Attribute Twice[2] = {{0, V.data(), nullptr}, {0, V.data(), nullptr}};
  rt::BatchColumns C;
  C.NumRows = 4;
  C.Attributes = Twice;
  C.NumAttributes = 2;
  rt::Status S = Batch.decide(C, {Out.data(), nullptr, nullptr});
  ASSERT_FALSE(S.ok());
  EXPECT_NE(S.error().find("has two columns"), std::string::npos) << S.error();
  EXPECT_EQ(Out[0], 9); // nothing written

  // Bytes for an attribute that is not a bool.
  for (uint32_t A = 0; A < CP->numAttributes(); ++A)
    if (CP->attributeKind(A) != rt::AttrKind::Bool) {
      std::vector<uint8_t> Bytes(4, 1);
      rt::BatchColumns::Attribute NotBool{A, nullptr, nullptr, Bytes.data()};
      C.Attributes = &NotBool;
      C.NumAttributes = 1;
      S = Batch.decide(C, {Out.data(), nullptr, nullptr});
      ASSERT_FALSE(S.ok());
      EXPECT_NE(S.error().find("is not a bool"), std::string::npos) << S.error();
      EXPECT_EQ(Out[0], 9);
      break;
    }

  rt::BatchColumns::Attribute Far{CP->numAttributes(), V.data(), nullptr};
  C.Attributes = &Far;
  C.NumAttributes = 1;
  S = Batch.decide(C, {Out.data(), nullptr, nullptr});
  ASSERT_FALSE(S.ok());
  EXPECT_NE(S.error().find("out of range"), std::string::npos) << S.error();

  std::vector<uint64_t> Offsets = {0, 2, 1, 3, 3};
  std::vector<uint32_t> Data(3, 0);
  rt::BatchColumns D;
  D.NumRows = 4;
  D.DataOffsets = Offsets.data();
  D.DataIds = Data.data();
  S = Batch.decide(D, {Out.data(), nullptr, nullptr});
  ASSERT_FALSE(S.ok());
  EXPECT_EQ(S.error(), "data offsets decrease at row 1");
}

/// A random policy whose data dimension has Width more leaves, each with an allow or a deny rule
/// of its own: a class per leaf, so that the memo's keys take 16 bits per class instead of 8.
std::shared_ptr<const rt::CompiledPolicy> compileWide(std::mt19937_64 &Rng, unsigned Width) {
  for (;;) {
    Policy P = privet::testing::randomPolicy(Rng);
    P.Rules.clear();
    P.Combinations.clear();
    P.Invariants.clear();
    P.Tests.clear();
    Vocabulary &V = P.vocab(Dimension::Data);
    const size_t Old = V.Nodes.size();
    for (unsigned K = 0; K < Width; ++K) {
      VocabNode Node;
      Node.Name = "wide" + std::to_string(K);
      V.Nodes.push_back(Node);
    }
    privet::testing::closeVocabulary(V);
    for (unsigned K = 0; K < Width; ++K) {
      Rule R;
      R.Id = "wide_rule" + std::to_string(K);
      R.IsAllow = K % 3 != 0;
      privet::testing::addScopeItem(R.S, V, unsigned(Dimension::Data), NodeId(Old + K), false);
      P.Rules.push_back(std::move(R));
    }
    if (auto CP = compileAndLoad(P))
      return CP;
  }
}

TEST(BatchDecider, AgreesWithDecideWhenClassesNeedSixteenBits) {
  std::mt19937_64 Rng(7);
  std::set<uint32_t> Rules;
  for (unsigned Policy = 0; Policy < 4; ++Policy) {
    auto CP = compileWide(Rng, 300);
    ASSERT_GE(CP->numValues(rt::Dim::Data), 300u);
    rt::BatchDecider Batch(*CP);
    for (unsigned Round = 0; Round < 2; ++Round) {
      Columns C;
      const size_t Rows = 1000;
      randomColumns(*CP, Rng, Rows, /*Csr=*/Round == 1, C);
      std::vector<uint8_t> Outcome(Rows);
      std::vector<uint32_t> Id(Rows);
      rt::Status S = Batch.decide(C.View, {Outcome.data(), Id.data(), nullptr});
      ASSERT_TRUE(S.ok()) << S.error();
      for (size_t R = 0; R < Rows; ++R) {
        rt::Decision Want = CP->decide(rowRequest(*CP, C.View, R));
        const rt::Decision &Got = Batch.decision(Id[R]);
        SCOPED_TRACE("policy " + std::to_string(Policy) + " row " + std::to_string(R));
        ASSERT_EQ(uint8_t(Want.kind()), Outcome[R]);
        ASSERT_EQ(Want.error(), Got.error());
        ASSERT_EQ(ids(Want.rules()), ids(Got.rules()));
        ASSERT_EQ(ids(Want.obligations()), ids(Got.obligations()));
        if (!Got.rules().empty())
          Rules.insert(Got.rules()[0]);
      }
    }
  }
  // Rows of many wide categories were decided (and told apart: each has its own rule).
  EXPECT_GT(Rules.size(), 100u);
}

TEST(DictionaryEncoder, LooksUpEachDistinctNameOnce) {
  std::mt19937_64 Rng(11);
  auto CP = compileRandom(Rng);
  while (CP->numValues(rt::Dim::Purpose) < 2)
    CP = compileRandom(Rng);
  auto Enc = rt::DictionaryEncoder::forDimension(*CP, rt::Dim::Purpose);
  std::string A(CP->valueName(rt::Dim::Purpose, 0)), B(CP->valueName(rt::Dim::Purpose, 1));
  std::vector<std::string_view> Names = {A, A, B, "no-such-purpose", B, A, "no-such-purpose"};
  std::vector<uint32_t> Out(Names.size());
  Enc.encode(Names.data(), Names.size(), Out.data());
  EXPECT_EQ(Out, (std::vector<uint32_t>{0, 0, 1, rt::InvalidId, 1, 0, rt::InvalidId}));
  EXPECT_EQ(Enc.numDistinct(), 3u);

  // An encoder for a non-enum attribute knows no names.
  for (uint32_t Attr = 0; Attr < CP->numAttributes(); ++Attr) {
    auto E = rt::DictionaryEncoder::forEnumAttribute(*CP, Attr);
    if (CP->attributeKind(Attr) != rt::AttrKind::Enum) {
      EXPECT_EQ(E.encode("anything"), rt::InvalidId);
      continue;
    }
    uint32_t Enum = CP->attributeEnum(Attr);
    for (uint32_t V = 0; V < CP->numEnumValues(Enum); ++V)
      EXPECT_EQ(E.encode(CP->enumValueName(Enum, V)), V);
  }
}

} // namespace
