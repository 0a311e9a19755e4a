//! The matrix resource, which is also the can-i-deploy answer: the summary, its reasons as
//! notices, and the rows.

use serde::Serialize;

use super::hal::Rels;
use super::links::Links;
use crate::model::Snapshot;
use crate::model::can_i_deploy::Summary;
use crate::model::matrix::MatrixResult;

#[derive(Debug, Serialize)]
pub struct MatrixResource {
    pub summary: SummaryResource,
    pub notices: Vec<Notice>,
    pub matrix: Vec<Row>,
}

#[derive(Debug, Serialize)]
pub struct SummaryResource {
    /// `null` when unknown (a required verification is missing).
    pub deployable: Option<bool>,
    pub reason: String,
    pub success: usize,
    pub failed: usize,
    pub unknown: usize,
}

#[derive(Debug, Serialize)]
pub struct Notice {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub consumer: Party,
    pub provider: Party,
    pub pact: PactRef,
    pub verification_result: Option<VerificationRef>,
}

#[derive(Debug, Serialize)]
pub struct Party {
    pub name: String,
    #[serde(rename = "_links")]
    pub links: Rels,
    /// The provider's is `null` when no verification is on the row.
    pub version: Option<PartyVersion>,
}

#[derive(Debug, Serialize)]
pub struct PartyVersion {
    pub number: String,
    /// The branch it was last put on.
    pub branch: Option<String>,
    pub branches: Vec<NameOnly>,
    pub tags: Vec<NameOnly>,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
pub struct NameOnly {
    pub name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PactRef {
    pub created_at: String,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationRef {
    pub success: bool,
    pub verified_at: String,
    #[serde(rename = "_links")]
    pub links: Rels,
}

fn party_version(links: &Links, snapshot: &Snapshot, pacticipant: &str, version_id: i64) -> PartyVersion {
    let v = snapshot.version(version_id);
    let names = |list: &[String]| list.iter().map(|name| NameOnly { name: name.clone() }).collect();
    PartyVersion {
        number: v.number.clone(),
        branch: v.branches.last().cloned(),
        branches: names(&v.branches),
        tags: names(&v.tags),
        links: Rels::to_self(links.version(pacticipant, &v.number)),
    }
}

pub fn matrix(links: &Links, snapshot: &Snapshot, result: &MatrixResult<'_>, summary: &Summary) -> MatrixResource {
    let rows = result
        .rows
        .iter()
        .map(|row| {
            let consumer = snapshot.name(row.publication.consumer_id);
            let provider = snapshot.name(row.publication.provider_id);
            let consumer_version = &snapshot.version(row.publication.consumer_version_id).number;
            Row {
                consumer: Party {
                    name: consumer.to_owned(),
                    links: Rels::to_self(links.pacticipant(consumer)),
                    version: Some(party_version(
                        links,
                        snapshot,
                        consumer,
                        row.publication.consumer_version_id,
                    )),
                },
                provider: Party {
                    name: provider.to_owned(),
                    links: Rels::to_self(links.pacticipant(provider)),
                    version: row
                        .verification
                        .map(|v| party_version(links, snapshot, provider, v.provider_version_id)),
                },
                pact: PactRef {
                    created_at: row.publication.created_at.clone(),
                    links: Rels::to_self(links.pact(provider, consumer, consumer_version)),
                },
                verification_result: row.verification.map(|v| VerificationRef {
                    success: v.success,
                    verified_at: v.created_at.clone(),
                    links: Rels::to_self(links.verification(provider, consumer, &row.publication.sha, v.id)),
                }),
            }
        })
        .collect();
    MatrixResource {
        summary: SummaryResource {
            deployable: summary.deployable,
            reason: summary.reason(),
            success: summary.success,
            failed: summary.failed,
            unknown: summary.unknown,
        },
        notices: summary
            .reasons
            .iter()
            .map(|r| Notice {
                kind: r.level.as_str(),
                text: r.text.clone(),
            })
            .collect(),
        matrix: rows,
    }
}
