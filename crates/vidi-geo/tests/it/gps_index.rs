//! Every row of `corpora/GPS-INDEX.tsv` that names a country must geocode
//! to it. The index's `country(derived)` column is an English country name
//! from the Python `reverse_geocode` package (GeoNames nearest city); it is
//! mapped to ISO 3166-1 alpha-2 with `vidi_geo::country_by_name`.

#[test]
fn gps_index_countries() {
    let path = vidi_testkit::shared_path().join("corpora/GPS-INDEX.tsv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("SKIP gps_index_countries: {} is absent", path.display());
        return;
    };
    let geo = vidi_geo::geocoder().expect("geocoder loads");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.starts_with(name))
            .unwrap_or_else(|| panic!("column {name} missing in {header:?}"))
    };
    let (c_file, c_lat, c_lon) = (col("file"), col("lat"), col("lon"));
    let (c_city, c_country) = (col("nearest_city"), col("country"));

    let (mut right, mut total, mut same_town, mut rejected) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let field = |i: usize| cols.get(i).copied().unwrap_or("").trim();
        let lat: Option<f64> = field(c_lat).parse().ok();
        let lon: Option<f64> = field(c_lon).parse().ok();
        let expected = field(c_country);
        if expected.is_empty() {
            // The malformed edge cases: no longitude, or latitude 4294967295.
            match (lat, lon) {
                (Some(lat), Some(lon)) => {
                    assert!(geo.place(lat, lon).is_err(), "{}: accepted", field(c_file));
                }
                // Latitude without longitude: still out of range or not.
                (Some(lat), None) if !(-90.0..=90.0).contains(&lat) => {
                    assert!(vidi_geo::check_coordinates(lat, 0.5).is_err());
                }
                _ => {}
            }
            rejected += 1;
            continue;
        }
        total += 1;
        let want = vidi_geo::country_by_name(expected)
            .unwrap_or_else(|| panic!("{}: unknown country name {expected:?}", field(c_file)));
        let (Some(lat), Some(lon)) = (lat, lon) else {
            wrong.push(format!("{}: unparsable coordinates", field(c_file)));
            continue;
        };
        match geo.place(lat, lon) {
            Ok(p) if p.country == Some(want) => {
                right += 1;
                if p.nearest_town.name.eq_ignore_ascii_case(field(c_city)) {
                    same_town += 1;
                }
            }
            Ok(p) => wrong.push(format!(
                "{}: want {want}, got {:?} (town {} {:?})",
                field(c_file),
                p.country,
                p.nearest_town.name,
                p.nearest_town.country
            )),
            Err(e) => wrong.push(format!("{}: {e}", field(c_file))),
        }
    }
    println!(
        "GPS-INDEX: country right {right}/{total}; nearest town equal to the index's {same_town}/{right}; \
         {rejected} rows without a usable fix"
    );
    assert!(total > 0, "no rows with a country in {}", path.display());
    assert!(wrong.is_empty(), "{wrong:#?}");
}
