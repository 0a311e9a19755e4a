//! Pacts: publishing one by consumer version (`PUT`/`PATCH`), reading by version, latest,
//! latest by tag or branch, by content sha, all latest pacts of a provider, all latest pacts.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use service_kit::ApiError;
use service_kit::extract::Path;

use super::{invalid, not_found, pacticipant_or_404, wants_html};
use crate::AppState;
use crate::extract::Body;
use crate::hal::{Base, Hal, link, named, templated, titled};
use crate::storage::{NewPact, OnConflict, Publication, Snapshot};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/pacts/provider/{p}/consumer/{c}/version/{v}",
            get(by_version).put(publish).patch(merge).delete(remove),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/versions",
            get(pair_versions),
        )
        .route("/pacts/provider/{p}/consumer/{c}/latest", get(latest))
        .route(
            "/pacts/provider/{p}/consumer/{c}/latest/{tag}",
            get(latest_tagged),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/branch/{b}/latest",
            get(latest_on_branch),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}",
            get(by_sha),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}/metadata/{m}",
            get(by_sha_with_metadata),
        )
        .route("/pacts/provider/{p}/latest", get(provider_latest))
        .route(
            "/pacts/provider/{p}/latest/{tag}",
            get(provider_latest_tagged),
        )
        .route("/pacts/provider/{p}", get(provider_all))
        .route("/pacts/latest", get(all_latest))
}

/// Checks the names inside a pact against the URL (missing names are filled in).
pub fn check_names(content: &mut Value, consumer: &str, provider: &str) -> Result<(), ApiError> {
    let Some(object) = content.as_object_mut() else {
        return Err(invalid("pact", "must be a JSON object"));
    };
    for (role, expected) in [("consumer", consumer), ("provider", provider)] {
        match object
            .get(role)
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
        {
            Some(name) if name != expected => {
                return Err(invalid(
                    role,
                    format!(
                        "name in pact '{name}' does not match {role} name in path '{expected}'"
                    ),
                ));
            }
            Some(_) => {}
            None => {
                object.insert(role.to_owned(), json!({ "name": expected }));
            }
        }
    }
    Ok(())
}

async fn store_pact(
    state: &AppState,
    base: &Base,
    (p, c, v): (String, String, String),
    mut content: Value,
    on_conflict: OnConflict,
) -> Result<Hal, ApiError> {
    check_names(&mut content, &c, &p)?;
    let published = state
        .store
        .publish(NewPact {
            consumer: c.clone(),
            provider: p.clone(),
            version: v.clone(),
            branch: None,
            tags: Vec::new(),
            build_url: None,
            content,
            on_conflict,
        })
        .await?;
    let snapshot = state.store.snapshot().await?;
    let publication = find_by_version(&snapshot, &p, &c, &v)?;
    let body = pact_json(state, base, &snapshot, publication).await?;
    Ok(if published.created {
        Hal::created(body)
    } else {
        Hal::ok(body)
    })
}

async fn publish(
    State(state): State<AppState>,
    base: Base,
    Path(path): Path<(String, String, String)>,
    Body(content): Body<Value>,
) -> Result<Hal, ApiError> {
    let on_conflict = if state.allow_dangerous_contract_modification {
        OnConflict::Overwrite
    } else {
        OnConflict::Refuse
    };
    store_pact(&state, &base, path, content, on_conflict).await
}

async fn merge(
    State(state): State<AppState>,
    base: Base,
    Path(path): Path<(String, String, String)>,
    Body(content): Body<Value>,
) -> Result<Hal, ApiError> {
    store_pact(&state, &base, path, content, OnConflict::Merge).await
}

async fn remove(
    State(state): State<AppState>,
    Path((p, c, v)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let publication = find_by_version(&snapshot, &p, &c, &v)?;
    state.store.delete_publication(publication.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn publications<'a>(
    snapshot: &'a Snapshot,
    p: &str,
    c: &str,
) -> Result<Vec<&'a Publication>, ApiError> {
    let provider = pacticipant_or_404(snapshot, p)?;
    let consumer = pacticipant_or_404(snapshot, c)?;
    Ok(snapshot
        .publications
        .iter()
        .filter(|x| x.provider_id == provider.id && x.consumer_id == consumer.id)
        .collect())
}

fn find_by_version<'a>(
    snapshot: &'a Snapshot,
    p: &str,
    c: &str,
    v: &str,
) -> Result<&'a Publication, ApiError> {
    publications(snapshot, p, c)?
        .into_iter()
        .find(|x| snapshot.version(x.consumer_version_id).number == v)
        .ok_or_else(|| not_found(format!("no pact between {c} version {v} and {p}")))
}

