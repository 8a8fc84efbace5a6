#!/usr/bin/env python3
"""Generate the data tables shipped in crates/vidi-geo/data/.

Run once by hand; the output is committed. Nothing here runs in CI or at
build time. See docs/data.md for sources, licences and how to re-run.

Inputs
  * PyPI `babel` (Unicode CLDR supplemental data): territory -> languages with
    population percentage and official status; English territory names;
    CLDR zone -> territory mapping.
  * npm `cldr-core` (optional, --territory-info): supplemental/territoryInfo.json
    for the population of each territory (babel drops that attribute).
  * The system tzdata (/usr/share/zoneinfo: zone.tab, zone1970.tab, iso3166.tab)
    through Python's `zoneinfo` for UTC offsets per zone and year.
  * Debian `iso-codes` (/usr/share/iso-codes/json/iso_3166-2.json) for the
    English names of ISO 3166-2 subdivisions.

Outputs (tab separated, '#' header lines name the sources and versions)
  countries.tsv            code, English name, population
  territory_languages.tsv  territory, language, percent, status, CLDR codes
  utc_offsets.tsv          country, offset minutes, std|dst, first year, last year
  subdivisions.tsv         ISO 3166-2 code, name
  languages.tsv            language code, English name, ISO 639-2/T code, ISO 639-2/B code
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import babel
import babel.core
from babel import Locale

ZONEINFO = Path("/usr/share/zoneinfo")
ISO_CODES = Path("/usr/share/iso-codes/json/iso_3166-2.json")
ISO_639_2 = Path("/usr/share/iso-codes/json/iso_639-2.json")
ISO_639_3 = Path("/usr/share/iso-codes/json/iso_639-3.json")

# Strongest first; the TSV writes these short forms.
STATUS_RANK = {
    "official": 3,
    "de_facto_official": 2,
    "official_regional": 1,
    None: 0,
}
STATUS_SHORT = {
    "official": "official",
    "de_facto_official": "de_facto",
    "official_regional": "regional",
    None: "-",
}

# User-assigned code for Kosovo: in CLDR, in the OSM borders, not in iso3166.tab.
EXTRA_COUNTRIES = ["XK"]

FIRST_YEAR = 1970


def tzdata_version() -> str:
    for line in (ZONEINFO / "tzdata.zi").read_text().splitlines()[:5]:
        if line.startswith("# version"):
            return line.split()[-1]
    return "unknown"


def iso_countries() -> list[str]:
    codes = []
    for line in (ZONEINFO / "iso3166.tab").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        codes.append(line.split("\t")[0])
    return sorted(set(codes) | set(EXTRA_COUNTRIES))


def base_language(code: str) -> str:
    """BCP 47 language subtag: 'zh_Hant' -> 'zh', 'sr_Latn' -> 'sr'.

    CLDR already uses the ISO 639-1 two-letter code where one exists, so the
    first subtag is the code we want.
    """
    return code.split("_")[0].split("-")[0].lower()


def fmt_pct(p: float) -> str:
    return f"{p:.6g}"


def write_countries(out: Path, populations: dict[str, int], header: list[str]) -> list[str]:
    names = Locale("en").territories
    codes = iso_countries()
    lines = header + ["#code\tname_en\tpopulation"]
    for code in codes:
        name = names.get(code)
        if name is None:
            sys.exit(f"no CLDR English name for {code}")
        pop = populations.get(code)
        lines.append(f"{code}\t{name}\t{pop if pop is not None else ''}")
    (out / "countries.tsv").write_text("\n".join(lines) + "\n")
    return codes


def write_languages(out: Path, header: list[str]) -> None:
    data = babel.core.get_global("territory_languages")
    lines = header + ["#territory\tlang\tpercent\tstatus\tcldr_codes"]
    for territory in sorted(data):
        if len(territory) != 2 or not territory.isalpha():
            continue
        merged: dict[str, dict] = {}
        for code, info in data[territory].items():
            lang = base_language(code)
            pct = float(info.get("population_percent") or 0.0)
            status = info.get("official_status")
            m = merged.setdefault(lang, {"pct": 0.0, "status": None, "codes": []})
            # Script variants describe the same speakers: keep the largest share.
            m["pct"] = max(m["pct"], pct)
            if STATUS_RANK[status] > STATUS_RANK[m["status"]]:
                m["status"] = status
            m["codes"].append(code)
        for lang, m in sorted(merged.items(), key=lambda kv: (-kv[1]["pct"], kv[0])):
            lines.append(
                f"{territory}\t{lang}\t{fmt_pct(m['pct'])}\t{STATUS_SHORT[m['status']]}\t"
                + ",".join(sorted(m["codes"]))
            )
    (out / "territory_languages.tsv").write_text("\n".join(lines) + "\n")


def zone_countries() -> dict[str, set[str]]:
    zones: dict[str, set[str]] = {}
    for name in ("zone.tab", "zone1970.tab"):
        for line in (ZONEINFO / name).read_text().splitlines():
            if line.startswith("#") or not line.strip():
                continue
            cols = line.split("\t")
            for cc in cols[0].split(","):
                zones.setdefault(cols[2], set()).add(cc)
    for zone, cc in babel.core.get_global("zone_territories").items():
        if len(cc) == 2 and cc.isalpha():
            zones.setdefault(zone, set()).add(cc)
    return zones


def zone_offsets(zone: str, last_year: int) -> dict[tuple[int, str], tuple[int, int]]:
    """(offset minutes, std|dst) -> (first year, last year), sampled daily at 12:00 UTC."""
    try:
        tz = ZoneInfo(zone)
    except Exception:  # zone in CLDR but not in this tzdata
        return {}
    found: dict[tuple[int, str], tuple[int, int]] = {}
    t = dt.datetime(FIRST_YEAR, 1, 1, 12, tzinfo=dt.timezone.utc)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=dt.timezone.utc)
    day = dt.timedelta(days=1)
    while t < end:
        local = t.astimezone(tz)
        off = local.utcoffset()
        dst = local.dst()
        minutes = int(off.total_seconds() // 60) if off is not None else 0
        kind = "dst" if dst else "std"
        key = (minutes, kind)
        first, _ = found.get(key, (t.year, t.year))
        found[key] = (first, t.year)
        t += day
    return found


def write_offsets(out: Path, last_year: int, header: list[str]) -> None:
    per_country: dict[tuple[str, int, str], tuple[int, int]] = {}
    for zone, countries in sorted(zone_countries().items()):
        for (minutes, kind), (first, last) in zone_offsets(zone, last_year).items():
            for cc in countries:
                key = (cc, minutes, kind)
                if key in per_country:
                    f0, l0 = per_country[key]
                    per_country[key] = (min(f0, first), max(l0, last))
                else:
                    per_country[key] = (first, last)
    lines = header + ["#country\toffset_min\tkind\tfirst_year\tlast_year"]
    for (cc, minutes, kind), (first, last) in sorted(per_country.items()):
        lines.append(f"{cc}\t{minutes}\t{kind}\t{first}\t{last}")
    (out / "utc_offsets.tsv").write_text("\n".join(lines) + "\n")


def write_subdivisions(out: Path, header: list[str]) -> None:
    data = json.loads(ISO_CODES.read_text())["3166-2"]
    lines = header + ["#code\tname"]
    for entry in sorted(data, key=lambda e: e["code"]):
        name = entry["name"].replace("\t", " ")
        lines.append(f"{entry['code']}\t{name}")
    (out / "subdivisions.tsv").write_text("\n".join(lines) + "\n")


def write_language_names(out: Path, header: list[str]) -> None:
    """Every code used in territory_languages.tsv plus every ISO 639-1 code,
    with its English CLDR name and ISO 639-2 terminology/bibliographic codes."""
    names = Locale("en").languages
    iso = json.loads(ISO_639_2.read_text())["639-2"]
    by_alpha2 = {e["alpha_2"]: e for e in iso if "alpha_2" in e}
    by_alpha3 = {e["alpha_3"]: e for e in iso}
    names_639_3 = {e["alpha_3"]: e["name"] for e in json.loads(ISO_639_3.read_text())["639-3"]}
    codes = set(by_alpha2)
    for langs in babel.core.get_global("territory_languages").values():
        codes.update(base_language(c) for c in langs)
    lines = header + ["#code\tname_en\talpha3_t\talpha3_b"]
    for code in sorted(codes):
        entry = by_alpha2.get(code) or by_alpha3.get(code) or {}
        name = names.get(code) or entry.get("name", "").split(";")[0] or names_639_3.get(code, "")
        alpha3 = entry.get("alpha_3", code if len(code) == 3 else "")
        bib = entry.get("bibliographic", "")
        lines.append(f"{code}\t{name}\t{alpha3}\t{bib}")
    (out / "languages.tsv").write_text("\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "crates/vidi-geo/data")
    ap.add_argument("--territory-info", type=Path, help="cldr-core supplemental/territoryInfo.json")
    ap.add_argument("--last-year", type=int, default=dt.date.today().year)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    cldr = babel.core.get_cldr_version()
    header = [f"# Unicode CLDR {cldr} via babel {babel.__version__}; generated by scripts/data/extract_cldr.py"]
    populations: dict[str, int] = {}
    if args.territory_info:
        info = json.loads(args.territory_info.read_text())["supplemental"]
        populations = {k: int(float(v["_population"])) for k, v in info["territoryInfo"].items() if "_population" in v}
        header.append(f"# territory population: Unicode CLDR {info['version']['_cldrVersion']} (npm cldr-core territoryInfo.json)")

    write_countries(args.out, populations, header)
    write_languages(args.out, header[:1])
    tz = tzdata_version()
    write_offsets(
        args.out,
        args.last_year,
        [
            f"# IANA tz {tz} (system tzdata via Python zoneinfo), zone.tab + zone1970.tab + CLDR {cldr} zone territories;"
            f" offsets sampled daily at 12:00 UTC, {FIRST_YEAR}-{args.last_year}; generated by scripts/data/extract_cldr.py"
        ],
    )
    iso_version = "unknown"
    try:
        import subprocess

        iso_version = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "iso-codes"], capture_output=True, text=True, check=True
        ).stdout
    except Exception:
        pass
    write_subdivisions(
        args.out,
        [f"# ISO 3166-2 names from Debian iso-codes {iso_version}; generated by scripts/data/extract_cldr.py"],
    )
    write_language_names(
        args.out,
        [
            f"# names: Unicode CLDR {cldr} via babel {babel.__version__}; ISO 639-2 codes: Debian iso-codes {iso_version};"
            " generated by scripts/data/extract_cldr.py"
        ],
    )


if __name__ == "__main__":
    main()
