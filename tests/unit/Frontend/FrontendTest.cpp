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
