"""Privet's decision runtime for Python: load a compiled policy (.pvc) and ask it questions.

    import privet
    policy = privet.load("outpost24.pvc")
    policy.decide(action="use", data=["email_address"], purpose="marketing")

Errors (an unreadable artifact, an unknown name, a missing attribute the decision needs) raise
privet.Error with the runtime's message. See docs/python.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

import numpy as np

from ._privet import CompiledPolicy as _CompiledPolicy
from ._privet import Error, dimensions as _dimensions

__all__ = ["Error", "Policy", "Decision", "Rule", "BatchResult", "load", "DIMENSIONS"]

DIMENSIONS: List[str] = list(_dimensions())

# decide_batch's outcome codes, as the runtime numbers them.
DENY, ALLOW, ERROR = 0, 1, 2
_EFFECTS = np.array(["deny", "allow", "error"], dtype=object)
# The runtime's "no value" id (omitted dimension, no deciding rule).
INVALID_ID = 0xFFFFFFFF


@dataclass(frozen=True)
class Rule:
    """A deciding rule: its id, where it is written, its text and its notice sources."""
    id: str
    file: str
    line: int
    col: int
    effect: str
    text: str
    sources: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    """The answer to one request: `effect` is "allow", "deny" or (batches only) "error"."""
    effect: str
    rules: List[Rule]
    obligations: List[str]
    error: Optional[str] = None

    @property
    def permitted(self) -> bool:
        return self.effect == "allow"


def _decision(d: Mapping[str, Any]) -> Decision:
    return Decision(d["effect"], [Rule(**r) for r in d["rules"]], list(d["obligations"]), d["error"])


@dataclass
class BatchResult:
    """decide_batch's answer: per row `effect` (0 deny, 1 allow, 2 error), `decision` (an index
    into `decisions`, the distinct decisions this policy's batches have met so far: a policy
    keeps its batch decider, and so its indexes, between calls) and `rule` (the first deciding rule's
    index, or INVALID_ID)."""
    effect: np.ndarray
    decision: np.ndarray
    rule: np.ndarray
    decisions: List[Decision]

    def __len__(self) -> int:
        return len(self.effect)

    def effect_names(self) -> np.ndarray:
        """The effects as "allow" / "deny" / "error"."""
        return _EFFECTS[self.effect]

    def rule_ids(self) -> np.ndarray:
        """The first deciding rule's id per row (None where no rule decided)."""
        table = np.array([d.rules[0].id if d.rules else None for d in self.decisions] or [None],
                         dtype=object)
        return table[self.decision]

    def obligations(self) -> np.ndarray:
        """The obligations per row, as tuples of descriptions."""
        table = np.empty(max(len(self.decisions), 1), dtype=object)
        for i, d in enumerate(self.decisions):
            table[i] = tuple(d.obligations)
        return table[self.decision]

    def to_frame(self):
        """The result as a pandas DataFrame with names rather than ids."""
        import pandas as pd
        return pd.DataFrame({"effect": self.effect_names(), "rule": self.rule_ids(),
                             "obligations": self.obligations()})


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _as_array(col: Any) -> np.ndarray:
    """A column as numpy sees it; a plain list keeps its Python values (numpy would turn
    ["a", nan] into the strings "a" and "nan") unless they are all of one numeric kind."""
    if hasattr(col, "dtype"):
        return np.asarray(col)
    arr = np.empty(len(col), dtype=object)
    arr[:] = list(col)
    kinds = {type(v) for v in arr}
    if kinds <= {bool, np.bool_}:
        return arr.astype(bool)
    if kinds and kinds <= {int, np.int64, np.int32}:
        return arr.astype(np.int64)
    return arr


