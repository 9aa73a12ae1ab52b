//===- AuditModule.cpp - privet._audit: `privet audit` in process, for Dask workers -------===//
//
// The audit of docs/audit.md (compiler/lib/Audit, the code `privet audit` runs) as Python calls,
// so that a Dask worker loads a policy once and audits every partition it is given in process
// (privet/dask.py keeps the loaded policies per worker, keyed by the artifact's hash). A
// partition's summary is the JSON `privet audit --format json` writes; merging and the text
// report are the same functions `privet audit --merge` calls, so the distributed report is the
// single-process one by construction. This extension is a tool on top of the audit library, as
// the `privet` executable is; privet._privet (the decision API) stays runtime-only.
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Audit/Audit.h"
#include "privet/Runtime.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>

namespace py = pybind11;
using namespace privet;

namespace {

using PolicyPtr = std::shared_ptr<const rt::CompiledPolicy>;

/// A loaded policy as Python holds it (pybind11 holders cannot point to const).
struct AuditPolicy {
  PolicyPtr Ptr;
};

/// The summary as `privet audit --format json` prints it.
std::string summaryJson(const audit::Summary &S) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  OS << llvm::formatv("{0:2}", S.toJson()) << "\n";
  return OS.str();
}

audit::Summary parseSummary(const std::string &Text) {
  auto V = llvm::json::parse(Text);
  if (!V)
    throw py::value_error("not a summary: " + llvm::toString(V.takeError()));
  auto S = audit::Summary::fromJson(*V);
  if (!S)
    throw py::value_error("not a summary: " + llvm::toString(S.takeError()));
  return std::move(*S);
}

AuditPolicy loadBytes(py::bytes Bytes) {
  std::string Data = Bytes;
  auto Loaded = rt::CompiledPolicy::fromBytes(Data);
  if (!Loaded)
    throw py::value_error(Loaded.error());
  return AuditPolicy{Loaded.take()};
}

/// Audits Files (in this order) and returns the summary as JSON. The mapping is parsed and
/// checked against the policy first, as `privet audit` does, and its errors raise ValueError
/// with the located messages; an unreadable input raises OSError naming it.
std::string auditFiles(const AuditPolicy &P, const std::string &MapPath, const std::string &MapText,
                       const std::vector<std::string> &Files, size_t Samples, int64_t Now,
                       std::optional<int64_t> Since, size_t MaxLineBytes) {
  auto Map = audit::parseMapping(MapPath, MapText, *P.Ptr);
  if (!Map)
    throw py::value_error(llvm::toString(Map.takeError()));
  if (Since && Map->TimeField.empty())
    throw py::value_error("--since needs `metadata.time` in the mapping");
  audit::AuditOptions AO;
  AO.SampleLimit = Samples;
  AO.Now = Now;
  AO.Since = Since;
  AO.MaxLineBytes = MaxLineBytes;
  std::string Error;
  audit::Summary S;
  {
    py::gil_scoped_release Release;
    audit::Auditor A(P.Ptr, std::move(*Map), std::move(AO));
    for (const std::string &F : Files)
      if (llvm::Error E = A.auditFile(F)) {
        Error = llvm::toString(std::move(E));
        break;
      }
    if (Error.empty())
      S = A.finish();
  }
  if (!Error.empty()) {
    PyErr_SetString(PyExc_OSError, Error.c_str());
    throw py::error_already_set();
  }
  return summaryJson(S);
}

std::string mergeSummaries(const std::vector<std::string> &Summaries, size_t Samples) {
  audit::Summary All;
  All.SampleLimit = Samples;
  for (const std::string &Text : Summaries)
    All.merge(parseSummary(Text));
  return summaryJson(All);
}

std::string renderText(const std::string &Summary) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  audit::renderText(parseSummary(Summary), OS);
  return OS.str();
}

} // namespace

PYBIND11_MODULE(_audit, m) {
  m.doc() = "privet audit in process (compiler/lib/Audit): what privet.dask's workers run";
  py::class_<AuditPolicy>(m, "Policy")
      .def_property_readonly("name",
                             [](const AuditPolicy &P) { return std::string(P.Ptr->name()); })
      .def_property_readonly("content_hash",
                             [](const AuditPolicy &P) { return P.Ptr->contentHash(); });
  m.def("load_bytes", &loadBytes, py::arg("artifact"),
        "Loads a .pvc artifact from its bytes (ValueError with the loader's message)");
  m.def("audit", &auditFiles, py::arg("policy"), py::arg("mapping_path"), py::arg("mapping_text"),
        py::arg("files"), py::arg("samples") = 10, py::arg("now") = 0,
        py::arg("since") = std::nullopt, py::arg("max_line_bytes") = size_t(1) << 20,
        "Audits files in order; returns the summary JSON `privet audit --format json` writes");
  m.def("merge", &mergeSummaries, py::arg("summaries"), py::arg("samples") = 10,
        "Merges summaries of disjoint parts of a log (associative); returns the summary JSON");
  m.def("render_text", &renderText, py::arg("summary"),
        "The text report `privet audit` prints for a summary");
  m.def(
      "parse_time",
      [](const std::string &T) -> std::optional<int64_t> { return audit::parseTime(T); },
      py::arg("text"), "ISO 8601 or epoch seconds to epoch seconds (None when not a time)");
}