/// The pact document with the broker's `createdAt` and `_links` (incl. where to publish
/// verification results).
pub async fn pact_json(
    state: &AppState,
    base: &Base,
    snapshot: &Snapshot,
    publication: &Publication,
) -> Result<Value, ApiError> {
    let mut content = state
        .store
        .content(&publication.sha)
        .await?
        .ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "pact content {} is missing",
                publication.sha
            ))
        })?;
    let consumer = snapshot.name(publication.consumer_id);
    let provider = snapshot.name(publication.provider_id);
    let version = &snapshot.version(publication.consumer_version_id).number;
    let sha = &publication.sha;
    let title = format!("Pact between {consumer} ({version}) and {provider}");
    let links = json!({
        "self": named(base.pact(provider, consumer, version), &title, "Pact"),
        "pb:consumer": named(base.pacticipant(consumer), consumer, "Consumer"),
        "pb:consumer-version": named(base.version(consumer, version), version, "Consumer version"),
        "pb:provider": named(base.pacticipant(provider), provider, "Provider"),
        "pb:pact-version": named(base.pact_version(provider, consumer, sha), sha, "Pact content version permalink"),
        "pb:latest-pact-version": titled(base.latest_pact(provider, consumer), "Latest version of this pact"),
        "pb:all-pact-versions": titled(
            format!("{}/versions", base.url(&format!("/pacts/provider/{}/consumer/{}", crate::hal::seg(provider), crate::hal::seg(consumer)))),
            "All versions of this pact"),
        "pb:latest-tagged-pact-version": templated(format!("{}/{{tag}}", base.latest_pact(provider, consumer)), "Latest tagged version of this pact"),
        "pb:publish-verification-results": titled(base.publish_verification(provider, consumer, sha), "Publish verification results"),
        "pb:latest-verification-results": titled(format!("{}/verification-results/latest", base.pact_version(provider, consumer, sha)), "Latest verification results"),
        "curies": crate::hal::curies(base),
    });
    if let Some(object) = content.as_object_mut() {
        object.insert("createdAt".into(), json!(publication.created_at));
        object.insert("_links".into(), links);
    }
    Ok(content)
}

async fn respond(
    state: &AppState,
    base: &Base,
    headers: &HeaderMap,
    snapshot: &Snapshot,
    publication: &Publication,
) -> Result<Response, ApiError> {
    let json = pact_json(state, base, snapshot, publication).await?;
    if wants_html(headers) {
        return Ok(crate::ui::pact_page(snapshot, publication, &json).into_response());
    }
    Ok(Hal::ok(json).into_response())
}

