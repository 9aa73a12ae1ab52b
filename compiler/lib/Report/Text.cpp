//===- Text.cpp - Cells as plain text, shared by the CSV and Markdown writers ---------------===//
#include "privet/Report/Writers.h"

namespace privet::report {

std::string controllerFieldText(const Report &R, Field F) {
  switch (F) {
  case Field::Controller:
    if (R.Controller.Entity)
      return R.Controller.Entity->text();
    return R.Controller.Title + " (policy " + R.Controller.Name + ")";
  case Field::Representative:
    return R.Controller.Representative ? R.Controller.Representative->text()
                                       : "not declared in the policy";
  case Field::Dpo:
    return R.Controller.Dpo ? R.Controller.Dpo->text() : "not declared in the policy";
  default:
    return "";
  }
}

std::string cellText(const Report &R, const Activity &A, Field F) {
  if (F == Field::Controller || F == Field::Representative || F == Field::Dpo)
    return controllerFieldText(R, F);
  if (F == Field::Activity)
    return A.Title;
  std::string Out;
  for (const Item &I : A.cell(F)) {
    if (!Out.empty())
      Out += "; ";
    Out += I.Label;
    if (!I.Note.empty() && F != Field::Purpose)
      Out += " (" + I.Note + ")";
    if (F == Field::Rules)
      continue;
    Out += " [";
    for (size_t K = 0; K < I.Rules.size(); ++K)
      Out += (K ? ", " : "") + R.Rules[I.Rules[K]].Id;
    Out += "]";
  }
  if (Out.empty())
    Out = "none";
  return Out;
}

} // namespace privet::report
