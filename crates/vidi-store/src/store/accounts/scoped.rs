//! Reads and writes under a [`Scope`]: everything the server returns about
//! cases and media goes through here.
//!
//! A media is visible when at least one of its evidence items is in a case
//! the scope's agency owns or was granted. A media that is not visible is
//! answered exactly like a media that does not exist (`None`, empty list),
//! so that its existence cannot be inferred. Links into media that are not
//! visible come back as [`LinkView::Restricted`], carrying only the code and
//! country of the agency holding the other end. Cluster ids are shown as the
//! smallest *visible* member, never as a hidden media's hash.

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params, params_from_iter};
use serde::Serialize;
use vidi_hashsets::Category;
use vidi_types::{MediaRecord, Sha256};

use super::cache::{Generation, ReadCaches};
use super::{AccountError, Scope};
use crate::StoreError;
use crate::store::codec;
// `VIS`: the cases the agency bound to `?1` owns or was granted (the one
// need-to-know fragment, shared with leads and embeddings).
use crate::store::leads::AGENCY_CASES as VIS;
use crate::store::{HitRow, Store};

/// The country a media is placed in: its best GPS place clue, else its best
/// scene geolocation clue. `{m}` is the SQL expression of the media hash.
fn country_expr(m: &str) -> String {
    format!(
        "(SELECT cl.value FROM clues cl WHERE cl.media_sha256 = {m}
           AND cl.kind IN ('gps_place', 'scene_geolocation')
         ORDER BY cl.kind = 'gps_place' DESC, cl.confidence DESC, cl.id LIMIT 1)"
    )
}

/// Largest page of a listing.
pub const MAX_PAGE: usize = 1000;

/// How the scope's agency may see a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// The agency owns the case.
    Owner,
    /// The owning agency granted access.
    Granted,
}

/// A visible case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseView {
    /// Case number.
    pub number: String,
    /// The owning agency.
    pub agency: super::Agency,
    /// Owner or granted.
    pub access: Access,
    /// Distinct media in the case.
    pub media_count: u64,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Items matching the filter over all pages.
    pub total: u64,
}

/// Filters of a case's media list (all optional, combined with AND).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaFilter {
    /// `Some(true)`: matched a hash set (known); `Some(false)`: new.
    pub known: Option<bool>,
    /// Category code set by an investigator or copied from a hash set.
    pub category: Option<String>,
    /// Media kind (`image`, `video`, ...).
    pub kind: Option<String>,
    /// Has (or has not) a GPS position.
    pub has_gps: Option<bool>,
    /// Has (or has not) a spoken-language clue.
    pub has_speech: Option<bool>,
    /// Series: a visible series' id (`12` or `#12`) or name (a merged
    /// series' name or a hash-set series name resolves to its live series);
    /// an unknown or invisible series matches nothing.
    pub series: Option<String>,
    /// Cluster, as shown to this scope (a visible member's SHA-256).
    pub cluster: Option<String>,
    /// Country placed in (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// Only these media (SHA-256 hex), e.g. those a caller-side ranking
    /// (location hypotheses) selected.
    pub media_in: Option<Vec<String>>,
}

/// A category of a media.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryView {
    /// Scheme name.
    pub scheme: String,
    /// Code.
    pub code: String,
    /// Label, when known.
    pub label: Option<String>,
    /// `hashset` or `investigator`.
    pub source: &'static str,
}

/// One media in a case's list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediaListItem {
    /// SHA-256 hex.
    pub sha256: String,
    /// Kind.
    pub kind: String,
    /// Width in pixels.
    pub width: Option<u32>,
    /// Height in pixels.
    pub height: Option<u32>,
    /// Duration (video, audio).
    pub duration_s: Option<f64>,
    /// `new` or `known`.
    pub status: &'static str,
    /// Current categories.
    pub categories: Vec<CategoryView>,
    /// Has a GPS position.
    pub has_gps: bool,
    /// Has a spoken-language clue.
    pub has_speech: bool,
    /// Series names from hash-set hits.
    pub series: Vec<String>,
    /// Cluster as shown to this scope.
    pub cluster: Option<String>,
    /// Country placed in.
    pub country: Option<String>,
}

