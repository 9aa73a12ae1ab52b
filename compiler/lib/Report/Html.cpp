//===- Html.cpp - The report as one self-contained, printable, accessible HTML page --------===//
//
// No script, no external resource: the CSS and the data map's SVG are inline, so the file opens
// offline and prints the same. Tables have real headers (scope), the page has landmarks, colours
// pass WCAG AA contrast and flags are spelt out in text, not only in colour. Every piece of policy
// text goes through esc().
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Report/Writers.h"

#include "privet/Report/Html.h"

#include "privet/Basic/Markup.h"

#include "llvm/Support/raw_ostream.h"

namespace privet::report {

namespace html {

std::string escape(llvm::StringRef S) { return escapeMarkup(S); }

constexpr const char *Css = R"css(
:root{--fg:#1a1a1a;--muted:#4a4a4a;--link:#0b57d0;--line:#c8ccd0;--bg:#ffffff;--soft:#f4f6f8;--flag-bg:#fde2e1;--flag-fg:#7a1410}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)}
a:focus{outline:3px solid #1a73e8;outline-offset:2px}
.skip{position:absolute;left:-9999px}
.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{border-bottom:2px solid var(--line);padding-top:1rem}
h1{font-size:1.7rem;margin:.5rem 0}
h2{font-size:1.4rem;margin-top:2.5rem;border-bottom:1px solid var(--line)}
h3{font-size:1.15rem;margin-bottom:.4rem}
nav ul{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;list-style:none;padding:0}
.meta,.note,.muted{color:var(--muted)}
.note{font-size:.9em}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid var(--line);padding:.4rem .5rem;text-align:left;vertical-align:top}
thead th{background:var(--soft)}
table.record th{width:30%;background:var(--soft);font-weight:600}
.scroll{overflow-x:auto}
ul.items{margin:0;padding-left:1.1rem}
.refs{font-size:.85em;white-space:normal}
.flag{background:var(--flag-bg);color:var(--flag-fg);border-radius:3px;padding:0 .25rem;font-weight:600}
.activity{border:1px solid var(--line);border-radius:6px;padding:0 1rem .5rem;margin:1.2rem 0}
.map{overflow:auto;border:1px solid var(--line);border-radius:6px;padding:.5rem;background:#fff}
.map svg{max-width:100%;height:auto}
.legend li{margin:.2rem 0}
pre{white-space:pre-wrap;word-break:break-word;background:var(--soft);padding:.5rem;border-radius:4px;font-size:.9em}
.rule{border-top:1px solid var(--line);padding:.3rem 0}
blockquote{margin:.3rem 0 .3rem 1rem;padding-left:.6rem;border-left:3px solid var(--line);color:var(--muted)}
@media (max-width:640px){
 body{font-size:15px}
 table.record th,table.record td{display:block;width:100%}
 table.record tr{display:block;margin-bottom:.4rem}
 h1{font-size:1.35rem}
}
@media print{
 nav,.skip{display:none}
 body{font-size:11pt}
 a{color:inherit;text-decoration:none}
 .activity{break-before:page;border:none}
 section.part{break-before:page}
 .map{border:none}
 tr,li{break-inside:avoid}
}
)css";

llvm::StringRef styleSheet() { return Css; }

void beginPage(llvm::raw_ostream &OS, llvm::StringRef Title, llvm::StringRef SkipText) {
  OS << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
     << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
     << "<title>" << escape(Title) << "</title>\n<style>" << Css << "</style>\n</head>\n<body>\n"
     << "<a class=\"skip\" href=\"#main\">" << escape(SkipText) << "</a>\n<header>\n";
}

void endPage(llvm::raw_ostream &OS, llvm::StringRef Footer) {
  OS << "</main>\n<footer><p class=\"meta\">" << escape(Footer)
     << "</p></footer>\n</body>\n</html>\n";
}

} // namespace html

namespace {

using html::escape;
/// Short for the many escapes of the report writer.
std::string esc(llvm::StringRef S) { return escape(S); }

/// How many rule links an item shows before "and N more" (all are in the activity's last row).
constexpr size_t MaxLinks = 6;

struct HtmlWriter {
  HtmlWriter(const Report &R, const RopaTemplate &T) : R(R), T(T) {}
  const Report &R;
  const RopaTemplate &T;
  std::string Out;
  llvm::raw_string_ostream OS{Out};

