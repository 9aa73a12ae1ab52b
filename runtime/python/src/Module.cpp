//===- Module.cpp - privet._privet: the runtime's C++ API for Python (pybind11) ------------===//
//
// A thin layer: requests are built by names from keyword arguments, runtime errors become
// privet.Error with the runtime's message, and decide_batch hands numpy buffers straight to
// BatchDecider with the GIL released. The friendlier surface (DataFrames, names in columns)
// is privet/__init__.py.
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Runtime.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <optional>

namespace py = pybind11;
using namespace privet;
using namespace privet::rt;

namespace {

using PolicyPtr = std::shared_ptr<const CompiledPolicy>;

/// The policy as Python holds it (pybind11 holders cannot point to const).
/// The BatchDecider that decide_batch keeps between calls, so that a later call starts with the
/// memo and the decision table an earlier one filled (a fresh decider per call was a cold memo
/// on every call). Lock is only tried: a call made while another thread's holds it decides
/// with a decider of its own, exactly as before.
struct BatchCache {
  std::mutex Lock;
  std::unique_ptr<BatchDecider> Decider;
};

struct PyPolicy {
  PolicyPtr Ptr;
  std::shared_ptr<BatchCache> Batch = std::make_shared<BatchCache>();
  const CompiledPolicy *operator->() const { return Ptr.get(); }
  const CompiledPolicy &operator*() const { return *Ptr; }
};

/// privet.Error, created at import.
PyObject *ErrorType = nullptr;

[[noreturn]] void fail(const std::string &Message) {
  PyErr_SetString(ErrorType, Message.c_str());
  throw py::error_already_set();
}

std::string pyStr(py::handle H) { return py::str(H).cast<std::string>(); }

/// Sets attribute Name from a Python value, checked against the attribute's type.
void setAttribute(const CompiledPolicy &P, Request &R, const std::string &Name, py::handle V) {
  uint32_t Attr = P.attributeId(Name);
  if (Attr == InvalidId) {
    R.setBool(Name, false); // records the runtime's "unknown attribute" message
    return;
  }
  switch (P.attributeKind(Attr)) {
  case AttrKind::Bool:
    if (!py::isinstance<py::bool_>(V))
      return R.recordError("attribute `" + Name + "` is bool, not " +
                           pyStr(py::type::of(V).attr("__name__")));
    R.setBool(Attr, V.cast<bool>());
    return;
  case AttrKind::Int:
    if (py::isinstance<py::bool_>(V) || !py::isinstance<py::int_>(V))
      return R.recordError("attribute `" + Name + "` is int, not " +
                           pyStr(py::type::of(V).attr("__name__")));
    R.setInt(Attr, V.cast<int64_t>());
    return;
  case AttrKind::Duration: {
    if (py::isinstance<py::str>(V)) {
      std::optional<int64_t> S = parseDuration(V.cast<std::string>());
      if (!S)
        return R.recordError("attribute `" + Name + "`: `" + V.cast<std::string>() +
                             "` is not a duration");
      R.setDuration(Attr, *S);
      return;
    }
    if (py::hasattr(V, "total_seconds")) { // datetime.timedelta, pandas.Timedelta
      R.setDuration(Attr, int64_t(V.attr("total_seconds")().cast<double>()));
      return;
    }
    if (py::isinstance<py::bool_>(V) || !py::isinstance<py::int_>(V))
      return R.recordError("attribute `" + Name + "` is duration, not " +
                           pyStr(py::type::of(V).attr("__name__")));
    R.setDuration(Attr, V.cast<int64_t>());
    return;
  }
  case AttrKind::Enum:
    if (!py::isinstance<py::str>(V))
      return R.recordError("attribute `" + Name + "` is of enum `" +
                           std::string(P.enumName(P.attributeEnum(Attr))) + "`, not " +
                           pyStr(py::type::of(V).attr("__name__")));
    R.setEnum(Attr, V.cast<std::string>());
    return;
  }
}

/// A request from keyword arguments: dimension names (a name, or for data a name or a list of
/// names; None omits), and `attributes`, a dict of attribute values.
Request buildRequest(const CompiledPolicy &P, const py::kwargs &Kw) {
  Request R(P);
  for (auto [Key, Value] : Kw) {
    std::string Name = pyStr(Key);
    if (Name == "attributes") {
      if (Value.is_none())
        continue;
      if (!py::isinstance<py::dict>(Value))
        fail("`attributes` must be a dict of attribute names to values");
      for (auto [A, V] : Value.cast<py::dict>())
        setAttribute(P, R, pyStr(A), V);
      continue;
    }
    std::optional<Dim> D = dimensionFromName(Name);
    if (!D)
      fail("unknown request field `" + Name +
           "` (expected a dimension name, such as `purpose`, or `attributes`)");
    if (Value.is_none())
      continue;
    if (*D == Dim::Data && !py::isinstance<py::str>(Value)) {
      for (py::handle Item : Value)
        R.addData(pyStr(Item));
      continue;
    }
    if (!py::isinstance<py::str>(Value))
      fail("`" + Name + "` must be a name (a str)");
    R.set(*D, Value.cast<std::string>());
  }
  return R;
}

py::dict ruleDict(const CompiledPolicy &P, uint32_t Rule) {
  RuleInfo Info = P.rule(Rule);
  py::dict D;
  D["id"] = std::string(Info.Id);
  D["file"] = std::string(Info.File);
  D["line"] = Info.Line;
  D["col"] = Info.Col;
  D["effect"] = Info.IsAllow ? "allow" : "deny";
  D["text"] = std::string(Info.SourceText);
  py::list Sources;
  for (size_t I = 0; I < Info.NumSources; ++I)
    Sources.append(std::string(P.ruleSource(Rule, I)));
  D["sources"] = Sources;
  return D;
}

const char *effectName(Decision::Kind K) {
  switch (K) {
  case Decision::Kind::Allow:
    return "allow";
  case Decision::Kind::Deny:
    return "deny";
  case Decision::Kind::Error:
    break;
  }
  return "error";
}

/// A decision as a dict: effect, rules (dicts), obligations (descriptions), error.
py::dict decisionDict(const CompiledPolicy &P, const Decision &D) {
  py::dict Out;
  Out["effect"] = effectName(D.kind());
  py::list Rules, Obligations;
  for (uint32_t R : D.rules())
    Rules.append(ruleDict(P, R));
  for (uint32_t O : D.obligations())
    Obligations.append(P.describeObligationInstance(O));
  Out["rules"] = Rules;
  Out["obligations"] = Obligations;
  Out["error"] = D.isError() ? py::object(py::str(D.error())) : py::object(py::none());
  return Out;
}

/// How many distinct decisions a kept BatchDecider may hold before decide_batch starts another.
constexpr size_t MaxKeptDecisions = 4096;

template <typename T> using Array = py::array_t<T, py::array::c_style | py::array::forcecast>;

/// The columns as _decide_batch receives them from privet/__init__.py: ids already resolved.
py::tuple decideBatch(const PyPolicy &P, size_t Rows, py::list Values, py::object DataOffsets,
                      py::object DataIds, py::list Attributes) {
  if (Values.size() != NumDimensions)
    fail("expected one value column (or None) per dimension");
  BatchColumns In;
  In.NumRows = Rows;
  // The arrays are kept referenced here while the GIL is released.
  std::vector<Array<uint32_t>> Held;
  auto Column = [&](py::handle H, const char *What) -> const uint32_t * {
    Array<uint32_t> A = py::cast<Array<uint32_t>>(H);
    if (size_t(A.size()) != Rows)
      fail(std::string("column `") + What + "` has " + std::to_string(A.size()) + " rows, not " +
           std::to_string(Rows));
    Held.push_back(A);
    return A.data();
  };
  for (unsigned D = 0; D < NumDimensions; ++D)
    if (!Values[D].is_none())
      In.Values[D] = Column(Values[D], std::string(dimensionName(Dim(D))).c_str());
  Array<uint64_t> Offsets;
  Array<uint32_t> Ids;
  if (!DataOffsets.is_none()) {
    Offsets = py::cast<Array<uint64_t>>(DataOffsets);
    Ids = py::cast<Array<uint32_t>>(DataIds);
    if (size_t(Offsets.size()) != Rows + 1)
      fail("data offsets must have one more element than there are rows");
    if (Offsets.size() && Offsets.data()[Rows] > uint64_t(Ids.size()))
      fail("data offsets run past the data ids");
    In.DataOffsets = Offsets.data();
    In.DataIds = Ids.data();
  }
  std::vector<Array<int64_t>> AttrValues;
  std::vector<Array<uint8_t>> AttrPresent, AttrBytes;
  std::vector<BatchColumns::Attribute> Attrs;
  for (py::handle H : Attributes) {
    py::tuple T = H.cast<py::tuple>();
    BatchColumns::Attribute A{T[0].cast<uint32_t>(), nullptr, nullptr};
    // A bool column comes as bytes (numpy's bool, viewed as uint8), read in place; any other
    // as int64.
    size_t Size;
    if (py::isinstance<py::array>(T[1]) &&
        py::reinterpret_borrow<py::array>(T[1]).dtype().is(py::dtype::of<uint8_t>())) {
      Array<uint8_t> B = py::cast<Array<uint8_t>>(T[1]);
      Size = size_t(B.size());
      A.Bools = B.data();
      AttrBytes.push_back(B);
    } else {
      Array<int64_t> V = py::cast<Array<int64_t>>(T[1]);
      Size = size_t(V.size());
      A.Values = V.data();
      AttrValues.push_back(V);
    }
    if (Size != Rows)
      fail("an attribute column has " + std::to_string(Size) + " rows, not " +
           std::to_string(Rows));
    if (!T[2].is_none()) {
      Array<uint8_t> Pr = py::cast<Array<uint8_t>>(T[2]);
      if (size_t(Pr.size()) != Rows)
        fail("an attribute's presence column has the wrong length");
      A.Present = Pr.data();
      AttrPresent.push_back(Pr);
    }
    Attrs.push_back(A);
  }
  In.Attributes = Attrs.data();
  In.NumAttributes = Attrs.size();

  Array<uint8_t> Outcome(Rows);
  Array<uint32_t> DecisionId(Rows), Rule(Rows);
  BatchResults Out{Outcome.mutable_data(), DecisionId.mutable_data(), Rule.mutable_data()};
  std::unique_lock<std::mutex> Lock(P.Batch->Lock, std::try_to_lock);
  std::optional<BatchDecider> Own;
  BatchDecider *Batch;
  if (Lock.owns_lock()) {
    // Decisions are interned for the decider's lifetime; error messages name values, so a
    // long-lived decider fed many mistakes is started again rather than grow without bound.
    if (!P.Batch->Decider || P.Batch->Decider->numDecisions() > MaxKeptDecisions)
      P.Batch->Decider = std::make_unique<BatchDecider>(*P);
    Batch = P.Batch->Decider.get();
  } else {
    Batch = &Own.emplace(*P);
  }
  Status S;
  {
    py::gil_scoped_release Release;
    S = Batch->decide(In, Out);
  }
  if (!S)
    fail(S.error());
  py::list Decisions;
  for (uint32_t I = 0; I < Batch->numDecisions(); ++I)
    Decisions.append(decisionDict(*P, Batch->decision(I)));
  return py::make_tuple(Outcome, DecisionId, Rule, Decisions);
}

/// The names of Dimension's values in id order (only its leaves with LeavesOnly).
std::vector<std::string> valueNames(const CompiledPolicy &P, const std::string &Dimension,
                                    bool LeavesOnly) {
  std::optional<Dim> D = dimensionFromName(Dimension);
  if (!D)
    fail("unknown dimension `" + Dimension + "`");
  std::vector<std::string> Names;
  for (uint32_t V = 0; V < P.numValues(*D); ++V)
    if (!LeavesOnly || P.isLeaf(*D, V))
      Names.emplace_back(P.valueName(*D, V));
  return Names;
}

} // namespace

