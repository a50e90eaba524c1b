"""The comparability box of the methodology: every configured country's definition of a segregated school with
its source, whether the counts of segregated schools compare between the reports, and the figures that compare
whatever the definition (the share of group pupils in schools with at least 50% group pupils, and D beyond chance).
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd
from babel.lists import format_list

from segmap.report import i18n


#: The threshold every report states for the comparison across countries (share of group pupils).
COMPARABLE_THRESHOLD = 0.5


def comparability(definitions: list[Mapping[str, Any]], settings: Mapping[str, Any], schools: pd.DataFrame,
                  national: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The comparability box of the methodology: each configured country's definition of a segregated school
    with its source (in ``language``), and this country's figures that compare across countries: the share of
    group pupils in schools with at least 50% group pupils, whatever the country's definition, and D beyond
    chance with its interval."""
    t = i18n.Translator(language)
    rows = []
    for item in definitions or [settings_definition(settings)]:
        thresholds = item["thresholds"]
        rows.append({
            "code": item["code"],
            "name": (item.get("names") or {}).get(language) or t.config_text(item["name"]),
            "symbol": ">" if thresholds["comparison"] == "above" else "≥",
            "segregated": thresholds["segregated"],
            "severe": thresholds["severe"],
            "require_alternative": bool(thresholds.get("require_alternative")),
            "source": (thresholds.get("source_translations") or {}).get(language) or t.config_text(thresholds["source"]),
            "this": item["code"] == settings["code"],
        })
    def key(row: Mapping[str, Any]) -> tuple:
        return row["symbol"], row["segregated"], row["severe"], row["require_alternative"]

    own = next((key(r) for r in rows if r["this"]), None)
    same = [r["name"] for r in rows if own is not None and key(r) == own]
    different = [r["name"] for r in rows if own is None or key(r) != own]
    total = schools["pupils_group"].sum()
    share = pd.to_numeric(schools["group_share"], errors="coerce")
    majority = schools.loc[(share >= COMPARABLE_THRESHOLD).to_numpy(), "pupils_group"].sum()
    return {
        "definitions": rows,
        "same_everywhere": len({(r["symbol"], r["segregated"], r["severe"], r["require_alternative"])
                                for r in rows}) == 1,
        "same": format_list(same, locale=i18n.babel_locale(language)) if len(same) > 1 else None,
        "different": format_list(different, locale=i18n.babel_locale(language)) if different else None,
        "threshold": COMPARABLE_THRESHOLD,
        "majority_share": float(majority / total) if total else float("nan"),
        "national": national,
    }


def settings_definition(settings: Mapping[str, Any]) -> dict[str, Any]:
    """This country's definition in the form of :meth:`segmap.settings.Settings.definitions`."""
    return {"code": settings["code"], "name": settings["name"], "names": settings.get("names") or {},
            "thresholds": settings["thresholds"]}


