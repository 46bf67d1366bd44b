"""Who may see what: the part of the bureau a signed-in person's figures cover.

A `Scope` rides in `Filters.scope` (never in the URL), so every query function keeps its `(con, filters, …)`
signature and the query layer's one WHERE builder (`pipelines.queries._sql.where`) applies it to every
mart that has the scope's columns. `pipelines.access.scope.scope_for` derives it from an account and the
roster; nothing here knows about accounts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """`divisions` / `teams`: the divisions and teams whose rows may be seen (None = all of them).
    `pseudonyms`: people's names and staff ids are replaced by stable pseudonyms (analysts)."""

    divisions: tuple[str, ...] | None = None
    teams: tuple[str, ...] | None = None
    pseudonyms: bool = False

    def __post_init__(self) -> None:
        for name in ("divisions", "teams"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    @classmethod
    def bureau(cls, pseudonyms: bool = False) -> Scope:
        """The whole bureau."""
        return cls(None, None, pseudonyms)

    @classmethod
    def division(cls, division: str) -> Scope:
        return cls(divisions=(division,))

    @classmethod
    def team(cls, team: str) -> Scope:
        return cls(teams=(team,))

    @property
    def is_bureau(self) -> bool:
        return self.divisions is None and self.teams is None

    @property
    def kind(self) -> str:
        """"bureau", "division" or "team" (the narrowest dimension that restricts)."""
        if self.teams is not None:
            return "team"
        if self.divisions is not None:
            return "division"
        return "bureau"

    def allows(self, division: str | None, team: str | None) -> bool:
        """Whether a row of this division and team is inside the scope (a row without a team or division is
        bureau-wide: inside only a bureau scope's reach)."""
        if self.divisions is not None and division not in self.divisions:
            return False
        return self.teams is None or team in self.teams

    def describe(self) -> str:
        """A short, language-free description for the audit trail: `bureau`, `division:执行一处`, …"""
        parts = []
        if self.divisions is not None:
            parts.append("division:" + "|".join(self.divisions))
        if self.teams is not None:
            parts.append("team:" + "|".join(self.teams))
        text = ";".join(parts) or "bureau"
        return text + (";pseudonyms" if self.pseudonyms else "")


BUREAU = Scope.bureau()