  /// A link to a rule; its first @source sentence shows as the link's title, so a cell shows
  /// where in the notice it comes from without leaving the page.
  void ruleLink(const ReportRule &Ru) {
    OS << "<a href=\"#" << Ru.Anchor << "\"";
    if (!Ru.Sources.empty())
      OS << " title=\"" << esc(Ru.Sources.front()) << "\"";
    OS << ">" << esc(Ru.Id) << "</a>";
  }

  void ruleLinks(const std::vector<uint32_t> &Rules, llvm::StringRef More) {
    if (Rules.empty())
      return;
    OS << " <span class=\"refs\">(rule" << (Rules.size() == 1 ? "" : "s") << ": ";
    for (size_t K = 0; K < Rules.size() && K < MaxLinks; ++K) {
      OS << (K ? ", " : "");
      ruleLink(R.Rules[Rules[K]]);
    }
    if (Rules.size() > MaxLinks) {
      OS << " and " << Rules.size() - MaxLinks << " more";
      if (!More.empty())
        OS << ", <a href=\"#" << More << "\">all rules</a>";
    }
    OS << ")</span>";
  }

  void item(const Item &I, Field F, llvm::StringRef More) {
    OS << "<li>";
    if (I.Flagged)
      OS << "<span class=\"flag\">" << (F == Field::Transfers ? "outside the EEA" : "attention")
         << "</span> ";
    OS << esc(I.Label);
    if (!I.Note.empty() && F != Field::Purpose)
      OS << " <span class=\"note\">(" << esc(I.Note) << ")</span>";
    if (F != Field::Rules)
      ruleLinks(I.Rules, More);
    OS << "</li>";
  }

  void cell(const Activity &A, Field F) {
    if (F == Field::Controller || F == Field::Representative || F == Field::Dpo) {
      OS << esc(controllerFieldText(R, F));
      return;
    }
    if (F == Field::Activity) {
      OS << esc(A.Title);
      return;
    }
    const std::vector<Item> &Items = A.cell(F);
    if (Items.empty()) {
      OS << "<span class=\"muted\">none</span>";
      return;
    }
    if (F == Field::Rules) {
      OS << "<span id=\"" << A.Anchor << "-rules\"></span>";
      for (size_t K = 0; K < Items.size(); ++K) {
        OS << (K ? ", " : "");
        ruleLink(R.Rules[Items[K].Rules.front()]);
      }
      return;
    }
    OS << "<ul class=\"items\">";
    for (const Item &I : Items)
      item(I, F, A.Anchor + "-rules");
    OS << "</ul>";
  }

  void header() {
    const ControllerInfo &C = R.Controller;
    html::beginPage(OS, "Privacy report: " + C.Title, "Skip to the report");
    OS << "<h1>Privacy report: " << esc(C.Title) << "</h1>\n<p class=\"meta\">Policy <code>"
       << esc(C.Name) << "</code>";
    if (!C.Version.empty())
      OS << ", version " << esc(C.Version);
    if (!C.Effective.empty())
      OS << ", effective " << esc(C.Effective);
    OS << ", from <code>" << esc(R.PolicyFile)
       << "</code>. Generated by <code>privet report</code> from the checked policy: every entry "
          "links to the rules it was derived from.</p>\n"
       << "<nav aria-label=\"Contents\"><ul>"
       << "<li><a href=\"#ropa\">1. Record of processing activities</a></li>"
       << "<li><a href=\"#datamap\">2. Data map</a></li>"
       << "<li><a href=\"#notice\">3. Privacy notice</a></li>"
       << "<li><a href=\"#coverage\">3b. Coverage of the sources</a></li>"
       << "<li><a href=\"#findings\">4. Findings</a></li>"
       << "<li><a href=\"#rules\">Rules</a></li></ul></nav>\n</header>\n<main id=\"main\">\n";
  }

