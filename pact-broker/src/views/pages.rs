//! The web pages, server-rendered from model data: the index (one row per consumer/provider
//! pair with the latest pact and its "Last verified" state), a pact as readable HTML, the matrix
//! page and the network graph (SVG) of who depends on whom. Each renderer is a pure function
//! from data to markup.

use std::collections::BTreeSet;
use std::fmt::Write;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::links::Links;
use crate::model::matrix::MatrixResult;
use crate::model::webhooks::{TriggerStatus, TriggeredWebhook, Webhook};
use crate::model::{Publication, Snapshot, Verification};

/// Escapes text for HTML and SVG.
pub(super) fn escape(text: &str) -> String {
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
        return escape(timestamp);
    };
    let seconds = (Utc::now() - then.with_timezone(&Utc)).num_seconds().max(0);
    let text = match seconds {
        0..60 => "less than a minute ago".to_owned(),
        60..3600 => format!("{} minutes ago", seconds / 60),
        3600..86_400 => format!("{} hours ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    };
    format!("<span title=\"{}\">{text}</span>", escape(timestamp))
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#2b3a55;color:#fff;padding:12px 24px;display:flex;gap:24px;align-items:center}
header a{color:#fff;text-decoration:none}header h1{font-size:20px;margin:0 24px 0 0}
main{padding:16px 24px}table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #ddd;padding:8px 10px;text-align:left;font-size:14px}th{background:#eef1f6}
td.success{background:#c8f0c8}td.failure{background:#f8c8c8}td.pending{background:#fff3c4}
pre{background:#f4f4f4;padding:8px;overflow:auto}.interaction{background:#fff;border:1px solid #ddd;margin:12px 0;padding:8px 16px}
.muted{color:#777;font-size:12px}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head>\
         <body><header><h1>Pact Broker</h1><a href=\"/\">Pacts</a><a href=\"/matrix\">Matrix</a><a href=\"/network\">Network</a><a href=\"/webhooks\">Webhooks</a></header>\
         <main>{body}</main></body></html>",
        escape(title)
    )
}

/// The state of the latest verification of a pact content: (css class, text).
fn last_verified(snapshot: &Snapshot, publication: &Publication) -> (&'static str, String) {
    match snapshot.last_verification(publication) {
        Some(v) => {
            let class = if v.success { "success" } else { "failure" };
            let version = &snapshot.version(v.provider_version_id).number;
            let outcome = if v.success { "passed" } else { "failed" };
            (
                class,
                format!(
                    "{} <span class=\"muted\">({outcome} by {} {})</span>",
                    ago(&v.created_at),
                    escape(snapshot.name(v.provider_id)),
                    escape(version)
                ),
            )
        }
        None => (
            "pending",
            "pending <span class=\"muted\">(not yet verified)</span>".to_owned(),
        ),
    }
}

/// `/`: one row per consumer/provider pair.
pub fn index_page(links: &Links, snapshot: &Snapshot) -> String {
    let mut rows = String::new();
    for p in snapshot.latest_pairs() {
        let consumer = snapshot.name(p.consumer_id);
        let provider = snapshot.name(p.provider_id);
        let version = snapshot.version(p.consumer_version_id);
        let (class, verified) = last_verified(snapshot, p);
        let pact_url = links.pact(provider, consumer, &version.number);
        let tags: Vec<String> = version
            .branches
            .iter()
            .map(|b| format!("branch {}", escape(b)))
            .chain(version.tags.iter().map(|t| format!("tag {}", escape(t))))
            .collect();
        let _ = write!(
            rows,
            "<tr class=\"pact-row\" data-consumer=\"{c}\" data-provider=\"{pr}\"><td class=\"consumer\">{c}</td><td class=\"provider\">{pr}</td>\
             <td class=\"consumer-version\"><a href=\"{url}\">{v}</a> <span class=\"muted\">{tags}</span></td>\
             <td class=\"published\">{published}</td><td class=\"verified {class}\">{verified}</td>\
             <td><a href=\"{matrix}\">matrix</a></td></tr>",
            c = escape(consumer),
            pr = escape(provider),
            url = escape(&pact_url),
            v = escape(&version.number),
            tags = tags.join(", "),
            published = ago(&p.created_at),
            matrix = escape(&links.pair_matrix(provider, consumer)),
        );
    }
    if rows.is_empty() {
        rows.push_str("<tr><td colspan=\"6\">No pacts have been published yet.</td></tr>");
    }
    let body = format!(
        "<h2>Pacts</h2><table id=\"pacts\"><thead><tr><th>Consumer</th><th>Provider</th><th>Latest pact (consumer version)</th>\
         <th>Published</th><th>Last verified</th><th></th></tr></thead><tbody>{rows}</tbody></table>\
         <p class=\"muted\">API: <a href=\"{api}\">{api}</a> (HAL+JSON)</p>",
        api = escape(&links.home())
    );
    page("Pacts", &body)
}

/// A pact as readable HTML: its interactions, requests and responses.
pub fn pact_page(links: &Links, snapshot: &Snapshot, publication: &Publication, pact: &Value) -> String {
    let consumer = snapshot.name(publication.consumer_id);
    let provider = snapshot.name(publication.provider_id);
    let version = &snapshot.version(publication.consumer_version_id).number;
    let (class, verified) = last_verified(snapshot, publication);
    let mut body = format!(
        "<h2>A pact between {c} and {p}</h2><p>Consumer version <b>{v}</b>, published {published}. \
         <span class=\"verified {class}\">Last verified: {verified}</span> \
         <a class=\"diff\" href=\"{diff}\">What changed since the previous distinct version</a></p>",
        c = escape(consumer),
        p = escape(provider),
        v = escape(version),
        published = ago(&publication.created_at),
        diff = escape(&links.pact_diff_previous_distinct(provider, consumer, version)),
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
            d = escape(&text("description")),
            state = if state.is_empty() {
                String::new()
            } else {
                format!("<p>Given <i>{}</i></p>", escape(&state))
            },
            req = escape(&pretty("request")),
            res = escape(&pretty("response")),
        );
    }
    page(&format!("Pact between {consumer} and {provider}"), &body)
}

/// `/matrix` (`result`: the rows a query selected; none: the newest 500 pacts with every
/// verification) and the matrix of one integration.
pub fn matrix_page(snapshot: &Snapshot, result: Option<&MatrixResult<'_>>) -> String {
    let mut rows = String::new();
    let mut push = |p: &Publication, v: Option<&Verification>| {
        let (class, text) = match v {
            Some(v) if v.success => ("success", "true"),
            Some(_) => ("failure", "false"),
            None => ("pending", "unknown"),
        };
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{text}</td><td>{}</td></tr>",
            escape(snapshot.name(p.consumer_id)),
            escape(&snapshot.version(p.consumer_version_id).number),
            escape(snapshot.name(p.provider_id)),
            v.map(|v| escape(&snapshot.version(v.provider_version_id).number))
                .unwrap_or_default(),
            v.map(|v| ago(&v.created_at)).unwrap_or_default(),
        );
    };
    match result {
        Some(result) => result.rows.iter().for_each(|r| push(r.publication, r.verification)),
        None => {
            for p in snapshot.publications.iter().rev().take(500) {
                let verifications: Vec<_> = snapshot.verifications_of(&p.sha, p.provider_id).collect();
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
/// `focus`: only the integrations of that pacticipant (the official UI's `/groups/{name}`).
pub fn network(snapshot: &Snapshot, focus: Option<&str>) -> String {
    let edges: BTreeSet<(&str, &str)> = snapshot
        .publications
        .iter()
        .map(|p| (snapshot.name(p.consumer_id), snapshot.name(p.provider_id)))
        .filter(|(c, p)| focus.is_none_or(|f| f == *c || f == *p))
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
        let angle = i / names.len().max(1) as f64 * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
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
            escape(consumer),
            escape(provider)
        );
    }
    for name in &names {
        let (x, y) = position(name);
        let _ = write!(
            svg,
            "<g class=\"node\"><ellipse cx=\"{x:.1}\" cy=\"{y:.1}\" rx=\"70\" ry=\"26\" fill=\"#eef1f6\" stroke=\"#2b3a55\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"13\">{}</text></g>",
            y + 4.0,
            escape(name)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// `/groups/{pacticipant}`: one pacticipant's integrations.
pub fn group_page(snapshot: &Snapshot, name: &str) -> String {
    page(
        &format!("Network of {name}"),
        &format!(
            "<h2>Integrations of {}</h2><p class=\"muted\">An arrow points from a consumer to its provider.</p>{}",
            escape(name),
            network(snapshot, Some(name))
        ),
    )
}

/// `/network`: every integration.
pub fn network_page(snapshot: &Snapshot) -> String {
    page(
        "Network",
        &format!(
            "<h2>Who depends on whom</h2><p class=\"muted\">An arrow points from a consumer to its provider.</p>{}",
            network(snapshot, None)
        ),
    )
}

/// The webhooks page: each webhook (secrets never shown: only method and URL template) and the
/// latest triggered webhooks with their status and a link to their logs.
pub fn webhooks_page(links: &Links, webhooks: &[Webhook], triggered: &[TriggeredWebhook]) -> String {
    let mut rows = String::new();
    for w in webhooks {
        let d = &w.definition;
        let events: Vec<&str> = d.events.iter().map(|e| e.name()).collect();
        let _ = write!(
            rows,
            "<tr class=\"webhook\"><td><a href=\"{href}\">{title}</a></td><td>{consumer}</td><td>{provider}</td>\
             <td>{events}</td><td>{method} {url}</td><td>{enabled}</td></tr>",
            href = escape(&links.webhook(&w.uuid)),
            title = escape(&d.title()),
            consumer = escape(d.consumer.as_deref().unwrap_or("any")),
            provider = escape(d.provider.as_deref().unwrap_or("any")),
            events = escape(&events.join(", ")),
            method = escape(&d.request.method),
            url = escape(&d.request.url),
            enabled = if d.enabled { "yes" } else { "no" },
        );
    }
    let mut runs = String::new();
    for t in triggered {
        let class = match t.status {
            TriggerStatus::Success => "success",
            TriggerStatus::Failure => "failure",
            TriggerStatus::NotRun | TriggerStatus::Retrying => "pending",
        };
        let _ = write!(
            runs,
            "<tr class=\"triggered\"><td>{when}</td><td>{event}</td><td>{consumer} {version}</td><td>{provider}</td>\
             <td class=\"{class}\">{status}</td><td>{attempts}</td><td><a href=\"{logs}\">logs</a></td></tr>",
            when = ago(&t.created_at),
            event = t.event.name(),
            consumer = escape(&t.consumer),
            version = escape(t.consumer_version.as_deref().unwrap_or_default()),
            provider = escape(&t.provider),
            status = t.status.name(),
            attempts = t.attempts,
            logs = escape(&links.triggered_webhook_logs(&t.uuid)),
        );
    }
    page(
        "Webhooks",
        &format!(
            "<h2>Webhooks</h2><table><tr><th>Webhook</th><th>Consumer</th><th>Provider</th><th>Events</th>\
             <th>Request</th><th>Enabled</th></tr>{rows}</table>\
             <h2>Triggered webhooks</h2><table><tr><th>Triggered</th><th>Event</th><th>Consumer version</th>\
             <th>Provider</th><th>Status</th><th>Attempts</th><th>Logs</th></tr>{runs}</table>"
        ),
    )
}
