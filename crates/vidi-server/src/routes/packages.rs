//! Dissemination packages, mounted under `/api/v1`: build one for a
//! country from its approved leads (`vidi-package`), list them, download
//! them. Building and every download are audited (`package.build`,
//! `package.download`).
//!
//! Who: reviewers and admins build; a package is listed to and downloaded
//! by the users of the agency that built it and by the users of agencies
//! of the package's target country (the receivers), every download
//! audited. Two builds for one country at the same time: the second gets
//! 409 `conflict` (versions count up per country). A package holds the approved
//! leads for the country that the builder's agency may see (need-to-know).
//! Redacted thumbnails, when asked for, are made from the stored thumbnail
//! (decoded with ffmpeg, reduced to at most 8 x 8 grey blocks); a media
//! whose thumbnail cannot be decoded is listed without one.

use std::collections::BTreeSet;
use std::path::{Path as FsPath, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use vidi_package::{
    FORMAT, FORMAT_VERSION, HistoryStep, PackageClue, PackageDoc, PackageInfo, PackageLead,
    PackageMedia, Person, Rgb, Thumb,
};
use vidi_store::Store;
use vidi_store::accounts::Role;
use vidi_store::leads::{
    LeadDetail, NewPackageRecord, PackageRecord, Visibility, normalise_country,
};

use crate::audit;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::routes::leads::actor;
use crate::state::AppState;

/// The package routes (relative to `/api/v1`).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/packages", get(list).post(create))
        .route("/packages/signing-key", get(signing_key))
        .route("/packages/{id}/file", get(file))
}

/// Folder (under the workspace) of the signing key.
pub(crate) const KEYS_DIR: &str = "keys";

/// A package to build.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackageRequest {
    /// ISO 3166-1 alpha-2 code of the receiving country.
    pub(crate) country: String,
    /// Include redacted thumbnails (default false).
    #[serde(default)]
    pub(crate) thumbnails: bool,
}

/// A built package.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PackageDto {
    /// Id.
    pub(crate) id: i64,
    /// Receiving country.
    pub(crate) country: String,
    /// Version (per country).
    pub(crate) version: u32,
    /// Number of leads it holds.
    pub(crate) leads: usize,
    /// Their ids.
    pub(crate) lead_ids: Vec<i64>,
    /// SHA-256 of the file.
    pub(crate) sha256: String,
    /// File name.
    pub(crate) file_name: String,
    /// Size in bytes.
    pub(crate) size: u64,
    /// Who built it.
    pub(crate) built_by: String,
    /// Their agency.
    pub(crate) agency: String,
    /// When (UTC).
    pub(crate) created_at: String,
}

impl From<&PackageRecord> for PackageDto {
    fn from(p: &PackageRecord) -> Self {
        PackageDto {
            id: p.id,
            country: p.country.clone(),
            version: p.version,
            leads: p.leads.len(),
            lead_ids: p.leads.clone(),
            sha256: p.sha256.clone(),
            file_name: p.file_name.clone(),
            size: p.size,
            built_by: p.built_by.clone(),
            agency: p.agency.clone(),
            created_at: p.built_at.clone(),
        }
    }
}

/// UTC now as RFC 3339 (`2026-11-30T07:00:00Z`).
pub(crate) fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

/// Seconds since 1970 as RFC 3339 UTC (civil-from-days).
fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn person(user: &str, agency: &str) -> Person {
    Person {
        user: user.to_owned(),
        agency: agency.to_owned(),
    }
}

/// The package form of one lead (media facts read from the store).
fn package_lead(s: &Store, d: &LeadDetail) -> Result<PackageLead, ApiError> {
    let l = &d.lead;
    let mut media = Vec::with_capacity(l.media.len());
    for hex in &l.media {
        let rec = match vidi_types::Sha256::from_hex(hex) {
            Ok(sha) => s.media(&sha)?,
            Err(_) => None,
        };
        media.push(match rec {
            Some(m) => PackageMedia {
                sha256: hex.clone(),
                md5: Some(m.digests.md5.to_hex()),
                sha1: Some(m.digests.sha1.to_hex()),
                pdq: m.pdq.map(|p| p.hash.to_hex()),
                kind: Some(m.kind.as_str().to_owned()),
                mime: Some(m.mime.clone()),
                size: Some(m.size),
                width: m.width,
                height: m.height,
                duration_s: m.duration_s,
                thumbnail: None,
            },
            None => PackageMedia {
                sha256: hex.clone(),
                md5: None,
                sha1: None,
                pdq: None,
                kind: None,
                mime: None,
                size: None,
                width: None,
                height: None,
                duration_s: None,
                thumbnail: None,
            },
        });
    }
    let approval = d.history.iter().rev().find(|h| h.action == "approve");
    Ok(PackageLead {
        id: l.id,
        subject: l.subject.as_str().to_owned(),
        target_country: l.target_country.clone(),
        title: l.title.clone(),
        summary: l.summary.clone(),
        author: person(&l.author.user, &l.author.agency),
        created_at: l.created_at.clone(),
        approved_by: l.reviewer.as_ref().map(|r| person(&r.user, &r.agency)),
        approved_at: approval
            .map(|h| h.at.clone())
            .or_else(|| l.reviewed_at.clone()),
        review_note: l.review_note.clone(),
        media,
        clues: l
            .clues
            .iter()
            .map(|c| PackageClue {
                id: c.id,
                media: c.media.clone(),
                kind: c.kind.clone(),
                value: c.value.clone(),
                confidence: c.confidence,
                extractor: c.extractor.clone(),
                version: c.version,
                region: c.region.clone(),
                time_range: c.time_range.clone(),
            })
            .collect(),
        history: d
            .history
            .iter()
            .map(|h| HistoryStep {
                at: h.at.clone(),
                user: h.user.clone(),
                agency: h.agency.clone(),
                action: h.action.clone(),
                from: h.from.map(|f| f.as_str().to_owned()),
                to: h.to.as_str().to_owned(),
                note: h.note.clone(),
            })
            .collect(),
    })
}