  void ropa() {
    OS << "<section class=\"part\" id=\"ropa\" aria-labelledby=\"ropa-h\">\n<h2 id=\"ropa-h\">1. "
       << esc(T.Title) << "</h2>\n<p class=\"meta\">Template <code>" << esc(T.Name)
       << "</code>: " << esc(T.Source) << ". One entry per purpose the allowing rules name.</p>\n";
    OS << "<p>Controller: " << esc(controllerFieldText(R, Field::Controller))
       << ". Representative: " << esc(controllerFieldText(R, Field::Representative))
       << ". Data protection officer: " << esc(controllerFieldText(R, Field::Dpo)) << ".</p>\n";
    OS << "<div class=\"scroll\"><table>\n<caption>Processing activities</caption>\n<thead><tr>"
       << "<th scope=\"col\">Activity</th><th scope=\"col\">Rules</th>"
       << "<th scope=\"col\">Special-category data</th>"
       << "<th scope=\"col\">Transfers outside the EEA</th></tr></thead>\n<tbody>\n";
    for (const Activity &A : R.Activities)
      OS << "<tr><th scope=\"row\"><a href=\"#" << A.Anchor << "\">" << esc(A.Title)
         << "</a></th><td>" << A.Rules.size() << "</td><td>"
         << (A.HasSpecialData ? "<span class=\"flag\">yes</span>" : "no") << "</td><td>"
         << (A.HasThirdCountryTransfer ? "<span class=\"flag\">yes</span>" : "no")
         << "</td></tr>\n";
    OS << "</tbody></table></div>\n";
    for (const Activity &A : R.Activities) {
      OS << "<article class=\"activity\" id=\"" << A.Anchor << "\" aria-labelledby=\"" << A.Anchor
         << "-h\">\n<h3 id=\"" << A.Anchor << "-h\">" << esc(A.Title) << " <span class=\"note\">("
         << esc(A.Key) << ")</span></h3>\n";
      if (!A.Description.empty())
        OS << "<p>" << esc(A.Description) << "</p>\n";
      for (const std::string &S : A.Sources)
        OS << "<blockquote>" << esc(S) << "</blockquote>\n";
      OS << "<table class=\"record\">\n<caption>Record entry: " << esc(A.Title)
         << "</caption>\n<tbody>\n";
      for (const Column &Col : T.Columns) {
        OS << "<tr><th scope=\"row\">" << esc(Col.Header) << "</th><td>";
        cell(A, Col.F);
        OS << "</td></tr>\n";
      }
      OS << "</tbody></table>\n</article>\n";
    }
    if (R.Activities.empty())
      OS << "<p>The policy allows no processing: the record is empty.</p>\n";
    processorRecords();
    OS << "</section>\n";
  }

