//! The web pages, server-rendered: the index (one row per consumer/provider pair with the latest
//! pact and its "Last verified" state), a pact as readable HTML, the matrix page and the network
//! graph (SVG) of who depends on whom.

use std::collections::BTreeSet;
use std::fmt::Write;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde_json::Value;
use service_kit::ApiError;

use crate::AppState;
use crate::hal::Base;
use crate::matrix::MatrixResult;
use crate::storage::{Publication, Snapshot};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/network", get(network_page))
        .route("/network.svg", get(network_svg))
}

/// Escapes text for HTML and SVG.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn ago(timestamp: &str) -> String {
    let Ok(then) = DateTime::parse_from_rfc3339(timestamp) else {
        return esc(timestamp);
    };
    let seconds = (Utc::now() - then.with_timezone(&Utc)).num_seconds().max(0);
    let text = match seconds {
        0..60 => "less than a minute ago".to_owned(),
        60..3600 => format!("{} minutes ago", seconds / 60),
        3600..86_400 => format!("{} hours ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    };
    format!("<span title=\"{}\">{text}</span>", esc(timestamp))
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#2b3a55;color:#fff;padding:12px 24px;display:flex;gap:24px;align-items:center}
header a{color:#fff;text-decoration:none}header h1{font-size:20px;margin:0 24px 0 0}
main{padding:16px 24px}table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #ddd;padding:8px 10px;text-align:left;font-size:14px}th{background:#eef1f6}
td.success{background:#c8f0c8}td.failure{background:#f8c8c8}td.pending{background:#fff3c4}
pre{background:#f4f4f4;padding:8px;overflow:auto}.interaction{background:#fff;border:1px solid #ddd;margin:12px 0;padding:8px 16px}
.muted{color:#777;font-size:12px}";

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head>\
         <body><header><h1>Pact Broker</h1><a href=\"/\">Pacts</a><a href=\"/matrix\">Matrix</a><a href=\"/network\">Network</a></header>\
         <main>{body}</main></body></html>",
        esc(title)
    ))
}

/// The state of the latest verification of a pact content: (css class, text).
fn last_verified(snapshot: &Snapshot, publication: &Publication) -> (&'static str, String) {
    match snapshot
        .verifications_of(&publication.sha, publication.provider_id)
        .next()
    {
        Some(v) => {
            let class = if v.success { "success" } else { "failure" };
            let version = &snapshot.version(v.provider_version_id).number;
            let outcome = if v.success { "passed" } else { "failed" };
            (
                class,
                format!(
                    "{} <span class=\"muted\">({outcome} by {} {})</span>",
                    ago(&v.created_at),
                    esc(snapshot.name(v.provider_id)),
                    esc(version)
                ),
            )
        }
        None => (
            "pending",
            "pending <span class=\"muted\">(not yet verified)</span>".to_owned(),
        ),
    }
}

pub async fn index_page(state: &AppState, base: &Base) -> Result<Html<String>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let mut rows = String::new();
    for p in crate::routes::pacts::latest_pairs(&snapshot) {
        let consumer = snapshot.name(p.consumer_id);
        let provider = snapshot.name(p.provider_id);
        let version = snapshot.version(p.consumer_version_id);
        let (class, verified) = last_verified(&snapshot, p);
        let pact_url = base.pact(provider, consumer, &version.number);
        let tags: Vec<String> = version
            .branches
            .iter()
            .map(|b| format!("branch {}", esc(b)))
            .chain(version.tags.iter().map(|t| format!("tag {}", esc(t))))
            .collect();
        let _ = write!(
            rows,
            "<tr class=\"pact-row\" data-consumer=\"{c}\" data-provider=\"{pr}\"><td class=\"consumer\">{c}</td><td class=\"provider\">{pr}</td>\
             <td class=\"consumer-version\"><a href=\"{url}\">{v}</a> <span class=\"muted\">{tags}</span></td>\
             <td class=\"published\">{published}</td><td class=\"verified {class}\">{verified}</td></tr>",
            c = esc(consumer),
            pr = esc(provider),
            url = esc(&pact_url),
            v = esc(&version.number),
            tags = tags.join(", "),
            published = ago(&p.created_at),
        );
    }
    if rows.is_empty() {
        rows.push_str("<tr><td colspan=\"5\">No pacts have been published yet.</td></tr>");
    }
    let body = format!(
        "<h2>Pacts</h2><table id=\"pacts\"><thead><tr><th>Consumer</th><th>Provider</th><th>Latest pact (consumer version)</th>\
         <th>Published</th><th>Last verified</th></tr></thead><tbody>{rows}</tbody></table>\
         <p class=\"muted\">API: <a href=\"{api}\">{api}</a> (HAL+JSON)</p>",
        api = esc(&base.url("/"))
    );
    Ok(page("Pacts", &body))
}

pub fn pact_page(snapshot: &Snapshot, publication: &Publication, pact: &Value) -> Html<String> {
    let consumer = snapshot.name(publication.consumer_id);
    let provider = snapshot.name(publication.provider_id);
    let version = &snapshot.version(publication.consumer_version_id).number;
    let (class, verified) = last_verified(snapshot, publication);
    let mut body = format!(
        "<h2>A pact between {c} and {p}</h2><p>Consumer version <b>{v}</b>, published {published}. \
         <span class=\"verified {class}\">Last verified: {verified}</span></p>",
        c = esc(consumer),
        p = esc(provider),
        v = esc(version),
        published = ago(&publication.created_at),
    );
    let interactions = pact
        .get("interactions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, interaction) in interactions.iter().enumerate() {
        let text = |k: &str| {
            interaction
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let state = interaction
            .get("providerStates")
            .and_then(Value::as_array)
            .map(|s| {
                s.iter()
                    .filter_map(|x| x.get("name").and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| text("providerState"));
        let pretty = |k: &str| {
            interaction
                .get(k)
                .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
                .unwrap_or_default()
        };
        let _ = write!(
            body,
            "<div class=\"interaction\"><h3>{n}. {d}</h3>{state}<h4>Request</h4><pre>{req}</pre><h4>Response</h4><pre>{res}</pre></div>",
            n = i + 1,
            d = esc(&text("description")),
            state = if state.is_empty() {
                String::new()
            } else {
                format!("<p>Given <i>{}</i></p>", esc(&state))
            },
            req = esc(&pretty("request")),
            res = esc(&pretty("response")),
        );
    }
    page(&format!("Pact between {consumer} and {provider}"), &body)
}

pub fn matrix_page(snapshot: &Snapshot, result: Option<&MatrixResult<'_>>) -> Html<String> {
    let mut rows = String::new();
    let mut push = |p: &Publication, v: Option<&crate::storage::Verification>| {
        let (class, text) = match v {
            Some(v) if v.success => ("success", "true"),
            Some(_) => ("failure", "false"),
            None => ("pending", "unknown"),
        };
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{text}</td><td>{}</td></tr>",
            esc(snapshot.name(p.consumer_id)),
            esc(&snapshot.version(p.consumer_version_id).number),
            esc(snapshot.name(p.provider_id)),
            v.map(|v| esc(&snapshot.version(v.provider_version_id).number))
                .unwrap_or_default(),
            v.map(|v| ago(&v.created_at)).unwrap_or_default(),
        );
    };
    match result {
        Some(result) => result
            .rows
            .iter()
            .for_each(|r| push(r.publication, r.verification)),
        None => {
            for p in snapshot.publications.iter().rev().take(500) {
                let verifications: Vec<_> =
                    snapshot.verifications_of(&p.sha, p.provider_id).collect();
                if verifications.is_empty() {
                    push(p, None);
                }
                for v in verifications {
                    push(p, Some(v));
                }
            }
        }
    }
    let body = format!(
        "<h2>Matrix</h2><table id=\"matrix\"><thead><tr><th>Consumer</th><th>Consumer version</th><th>Provider</th>\
         <th>Provider version</th><th>Success</th><th>Verified</th></tr></thead><tbody>{rows}</tbody></table>"
    );
    page("Matrix", &body)
}

/// Pacticipants laid out on a circle, an arrow from each consumer to each provider.
pub fn network(snapshot: &Snapshot) -> String {
    let edges: BTreeSet<(&str, &str)> = snapshot
        .publications
        .iter()
        .map(|p| (snapshot.name(p.consumer_id), snapshot.name(p.provider_id)))
        .collect();
    let names: Vec<&str> = edges
        .iter()
        .flat_map(|(c, p)| [*c, *p])
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (w, h) = (800.0_f64, 600.0_f64);
    let (cx, cy, r) = (w / 2.0, h / 2.0, 220.0);
    let position = |name: &str| {
        let i = names.iter().position(|n| *n == name).unwrap_or(0) as f64;
        let angle =
            i / names.len().max(1) as f64 * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
        (cx + r * angle.cos(), cy + r * angle.sin())
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"DejaVu Sans, Arial, sans-serif\">\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#2b3a55\"/></marker></defs><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
    );
    for (consumer, provider) in &edges {
        let ((x1, y1), (x2, y2)) = (position(consumer), position(provider));
        let (dx, dy) = (x2 - x1, y2 - y1);
        let length = (dx * dx + dy * dy).sqrt().max(1.0);
        let shrink = 48.0 / length;
        let _ = write!(
            svg,
            "<line class=\"edge\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#2b3a55\" stroke-width=\"2\" marker-end=\"url(#arrow)\"><title>{} depends on {}</title></line>",
            x1 + dx * shrink,
            y1 + dy * shrink,
            x2 - dx * shrink,
            y2 - dy * shrink,
            esc(consumer),
            esc(provider)
        );
    }
    for name in &names {
        let (x, y) = position(name);
        let _ = write!(
            svg,
            "<g class=\"node\"><ellipse cx=\"{x:.1}\" cy=\"{y:.1}\" rx=\"70\" ry=\"26\" fill=\"#eef1f6\" stroke=\"#2b3a55\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"13\">{}</text></g>",
            y + 4.0,
            esc(name)
        );
    }
    svg.push_str("</svg>");
    svg
}

async fn network_svg(State(state): State<AppState>) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let mut response = network(&snapshot).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    Ok(response)
}

async fn network_page(State(state): State<AppState>) -> Result<Html<String>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    Ok(page(
        "Network",
        &format!(
            "<h2>Who depends on whom</h2><p class=\"muted\">An arrow points from a consumer to its provider.</p>{}",
            network(&snapshot)
        ),
    ))
}
