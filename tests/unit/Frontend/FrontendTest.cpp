//===- FrontendTest.cpp - Loading policies from disk and from an in-memory overlay ------===//
#include "privet/Frontend/Frontend.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace privet;

namespace {

struct Loaded {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags{SM};
  std::string codes() const {
    std::string Out;
    for (const auto *D : Diags.sorted())
      Out += D->code().str() + " " + D->Message + "\n";
    return Out;
  }
};

/// A scratch directory, removed afterwards.
struct TempDir {
  llvm::SmallString<128> Path;
  TempDir() { EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("privet-frontend", Path)); }
  ~TempDir() { llvm::sys::fs::remove_directories(Path); }
  std::string file(llvm::StringRef Name, llvm::StringRef Text = {}) const {
    llvm::SmallString<128> P(Path);
    llvm::sys::path::append(P, Name);
    if (!Text.empty()) {
      std::error_code EC;
      llvm::raw_fd_ostream OS(P, EC);
      EXPECT_FALSE(EC);
      OS << Text;
    }
    return std::string(P);
  }
};

FrontendOptions noStdlib() {
  FrontendOptions O;
  O.StdlibDirs.clear();
  return O;
}

TEST(Frontend, OverlayNormalizesPaths) {
  SourceOverlay O;
  O.set("/a/b/../c.privet", "policy c;");
  ASSERT_NE(O.find("/a/./c.privet"), nullptr);
  EXPECT_EQ(*O.find("/a/c.privet"), "policy c;");
  EXPECT_EQ(O.find("/a/b/c.privet"), nullptr);
  O.remove("/a/c.privet");
  EXPECT_EQ(O.find("/a/c.privet"), nullptr);
}

TEST(Frontend, OverlayStandsInForFilesThatDoNotExist) {
  TempDir D;
  SourceOverlay O;
  O.set(D.file("p.privet"), "policy p;\nimport lib;\naction use;\nallow use lib.thing;\n");
  O.set(D.file("lib.privet"), "module lib;\ncategory thing;\n");
  FrontendOptions Opts = noStdlib();
  Opts.Overlay = &O;
  Loaded L;
  auto P = loadPolicy(D.file("p.privet"), Opts, L.Diags);
  ASSERT_TRUE(P) << L.codes();
  ASSERT_EQ(P->Files.size(), 2u);
  EXPECT_TRUE(P->vocab(Dimension::Data).lookup("lib.thing"));
}

TEST(Frontend, OverlayWinsOverTheDisk) {
  TempDir D;
  std::string Lib = D.file("lib.privet", "module lib;\ncategory on_disk;\n");
  std::string Root = D.file("p.privet", "policy p;\nimport lib;\n");
  SourceOverlay O;
  O.set(Lib, "module lib;\ncategory in_memory;\n");
  FrontendOptions Opts = noStdlib();
  Opts.Overlay = &O;
  Loaded L;
  auto P = loadPolicy(Root, Opts, L.Diags);
  ASSERT_TRUE(P) << L.codes();
  EXPECT_TRUE(P->vocab(Dimension::Data).lookup("lib.in_memory"));
  EXPECT_FALSE(P->vocab(Dimension::Data).lookup("lib.on_disk"));

  Loaded Disk;
  auto Q = loadPolicy(Root, noStdlib(), Disk.Diags);
  ASSERT_TRUE(Q) << Disk.codes();
  EXPECT_TRUE(Q->vocab(Dimension::Data).lookup("lib.on_disk"));
}

TEST(Frontend, ModulesAreInLoadOrderWithImportsLinked) {
  TempDir D;
  D.file("a.privet", "module a;\nimport c;\n");
  D.file("b.privet", "module b;\nimport c as cc;\n");
  D.file("c.privet", "module c;\n");
  std::string Root = D.file("p.privet", "policy p;\nimport a;\nimport b;\n");
  Loaded L;
  auto Mods = loadModules(Root, noStdlib(), L.Diags);
  ASSERT_TRUE(Mods) << L.codes();
  ASSERT_EQ(Mods->size(), 4u);
  std::vector<std::string> Names;
  for (const auto &M : *Mods)
    Names.push_back(M.AST->Head->Name);
  EXPECT_EQ(Names, (std::vector<std::string>{"p", "a", "c", "b"}));
  EXPECT_EQ((*Mods)[0].ImportOrder, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ((*Mods)[3].Imports.lookup("cc"), 2u);
}

TEST(Frontend, TheModuleLimitIsADiagnostic) {
  TempDir D;
  D.file("a.privet", "module a;\nimport b;\n");
  D.file("b.privet", "module b;\n");
  std::string Root = D.file("p.privet", "policy p;\nimport a;\n");
  FrontendOptions Opts = noStdlib();
  Opts.MaxModules = 2;
  Loaded L;
  EXPECT_FALSE(loadPolicy(Root, Opts, L.Diags));
  EXPECT_EQ(L.codes(), "E0109 a compilation may load at most 2 modules\n");
}

} // namespace

