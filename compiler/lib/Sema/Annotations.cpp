//===- Annotations.cpp - `@source`, `@doc` and `@suppress` ------------------------------------===//
#include "SemaContext.h"

using namespace llvm;

namespace privet::sema {

AnnotationInfo annotations(Context &Ctx, uint32_t M, const std::vector<ast::Annotation> &As,
                           bool AllowSuppress, StringRef Target) {
  AnnotationInfo Info;
  static const std::vector<std::string> Known{"source", "doc", "suppress"};
  for (const auto &A : As) {
    bool AllStrings = llvm::all_of(
        A.Args, [](const ast::Annotation::Arg &X) { return X.K == ast::Annotation::Arg::String; });
    if (A.Name == "source") {
      if (A.Args.empty() || !AllStrings) {
        Ctx.Diags.report<diag::bad_annotation_arguments>(
            A.Range, "source", "one or more strings: `@source(\"§3 Log data\")`");
        continue;
      }
      for (const auto &X : A.Args)
        Info.Sources.push_back(X.Text);
    } else if (A.Name == "doc") {
      if (A.Args.size() != 1 || !AllStrings) {
        Ctx.Diags.report<diag::bad_annotation_arguments>(A.Range, "doc",
                                                         "one string: `@doc(\"...\")`");
        continue;
      }
      if (!Info.Doc.empty())
        Info.Doc += "\n";
      Info.Doc += A.Args[0].Text;
    } else if (A.Name == "suppress") {
      if (A.Args.size() != 2 || A.Args[0].K != ast::Annotation::Arg::Name ||
          A.Args[1].K != ast::Annotation::Arg::String || StringRef(A.Args[1].Text).trim().empty()) {
        Ctx.Diags.report<diag::suppress_needs_reason>(A.Range);
        continue;
      }
      if (!AllowSuppress) {
        Ctx.Diags.report<diag::annotation_misplaced>(A.Range, "suppress", Target)
            .help("`@suppress` silences an analysis finding on a rule");
        continue;
      }
      Info.Suppressions.push_back({A.Args[0].Text, A.Args[1].Text, locOf(Ctx, M, A.Range)});
    } else {
      auto B = Ctx.Diags.report<diag::unknown_annotation>(A.Range, A.Name);
      if (auto Near = closestName(A.Name, Known))
        B.help("did you mean `@" + *Near + "`?");
      else
        B.help("known annotations are `@source`, `@doc` and `@suppress`");
    }
  }
  return Info;
}

} // namespace privet::sema
