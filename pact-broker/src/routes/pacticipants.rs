//! Pacticipants: `GET/POST /pacticipants`, `GET/PUT/PATCH /pacticipants/{name}`.
//! An unknown pacticipant is a 404, which create-or-update-pacticipant relies on.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;
use service_kit::ApiError;
use service_kit::extract::Path;

use super::{invalid, pacticipant_json};
use crate::AppState;
use crate::extract::Body;
use crate::hal::{Base, Hal, link};
use crate::storage::PacticipantUpdate;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pacticipants", get(list).post(create))
        .route("/pacticipants/{name}", get(show).put(replace).patch(update))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PacticipantBody {
    name: Option<String>,
    display_name: Option<String>,
    main_branch: Option<String>,
    repository_url: Option<String>,
}

impl PacticipantBody {
    fn update(self) -> PacticipantUpdate {
        PacticipantUpdate {
            display_name: self.display_name,
            main_branch: self.main_branch,
            repository_url: self.repository_url,
        }
    }
}

async fn list(State(state): State<AppState>, base: Base) -> Result<Hal, ApiError> {
    let pacticipants = state.store.pacticipants().await?;
    let items: Vec<_> = pacticipants
        .iter()
        .map(|p| pacticipant_json(&base, p))
        .collect();
    Ok(Hal::ok(json!({
        "_embedded": { "pacticipants": items },
        "pacticipants": items,
        "_links": {
            "self": link(base.url("/pacticipants")),
            "pb:pacticipants": pacticipants.iter().map(|p| json!({"href": base.pacticipant(&p.name), "name": p.name})).collect::<Vec<_>>(),
        }
    })))
}

async fn create(
    State(state): State<AppState>,
    base: Base,
    Body(body): Body<PacticipantBody>,
) -> Result<Hal, ApiError> {
    let name = body
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| invalid("name", "can't be blank"))?;
    if state.store.pacticipant(&name).await?.is_some() {
        return Err(ApiError::Rejected {
            status: axum::http::StatusCode::CONFLICT,
            message: format!("a pacticipant named '{name}' already exists"),
        });
    }
    let (p, _) = state
        .store
        .upsert_pacticipant(&name, body.update(), false)
        .await?;
    Ok(Hal::created(pacticipant_json(&base, &p)))
}

async fn show(
    State(state): State<AppState>,
    base: Base,
    Path(name): Path<String>,
) -> Result<Hal, ApiError> {
    let p = state
        .store
        .pacticipant(&name)
        .await?
        .ok_or_else(|| super::not_found(format!("pacticipant '{name}' not found")))?;
    Ok(Hal::ok(pacticipant_json(&base, &p)))
}

fn check_name(url_name: &str, body: &PacticipantBody) -> Result<(), ApiError> {
    match &body.name {
        Some(name) if name != url_name => Err(invalid(
            "name",
            format!("'{name}' does not match the name in the URL, '{url_name}'"),
        )),
        _ => Ok(()),
    }
}

/// PUT replaces the fields (creating the pacticipant if needed).
async fn replace(
    State(state): State<AppState>,
    base: Base,
    Path(name): Path<String>,
    Body(body): Body<PacticipantBody>,
) -> Result<Hal, ApiError> {
    check_name(&name, &body)?;
    let (p, created) = state
        .store
        .upsert_pacticipant(&name, body.update(), true)
        .await?;
    let json = pacticipant_json(&base, &p);
    Ok(if created {
        Hal::created(json)
    } else {
        Hal::ok(json)
    })
}

/// PATCH (merge-patch) updates the given fields only.
async fn update(
    State(state): State<AppState>,
    base: Base,
    Path(name): Path<String>,
    Body(body): Body<PacticipantBody>,
) -> Result<Hal, ApiError> {
    check_name(&name, &body)?;
    let (p, created) = state
        .store
        .upsert_pacticipant(&name, body.update(), false)
        .await?;
    let json = pacticipant_json(&base, &p);
    Ok(if created {
        Hal::created(json)
    } else {
        Hal::ok(json)
    })
}
