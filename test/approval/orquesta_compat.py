"""Let orquesta 1.2.0 (the newest on the package index here; it pins networkx<2 and
jsonschema<3) import and run on Python 3.11: the aliases Python 3.10 removed from
collections, fractions.gcd (gone in 3.9, networkx 1.11 imports it), and an inline-parameter
regex whose global (?i) flag Python 3.11 only accepts at the start. The workflow logic is
orquesta's own, unchanged."""
import collections
import collections.abc
import fractions
import math

fractions.gcd = math.gcd
for _name in ("Mapping", "MutableMapping", "Sequence", "MutableSequence", "Iterable", "Set", "MutableSet", "Callable", "Hashable"):
    setattr(collections, _name, getattr(collections.abc, _name))

from orquesta.utils import parameters as _parameters  # noqa: E402

_parameters.REGEX_INLINE_PARAMS = _parameters.REGEX_INLINE_PARAMS.replace("(?i)true", "(?i:true)").replace("(?i)false", "(?i:false)")