  /// Art. 30(2): one record per controller the policy's owner processes for.
  void processorRecords() {
    if (R.ProcessorRecords.empty())
      return;
    OS << "<h3 id=\"processor-records\">Processing on behalf of other controllers "
          "(Art. 30(2))</h3>\n<p>Where "
       << esc(controllerFieldText(R, Field::Controller))
       << " acts as a processor: the record Art. 30(2) asks of it, per controller.</p>\n";
    auto Row = [&](llvm::StringRef Header, const Activity &S, Field F) {
      OS << "<tr><th scope=\"row\">" << esc(Header) << "</th><td>";
      cell(S, F);
      OS << "</td></tr>\n";
    };
    for (const ProcessorRecord &Rec : R.ProcessorRecords) {
      const Activity &S = Rec.Summary;
      OS << "<article class=\"activity\" id=\"" << Rec.Anchor << "\" aria-labelledby=\""
         << Rec.Anchor << "-h\">\n<h3 id=\"" << Rec.Anchor << "-h\">As a processor for "
         << esc(Rec.Client.Name)
         << "</h3>\n<table class=\"record\">\n<caption>Art. 30(2) record: " << esc(Rec.Client.Name)
         << "</caption>\n<tbody>\n<tr><th scope=\"row\">Processor "
         << "(Art. 30(2)(a))</th><td>" << esc(controllerFieldText(R, Field::Controller))
         << "</td></tr>\n<tr><th scope=\"row\">Controller on whose behalf it acts "
         << "(Art. 30(2)(a))</th><td>" << esc(Rec.Client.text())
         << "</td></tr>\n<tr><th scope=\"row\">Categories of processing (Art. 30(2)(b))</th><td>";
      if (Rec.Activities.empty()) {
        OS << "<span class=\"flag\">attention</span> none: no allow rule processes data for ";
        for (size_t K = 0; K < Rec.Purposes.size(); ++K)
          OS << (K ? ", " : "") << esc(Rec.Purposes[K]);
      } else {
        OS << "<ul class=\"items\">";
        for (uint32_t A : Rec.Activities)
          OS << "<li><a href=\"#" << R.Activities[A].Anchor << "\">" << esc(R.Activities[A].Title)
             << "</a></li>";
        OS << "</ul>";
      }
      OS << "</td></tr>\n";
      Row("Categories of personal data", S, Field::Data);
      Row("Categories of data subjects", S, Field::Subjects);
      Row("Sub-processors (Art. 28(2), 28(4))", S, Field::Processors);
      Row("Performed by", S, Field::Actors);
      Row("Transfers to third countries (Art. 30(2)(c))", S, Field::Transfers);
      Row("Safeguards of those transfers (Art. 30(2)(c), Art. 45-49)", S, Field::Safeguards);
      Row("Technical and organisational security measures (Art. 30(2)(d), Art. 32)", S,
          Field::Security);
      Row("Derived from rules", S, Field::Rules);
      OS << "</tbody></table>\n</article>\n";
    }
  }

  void dataMap(llvm::StringRef Svg) {
    const DataMap &M = R.Map;
    OS << "<section class=\"part\" id=\"datamap\" aria-labelledby=\"datamap-h\">\n"
       << "<h2 id=\"datamap-h\">2. Data map</h2>\n"
       << "<p>Data categories, the purposes they are processed for, the recipients they are "
          "disclosed to and where those are. Hierarchies are drawn to depth "
       << M.Depth << " (" << M.Nodes.size() << " nodes, " << M.Edges.size() << " edges).</p>\n";
    if (M.AutoFolded)
      OS << "<p class=\"flag\" role=\"note\">Folded automatically: depth " << M.RequestedDepth
         << " would draw " << M.UnfoldedNodes << " nodes, more than the limit of " << M.NodeLimit
         << "; deeper levels are folded into their ancestors (depth " << M.Depth << ").</p>\n";
    OS << "<figure>\n<div class=\"map\">" << Svg << "</div>\n<figcaption><ul class=\"legend\">"
       << "<li>Left to right: data categories, purposes, recipients, regions.</li>"
       << "<li>Hexagons: actors other than the controller itself that perform a purpose's "
          "processing (processors acting for it).</li>"
       << "<li>Red border, “[special category]”: covers Art. 9(1) or Art. 10 data.</li>"
       << "<li>Dashed red, “[outside the EEA]”: a third country; dashed red arrows are transfers "
          "to it.</li>"
       << "<li>Purposes link to their record entry.</li></ul></figcaption>\n</figure>\n";
    OS << "<details><summary>The map as a table</summary><div class=\"scroll\"><table>"
       << "<caption>Data map edges</caption><thead><tr><th scope=\"col\">From</th>"
       << "<th scope=\"col\">To</th><th scope=\"col\">Rules</th></tr></thead><tbody>\n";
    for (const MapEdge &E : M.Edges) {
      OS << "<tr><td>" << esc(M.Nodes[E.From].Label) << "</td><td>" << esc(M.Nodes[E.To].Label);
      if (E.ThirdCountry)
        OS << " <span class=\"flag\">outside the EEA</span>";
      OS << "</td><td>";
      ruleLinks(E.Rules, "");
      OS << "</td></tr>\n";
    }
    OS << "</tbody></table></div></details>\n</section>\n";
  }