/// Decode a stored thumbnail to a tiny RGB picture with ffmpeg (`None`
/// when it cannot be decoded).
fn decode_small(path: &FsPath, width: u32, height: u32) -> Option<Rgb> {
    let long = width.max(height).max(1);
    let cell = |v: u32| (v * vidi_package::redact::CELLS).div_ceil(long).clamp(1, 8);
    let (w, h) = (cell(width), cell(height));
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(path)
        .args([
            "-vf",
            &format!("scale={w}:{h}:flags=area"),
            "-frames:v",
            "1",
        ])
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let want = (w * h * 3) as usize;
    (out.status.success() && out.stdout.len() == want).then_some(Rgb {
        width: w,
        height: h,
        pixels: out.stdout,
    })
}

/// Countries (per workspace) with a build in progress.
static BUILDING: Mutex<BTreeSet<(PathBuf, String)>> = Mutex::new(BTreeSet::new());

/// Holds a country's build slot until dropped.
struct BuildSlot((PathBuf, String));

impl BuildSlot {
    fn take(root: PathBuf, country: &str) -> Result<BuildSlot, ApiError> {
        let key = (root, country.to_owned());
        let mut b = BUILDING.lock().unwrap_or_else(|p| p.into_inner());
        if !b.insert(key.clone()) {
            return Err(ApiError::conflict(format!(
                "a package for {country} is being built; try again when it is done"
            )));
        }
        Ok(BuildSlot(key))
    }
}

impl Drop for BuildSlot {
    fn drop(&mut self) {
        BUILDING
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.0);
    }
}

/// May the user's agency (code, country) see this package?
fn may_see(p: &PackageRecord, agency: &str, country: Option<&str>) -> bool {
    p.agency == agency || country.is_some_and(|c| c == p.country)
}

/// Build a package for `country` from the approved leads `agency` may see;
/// store the file as a blob and record it (audited as `package.build`).
pub(crate) fn build_package(
    state: &AppState,
    s: &mut Store,
    actor: &vidi_store::leads::Actor,
    country: &str,
    thumbnails: bool,
    created_at: String,
) -> Result<PackageRecord, ApiError> {
    let ws = state.workspace();
    let leads = s.approved_leads(country, Visibility::Agency(&actor.agency))?;
    if leads.is_empty() {
        return Err(ApiError::conflict(format!(
            "no approved leads for {country}"
        )));
    }
    let mut doc_leads = Vec::with_capacity(leads.len());
    for d in &leads {
        doc_leads.push(package_lead(s, d)?);
    }
    let mut thumbs = Vec::new();
    if thumbnails {
        for l in &leads {
            for hex in &l.lead.media {
                let Ok(sha) = vidi_types::Sha256::from_hex(hex) else {
                    continue;
                };
                let Some(m) = s.media(&sha)? else { continue };
                let Some(t) = m.thumbnails.first() else {
                    continue;
                };
                match decode_small(&ws.blobs().path(&t.key), t.width, t.height) {
                    Some(image) => thumbs.push(Thumb {
                        sha256: hex.clone(),
                        image,
                    }),
                    None => {
                        tracing::warn!(media = %hex, "thumbnail not decodable; package lists the media without one")
                    }
                }
            }
        }
    }
    let version = s.next_package_version(country)?;
    let (key, created) = vidi_package::keys::load_or_create(&ws.root().join(KEYS_DIR))
        .map_err(|e| ApiError::internal(&e))?;
    if created {
        tracing::info!("created the workspace's package signing key");
    }
    let doc = PackageDoc {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        package: PackageInfo {
            id: format!("{country}-v{version}"),
            country: country.to_owned(),
            version,
            created_at,
            created_by: person(&actor.user, &actor.agency),
            tool: concat!("vidi ", env!("CARGO_PKG_VERSION")).to_owned(),
            thumbnails,
            signing_key: String::new(),
        },
        leads: doc_leads,
    };
    let bytes = vidi_package::build(&doc, &thumbs, &key).map_err(|e| ApiError::internal(&e))?;
    let sha = hex_sha(&bytes);
    let blob_key = format!(
        "packages/{}-v{version}-{}.tar",
        country.to_ascii_lowercase(),
        &sha[..16]
    );
    ws.blobs().put(&blob_key, &bytes)?;
    let ids: Vec<i64> = leads.iter().map(|d| d.lead.id).collect();
    let file_name = vidi_package::file_name(country, version);
    if s.next_package_version(country)? != version {
        // Another process recorded this version meanwhile (the blob is
        // content-addressed and may be shared: it stays).
        return Err(ApiError::conflict(format!(
            "another package for {country} was built meanwhile; build again"
        )));
    }
    let rec = s.record_package(
        actor,
        &NewPackageRecord {
            country,
            version,
            leads: &ids,
            sha256: &sha,
            file_name: &file_name,
            blob_key: &blob_key,
            size: bytes.len() as u64,
        },
    )?;
    Ok(rec)
}