/// A clue with its row id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClueView {
    /// Row id.
    pub id: i64,
    /// Kind.
    pub kind: String,
    /// Value.
    pub value: String,
    /// Confidence 0..1.
    pub confidence: f64,
    /// Extractor (`manual` for investigators' clues).
    pub extractor: String,
    /// Extractor version.
    pub version: i64,
    /// Box in the image, if any.
    pub region: Option<serde_json::Value>,
    /// Time range in the video, if any.
    pub time_range: Option<serde_json::Value>,
}

/// The visible other end of a link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisibleLinkEnd {
    /// SHA-256 hex.
    pub sha256: String,
    /// Media kind.
    pub media_kind: String,
    /// The visible cases it is in.
    pub cases: Vec<String>,
}

/// A link of a media as this scope may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LinkView {
    /// The other end is visible.
    Visible {
        /// Link kind.
        kind: String,
        /// Always false.
        restricted: bool,
        /// The other end.
        other: VisibleLinkEnd,
        /// Hamming distance, when the kind has one.
        distance: Option<i64>,
        /// Score, when the kind has one.
        score: Option<f64>,
    },
    /// The other end is only in cases of another agency: only that agency
    /// is shown, so that access can be asked for.
    Restricted {
        /// Link kind.
        kind: String,
        /// Always true.
        restricted: bool,
        /// The agency holding the other end.
        other_agency: RestrictedAgency,
    },
}

/// What a restricted link shows of the other agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestrictedAgency {
    /// Agency code.
    pub code: String,
    /// Country.
    pub country: Option<String>,
}

/// A tag or note on a media.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteView {
    /// Row id.
    pub id: i64,
    /// The text.
    pub text: String,
    /// Author's username.
    pub user: String,
    /// Author's agency code.
    pub agency: String,
    /// When (ISO 8601 UTC).
    pub created_at: String,
}

/// Everything about one visible media.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaView {
    /// The media record.
    pub record: MediaRecord,
    /// Evidence items in visible cases: (case, path).
    pub evidence: Vec<(String, String)>,
    /// Hash-set hits.
    pub hits: Vec<HitRow>,
    /// Current categories.
    pub categories: Vec<CategoryView>,
    /// Clues.
    pub clues: Vec<ClueView>,
    /// Links.
    pub links: Vec<LinkView>,
    /// Cluster as shown to this scope.
    pub cluster: Option<String>,
    /// Series names from hash-set hits.
    pub series: Vec<String>,
    /// Country placed in.
    pub country: Option<String>,
    /// Tags.
    pub tags: Vec<NoteView>,
    /// Notes.
    pub notes: Vec<NoteView>,
}

/// The file behind a visible media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFile {
    /// Absolute path of an evidence item in a visible case.
    pub path: String,
    /// Size recorded at ingest.
    pub size: u64,
    /// MIME type of the media.
    pub mime: String,
}

/// A GPS point of a visible media.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapPoint {
    /// SHA-256 hex.
    pub sha256: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// Media per country placed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapCountry {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// Number of visible media.
    pub media: u64,
}

/// What the map shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapView {
    /// GPS points (at most [`MAX_MAP_POINTS`]).
    pub points: Vec<MapPoint>,
    /// Media per country.
    pub countries: Vec<MapCountry>,
}

/// Most points a map returns.
pub const MAX_MAP_POINTS: usize = 50_000;

fn u32_opt(v: Option<i64>) -> Option<u32> {
    v.and_then(|v| u32::try_from(v).ok())
}

impl Store {
    /// True when the case exists and the scope may see it.
    pub fn case_visible(&self, scope: &Scope, case: &str) -> Result<bool, StoreError> {
        Ok(self.visible_case_id(scope, case)?.is_some())
    }

