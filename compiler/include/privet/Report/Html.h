//===- Html.h - The HTML page every privet report shares ---------------------------*- C++ -*-===//
//
// One stylesheet, one escaper and one page frame (skip link, header, main, footer) for the HTML
// that `privet report` and `privet audit --format html` write: self-contained pages, no script,
// readable on a phone and printable.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_REPORT_HTML_H
#define PRIVET_REPORT_HTML_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace privet::report::html {

/// S with `&`, `<`, `>`, `"` and `'` as entities: safe in text and in quoted attributes.
std::string escape(llvm::StringRef S);

/// The stylesheet of every page.
llvm::StringRef styleSheet();

/// `<!DOCTYPE html>` up to the open `<header>` (the caller writes the heading and closes the
/// header, then writes `<main id="main">`): the title, the stylesheet, a skip link to #main.
void beginPage(llvm::raw_ostream &OS, llvm::StringRef Title, llvm::StringRef SkipText);

/// Closes `<main>` and the page, with Footer (text, escaped) in the footer.
void endPage(llvm::raw_ostream &OS, llvm::StringRef Footer);

} // namespace privet::report::html

#endif // PRIVET_REPORT_HTML_H
