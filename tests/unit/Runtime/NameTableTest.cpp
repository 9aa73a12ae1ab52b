//===- NameTableTest.cpp - The runtime's name -> id table, including colliding names ---===//
#include "PolicyImpl.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

using namespace privet::rt;

namespace {

/// Inserts Names with ids 0, 1, ... into a table sized for them (or grown one by one).
NameTable tableOf(const std::vector<std::string> &Names, bool Sized = true) {
  NameTable T;
  if (Sized)
    T.reset(Names.size());
  for (size_t I = 0; I < Names.size(); ++I)
    T.insert(Names[I], uint32_t(I));
  return T;
}

void expectAllFound(const NameTable &T, const std::vector<std::string> &Names) {
  for (size_t I = 0; I < Names.size(); ++I)
    EXPECT_EQ(T.find(Names[I]), I) << "`" << Names[I] << "`";
}

/// Names shaped like a generated vocabulary: groups, subgroups, leaves.
std::vector<std::string> treeNames(const std::string &Prefix) {
  std::vector<std::string> Out;
  for (int G = 0; G < 6; ++G) {
    Out.push_back(Prefix + std::to_string(G));
    for (int S = 0; S < 7; ++S) {
      std::string Sub = Prefix + std::to_string(G) + "_" + std::to_string(S);
      Out.push_back(Sub);
      for (int L = 0; L < 6; ++L)
        Out.push_back(Sub + "_" + std::to_string(L));
    }
  }
  return Out;
}

/// Names (from a counter) whose probe starts at slot Home of a table sized for Count names.
std::vector<std::string> namesAtHome(size_t Count, size_t Home, size_t Wanted,
                                     const std::string &Prefix = "n") {
  NameTable Probe;
  Probe.reset(Count);
  std::vector<std::string> Out;
  for (uint64_t I = 0; Out.size() < Wanted && I < 100000000; ++I) {
    std::string Name = Prefix + std::to_string(I);
    if (Probe.home(Name) == Home)
      Out.push_back(Name);
  }
  return Out;
}

TEST(NameTableTest, FindsEveryNameOfTypicalVocabularies) {
  std::vector<std::string> Data = treeNames("d");
  ASSERT_EQ(Data.size(), 300u);
  expectAllFound(tableOf(Data), Data);
  std::vector<std::string> Qualified = treeNames("taxonomy.personal_data_");
  expectAllFound(tableOf(Qualified), Qualified);
  std::vector<std::string> Actions = {"collect", "use",    "share", "transfer",
                                      "store",   "delete", "sell",  "analyse"};
  expectAllFound(tableOf(Actions), Actions);
}

TEST(NameTableTest, EmptyAndSingleTables) {
  NameTable Empty;
  EXPECT_EQ(Empty.size(), 0u);
  EXPECT_EQ(Empty.find(""), InvalidId);
  EXPECT_EQ(Empty.find("use"), InvalidId);
  EXPECT_EQ(Empty.find("a_name_longer_than_sixteen_bytes"), InvalidId);
  Empty.reset(0);
  EXPECT_EQ(Empty.find("use"), InvalidId);

  NameTable One = tableOf({"use"});
  EXPECT_EQ(One.find("use"), 0u);
  EXPECT_EQ(One.find("us"), InvalidId);
  EXPECT_EQ(One.find("user"), InvalidId);
  EXPECT_EQ(One.find(""), InvalidId);
}

TEST(NameTableTest, EmptyStringIsANameLikeAnyOther) {
  NameTable T = tableOf({"a", "", "b"});
  EXPECT_EQ(T.find(""), 1u);
  EXPECT_EQ(T.find(std::string_view()), 1u); // a null view is the empty name too
  EXPECT_EQ(T.find("a"), 0u);
  EXPECT_EQ(T.find("b"), 2u);
  EXPECT_EQ(tableOf({"a", "b"}).find(""), InvalidId);
  EXPECT_EQ(tableOf({"a", "b"}).find(std::string_view()), InvalidId);
}

// A short name is packed into two words by loads that depend on its length, a long one is kept
// by hash and bytes: a name differing from a stored one in any single byte, at any length, must
// not be found.
TEST(NameTableTest, EveryByteOfEveryLengthCounts) {
  const std::string Pattern = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ";
  std::vector<std::string> Names;
  for (size_t L = 0; L <= 40; ++L)
    Names.push_back(Pattern.substr(0, L));
  NameTable T = tableOf(Names);
  expectAllFound(T, Names);
  for (size_t L = 1; L <= 40; ++L) {
    for (size_t K = 0; K < L; ++K) {
      std::string Changed = Names[L];
      Changed[K] = '_';
      EXPECT_EQ(T.find(Changed), InvalidId) << L << " " << K;
      Changed[K] = '\0';
      EXPECT_EQ(T.find(Changed), InvalidId) << L << " " << K;
    }
    EXPECT_EQ(T.find(Names[L] + "_"), InvalidId) << L;
    EXPECT_EQ(T.find("_" + Names[L - 1]), InvalidId) << L;
  }
}

TEST(NameTableTest, BytesAreUnsignedAndNulIsAByte) {
  std::vector<std::string> Names;
  for (int C = 0; C < 256; ++C)
    Names.push_back(std::string(1, char(C)));
  for (int C = 0; C < 256; C += 3)
    Names.push_back(std::string(1, char(C)) + char(255 - C));
  for (int C = 0; C < 256; C += 5)
    Names.push_back(std::string(1, char(C)) + '\0' + char(C ^ 0x80));
  Names.push_back(std::string("ab\0cd", 5));
  Names.push_back(std::string("abcdefgh\0ijklmnopq\xff", 19));
  NameTable T = tableOf(Names);
  expectAllFound(T, Names);
  EXPECT_EQ(T.find(std::string("ab\0ce", 5)), InvalidId);
  EXPECT_EQ(T.find(std::string("abcdefgh\0ijklmnopq\xfe", 19)), InvalidId);
  EXPECT_EQ(T.find(std::string("\0\0\0", 3)), InvalidId);
}

TEST(NameTableTest, CarriesDataBesideTheId) {
  NameTable T;
  std::vector<std::string> Names;
  for (uint32_t I = 0; I < 200; ++I) {
    Names.push_back(I % 3 ? "v" + std::to_string(I) : "a_long_name_for_value_" + std::to_string(I));
    T.insert(Names.back(), I, 1000 + I); // grows several times on the way
  }
  for (uint32_t I = 0; I < 200; ++I) {
    uint32_t Data = 0;
    EXPECT_EQ(T.find(Names[I], Data), I);
    EXPECT_EQ(Data, 1000 + I);
  }
  uint32_t Untouched = 7;
  EXPECT_EQ(T.find("v1000", Untouched), InvalidId);
  EXPECT_EQ(Untouched, 7u);
}

TEST(NameTableTest, KeepsItsOwnCopyOfLongNames) {
  NameTable T;
  {
    std::string Name = "taxonomy.a_name_well_beyond_fifteen_bytes";
    T.insert(Name, 3);
    Name[0] = 'X';
    Name = "something else entirely, also long";
  }
  EXPECT_EQ(T.find("taxonomy.a_name_well_beyond_fifteen_bytes"), 3u);
  EXPECT_EQ(T.find("Xaxonomy.a_name_well_beyond_fifteen_bytes"), InvalidId);
  EXPECT_EQ(T.find("something else entirely, also long"), InvalidId);
}

TEST(NameTableTest, FirstIdOfADuplicateNameIsKept) {
  NameTable T;
  T.insert("consent", 4);
  T.insert("consent", 9);
  T.insert("legitimate_interest_of_the_controller", 1);
  T.insert("legitimate_interest_of_the_controller", 2);
  EXPECT_EQ(T.size(), 2u);
  EXPECT_EQ(T.find("consent"), 4u);
  EXPECT_EQ(T.find("legitimate_interest_of_the_controller"), 1u);
}

TEST(NameTableTest, GrowsWhenNotSizedFirst) {
  std::vector<std::string> Names;
  for (int I = 0; I < 3000; ++I)
    Names.push_back((I % 2 ? "category_" : "a_much_longer_qualified.category_") +
                    std::to_string(I));
  NameTable T = tableOf(Names, /*Sized=*/false);
  EXPECT_EQ(T.size(), Names.size());
  expectAllFound(T, Names);
  EXPECT_EQ(T.find("category_3000"), InvalidId);
  EXPECT_EQ(T.find("category_0"), InvalidId); // only the long form of 0 was inserted
}

TEST(NameTableTest, NamesCollidingInTheirHomeSlot) {
  const size_t Count = 12;
  std::vector<std::string> Colliding = namesAtHome(Count, 3, Count + 1);
  ASSERT_EQ(Colliding.size(), Count + 1);
  std::string Unknown = Colliding.back();
  Colliding.pop_back();
  NameTable T = tableOf(Colliding);
  for (const std::string &Name : Colliding)
    EXPECT_EQ(T.home(Name), 3u);
  expectAllFound(T, Colliding);
  EXPECT_EQ(T.find(Unknown), InvalidId); // probes past every colliding name to the empty slot

  // Long names (hashed, compared by bytes) colliding with each other and with short ones.
  std::vector<std::string> Long = namesAtHome(Count, 3, 6, "a_long_qualified_name.");
  ASSERT_EQ(Long.size(), 6u);
  std::vector<std::string> Mixed(Colliding.begin(), Colliding.begin() + 6);
  Mixed.insert(Mixed.end(), Long.begin(), Long.end());
  NameTable M = tableOf(Mixed);
  expectAllFound(M, Mixed);
  EXPECT_EQ(M.find(Unknown), InvalidId);
}

TEST(NameTableTest, CollisionsInTheLastHomeSlotRunIntoTheTail) {
  const size_t Count = 10;
  NameTable Probe;
  Probe.reset(Count);
  const size_t Last = Probe.homeSlots() - 1;
  std::vector<std::string> Colliding = namesAtHome(Count, Last, Count + 1);
  ASSERT_EQ(Colliding.size(), Count + 1);
  std::string Unknown = Colliding.back();
  Colliding.pop_back();
  NameTable T = tableOf(Colliding);
  expectAllFound(T, Colliding);
  EXPECT_EQ(T.find(Unknown), InvalidId);
}

// Crafted names that all share one home slot would make every insertion probe past all the
// earlier ones; the table reseeds its hash instead and spreads them out.
TEST(NameTableTest, ReseedsWhenNamesPileUp) {
  const size_t Count = 120;
  std::vector<std::string> Colliding = namesAtHome(Count, 0, Count);
  ASSERT_EQ(Colliding.size(), Count);
  NameTable T = tableOf(Colliding);
  expectAllFound(T, Colliding);
  std::set<size_t> Homes;
  for (const std::string &Name : Colliding)
    Homes.insert(T.home(Name));
  EXPECT_GT(Homes.size(), Count / 2);
  EXPECT_EQ(T.find("n"), InvalidId);
}

// Not a correctness property, but a hash that spread these badly would make every lookup probe:
// names that differ only in their first bytes, only in bytes 8..14, or that are long.
TEST(NameTableTest, TypicalNamesSpreadOverTheHomeSlots) {
  std::vector<std::vector<std::string>> Vocabularies = {treeNames("d"), treeNames("p"),
                                                        treeNames("taxonomy.data_category_")};
  std::vector<std::string> Suffixed;
  for (int I = 0; I < 1000; ++I)
    Suffixed.push_back("purpose_" + std::to_string(I));
  Vocabularies.push_back(Suffixed);
  for (const std::vector<std::string> &Names : Vocabularies) {
    NameTable T = tableOf(Names);
    std::set<size_t> Homes;
    for (const std::string &Name : Names)
      Homes.insert(T.home(Name));
    // The number of distinct home slots a uniform hash would give.
    double Slots = double(T.homeSlots());
    double Uniform = Slots * (1 - std::exp(-double(Names.size()) / Slots));
    EXPECT_GE(double(Homes.size()), 0.85 * Uniform) << Names.front();
  }
}

} // namespace
