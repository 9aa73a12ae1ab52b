# Type stubs for the privet package (runtime/python/privet/__init__.py).
from typing import Any, Dict, List, Mapping, Optional, Union

import numpy as np

DIMENSIONS: List[str]
DENY: int
ALLOW: int
ERROR: int
INVALID_ID: int

class Error(Exception): ...

class Rule:
    id: str
    file: str
    line: int
    col: int
    effect: str
    text: str
    sources: List[str]

class Decision:
    effect: str
    rules: List[Rule]
    obligations: List[str]
    error: Optional[str]
    @property
    def permitted(self) -> bool: ...

class BatchResult:
    effect: np.ndarray
    decision: np.ndarray
    rule: np.ndarray
    decisions: List[Decision]
    def __len__(self) -> int: ...
    def effect_names(self) -> np.ndarray: ...
    def rule_ids(self) -> np.ndarray: ...
    def obligations(self) -> np.ndarray: ...
    def to_frame(self) -> Any: ...

_Name = Optional[str]
_AttrValue = Union[bool, int, str, Any]

class Policy:
    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def version(self) -> str: ...
    def values(self, dimension: str) -> List[str]: ...
    def leaves(self, dimension: str) -> List[str]: ...
    def attributes(self) -> List[Dict[str, Any]]: ...
    def rules(self) -> List[Rule]: ...
    def decide(self, *, action: _Name = ..., data: Union[_Name, List[str]] = ...,
               subject: _Name = ..., purpose: _Name = ..., basis: _Name = ...,
               recipient: _Name = ..., region: _Name = ..., context: _Name = ...,
               attributes: Optional[Mapping[str, _AttrValue]] = ...) -> Decision: ...
    def explain(self, *, action: _Name = ..., data: Union[_Name, List[str]] = ...,
                subject: _Name = ..., purpose: _Name = ..., basis: _Name = ...,
                recipient: _Name = ..., region: _Name = ..., context: _Name = ...,
                attributes: Optional[Mapping[str, _AttrValue]] = ...) -> str: ...
    def permitted_values(self, dimension: str, *, action: _Name = ...,
                         data: Union[_Name, List[str]] = ..., subject: _Name = ...,
                         purpose: _Name = ..., basis: _Name = ..., recipient: _Name = ...,
                         region: _Name = ..., context: _Name = ...,
                         attributes: Optional[Mapping[str, _AttrValue]] = ...) -> List[str]: ...
    def decide_batch(self, columns: Any) -> BatchResult: ...

def load(path: str) -> Policy: ...