async fn by_version(
    State(state): State<AppState>,
    base: Base,
    headers: HeaderMap,
    Path((p, c, v)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let publication = find_by_version(&snapshot, &p, &c, &v)?;
    respond(&state, &base, &headers, &snapshot, publication).await
}

async fn latest_matching(
    state: &AppState,
    base: &Base,
    headers: &HeaderMap,
    (p, c): (&str, &str),
    what: &str,
    matches: impl Fn(&Snapshot, &Publication) -> bool,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let publication = publications(&snapshot, p, c)?
        .into_iter()
        .rev()
        .find(|x| matches(&snapshot, x))
        .ok_or_else(|| not_found(format!("no {what}pact between {c} and {p}")))?;
    respond(state, base, headers, &snapshot, publication).await
}

async fn latest(
    State(state): State<AppState>,
    base: Base,
    headers: HeaderMap,
    Path((p, c)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    latest_matching(&state, &base, &headers, (&p, &c), "", |_, _| true).await
}

async fn latest_tagged(
    State(state): State<AppState>,
    base: Base,
    headers: HeaderMap,
    Path((p, c, tag)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let what = format!("'{tag}' tagged ");
    latest_matching(&state, &base, &headers, (&p, &c), &what, |s, x| {
        s.version(x.consumer_version_id).tags.contains(&tag)
    })
    .await
}

async fn latest_on_branch(
    State(state): State<AppState>,
    base: Base,
    headers: HeaderMap,
    Path((p, c, b)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let what = format!("branch '{b}' ");
    latest_matching(&state, &base, &headers, (&p, &c), &what, |s, x| {
        s.version(x.consumer_version_id).branches.contains(&b)
    })
    .await
}

async fn by_sha(
    State(state): State<AppState>,
    base: Base,
    headers: HeaderMap,
    Path((p, c, sha)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let publication = publications(&snapshot, &p, &c)?
        .into_iter()
        .rev()
        .find(|x| x.sha == sha)
        .ok_or_else(|| not_found(format!("no pact between {c} and {p} with content {sha}")))?;
    respond(&state, &base, &headers, &snapshot, publication).await
}

async fn by_sha_with_metadata(
    state: State<AppState>,
    base: Base,
    headers: HeaderMap,
    Path((p, c, sha, _metadata)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    by_sha(state, base, headers, Path((p, c, sha))).await
}

/// Newest publication per consumer for a provider, optionally only versions with a tag.
fn latest_per_consumer<'a>(
    snapshot: &'a Snapshot,
    provider_id: i64,
    tag: Option<&str>,
) -> Vec<&'a Publication> {
    let mut latest: std::collections::BTreeMap<i64, &Publication> =
        std::collections::BTreeMap::new();
    for p in snapshot
        .publications
        .iter()
        .filter(|p| p.provider_id == provider_id)
    {
        if tag.is_none_or(|t| {
            snapshot
                .version(p.consumer_version_id)
                .tags
                .iter()
                .any(|x| x == t)
        }) {
            latest.insert(p.consumer_id, p);
        }
    }
    latest.into_values().collect()
}

fn provider_pacts_json(
    base: &Base,
    snapshot: &Snapshot,
    provider: &str,
    pubs: &[&Publication],
    self_href: String,
) -> Value {
    let links: Vec<Value> = pubs
        .iter()
        .map(|p| {
            let consumer = snapshot.name(p.consumer_id);
            let version = &snapshot.version(p.consumer_version_id).number;
            named(
                base.pact(provider, consumer, version),
                consumer,
                format!("Pact between {consumer} ({version}) and {provider}"),
            )
        })
        .collect();
    json!({
        "_links": {
            "self": link(self_href),
            "provider": named(base.pacticipant(provider), provider, "Provider"),
            "pb:provider": named(base.pacticipant(provider), provider, "Provider"),
            "pb:pacts": links,
            "pacts": links,
        }
    })
}

async fn provider_latest(
    State(state): State<AppState>,
    base: Base,
    Path(p): Path<String>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let provider = pacticipant_or_404(&snapshot, &p)?;
    let pubs = latest_per_consumer(&snapshot, provider.id, None);
    let href = base.url(&format!("/pacts/provider/{}/latest", crate::hal::seg(&p)));
    Ok(Hal::ok(provider_pacts_json(
        &base, &snapshot, &p, &pubs, href,
    )))
}

async fn provider_latest_tagged(
    State(state): State<AppState>,
    base: Base,
    Path((p, tag)): Path<(String, String)>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let provider = pacticipant_or_404(&snapshot, &p)?;
    let pubs = latest_per_consumer(&snapshot, provider.id, Some(&tag));
    let href = base.url(&format!(
        "/pacts/provider/{}/latest/{}",
        crate::hal::seg(&p),
        crate::hal::seg(&tag)
    ));
    Ok(Hal::ok(provider_pacts_json(
        &base, &snapshot, &p, &pubs, href,
    )))
}

async fn provider_all(
    State(state): State<AppState>,
    base: Base,
    Path(p): Path<String>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let provider = pacticipant_or_404(&snapshot, &p)?;
    let pubs: Vec<&Publication> = snapshot
        .publications
        .iter()
        .filter(|x| x.provider_id == provider.id)
        .collect();
    let href = base.url(&format!("/pacts/provider/{}", crate::hal::seg(&p)));
    Ok(Hal::ok(provider_pacts_json(
        &base, &snapshot, &p, &pubs, href,
    )))
}

/// `GET /pacts/provider/{p}/consumer/{c}/versions` (`pb:all-pact-versions`), newest first.
async fn pair_versions(
    State(state): State<AppState>,
    base: Base,
    Path((p, c)): Path<(String, String)>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let links: Vec<Value> = publications(&snapshot, &p, &c)?
        .into_iter()
        .rev()
        .map(|x| {
            let version = &snapshot.version(x.consumer_version_id).number;
            named(
                base.pact(&p, &c, version),
                version,
                format!("Pact between {c} ({version}) and {p}"),
            )
        })
        .collect();
    Ok(Hal::ok(json!({
        "_links": {
            "self": link(base.url(&format!("/pacts/provider/{}/consumer/{}/versions", crate::hal::seg(&p), crate::hal::seg(&c)))),
            "pb:consumer": named(base.pacticipant(&c), &c, "Consumer"),
            "pb:provider": named(base.pacticipant(&p), &p, "Provider"),
            "pb:pact-versions": links,
        }
    })))
}

/// The newest publication of every consumer/provider pair.
pub fn latest_pairs(snapshot: &Snapshot) -> Vec<&Publication> {
    let mut latest: std::collections::BTreeMap<(String, String), &Publication> =
        std::collections::BTreeMap::new();
    for p in &snapshot.publications {
        latest.insert(
            (
                snapshot.name(p.consumer_id).to_owned(),
                snapshot.name(p.provider_id).to_owned(),
            ),
            p,
        );
    }
    latest.into_values().collect()
}

/// `GET /pacts/latest` (list-latest-pact-versions).
async fn all_latest(State(state): State<AppState>, base: Base) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let pacts: Vec<Value> = latest_pairs(&snapshot)
        .into_iter()
        .map(|p| {
            let consumer = snapshot.name(p.consumer_id);
            let provider = snapshot.name(p.provider_id);
            let version = &snapshot.version(p.consumer_version_id).number;
            json!({
                "createdAt": p.created_at,
                "_embedded": {
                    "consumer": {
                        "name": consumer,
                        "_links": { "self": link(base.pacticipant(consumer)) },
                        "_embedded": { "version": { "number": version } }
                    },
                    "provider": {
                        "name": provider,
                        "_links": { "self": link(base.pacticipant(provider)) }
                    }
                },
                "_links": {
                    "self": [
                        { "href": base.latest_pact(provider, consumer) },
                        { "href": base.pact(provider, consumer, version) }
                    ]
                }
            })
        })
        .collect();
    Ok(Hal::ok(
        json!({ "_links": { "self": link(base.url("/pacts/latest")) }, "pacts": pacts }),
    ))
}
