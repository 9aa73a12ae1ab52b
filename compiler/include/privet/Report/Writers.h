//===- Writers.h - The report in HTML, JSON, Markdown and CSV, and its Graphviz map -*- C++ -*-===//
//
// Every writer renders the same Report into a string; the driver writes the strings to files
// only once all of them were produced, each through a temporary file and a rename. Policy text
// is untrusted: each writer escapes it for its format.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_REPORT_WRITERS_H
#define PRIVET_REPORT_WRITERS_H

#include "privet/Report/Report.h"
#include "privet/Report/Templates.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <utility>
#include <vector>

namespace privet::report {

/// The data map in the DOT language (node names are MapNode::Id).
std::string renderDot(const Report &R);

/// Lays DOT out with Graphviz `dot -Tsvg`. An error names the Debian package when `dot` is not
/// on PATH, and carries dot's stderr when it fails.
llvm::Expected<std::string> layoutSvg(llvm::StringRef Dot, unsigned TimeoutSeconds = 60);

/// The SVG made embeddable in HTML: without the XML prolog, DOCTYPE, comments and namespace
/// declarations (HTML's parser puts <svg> in the SVG namespace itself).
std::string inlineSvg(llvm::StringRef Svg);

/// One self-contained page: inline CSS and SVG, no scripts, no external resources.
std::string renderHtml(const Report &R, const RopaTemplate &T, llvm::StringRef Svg);
/// The JSON document described by docs/report.schema.json.
std::string renderJson(const Report &R, const RopaTemplate &T);
/// Markdown, linking to the map's SVG file (MapFile) next to it.
std::string renderMarkdown(const Report &R, const RopaTemplate &T, llvm::StringRef MapFile);

/// RFC 4180 CSV, one table per part: (file-name suffix, content). The record of processing
/// activities has suffix "" (the output file itself); the others ".datamap", ".notice",
/// ".coverage" and ".findings".
std::vector<std::pair<std::string, std::string>> renderCsv(const Report &R, const RopaTemplate &T);

/// The text of a cell for flat formats: "Label (note) [rule, rule]; …".
std::string cellText(const Report &R, const Activity &A, Field F);
/// The report-level fields (controller, representative, DPO) as text.
std::string controllerFieldText(const Report &R, Field F);

} // namespace privet::report

#endif // PRIVET_REPORT_WRITERS_H
