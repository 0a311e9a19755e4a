//! Pacticipants: `GET/POST /pacticipants`, `GET/PUT/PATCH/DELETE /pacticipants/{pacticipant}`;
//! labels: `GET/PUT/DELETE /pacticipants/{pacticipant}/labels/{label}`,
//! `GET /pacticipants/label/{label}` and `GET /labels`. An unknown pacticipant is a 404, which
//! create-or-update-pacticipant relies on.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use service_kit::extract::Path;

use super::ApiError;
use super::extract::Body;
use super::hal::Hal;
use crate::AppState;
use crate::storage::PacticipantUpdate;
use crate::views::Links;
use crate::views::pacticipants::{
    LabelList, LabelResource, PacticipantList, PacticipantResource, label, label_list, pacticipant, pacticipant_list,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pacticipants", get(list).post(create))
        .route(
            "/pacticipants/{pacticipant}",
            get(show).put(replace).patch(update).delete(remove),
        )
        .route(
            "/pacticipants/{pacticipant}/labels/{label}",
            get(show_label).put(save_label).delete(delete_label),
        )
        .route("/pacticipants/label/{label}", get(with_label))
        .route("/labels", get(labels))
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
    /// The name in the body must be the one in the URL, when given.
    fn check_name(&self, url_name: &str) -> Result<(), ApiError> {
        match &self.name {
            Some(name) if name != url_name => Err(ApiError::invalid(
                "name",
                format!("'{name}' does not match the name in the URL, '{url_name}'"),
            )),
            _ => Ok(()),
        }
    }

    fn update(self) -> PacticipantUpdate {
        PacticipantUpdate {
            display_name: self.display_name,
            main_branch: self.main_branch,
            repository_url: self.repository_url,
        }
    }
}

async fn list(State(state): State<AppState>, links: Links) -> Result<Hal<PacticipantList>, ApiError> {
    let pacticipants = state.store.pacticipants().await?;
    let labels = state.store.labels().await?;
    Ok(Hal::ok(pacticipant_list(
        &links,
        links.pacticipants(),
        &pacticipants,
        &labels,
    )))
}

async fn create(
    State(state): State<AppState>,
    links: Links,
    Body(body): Body<PacticipantBody>,
) -> Result<Hal<PacticipantResource>, ApiError> {
    let name = body
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("name", "can't be blank"))?;
    let created = state.store.create_pacticipant(&name, body.update()).await?;
    // A pacticipant just created has no labels yet.
    Ok(Hal::created(pacticipant(&links, &created, &[])))
}

async fn show(
    State(state): State<AppState>,
    links: Links,
    Path(name): Path<String>,
) -> Result<Hal<PacticipantResource>, ApiError> {
    let found = state
        .store
        .pacticipant(&name)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("pacticipant '{name}' not found")))?;
    Ok(Hal::ok(pacticipant(
        &links,
        &found,
        &state.store.labels_of(&name).await?,
    )))
}

/// PUT replaces the fields (creating the pacticipant if needed).
async fn replace(
    State(state): State<AppState>,
    links: Links,
    Path(name): Path<String>,
    Body(body): Body<PacticipantBody>,
) -> Result<Hal<PacticipantResource>, ApiError> {
    body.check_name(&name)?;
    let (saved, created) = state.store.save_pacticipant(&name, body.update(), true).await?;
    Ok(Hal::saved(
        created,
        pacticipant(&links, &saved, &state.store.labels_of(&name).await?),
    ))
}

/// PATCH (merge-patch) updates the given fields only.
async fn update(
    State(state): State<AppState>,
    links: Links,
    Path(name): Path<String>,
    Body(body): Body<PacticipantBody>,
) -> Result<Hal<PacticipantResource>, ApiError> {
    body.check_name(&name)?;
    let (saved, created) = state.store.save_pacticipant(&name, body.update(), false).await?;
    Ok(Hal::saved(
        created,
        pacticipant(&links, &saved, &state.store.labels_of(&name).await?),
    ))
}

/// `DELETE /pacticipants/{p}`: the pacticipant, its versions, pacts, verifications and webhooks.
async fn remove(
    State(state): State<AppState>,
    Path(pacticipant): Path<String>,
) -> Result<axum::http::StatusCode, ApiError> {
    match state.store.delete_pacticipant(&pacticipant).await? {
        true => Ok(axum::http::StatusCode::NO_CONTENT),
        false => Err(ApiError::not_found(format!("pacticipant '{pacticipant}' not found"))),
    }
}

async fn show_label(
    State(state): State<AppState>,
    links: Links,
    Path((pacticipant, name)): Path<(String, String)>,
) -> Result<Hal<LabelResource>, ApiError> {
    let found = state
        .store
        .label(&pacticipant, &name)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("pacticipant '{pacticipant}' has no label '{name}'")))?;
    Ok(Hal::ok(label(&links, &found)))
}

/// PUT labels the pacticipant (creating it if needed, like the official broker): 201 when the
/// label is new, 200 when it was there.
async fn save_label(
    State(state): State<AppState>,
    links: Links,
    Path((pacticipant, name)): Path<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::invalid("label", "can't be blank"));
    }
    let (saved, created) = state.store.save_label(&pacticipant, &name).await?;
    let location = links.label(&pacticipant, &name);
    Ok(Hal::saved(created, label(&links, &saved)).at(&location))
}

/// `GET /labels`: every label name in use, once each.
async fn labels(State(state): State<AppState>, links: Links) -> Result<Hal<LabelList>, ApiError> {
    let names = state.store.label_names().await?;
    Ok(Hal::ok(label_list(&links, names)))
}

async fn delete_label(
    State(state): State<AppState>,
    Path((pacticipant, name)): Path<(String, String)>,
) -> Result<axum::http::StatusCode, ApiError> {
    match state.store.delete_label(&pacticipant, &name).await? {
        true => Ok(axum::http::StatusCode::NO_CONTENT),
        false => Err(ApiError::not_found(format!(
            "pacticipant '{pacticipant}' has no label '{name}'"
        ))),
    }
}

/// The pacticipants with a label (an empty list when none has it).
async fn with_label(
    State(state): State<AppState>,
    links: Links,
    Path(name): Path<String>,
) -> Result<Hal<PacticipantList>, ApiError> {
    let pacticipants = state.store.pacticipants_with_label(&name).await?;
    let labels = state.store.labels().await?;
    Ok(Hal::ok(pacticipant_list(
        &links,
        links.pacticipants_with_label(&name),
        &pacticipants,
        &labels,
    )))
}