    pub(crate) fn visible_case_id(
        &self,
        scope: &Scope,
        case: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT id FROM cases WHERE number = ?2 AND id IN {VIS}"
            ))?
            .query_row(params![scope.agency_id(), case], |r| r.get(0))
            .optional()?)
    }

    /// True when the media exists and is in a case the scope may see.
    pub fn media_visible(&self, scope: &Scope, sha256: &Sha256) -> Result<bool, StoreError> {
        self.hex_visible(scope, &sha256.to_hex())
    }

    fn hex_visible(&self, scope: &Scope, hex: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT 1 FROM evidence WHERE media_sha256 = ?2 AND case_id IN {VIS} LIMIT 1"
            ))?
            .query_row(params![scope.agency_id(), hex], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Ids of the cases the scope may see (for reads that take
    /// `visible_cases`, e.g. embeddings).
    pub fn visible_case_ids(&self, scope: &Scope) -> Result<Vec<i64>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT id FROM cases WHERE id IN {VIS} ORDER BY id"
        ))?;
        let rows = st.query_map([scope.agency_id()], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The media of `shas` the scope may see, in the given order (for
    /// similar-search results and exports).
    pub fn visible_media(&self, scope: &Scope, shas: &[Sha256]) -> Result<Vec<Sha256>, StoreError> {
        let mut out = Vec::with_capacity(shas.len());
        for s in shas {
            if self.media_visible(scope, s)? {
                out.push(*s);
            }
        }
        Ok(out)
    }

    /// [`Store::scoped_cases`] with each case's media count taken from
    /// `caches` while [`Generation::Data`] is unchanged.
    pub fn scoped_cases_cached(
        &self,
        caches: &ReadCaches,
        scope: &Scope,
    ) -> Result<Vec<CaseView>, StoreError> {
        let generation = self.generation(Generation::Data)?;
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT c.id, c.number, a.code, a.name, a.country, c.agency_id = ?1
             FROM cases c JOIN agencies a ON a.id = c.agency_id
             WHERE c.id IN {VIS} ORDER BY c.number"
        ))?;
        let rows = st.query_map([scope.agency_id()], |r| {
            let owned: bool = r.get(5)?;
            Ok((
                r.get::<_, i64>(0)?,
                CaseView {
                    number: r.get(1)?,
                    agency: super::Agency {
                        code: r.get(2)?,
                        name: r.get(3)?,
                        country: r.get(4)?,
                    },
                    access: if owned {
                        Access::Owner
                    } else {
                        Access::Granted
                    },
                    media_count: 0,
                },
            ))
        })?;
        let cases = rows.collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(cases.len());
        for (id, mut case) in cases {
            let key = format!("case-media\u{1f}{id}");
            let n = match caches.totals.get(generation, &key) {
                Some(n) => n,
                None => {
                    let n: i64 = self
                        .conn
                        .prepare_cached(
                            "SELECT count(DISTINCT media_sha256) FROM evidence
                             WHERE case_id = ?1 AND media_sha256 IS NOT NULL",
                        )?
                        .query_row([id], |r| r.get(0))?;
                    caches.totals.put(generation, key, n);
                    n
                }
            };
            case.media_count = u64::try_from(n).unwrap_or(0);
            out.push(case);
        }
        Ok(out)
    }

    /// The cases the scope may see, by number.
    pub fn scoped_cases(&self, scope: &Scope) -> Result<Vec<CaseView>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT c.number, a.code, a.name, a.country, c.agency_id = ?1,
                    (SELECT count(DISTINCT e.media_sha256) FROM evidence e
                     WHERE e.case_id = c.id AND e.media_sha256 IS NOT NULL)
             FROM cases c JOIN agencies a ON a.id = c.agency_id
             WHERE c.id IN {VIS} ORDER BY c.number"
        ))?;
        let rows = st.query_map([scope.agency_id()], |r| {
            let owned: bool = r.get(4)?;
            let n: i64 = r.get(5)?;
            Ok(CaseView {
                number: r.get(0)?,
                agency: super::Agency {
                    code: r.get(1)?,
                    name: r.get(2)?,
                    country: r.get(3)?,
                },
                access: if owned {
                    Access::Owner
                } else {
                    Access::Granted
                },
                media_count: u64::try_from(n).unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One page of a visible case's media, by SHA-256; `None` when the case
    /// does not exist or is not visible. `cursor` is the last SHA-256 of the
    /// previous page; `limit` is clamped to 1..=[`MAX_PAGE`].
    pub fn scoped_media_page(
        &self,
        scope: &Scope,
        case: &str,
        filter: &MediaFilter,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Option<Page<MediaListItem>>, StoreError> {
        self.media_page(None, scope, case, filter, limit, cursor)
    }

    /// [`Store::scoped_media_page`] with the filtered total and the items
    /// taken from `caches` while [`Generation::Data`] is unchanged (the
    /// visibility of the case is checked every time).
    pub fn scoped_media_page_cached(
        &self,
        caches: &ReadCaches,
        scope: &Scope,
        case: &str,
        filter: &MediaFilter,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Option<Page<MediaListItem>>, StoreError> {
        let generation = self.generation(Generation::Data)?;
        self.media_page(
            Some((caches, generation)),
            scope,
            case,
            filter,
            limit,
            cursor,
        )
    }

    fn media_page(
        &self,
        caches: Option<(&ReadCaches, u64)>,
        scope: &Scope,
        case: &str,
        filter: &MediaFilter,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Option<Page<MediaListItem>>, StoreError> {
        let Some(case_id) = self.visible_case_id(scope, case)? else {
            return Ok(None);
        };
        let limit = limit.clamp(1, MAX_PAGE);
        let mut conds = vec![
            "e.case_id = ?1".to_owned(),
            "e.media_sha256 IS NOT NULL".to_owned(),
        ];
        let mut args: Vec<Value> = vec![Value::Integer(case_id)];
        let mut arg = |conds: &mut Vec<String>, sql: &str, v: Value| {
            args.push(v);
            conds.push(sql.replace("?X", &format!("?{}", args.len())));
        };
        match filter.known {
            Some(true) => conds.push(
                "EXISTS (SELECT 1 FROM hashset_hits h WHERE h.media_sha256 = e.media_sha256)"
                    .into(),
            ),
            Some(false) => conds.push(
                "NOT EXISTS (SELECT 1 FROM hashset_hits h WHERE h.media_sha256 = e.media_sha256)"
                    .into(),
            ),
            None => {}
        }
        if let Some(c) = &filter.category {
            arg(
                &mut conds,
                "(EXISTS (SELECT 1 FROM media_categories mc WHERE mc.media_sha256 = e.media_sha256
                    AND mc.code = ?X AND mc.id = (SELECT max(x.id) FROM media_categories x
                        WHERE x.media_sha256 = mc.media_sha256 AND x.scheme = mc.scheme))
                  OR EXISTS (SELECT 1 FROM hashset_hits h JOIN hashset_categories hc
                    ON instr(',' || h.categories || ',', ',' || hc.id || ',') > 0
                    WHERE h.media_sha256 = e.media_sha256 AND hc.code = ?X))",
                Value::Text(c.clone()),
            );
        }
        if let Some(k) = &filter.kind {
            arg(
                &mut conds,
                "EXISTS (SELECT 1 FROM media m WHERE m.sha256 = e.media_sha256 AND m.kind = ?X)",
                Value::Text(k.clone()),
            );
        }
        if let Some(g) = filter.has_gps {
            let not = if g { "" } else { "NOT " };
            conds.push(format!(
                "{not}EXISTS (SELECT 1 FROM media m WHERE m.sha256 = e.media_sha256
                    AND m.gps_lat IS NOT NULL AND m.gps_lon IS NOT NULL)"
            ));
        }
        if let Some(s) = filter.has_speech {
            let not = if s { "" } else { "NOT " };
            conds.push(format!(
                "{not}EXISTS (SELECT 1 FROM clues cl WHERE cl.media_sha256 = e.media_sha256
                    AND cl.kind = 'spoken_language')"
            ));
        }
        if let Some(s) = &filter.series {
            let visible = self.visible_case_ids(scope)?;
            let id = match self.resolve_series(s, Some(&visible)) {
                Ok(id) => Value::Integer(id),
                Err(crate::series::SeriesError::NoSuchSeries { .. }) => Value::Null,
                Err(crate::series::SeriesError::Store(e)) => return Err(e),
                Err(_) => Value::Null,
            };
            arg(
                &mut conds,
                "EXISTS (SELECT 1 FROM series_media sm WHERE sm.media_sha256 = e.media_sha256
                    AND sm.removed_at IS NULL AND sm.series_id = ?X)",
                id,
            );
        }
        if let Some(list) = &filter.media_in {
            arg(
                &mut conds,
                "e.media_sha256 IN (SELECT value FROM json_each(?X))",
                Value::Text(serde_json::Value::from(list.clone()).to_string()),
            );
        }
        if let Some(c) = &filter.cluster {
            // The shown id is a visible member: only then is its cluster used.
            let real = if self.hex_visible(scope, c)? {
                self.conn
                    .prepare_cached("SELECT cluster FROM link_clusters WHERE sha256 = ?1")?
                    .query_row([c], |r| r.get::<_, String>(0))
                    .optional()?
            } else {
                None
            };
            arg(
                &mut conds,
                "EXISTS (SELECT 1 FROM link_clusters lc WHERE lc.sha256 = e.media_sha256
                    AND lc.cluster = ?X)",
                real.map(Value::Text).unwrap_or(Value::Null),
            );
        }
        if let Some(c) = &filter.country {
            arg(
                &mut conds,
                &format!("{} = ?X", country_expr("e.media_sha256")),
                Value::Text(c.clone()),
            );
        }
        let where_ = conds.join(" AND ");
        // The key is the resolved query: condition and argument values.
        let key = caches.map(|_| format!("{where_}\u{1f}{args:?}"));
        let cached = match (caches, &key) {
            (Some((c, g)), Some(k)) => c.totals.get(g, k),
            _ => None,
        };
        let total: i64 = match cached {
            Some(t) => t,
            None => {
                let t = self
                    .conn
                    .prepare_cached(&format!(
                        "SELECT count(DISTINCT e.media_sha256) FROM evidence e WHERE {where_}"
                    ))?
                    .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
                if let (Some((c, g)), Some(k)) = (caches, key) {
                    c.totals.put(g, k, t);
                }
                t
            }
        };
        let mut page_args = args.clone();
        let mut page_where = where_;
        if let Some(c) = cursor {
            page_args.push(Value::Text(c.to_owned()));
            page_where.push_str(&format!(" AND e.media_sha256 > ?{}", page_args.len()));
        }
        page_args.push(Value::Integer(i64::try_from(limit + 1).unwrap_or(i64::MAX)));
        let shas: Vec<String> = {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT DISTINCT e.media_sha256 FROM evidence e WHERE {page_where}
                 ORDER BY e.media_sha256 LIMIT ?{}",
                page_args.len()
            ))?;
            let rows = st.query_map(params_from_iter(page_args.iter()), |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let more = shas.len() > limit;
        let mut items = Vec::with_capacity(limit);
        for s in shas.iter().take(limit) {
            let item = match caches {
                Some((c, g)) => {
                    let key = (scope.agency_id(), s.clone());
                    match c.items.get(g, &key) {
                        Some(item) => Some(item),
                        None => {
                            let item = self.list_item(scope, s)?;
                            if let Some(i) = &item {
                                c.items.put(g, key, i.clone());
                            }
                            item
                        }
                    }
                }
                None => self.list_item(scope, s)?,
            };
            if let Some(item) = item {
                items.push(item);
            }
        }
        let next_cursor = if more {
            items.last().map(|i| i.sha256.clone())
        } else {
            None
        };
        Ok(Some(Page {
            items,
            next_cursor,
            total: u64::try_from(total).unwrap_or(0),
        }))
    }

    fn list_item(&self, scope: &Scope, hex: &str) -> Result<Option<MediaListItem>, StoreError> {
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT kind, width, height, duration_s,
                        gps_lat IS NOT NULL AND gps_lon IS NOT NULL,
                        EXISTS (SELECT 1 FROM hashset_hits h WHERE h.media_sha256 = sha256),
                        EXISTS (SELECT 1 FROM clues cl WHERE cl.media_sha256 = sha256
                                AND cl.kind = 'spoken_language'),
                        {}
                 FROM media WHERE sha256 = ?1",
                country_expr("sha256")
            ))?
            .query_row([hex], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<f64>>(3)?,
                    r.get::<_, bool>(4)?,
                    r.get::<_, bool>(5)?,
                    r.get::<_, bool>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })
            .optional()?;
        let Some((kind, w, h, dur, has_gps, known, has_speech, country)) = row else {
            return Ok(None);
        };
        Ok(Some(MediaListItem {
            sha256: hex.to_owned(),
            kind,
            width: u32_opt(w),
            height: u32_opt(h),
            duration_s: dur,
            status: if known { "known" } else { "new" },
            categories: self.category_views(hex)?,
            has_gps,
            has_speech,
            series: self.series_of(hex)?,
            cluster: self.shown_cluster(scope, hex)?,
            country,
        }))
    }

    fn category_views(&self, hex: &str) -> Result<Vec<CategoryView>, StoreError> {
        let mut out = Vec::new();
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT hc.scheme, hc.code, hc.label FROM hashset_hits h
             JOIN hashset_categories hc
               ON instr(',' || h.categories || ',', ',' || hc.id || ',') > 0
             WHERE h.media_sha256 = ?1 ORDER BY hc.scheme, hc.code",
        )?;
        let rows = st.query_map([hex], |r| {
            let label: Option<String> = r.get(2)?;
            Ok(CategoryView {
                scheme: r.get(0)?,
                code: r.get(1)?,
                label: label.filter(|l| !l.is_empty()),
                source: "hashset",
            })
        })?;
        for r in rows {
            out.push(r?);
        }
        let mut st = self.conn.prepare_cached(
            "SELECT scheme, code, label FROM media_categories m WHERE media_sha256 = ?1
               AND id = (SELECT max(id) FROM media_categories x
                         WHERE x.media_sha256 = m.media_sha256 AND x.scheme = m.scheme)
             ORDER BY scheme",
        )?;
        let rows = st.query_map([hex], |r| {
            Ok(CategoryView {
                scheme: r.get(0)?,
                code: r.get(1)?,
                label: r.get(2)?,
                source: "investigator",
            })
        })?;
        for r in rows {
            out.push(r?);
        }
        Ok(out)
    }

    fn series_of(&self, hex: &str) -> Result<Vec<String>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT s.name FROM series_media sm JOIN series s ON s.id = sm.series_id
             WHERE sm.media_sha256 = ?1 AND sm.removed_at IS NULL AND s.merged_into IS NULL
             UNION SELECT series FROM hashset_hits WHERE media_sha256 = ?1
               AND series IS NOT NULL AND series NOT IN (SELECT name FROM series_names)
             ORDER BY 1",
        )?;
        let rows = st.query_map([hex], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The smallest visible member of the media's cluster.
    fn shown_cluster(&self, scope: &Scope, hex: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT min(lc2.sha256) FROM link_clusters lc
                 JOIN link_clusters lc2 ON lc2.cluster = lc.cluster
                 WHERE lc.sha256 = ?2 AND EXISTS (SELECT 1 FROM evidence e
                     WHERE e.media_sha256 = lc2.sha256 AND e.case_id IN {VIS})"
            ))?
            .query_row(params![scope.agency_id(), hex], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// Everything about one media, `None` when absent or not visible.
    pub fn scoped_media(
        &self,
        scope: &Scope,
        sha256: &Sha256,
    ) -> Result<Option<MediaView>, StoreError> {
        let hex = sha256.to_hex();
        if !self.hex_visible(scope, &hex)? {
            return Ok(None);
        }
        let Some(record) = codec::load_media(&self.conn, &hex)? else {
            return Ok(None);
        };
        let evidence = {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT c.number, e.path FROM evidence e JOIN cases c ON c.id = e.case_id
                 WHERE e.media_sha256 = ?2 AND e.case_id IN {VIS} ORDER BY c.number, e.path"
            ))?;
            let rows = st.query_map(params![scope.agency_id(), hex], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        let country: Option<String> = self
            .conn
            .prepare_cached(&format!("SELECT {}", country_expr("?1")))?
            .query_row([&hex], |r| r.get(0))?;
        Ok(Some(MediaView {
            record,
            evidence,
            hits: self.hits_for_media(sha256)?,
            categories: self.category_views(&hex)?,
            clues: self.clue_views(&hex)?,
            links: self.link_views(scope, &hex)?,
            cluster: self.shown_cluster(scope, &hex)?,
            series: self.series_of(&hex)?,
            country,
            tags: self.note_views(&hex, "tag")?,
            notes: self.note_views(&hex, "note")?,
        }))
    }

    fn clue_views(&self, hex: &str) -> Result<Vec<ClueView>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, kind, value, confidence, extractor, version, region_json, time_range_json
             FROM clues WHERE media_sha256 = ?1 ORDER BY extractor, id",
        )?;
        let mut rows = st.query([hex])?;
        let mut out = Vec::new();
        let json = |s: Option<String>| -> Result<Option<serde_json::Value>, StoreError> {
            Ok(s.map(|s| serde_json::from_str(&s)).transpose()?)
        };
        while let Some(r) = rows.next()? {
            out.push(ClueView {
                id: r.get(0)?,
                kind: r.get(1)?,
                value: r.get(2)?,
                confidence: r.get(3)?,
                extractor: r.get(4)?,
                version: r.get(5)?,
                region: json(r.get(6)?)?,
                time_range: json(r.get(7)?)?,
            });
        }
        Ok(out)
    }

    fn link_views(&self, scope: &Scope, hex: &str) -> Result<Vec<LinkView>, StoreError> {
        let links: Vec<(String, String, Option<i64>, Option<f64>)> = {
            let mut st = self.conn.prepare_cached(
                "SELECT CASE WHEN a = ?1 THEN b ELSE a END, kind, distance, score
                 FROM media_links WHERE a = ?1 OR b = ?1 ORDER BY kind, 1",
            )?;
            let rows = st.query_map([hex], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut out = Vec::new();
        for (other, kind, distance, score) in links {
            let cases: Vec<String> = {
                let mut st = self.conn.prepare_cached(&format!(
                    "SELECT DISTINCT c.number FROM evidence e JOIN cases c ON c.id = e.case_id
                     WHERE e.media_sha256 = ?2 AND e.case_id IN {VIS} ORDER BY c.number"
                ))?;
                let rows = st.query_map(params![scope.agency_id(), other], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            if !cases.is_empty() {
                let media_kind: String = self
                    .conn
                    .prepare_cached("SELECT kind FROM media WHERE sha256 = ?1")?
                    .query_row([&other], |r| r.get(0))?;
                out.push(LinkView::Visible {
                    kind,
                    restricted: false,
                    other: VisibleLinkEnd {
                        sha256: other,
                        media_kind,
                        cases,
                    },
                    distance,
                    score,
                });
                continue;
            }
            let mut st = self.conn.prepare_cached(
                "SELECT DISTINCT a.code, a.country FROM evidence e
                 JOIN cases c ON c.id = e.case_id JOIN agencies a ON a.id = c.agency_id
                 WHERE e.media_sha256 = ?1 ORDER BY a.code",
            )?;
            let agencies = st.query_map([&other], |r| {
                Ok(RestrictedAgency {
                    code: r.get(0)?,
                    country: r.get(1)?,
                })
            })?;
            for a in agencies {
                out.push(LinkView::Restricted {
                    kind: kind.clone(),
                    restricted: true,
                    other_agency: a?,
                });
            }
        }
        Ok(out)
    }

    fn note_views(&self, hex: &str, kind: &str) -> Result<Vec<NoteView>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT n.id, n.text, u.username, a.code, n.created_at FROM media_notes n
             JOIN users u ON u.id = n.user_id JOIN agencies a ON a.id = n.agency_id
             WHERE n.media_sha256 = ?1 AND n.kind = ?2 ORDER BY n.id",
        )?;
        let rows = st.query_map([hex, kind], |r| {
            Ok(NoteView {
                id: r.get(0)?,
                text: r.get(1)?,
                user: r.get(2)?,
                agency: r.get(3)?,
                created_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Blob key of the media's first thumbnail, `None` when absent or not
    /// visible.
    pub fn scoped_thumbnail_key(
        &self,
        scope: &Scope,
        sha256: &Sha256,
    ) -> Result<Option<String>, StoreError> {
        let hex = sha256.to_hex();
        if !self.hex_visible(scope, &hex)? {
            return Ok(None);
        }
        Ok(self
            .conn
            .prepare_cached(
                "SELECT blob_key FROM thumbnails WHERE sha256 = ?1 ORDER BY seq LIMIT 1",
            )?
            .query_row([hex], |r| r.get(0))
            .optional()?)
    }

    /// A regular-file evidence item of the media in a visible case.
    pub fn scoped_file(
        &self,
        scope: &Scope,
        sha256: &Sha256,
    ) -> Result<Option<EvidenceFile>, StoreError> {
        let row: Option<(String, i64, String)> = self
            .conn
            .prepare_cached(&format!(
                "SELECT e.path, e.size, m.mime FROM evidence e
                 JOIN media m ON m.sha256 = e.media_sha256
                 WHERE e.media_sha256 = ?2 AND e.case_id IN {VIS} AND e.file_type = 'regular'
                 ORDER BY e.id LIMIT 1"
            ))?
            .query_row(params![scope.agency_id(), sha256.to_hex()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        Ok(row.map(|(path, size, mime)| EvidenceFile {
            path,
            size: u64::try_from(size).unwrap_or(0),
            mime,
        }))
    }

    /// GPS points and countries of the visible media (of one visible case,
    /// or of all); `None` when the case is given and not visible.
    pub fn scoped_map(
        &self,
        scope: &Scope,
        case: Option<&str>,
    ) -> Result<Option<MapView>, StoreError> {
        let case_id = match case {
            Some(c) => match self.visible_case_id(scope, c)? {
                Some(id) => Some(id),
                None => return Ok(None),
            },
            None => None,
        };
        let media = format!(
            "SELECT DISTINCT e.media_sha256 AS s FROM evidence e
             WHERE e.case_id IN {VIS} AND (?2 IS NULL OR e.case_id = ?2)
               AND e.media_sha256 IS NOT NULL"
        );
        let points = {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT m.sha256, m.gps_lat, m.gps_lon FROM ({media}) v
                 JOIN media m ON m.sha256 = v.s
                 WHERE m.gps_lat IS NOT NULL AND m.gps_lon IS NOT NULL
                 ORDER BY m.sha256 LIMIT {MAX_MAP_POINTS}"
            ))?;
            let rows = st.query_map(params![scope.agency_id(), case_id], |r| {
                Ok(MapPoint {
                    sha256: r.get(0)?,
                    lat: r.get(1)?,
                    lon: r.get(2)?,
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        let countries = {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT country, count(*) FROM (SELECT {} AS country FROM ({media}) v)
                 WHERE country IS NOT NULL GROUP BY country ORDER BY count(*) DESC, country",
                country_expr("v.s")
            ))?;
            let rows = st.query_map(params![scope.agency_id(), case_id], |r| {
                let n: i64 = r.get(1)?;
                Ok(MapCountry {
                    country: r.get(0)?,
                    media: u64::try_from(n).unwrap_or(0),
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        Ok(Some(MapView { points, countries }))
    }

    /// Add a tag (`kind = "tag"`) or note (`"note"`) to a visible media;
    /// `None` when absent or not visible.
    pub fn scoped_add_note(
        &mut self,
        scope: &Scope,
        sha256: &Sha256,
        kind: NoteKind,
        text: &str,
    ) -> Result<Option<i64>, StoreError> {
        let hex = sha256.to_hex();
        if !self.hex_visible(scope, &hex)? {
            return Ok(None);
        }
        self.conn
            .prepare_cached(
                "INSERT INTO media_notes (media_sha256, kind, text, user_id, agency_id)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                hex,
                kind.as_str(),
                text,
                scope.user_id(),
                scope.agency_id()
            ])?;
        Ok(Some(self.conn.last_insert_rowid()))
    }

    /// Set an investigator category on a visible media; `None` when absent
    /// or not visible.
    pub fn scoped_set_category(
        &mut self,
        scope: &Scope,
        sha256: &Sha256,
        category: &Category,
    ) -> Result<Option<i64>, StoreError> {
        if !self.media_visible(scope, sha256)? {
            return Ok(None);
        }
        self.set_media_category(sha256, category, scope.username(), None)
            .map(Some)
    }

    /// Add a manual clue (extractor `manual`) to a visible media; `None`
    /// when absent or not visible.
    pub fn scoped_add_clue(
        &mut self,
        scope: &Scope,
        sha256: &Sha256,
        kind: &str,
        value: &str,
        confidence: f64,
        region: Option<&serde_json::Value>,
    ) -> Result<Option<i64>, AccountError> {
        if !self.media_visible(scope, sha256)? {
            return Ok(None);
        }
        let region = region.map(serde_json::to_string).transpose()?;
        let detail = serde_json::json!({ "user": scope.username(), "agency": scope.agency_code() });
        self.conn
            .prepare_cached(
                "INSERT INTO clues (media_sha256, extractor, kind, value, confidence, version,
                     region_json, detail_json)
                 VALUES (?1, 'manual', ?2, ?3, ?4, 1, ?5, ?6)",
            )?
            .execute(params![
                sha256.to_hex(),
                kind,
                value,
                confidence.clamp(0.0, 1.0),
                region,
                detail.to_string()
            ])?;
        Ok(Some(self.conn.last_insert_rowid()))
    }
}

/// A tag or a free-text note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// A short tag.
    Tag,
    /// A note.
    Note,
}

impl NoteKind {
    fn as_str(self) -> &'static str {
        match self {
            NoteKind::Tag => "tag",
            NoteKind::Note => "note",
        }
    }
}