PYBIND11_MODULE(_privet, M) {
  M.doc() = "The Privet decision runtime (see the privet package for the documented API).";
  ErrorType = PyErr_NewException("privet.Error", PyExc_Exception, nullptr);
  M.attr("Error") = py::handle(ErrorType);

  M.def("dimensions", [] {
    py::list L;
    for (unsigned D = 0; D < NumDimensions; ++D)
      L.append(std::string(dimensionName(Dim(D))));
    return L;
  });

  py::class_<PyPolicy>(M, "CompiledPolicy")
      .def_static(
          "load",
          [](const std::string &Path) {
            auto R = CompiledPolicy::load(Path);
            if (!R)
              fail(R.error());
            return PyPolicy{R.take()};
          },
          py::arg("path"))
      .def_property_readonly("name", [](const PyPolicy &P) { return std::string(P->name()); })
      .def_property_readonly("title", [](const PyPolicy &P) { return std::string(P->title()); })
      .def_property_readonly("version", [](const PyPolicy &P) { return std::string(P->version()); })
      .def(
          "values",
          [](const PyPolicy &P, const std::string &Dimension) {
            return valueNames(*P, Dimension, /*LeavesOnly=*/false);
          },
          py::arg("dimension"))
      .def(
          "leaves",
          [](const PyPolicy &P, const std::string &Dimension) {
            return valueNames(*P, Dimension, /*LeavesOnly=*/true);
          },
          py::arg("dimension"))
      .def("attributes",
           [](const PyPolicy &P) {
             py::list L;
             for (uint32_t A = 0; A < P->numAttributes(); ++A) {
               AttrKind K = P->attributeKind(A);
               py::dict D;
               D["name"] = std::string(P->attributeName(A));
               D["kind"] = std::string(attrKindName(K));
               if (K == AttrKind::Enum) {
                 uint32_t E = P->attributeEnum(A);
                 std::vector<std::string> Values;
                 for (uint32_t V = 0; V < P->numEnumValues(E); ++V)
                   Values.emplace_back(P->enumValueName(E, V));
                 D["values"] = Values;
               }
               L.append(D);
             }
             return L;
           })
      .def("rules",
           [](const PyPolicy &P) {
             py::list L;
             for (uint32_t R = 0; R < P->numRules(); ++R)
               L.append(ruleDict(*P, R));
             return L;
           })
      .def("obligation_descriptions",
           [](const PyPolicy &P) {
             std::vector<std::string> L;
             for (uint32_t O = 0; O < P->numObligationInstances(); ++O)
               L.push_back(P->describeObligationInstance(O));
             return L;
           })
      .def("suggest",
           [](const PyPolicy &P, const std::string &Dimension, const std::string &Name) {
             std::optional<Dim> D = dimensionFromName(Dimension);
             return D ? P->suggestValue(*D, Name) : std::string();
           })
      .def("decide",
           [](const PyPolicy &P, py::kwargs Kw) {
             Request R = buildRequest(*P, Kw);
             Decision D = P->decide(R);
             if (D.isError())
               fail(D.error());
             return decisionDict(*P, D);
           })
      .def("explain",
           [](const PyPolicy &P, py::kwargs Kw) {
             Request R = buildRequest(*P, Kw);
             if (R.hasError())
               fail(R.error());
             return P->explain(R);
           })
      .def(
          "permitted_values",
          [](const PyPolicy &P, const std::string &Dimension, py::kwargs Kw) {
            std::optional<Dim> D = dimensionFromName(Dimension);
            if (!D)
              fail("unknown dimension `" + Dimension + "`");
            Request R = buildRequest(*P, Kw);
            auto Values = P->permittedValues(R, *D);
            if (!Values)
              fail(Values.error());
            std::vector<std::string> Names;
            for (uint32_t V : *Values)
              Names.emplace_back(P->valueName(*D, V));
            return Names;
          },
          py::arg("dimension"))
      .def("_decide_batch", &decideBatch)
      .def("_value_ids",
           [](const PyPolicy &P, const std::string &Dimension, std::vector<std::string> Names) {
             std::optional<Dim> D = dimensionFromName(Dimension);
             if (!D)
               fail("unknown dimension `" + Dimension + "`");
             std::vector<int64_t> Ids;
             for (const std::string &N : Names) {
               uint32_t Id = P->valueId(*D, N);
               Ids.push_back(Id == InvalidId ? -1 : int64_t(Id));
             }
             return Ids;
           })
      .def("_attribute",
           [](const PyPolicy &P, const std::string &Name) -> py::object {
             uint32_t A = P->attributeId(Name);
             if (A == InvalidId)
               return py::none();
             return py::make_tuple(A, std::string(attrKindName(P->attributeKind(A))));
           })
      .def("_enum_ids", [](const PyPolicy &P, uint32_t Attr, std::vector<std::string> Names) {
        auto Enc = DictionaryEncoder::forEnumAttribute(*P, Attr);
        std::vector<int64_t> Ids;
        for (const std::string &N : Names) {
          uint32_t Id = Enc.encode(N);
          Ids.push_back(Id == InvalidId ? -1 : int64_t(Id));
        }
        return Ids;
      });
}
