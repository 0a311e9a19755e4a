//! The index: every relation clients navigate from.

use serde::Serialize;

use super::hal::{Link, Rels};
use super::links::{INDEX_TEMPLATES, Links};

#[derive(Debug, Serialize)]
pub struct Index {
    #[serde(rename = "_links")]
    pub links: Rels,
}

pub fn index(links: &Links) -> Index {
    let mut rels = Rels::new()
        .with("self", Link::titled(links.index(), "Index").templated(false))
        .with(
            "pb:publish-contracts",
            Link::titled(links.publish_contracts(), "Publish contracts").templated(false),
        )
        .with(
            "pb:latest-pact-versions",
            Link::titled(links.latest_pacts(), "Latest pact versions"),
        )
        .with("pb:pacticipants", Link::titled(links.pacticipants(), "Pacticipants"))
        .with("pb:environments", Link::titled(links.environments(), "Environments"))
        .with("pb:webhooks", Link::titled(links.webhooks(), "Webhooks"))
        .with("pb:integrations", Link::titled(links.integrations(), "Integrations"))
        .with("pb:heartbeat", Link::new(links.heartbeat()))
        .with_curies(links);
    for (rel, template, title) in INDEX_TEMPLATES {
        rels = rels.with(rel, Link::template(links.url(template), *title));
    }
    Index { links: rels }
}

/// `GET /diagnostic/status/heartbeat`.
#[derive(Debug, Serialize)]
pub struct Heartbeat {
    pub ok: bool,
}