fn hex_sha(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// Build a package of the approved leads for a country (reviewers and admins).
#[utoipa::path(post, path = "/api/v1/packages", request_body = PackageRequest,
    responses((status = 201, body = PackageDto), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody, description = "`conflict`: no approved leads, or a build for this country is running")))]
pub(crate) async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<PackageRequest>,
) -> Result<Response, ApiError> {
    if !matches!(auth.user.role, Role::Reviewer | Role::Admin) {
        return Err(ApiError::forbidden(
            "only reviewers and admins build packages",
        ));
    }
    let country = normalise_country(&req.country)
        .map_err(|_| ApiError::bad_request("country must be an ISO 3166-1 alpha-2 code"))?;
    let actor = actor(&auth);
    let st = state.clone();
    let slot = BuildSlot::take(state.root(), &country)?;
    let rec = state
        .db(move |s| {
            let _slot = slot;
            build_package(&st, s, &actor, &country, req.thumbnails, now_rfc3339())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(PackageDto::from(&rec))).into_response())
}

/// The packages the user's agency built or receives (its country is the
/// target), newest first.
#[utoipa::path(get, path = "/api/v1/packages",
    responses((status = 200, description = "`{items: [Package], next_cursor, total}`")))]
pub(crate) async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<Value>, ApiError> {
    let agency = auth.user.agency.code.clone();
    let country = auth.user.agency.country.clone();
    let list = state.db(move |s| Ok(s.packages(None)?)).await?;
    let items: Vec<PackageDto> = list
        .iter()
        .filter(|p| may_see(p, &agency, country.as_deref()))
        .map(PackageDto::from)
        .collect();
    let total = items.len();
    Ok(Json(
        json!({ "items": items, "next_cursor": null, "total": total }),
    ))
}

/// Download a package file: the building agency or an agency of the target
/// country (audited as `package.download`).
#[utoipa::path(get, path = "/api/v1/packages/{id}/file", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/x-tar", description = "the package"),
              (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn file(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let agency = auth.user.agency.code.clone();
    let country = auth.user.agency.country.clone();
    let st = state.clone();
    let (rec, bytes) = state
        .db(move |s| {
            let rec = s
                .package_record(id, None)?
                .filter(|p| may_see(p, &agency, country.as_deref()))
                .ok_or_else(ApiError::not_found)?;
            let bytes = st.workspace().blobs().get(&rec.blob_key)?;
            Ok((rec, bytes))
        })
        .await?;
    if hex_sha(&bytes) != rec.sha256 {
        tracing::error!(
            package = id,
            "stored package file does not match its recorded SHA-256"
        );
        return Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the stored package is damaged; build a new one",
        ));
    }
    audit::record_detail(
        &state,
        &auth.user,
        auth.client,
        "package.download",
        &format!("package:{id}"),
        Some(format!(
            "{} v{} sha256 {}",
            rec.country, rec.version, rec.sha256
        )),
    )
    .await?;
    let disposition = format!("attachment; filename=\"{}\"", rec.file_name);
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-tar".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The workspace's package signing public key (64 hex), for receivers.
#[utoipa::path(get, path = "/api/v1/packages/signing-key",
    responses((status = 200, description = "`{public_key}`")))]
pub(crate) async fn signing_key(
    State(state): State<AppState>,
    _auth: AuthUser,
) -> Result<Json<Value>, ApiError> {
    let dir = state.workspace().root().join(KEYS_DIR);
    let key = tokio::task::spawn_blocking(move || vidi_package::keys::load_or_create(&dir))
        .await?
        .map_err(|e| ApiError::internal(&e))?;
    let public = vidi_package::keys::public_key_hex(&key.0.verifying_key());
    Ok(Json(json!({ "public_key": public })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_022_000), "2026-11-30T07:00:00Z");
    }
}