def _factorize(values: np.ndarray):
    """(codes, distinct values) of an object column, -1 for missing values (None, NaN): with
    pandas' hash table when pandas is there (a pass over the column), else by sorting the
    strings (np.unique), which costs far more on long columns."""
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None:
        codes, uniques = pd.factorize(values)
        # pandas also counts pd.NA and NaT as missing: those keep their names, as without it.
        gaps = np.flatnonzero(codes < 0)
        if all(_is_missing(values[i]) for i in gaps):
            return np.asarray(codes), list(uniques)
    missing = np.fromiter((_is_missing(v) for v in values), dtype=bool, count=len(values))
    uniques, inverse = np.unique(values[~missing].astype(str), return_inverse=True)
    codes = np.full(len(values), -1, dtype=np.int64)
    codes[~missing] = inverse
    return codes, list(uniques)


class Policy:
    """A loaded, validated policy. Immutable and safe to share between threads."""

    def __init__(self, compiled: _CompiledPolicy):
        self._p = compiled

    @property
    def name(self) -> str:
        return self._p.name

    @property
    def title(self) -> str:
        return self._p.title

    @property
    def version(self) -> str:
        return self._p.version

    def values(self, dimension: str) -> List[str]:
        """Every value of a dimension, in id order."""
        return self._p.values(dimension)

    def leaves(self, dimension: str) -> List[str]:
        """The values of a dimension that have no values below them, in id order."""
        return self._p.leaves(dimension)

    def attributes(self) -> List[Dict[str, Any]]:
        return self._p.attributes()

    def rules(self) -> List[Rule]:
        return [Rule(**r) for r in self._p.rules()]

    def decide(self, **request: Any) -> Decision:
        """Decides one request: dimension names as keywords (`data` may be a list), attributes
        as `attributes={...}`. Raises Error for a mistake in the request or an error decision."""
        return _decision(self._p.decide(**request))

    def explain(self, **request: Any) -> str:
        """The decision as readable text, citing the deciding rules and their notice sources."""
        return self._p.explain(**request)

    def permitted_values(self, dimension: str, **request: Any) -> List[str]:
        """The values of `dimension` for which the request, with that value, is allowed."""
        return self._p.permitted_values(dimension, **request)

    # --- batches ---------------------------------------------------------------------------

    def _encode_names(self, column: str, values: np.ndarray, lookup) -> np.ndarray:
        """Names to ids, each distinct name looked up once; missing values become INVALID_ID."""
        values = np.asarray(values, dtype=object)
        codes, uniques = _factorize(values)
        missing = codes < 0
        names = [str(u) for u in uniques]
        ids = np.asarray(lookup(names), dtype=np.int64)
        if (ids < 0).any():
            bad = sorted(n for n, i in zip(names, ids) if i < 0)
            hint = self._p.suggest(column, bad[0]) if column in DIMENSIONS else ""
            raise Error(f"unknown {column} `{bad[0]}` in column `{column}`{hint}"
                        + (f" (and {len(bad) - 1} more unknown names)" if len(bad) > 1 else ""))
        out = np.full(len(values), INVALID_ID, dtype=np.uint32)
        out[~missing] = ids[codes[~missing]].astype(np.uint32)
        return out

    def _dimension_column(self, name: str, col: Any) -> np.ndarray:
        if hasattr(col, "cat"):  # a pandas categorical: encode its categories only
            cats = np.asarray(col.cat.categories, dtype=object)
            cat_ids = self._encode_names(name, cats, lambda n: self._p._value_ids(name, n))
            codes = np.asarray(col.cat.codes)
            table = np.append(cat_ids, np.uint32(INVALID_ID))
            return table[np.where(codes < 0, len(cat_ids), codes)]
        arr = _as_array(col)
        if arr.dtype == np.uint32:  # ids as the runtime takes them: passed without a copy
            return np.ascontiguousarray(arr)
        if arr.dtype.kind in "iu":
            out = arr.astype(np.int64)
            return np.where(out < 0, INVALID_ID, out).astype(np.uint32)
        return self._encode_names(name, arr, lambda n: self._p._value_ids(name, n))

    def _attribute_column(self, name: str, attr: int, kind: str, col: Any):
        arr = _as_array(col.astype(object) if hasattr(col, "cat") else col)
        if arr.dtype == object:
            present = ~np.fromiter((_is_missing(v) for v in arr), dtype=bool, count=len(arr))
        elif arr.dtype.kind == "f":
            present = ~np.isnan(arr)
        elif arr.dtype.kind == "m":
            present = ~np.isnat(arr)
        else:
            present = None  # every row has a value
        if present is not None and present.all():
            present = None
        if present is None and kind == "bool" and arr.dtype == np.bool_:
            # numpy's bools are bytes, which the runtime reads in place: no copy, no int64.
            return (attr, np.ascontiguousarray(arr).view(np.uint8), None)
        if present is None and arr.dtype.kind in ("iu" if kind == "enum" else "biu"):
            # Bools and integers with no row unset: one conversion, no masking.
            return (attr, np.ascontiguousarray(arr, dtype=np.int64), None)
        if present is None:
            present = np.ones(len(arr), dtype=bool)
        if kind == "enum" and arr.dtype.kind not in "iu":
            ids = self._encode_names(name, np.where(present, arr, None),
                                     lambda n: self._p._enum_ids(attr, n))
            values = np.where(present, ids, 0).astype(np.int64)
        elif arr.dtype.kind == "m":
            values = np.where(present, arr.astype("timedelta64[s]").astype(np.int64), 0)
        elif arr.dtype == object:
            values = np.array([0 if not p else int(v.total_seconds()) if hasattr(v, "total_seconds")
                               else int(v) for v, p in zip(arr, present)], dtype=np.int64)
        else:
            values = np.where(present, arr, 0).astype(np.int64)
        return (attr, np.ascontiguousarray(values, dtype=np.int64),
                None if present.all() else present.astype(np.uint8))

    def decide_batch(self, columns: Any) -> BatchResult:
        """Decides many requests at once. `columns` is a pandas DataFrame or a mapping of column
        names to arrays: dimension columns (ids as integers, negative meaning omitted, or names;
        `data` may hold lists of names for several categories) and attribute columns (bools,
        ints, durations in seconds or timedelta64, enum names or ids; NaN/None meaning unset).
        Each distinct name is looked up once, and the work runs with the GIL released."""
        names = list(columns.columns) if hasattr(columns, "columns") else list(columns.keys())
        rows = None
        values: List[Optional[np.ndarray]] = [None] * len(DIMENSIONS)
        data_offsets = data_ids = None
        attrs = []
        for name in names:
            col = columns[name]
            n = len(col)
            if rows is None:
                rows = n
            elif n != rows:
                raise Error(f"column `{name}` has {n} rows, not {rows}")
            if name in DIMENSIONS:
                d = DIMENSIONS.index(name)
                arr = None if hasattr(col, "cat") else _as_array(col)
                if name == "data" and arr is not None and arr.dtype == object and any(
                        isinstance(v, (list, tuple, np.ndarray)) for v in arr):
                    lists = [[] if _is_missing(v) else [v] if isinstance(v, str) else list(v)
                             for v in arr]
                    flat = [x for xs in lists for x in xs]
                    data_ids = self._encode_names("data", np.array(flat, dtype=object),
                                                  lambda n: self._p._value_ids("data", n))
                    data_offsets = np.zeros(len(lists) + 1, dtype=np.uint64)
                    np.cumsum([len(xs) for xs in lists], out=data_offsets[1:])
                else:
                    values[d] = self._dimension_column(name, col)
                continue
            info = self._p._attribute(name)
            if info is None:
                raise Error(f"unknown column `{name}`: neither a dimension nor an attribute of "
                            f"policy `{self.name}`")
            attrs.append(self._attribute_column(name, info[0], info[1], col))
        rows = rows or 0
        outcome, decision, rule, decisions = self._p._decide_batch(
            rows, values, data_offsets, data_ids, attrs)
        return BatchResult(outcome, decision, rule, [_decision(d) for d in decisions])


def load(path: str) -> Policy:
    """Loads and validates a compiled policy (.pvc). Raises Error naming the file on failure."""
    return Policy(_CompiledPolicy.load(str(path)))
