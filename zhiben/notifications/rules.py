"""Resolving one rule for many regions at once (a batch form of `zhiben.core.rules.rule`).

`rule(key, region)` costs a query per call; jobs and lists that look a rule up for hundreds of
enterprises load the key's rows once and resolve each region in memory, with the same precedence:
the nearest ancestor's override, else the global row, else the default.
"""

from zhiben.core.models import Rule
from zhiben.core.rules import DEFAULTS
from zhiben.core.scoping import LEVEL_PREFIX


class RuleResolver:
    def __init__(self, key, default=None):
        self.key = key
        self.default = DEFAULTS[key][0] if default is None else default
        self.rows = dict(Rule.objects.filter(key=key).values_list("region_code", "value"))
        self._cache = {}

    def value(self, region_code=""):
        if region_code not in self._cache:
            candidates = [""] + ([region_code[:n].ljust(12, "0") for n in sorted(set(LEVEL_PREFIX.values()))] if region_code else [])
            self._cache[region_code] = next((self.rows[c] for c in reversed(candidates) if c in self.rows), self.default)
        return self._cache[region_code]

    def values(self):
        """Every value in force somewhere (the default and each override)."""
        return [self.default, *self.rows.values()]

    def largest(self):
        return max(int(v) for v in self.values())
