//===- SearchPath.cpp - Where imports are looked for, and the in-memory overlay ---------===//
#include "privet/Frontend/Frontend.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

using namespace llvm;

namespace privet {

#ifndef PRIVET_STDLIB_DIR
#define PRIVET_STDLIB_DIR ""
#endif

std::vector<std::string> defaultStdlibDirs() {
  std::vector<std::string> Dirs;
  if (const char *Env = std::getenv("PRIVET_STDLIB_PATH")) {
    SmallVector<StringRef, 4> Parts;
    StringRef(Env).split(Parts, ':', -1, /*KeepEmpty=*/false);
    for (StringRef P : Parts)
      Dirs.push_back(P.str());
  }
  // An installed privet (<prefix>/bin/privet) reads the copy installed beside it, in
  // <prefix>/share/privet/stdlib, before the source tree it was built from (which may be gone).
  std::string Exe =
      sys::fs::getMainExecutable(nullptr, reinterpret_cast<void *>(&defaultStdlibDirs));
  if (!Exe.empty()) {
    SmallString<256> Installed(sys::path::parent_path(sys::path::parent_path(Exe)));
    sys::path::append(Installed, "share", "privet", "stdlib");
    if (sys::fs::is_directory(Installed))
      Dirs.push_back(std::string(Installed));
  }
  if (*PRIVET_STDLIB_DIR)
    Dirs.push_back(PRIVET_STDLIB_DIR);
  return Dirs;
}

std::string SourceOverlay::normalize(StringRef Path) {
  SmallString<256> Abs(Path);
  sys::fs::make_absolute(Abs);
  sys::path::remove_dots(Abs, /*remove_dot_dot=*/true);
  return std::string(Abs);
}

void SourceOverlay::set(StringRef Path, std::string Text) {
  Texts[normalize(Path)] = std::move(Text);
}

void SourceOverlay::remove(StringRef Path) { Texts.erase(normalize(Path)); }

const std::string *SourceOverlay::find(StringRef Path) const {
  auto It = Texts.find(normalize(Path));
  return It == Texts.end() ? nullptr : &It->second;
}

} // namespace privet