// The module cache: a module is parsed once while its text stays the same, and again after its
// text (on disk or in the overlay) changes; the Policy is the same either way.
TEST(ModuleCache, ReparsesOnlyWhatChanged) {
  TempDir T;
  std::string Lib = T.file("lib.privet", "module lib;\npurpose ads \"Ads\";\n");
  std::string Root = T.file("root.privet", "policy root;\nimport lib;\naction use;\n"
                                           "category data;\nallow use data for lib.ads;\n");
  ModuleCache Cache;
  SourceOverlay Overlay;
  FrontendOptions O = noStdlib();
  O.Cache = &Cache;
  O.Overlay = &Overlay;
  auto Load = [&](Loaded &L) { return loadPolicy(Root, O, L.Diags); };

  Loaded First;
  ASSERT_TRUE(Load(First)) << First.codes();
  EXPECT_EQ(Cache.parses(), 2u);
  EXPECT_EQ(Cache.hits(), 0u);

  // The root edited in the overlay: only the root is parsed again.
  Overlay.set(Root, "policy root;\nimport lib;\naction use;\ncategory data;\n"
                    "deny use data for lib.ads;\n");
  Loaded Second;
  auto P = Load(Second);
  ASSERT_TRUE(P) << Second.codes();
  EXPECT_EQ(Cache.parses(), 3u);
  EXPECT_EQ(Cache.hits(), 1u);
  ASSERT_EQ(P->Rules.size(), 1u);
  EXPECT_FALSE(P->Rules[0].IsAllow);
  // The first compilation's buffers still hold their text: the cached AST points into it.
  EXPECT_EQ(First.SM.getMemoryBuffer(2)->getBuffer(), Second.SM.getMemoryBuffer(2)->getBuffer());

  // The imported module changed on disk: it is parsed again, the root (unchanged) is not.
  T.file("lib.privet", "module lib;\npurpose ads \"Advertising\";\n");
  Loaded Third;
  P = Load(Third);
  ASSERT_TRUE(P) << Third.codes();
  EXPECT_EQ(Cache.parses(), 4u);
  EXPECT_EQ(Cache.hits(), 2u);
  EXPECT_EQ(P->vocab(Dimension::Purpose).Nodes.back().Title, "Advertising");

  // A module with an error is reported again on every load, not served from the cache.
  Overlay.set(Lib, "module lib;\npurpose ads \"Ads\" \"again\";\n");
  for (int I = 0; I < 2; ++I) {
    Loaded Broken;
    EXPECT_FALSE(Load(Broken));
    EXPECT_NE(Broken.codes().find("E0"), std::string::npos);
  }
  EXPECT_EQ(Cache.parses(), 6u);
}

// With recovery, the declarations that parsed are checked, names written in the broken one are
// not reported as unknown, and the load still fails.
TEST(Frontend, RecoveredSyntaxErrorsStillFail) {
  TempDir T;
  std::string Root = T.file("root.privet", "policy root;\naction use;\ncategory data;\n"
                                           "purpose ads \"Ads\" \"twice\";\n"
                                           "allow use data for ads;\n"
                                           "deny use dat for ads;\n");
  FrontendOptions O = noStdlib();
  O.RecoverSyntaxErrors = true;
  Loaded L;
  EXPECT_FALSE(loadPolicy(Root, O, L.Diags));
  std::string Codes = L.codes();
  EXPECT_NE(Codes.find("unknown data category `dat`"), std::string::npos) << Codes;
  EXPECT_EQ(Codes.find("`ads`"), std::string::npos) << Codes;
  EXPECT_EQ(L.Diags.errorCount(), 2u) << Codes;

  Loaded Plain;
  EXPECT_FALSE(loadPolicy(Root, noStdlib(), Plain.Diags));
  EXPECT_EQ(Plain.Diags.errorCount(), 1u) << Plain.codes();
}