  void notice() {
    OS << "<section class=\"part\" id=\"notice\" aria-labelledby=\"notice-h\">\n"
       << "<h2 id=\"notice-h\">3. Privacy notice</h2>\n<p class=\"meta\">Generated from the "
          "policy's rules; each statement links to the rules it summarises.</p>\n";
    for (const NoticeSection &S : R.Notice) {
      OS << "<section id=\"" << S.Id << "\" aria-labelledby=\"" << S.Id << "-h\"><h3 id=\"" << S.Id
         << "-h\">" << esc(S.Heading) << "</h3>\n";
      if (!S.Intro.empty())
        OS << "<p>" << esc(S.Intro) << "</p>\n";
      OS << "<ul>\n";
      for (const NoticeStatement &St : S.Statements) {
        OS << "<li>";
        if (St.Flagged)
          OS << "<span class=\"flag\">attention</span> ";
        OS << esc(St.Text);
        if (!St.Detail.empty())
          OS << "<br><span class=\"note\">" << esc(St.Detail) << "</span>";
        ruleLinks(St.Rules, "");
        OS << "</li>\n";
      }
      OS << "</ul></section>\n";
    }
    OS << "</section>\n";
  }

  void coverage() {
    OS << "<section class=\"part\" id=\"coverage\" aria-labelledby=\"coverage-h\">\n"
       << "<h2 id=\"coverage-h\">3b. Coverage of the source notice</h2>\n"
       << "<p>Each <code>@source</code> sentence of the policy and the rules that encode it. A "
          "sentence only declarations cite is encoded by no rule.</p>\n"
       << "<div class=\"scroll\"><table>\n<caption>@source sentences</caption>\n<thead><tr>"
       << "<th scope=\"col\">Sentence</th><th scope=\"col\">Encoded by rules</th>"
       << "<th scope=\"col\">Cited by declarations</th></tr></thead>\n<tbody>\n";
    for (const SourceCoverage &S : R.Coverage) {
      OS << "<tr><td>" << esc(S.Sentence) << "</td><td>";
      if (S.Rules.empty())
        OS << "<span class=\"flag\">no rule</span>";
      for (size_t K = 0; K < S.Rules.size(); ++K) {
        const ReportRule &Ru = R.Rules[S.Rules[K]];
        OS << (K ? ", " : "") << "<a href=\"#" << Ru.Anchor << "\">" << esc(Ru.Id) << "</a>";
      }
      OS << "</td><td>";
      for (size_t K = 0; K < S.Declarations.size(); ++K)
        OS << (K ? ", " : "") << "<code>" << esc(S.Declarations[K]) << "</code>";
      OS << "</td></tr>\n";
    }
    OS << "</tbody></table></div>\n<h3 id=\"coverage-nosource\">Rules without @source</h3>\n";
    if (R.RulesWithoutSource.empty())
      OS << "<p>Every rule cites its source (an exception counts its rule's).</p>\n";
    else {
      OS << "<ul>\n";
      for (uint32_t I : R.RulesWithoutSource)
        OS << "<li><a href=\"#" << R.Rules[I].Anchor << "\">" << esc(R.Rules[I].Id) << "</a> "
           << "<span class=\"note\">" << esc(R.Rules[I].Location) << "</span></li>\n";
      OS << "</ul>\n";
    }
    OS << "</section>\n";
  }

  void findings() {
    OS << "<section class=\"part\" id=\"findings\" aria-labelledby=\"findings-h\">\n"
       << "<h2 id=\"findings-h\">4. Findings</h2>\n<p>What <code>privet check</code> reports: "
          "analysis findings and invariant violations with their counterexamples"
       << (R.Diff ? ", and what changed since the earlier version" : "") << ".</p>\n";
    if (R.Findings.empty())
      OS << "<p>No findings.</p>\n";
    else
      findingsTable();
    if (R.Diff)
      diff(*R.Diff);
    OS << "</section>\n";
  }

