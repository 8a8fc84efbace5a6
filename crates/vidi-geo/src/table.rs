//! Reader for the compiled-in TSV tables: `#` lines are comments, fields are
//! tab separated, and a row with the wrong number of fields is logged and
//! skipped (the unit tests check that the shipped tables have none).

/// The rows of `text` that have exactly `N` fields.
pub(crate) fn rows<const N: usize>(
    text: &'static str,
    table: &'static str,
) -> impl Iterator<Item = [&'static str; N]> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .filter_map(move |(number, line)| {
            let mut fields = [""; N];
            let mut count = 0;
            for field in line.split('\t') {
                if let Some(slot) = fields.get_mut(count) {
                    *slot = field;
                }
                count += 1;
            }
            if count == N {
                Some(fields)
            } else {
                tracing::warn!(
                    table,
                    line = number + 1,
                    fields = count,
                    "skipping malformed row"
                );
                None
            }
        })
}

/// Number of data rows in `text` whose field count is not `N`.
#[cfg(test)]
pub(crate) fn malformed<const N: usize>(text: &str) -> usize {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter(|line| line.split('\t').count() != N)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_comments_and_bad_rows() {
        let text = "# header\na\tb\n\nc\n d\te\tf\ng\th\n";
        let got: Vec<[&str; 2]> = rows::<2>(text, "t").collect();
        assert_eq!(got, vec![["a", "b"], ["g", "h"]]);
        assert_eq!(malformed::<2>(text), 2);
    }

    #[test]
    fn shipped_tables_are_well_formed() {
        assert_eq!(malformed::<3>(include_str!("../data/countries.tsv")), 0);
        assert_eq!(malformed::<2>(include_str!("../data/subdivisions.tsv")), 0);
        assert_eq!(
            malformed::<5>(include_str!("../data/territory_languages.tsv")),
            0
        );
        assert_eq!(malformed::<5>(include_str!("../data/utc_offsets.tsv")), 0);
        assert_eq!(malformed::<4>(include_str!("../data/languages.tsv")), 0);
    }
}
