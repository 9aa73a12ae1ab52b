//===- Html.cpp - An audit summary as one self-contained HTML page ----------------------===//
//
// The page `privet audit --format html` writes, in the frame and stylesheet of `privet report`
// (privet/Report/Html.h): the totals, the violations with their evidence, the gaps, the
// obligations owed and the per-rule, per-system, per-purpose and per-category tables. It says
// what the text report says, no more; every string from the log or the policy is escaped.
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Report/Html.h"
#include "privet/Audit/Audit.h"

#include <string>

namespace privet::audit {

namespace {

using report::html::escape;

void sampleList(llvm::raw_ostream &OS, const SampleSet &Set, bool WithExplanation) {
  if (Set.Total > Set.Samples.size())
    OS << "<p class=\"note\">The first " << Set.Samples.size() << " of " << Set.Total
       << " events.</p>\n";
  OS << "<ul class=\"items\">\n";
  for (const Sample &S : Set.Samples) {
    OS << "<li><code>" << escape(S.File) << ":" << S.Line << "</code>";
    if (!S.Id.empty())
      OS << " (id <code>" << escape(S.Id) << "</code>)";
    if (!S.Detail.empty())
      OS << ": " << escape(S.Detail);
    if (WithExplanation && !S.Explanation.empty())
      OS << "\n<pre>" << escape(S.Explanation) << "</pre>";
    OS << "</li>\n";
  }
  OS << "</ul>\n";
}

void countsTable(llvm::raw_ostream &OS, llvm::StringRef Id, llvm::StringRef Title,
                 llvm::StringRef KeyHeader, const std::map<std::string, Counts> &T) {
  if (T.empty())
    return;
  OS << "<section id=\"" << Id << "\">\n<h2>" << escape(Title)
     << "</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">" << escape(KeyHeader)
     << "</th><th scope=\"col\">Compliant</th><th scope=\"col\">Violations</th>"
        "<th scope=\"col\">Gaps</th></tr></thead>\n<tbody>\n";
  for (auto &[K, C] : T)
    OS << "<tr><th scope=\"row\">" << escape(K) << "</th><td>" << C.Compliant << "</td><td>"
       << C.Violation << "</td><td>" << C.Gap << "</td></tr>\n";
  OS << "</tbody>\n</table></div>\n</section>\n";
}

} // namespace

void renderHtml(const Summary &S, llvm::raw_ostream &OS, llvm::StringRef PolicyName) {
  std::string Title = "Processing audit";
  if (!PolicyName.empty())
    Title += ": " + PolicyName.str();
  report::html::beginPage(OS, Title, "Skip to the audit");
  OS << "<h1>" << escape(Title) << "</h1>\n<p class=\"meta\">" << S.Total.total()
     << " events audited: " << S.Total.Compliant << " compliant, " << S.Total.Violation
     << " violations, " << S.Total.Gap << " gaps";
  if (S.Skipped)
    OS << " (" << S.Skipped << " earlier events skipped)";
  if (S.MaxTime)
    OS << "; latest event " << escape(formatTime(*S.MaxTime));
  OS << ".</p>\n<nav aria-label=\"Sections\"><ul>"
        "<li><a href=\"#violations\">Violations</a></li><li><a href=\"#gaps\">Gaps</a></li>"
        "<li><a href=\"#obligations\">Obligations owed</a></li>"
        "<li><a href=\"#by-rule\">By rule</a></li><li><a href=\"#by-system\">By system</a></li>"
        "<li><a href=\"#by-purpose\">By purpose</a></li>"
        "<li><a href=\"#by-data\">By data category</a></li></ul></nav>\n</header>\n"
        "<main id=\"main\">\n";

  OS << "<section id=\"violations\">\n<h2>Violations</h2>\n";
  if (S.Violations.empty())
    OS << "<p>No event was denied by the policy.</p>\n";
  for (auto &[Rule, Set] : S.Violations) {
    OS << "<div class=\"activity\">\n<h3>" << escape(Rule) << ": " << Set.Total << " event"
       << (Set.Total == 1 ? "" : "s") << "</h3>\n";
    sampleList(OS, Set, true);
    OS << "</div>\n";
  }
  OS << "</section>\n<section id=\"gaps\">\n<h2>Gaps</h2>\n<p class=\"note\">Events that could "
        "not be judged. A gap is never counted as compliant.</p>\n";
  if (S.Gaps.empty())
    OS << "<p>Every event could be judged.</p>\n";
  for (auto &[Reason, Set] : S.Gaps) {
    OS << "<div class=\"activity\">\n<h3>" << escape(Reason) << ": " << Set.Total << " event"
       << (Set.Total == 1 ? "" : "s") << "</h3>\n";
    sampleList(OS, Set, false);
    OS << "</div>\n";
  }
  OS << "</section>\n<section id=\"obligations\">\n<h2>Obligations owed by allowed events</h2>\n";
  if (S.Obligations.empty()) {
    OS << "<p>No allowed event carries an obligation.</p>\n";
  } else {
    OS << "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Obligation</th>"
          "<th scope=\"col\">Events</th><th scope=\"col\">With a due date</th>"
          "<th scope=\"col\">Due now</th><th scope=\"col\">Due between</th></tr></thead>\n"
          "<tbody>\n";
    for (auto &[Name, O] : S.Obligations) {
      OS << "<tr><th scope=\"row\">" << escape(Name) << "</th><td>" << O.Count << "</td><td>"
         << O.WithDueDate << "</td><td>" << O.Due << "</td><td>";
      if (O.EarliestDue)
        OS << escape(formatTime(*O.EarliestDue)) << " to " << escape(formatTime(*O.LatestDue));
      OS << "</td></tr>\n";
    }
    OS << "</tbody>\n</table></div>\n";
  }
  OS << "</section>\n";
  countsTable(OS, "by-rule", "By rule", "Deciding rule", S.ByRule);
  countsTable(OS, "by-system", "By system", "System", S.BySystem);
  countsTable(OS, "by-purpose", "By purpose", "Purpose", S.ByPurpose);
  countsTable(OS, "by-data", "By data category", "Data category", S.ByData);
  report::html::endPage(OS, "Generated by privet audit.");
}

} // namespace privet::audit
