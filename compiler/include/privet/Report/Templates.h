//===- Templates.h - Column sets of the record of processing activities ----------*- C++ -*-===//
//
// A template names the columns of the Art. 30 record and which field of an activity fills each.
// `generic` follows Art. 30(1)(a)-(g) itself; `ico` and `cnil` follow the UK ICO's and the French
// CNIL's published record templates (docs/report.md cites them and says how far they were
// verified).
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_REPORT_TEMPLATES_H
#define PRIVET_REPORT_TEMPLATES_H

#include "privet/Report/Report.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace privet::report {

struct Column {
  std::string Header;
  Field F;
};

struct RopaTemplate {
  std::string Name;   ///< "generic", "ico", "cnil"
  std::string Title;  ///< Shown above the record.
  std::string Source; ///< Where the column set comes from.
  std::vector<Column> Columns;
};

llvm::ArrayRef<RopaTemplate> ropaTemplates();
/// nullptr when Name is not a template.
const RopaTemplate *findTemplate(llvm::StringRef Name);

} // namespace privet::report

#endif // PRIVET_REPORT_TEMPLATES_H