  void diff(const ReportDiff &D) {
    OS << "<h3 id=\"diff\">Changes since <code>" << esc(D.Against) << "</code></h3>\n";
    if (D.Changes.empty()) {
      OS << "<p>No change in what is permitted.</p>\n";
      return;
    }
    OS << "<div class=\"scroll\"><table>\n<caption>What <code>privet diff</code> reports"
       << "</caption>\n<thead><tr><th scope=\"col\">Change</th><th scope=\"col\">Requests"
       << "</th><th scope=\"col\">Deciding rules</th></tr></thead>\n<tbody>\n";
    for (const ReportChange &C : D.Changes) {
      OS << "<tr><td>";
      if (C.Kind == "now-allowed" || C.Kind == "obligation-removed")
        OS << "<span class=\"flag\">" << esc(C.Title) << "</span>";
      else
        OS << esc(C.Title);
      if (!C.Obligation.empty())
        OS << " <code>" << esc(C.Obligation) << "</code>";
      OS << "</td><td>" << esc(C.Text) << "</td><td>";
      ruleLinks(C.Rules, "");
      for (const std::string &Old : C.OldRules)
        OS << " <span class=\"note\">earlier: " << esc(Old) << "</span>";
      OS << "</td></tr>\n";
    }
    OS << "</tbody></table></div>\n";
    if (D.Omitted)
      OS << "<p>" << D.Omitted << " more changed regions are not listed.</p>\n";
  }

  void findingsTable() {
    OS << "<div class=\"scroll\"><table>\n<caption>" << R.Findings.size()
       << " findings</caption>\n<thead><tr><th scope=\"col\">Severity</th>"
       << "<th scope=\"col\">Code</th><th scope=\"col\">Finding</th>"
       << "<th scope=\"col\">Location</th></tr></thead>\n<tbody>\n";
    for (const ReportFinding &F : R.Findings) {
      OS << "<tr><td>"
         << (F.Severity == "error" ? "<span class=\"flag\">error</span>" : esc(F.Severity))
         << "</td><td><code>" << esc(F.Code) << "</code> " << esc(F.Check) << "</td><td>"
         << esc(F.Message);
      if (!F.Notes.empty()) {
        OS << "<ul class=\"items\">";
        for (const auto &[Where, What] : F.Notes)
          OS << "<li>" << esc(What) << " <span class=\"note\">(" << esc(Where) << ")</span></li>";
        OS << "</ul>";
      }
      OS << "</td><td>";
      if (F.Rule)
        OS << "<a href=\"#" << R.Rules[*F.Rule].Anchor << "\">" << esc(F.Location) << "</a>";
      else
        OS << esc(F.Location);
      OS << "</td></tr>\n";
    }
    OS << "</tbody></table></div>\n";
  }

  void rules() {
    OS << "<section class=\"part\" id=\"rules\" aria-labelledby=\"rules-h\">\n<h2 id=\"rules-h\">"
          "Rules</h2>\n<p>Every rule of the policy, as written, with the sentences it encodes."
          "</p>\n";
    for (const ReportRule &Ru : R.Rules) {
      OS << "<div class=\"rule\" id=\"" << Ru.Anchor << "\"><h3>" << esc(Ru.Id)
         << " <span class=\"note\">(" << (Ru.IsAllow ? "allow" : "deny") << ", " << esc(Ru.Location)
         << ")</span></h3>\n";
      for (const std::string &S : Ru.Sources)
        OS << "<blockquote>" << esc(S) << "</blockquote>\n";
      if (!Ru.Text.empty())
        OS << "<pre>" << esc(Ru.Text) << "</pre>\n";
      OS << "</div>\n";
    }
    OS << "</section>\n";
  }
};

} // namespace

std::string renderHtml(const Report &R, const RopaTemplate &T, llvm::StringRef Svg) {
  HtmlWriter W(R, T);
  W.header();
  W.ropa();
  W.dataMap(Svg);
  W.notice();
  W.coverage();
  W.findings();
  W.rules();
  html::endPage(W.OS, "Generated by privet report from the checked policy.");
  return std::move(W.OS.str());
}

} // namespace privet::report
