//! The matrix (`GET /matrix`) and can-i-deploy: which consumer versions' pacts were verified by
//! which provider versions, and whether a pacticipant version can be deployed, with the
//! official broker's semantics: `deployable` is `false` when a specified version does not exist
//! or a required verification failed, `null` (unknown) when a required verification is
//! missing, `true` otherwise.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Value, json};
use service_kit::ApiError;

use crate::extract::Query;
use crate::hal::{Base, link};
use crate::storage::{Publication, Snapshot, Verification};

/// What the other side of a can-i-deploy question is.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Environment(String),
    Tag(String),
    Latest,
}

/// One `q[]` entry as sent.
#[derive(Debug, Clone, Default)]
pub struct SelectorSpec {
    pub pacticipant: String,
    pub version: Option<String>,
    pub latest: bool,
    pub tag: Option<String>,
    pub branch: Option<String>,
    pub main_branch: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatestBy {
    None,
    Cvp,
    Cvpv,
}

#[derive(Debug, Clone)]
pub struct MatrixQuery {
    pub selectors: Vec<SelectorSpec>,
    pub target: Option<Target>,
    pub latest_by: LatestBy,
    pub ignore: Vec<(String, Option<String>)>,
    pub limit: usize,
}

impl MatrixQuery {
    pub fn from_query(query: &Query) -> Result<Self, ApiError> {
        let mut selectors = Vec::new();
        for group in query.groups("q") {
            let mut spec = SelectorSpec::default();
            for (field, value) in group {
                match field.as_str() {
                    "pacticipant" => spec.pacticipant = value,
                    "version" => spec.version = Some(value),
                    "latest" => spec.latest = value == "true",
                    "tag" => spec.tag = Some(value),
                    "branch" => spec.branch = Some(value),
                    "mainBranch" => spec.main_branch = value == "true",
                    _ => {}
                }
            }
            if spec.pacticipant.is_empty() {
                return Err(ApiError::BadRequest(
                    "q[][pacticipant] is required in every selector".into(),
                ));
            }
            selectors.push(spec);
        }
        if selectors.is_empty() {
            return Err(ApiError::BadRequest(
                "Please provide 1 or more version selectors (q[][pacticipant]=...)".into(),
            ));
        }
        let ignore = query
            .groups("ignore")
            .into_iter()
            .filter_map(|g| {
                let name = g.iter().find(|(f, _)| f == "pacticipant")?.1.clone();
                let version = g
                    .iter()
                    .find(|(f, _)| f == "version")
                    .map(|(_, v)| v.clone());
                Some((name, version))
            })
            .collect();
        let target = if let Some(env) = query.get("environment").filter(|e| !e.is_empty()) {
            Some(Target::Environment(env.to_owned()))
        } else if let Some(tag) = query.get("tag").filter(|t| !t.is_empty()) {
            Some(Target::Tag(tag.to_owned()))
        } else if query.flag("latest") {
            Some(Target::Latest)
        } else {
            None
        };
        let latest_by = match query.get("latestby") {
            Some("cvp") => LatestBy::Cvp,
            Some("cvpv") => LatestBy::Cvpv,
            Some("") | None => LatestBy::None,
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "latestby must be cvp or cvpv, not {other:?}"
                )));
            }
        };
        let limit = query
            .get("limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(1000);
        Ok(Self {
            selectors,
            target,
            latest_by,
            ignore,
            limit,
        })
    }

    /// can-i-deploy: one pacticipant version against an environment or a tag.
    pub fn can_i_deploy(pacticipant: String, version: Option<String>, target: Target) -> Self {
        let latest = version.is_none();
        Self {
            selectors: vec![SelectorSpec {
                pacticipant,
                version,
                latest,
                ..SelectorSpec::default()
            }],
            target: Some(target),
            latest_by: LatestBy::Cvpv,
            ignore: Vec::new(),
            limit: 1000,
        }
    }
}

/// A selector resolved to pacticipant and versions (`None`: all versions).
#[derive(Debug, Clone)]
struct Resolved {
    pacticipant_id: Option<i64>,
    name: String,
    versions: Option<Vec<i64>>,
    /// Text for reasons, e.g. "version 1.0 of Foo", "the version of Bar currently in prod (2)".
    description: String,
    /// A specified version that does not exist (deployable false).
    missing: Option<String>,
    inferred: bool,
}

fn resolve(snapshot: &Snapshot, spec: &SelectorSpec) -> Resolved {
    let name = spec.pacticipant.clone();
    let Some(p) = snapshot.pacticipant_by_name(&name) else {
        return Resolved {
            pacticipant_id: None,
            description: name.clone(),
            missing: Some(format!("Pacticipant '{name}' not found")),
            name,
            versions: Some(Vec::new()),
            inferred: false,
        };
    };
    let versions = snapshot.versions_of(p.id);
    let branch = if spec.main_branch {
        p.main_branch.clone()
    } else {
        spec.branch.clone()
    };
    let matching: Vec<i64> = versions
        .iter()
        .filter(|v| spec.version.as_ref().is_none_or(|n| &v.number == n))
        .filter(|v| spec.tag.as_ref().is_none_or(|t| v.tags.contains(t)))
        .filter(|v| branch.as_ref().is_none_or(|b| v.branches.contains(b)))
        .map(|v| v.id)
        .collect();
    let latest = spec.latest || spec.main_branch;
    let chosen: Option<Vec<i64>> = if spec.version.is_some() || latest {
        Some(if latest {
            matching.first().copied().into_iter().collect()
        } else {
            matching
        })
    } else if spec.tag.is_some() || branch.is_some() {
        Some(matching)
    } else {
        None
    };
    let number = |ids: &[i64]| ids.first().map(|id| snapshot.version(*id).number.clone());
    let (description, missing) = match (&spec.version, &spec.tag, &branch, &chosen) {
        (Some(v), _, _, Some(ids)) => (
            format!("version {v} of {name}"),
            ids.is_empty().then(|| {
                format!("No pacts or verifications have been published for version {v} of {name}")
            }),
        ),
        (None, Some(t), _, Some(ids)) if latest => (
            format!(
                "the latest version of {name} with tag {t} ({})",
                number(ids).unwrap_or_default()
            ),
            ids.is_empty()
                .then(|| format!("No version with tag {t} exists for {name}")),
        ),
        (None, None, Some(b), Some(ids)) if latest => (
            format!(
                "the latest version of {name} from branch {b} ({})",
                number(ids).unwrap_or_default()
            ),
            ids.is_empty()
                .then(|| format!("No version of {name} from branch {b} exists")),
        ),
        (None, None, None, Some(ids)) if latest => (
            format!(
                "the latest version of {name} ({})",
                number(ids).unwrap_or_default()
            ),
            ids.is_empty()
                .then(|| format!("No version of {name} exists")),
        ),
        _ => (format!("any version of {name}"), None),
    };
    Resolved {
        pacticipant_id: Some(p.id),
        name,
        versions: chosen,
        description,
        missing,
        inferred: false,
    }
}

/// The other pacticipants of a can-i-deploy question, at the versions in the target.
fn infer(snapshot: &Snapshot, subject: &Resolved, target: Option<&Target>) -> Vec<Resolved> {
    let Some(subject_id) = subject.pacticipant_id else {
        return Vec::new();
    };
    let mut partners: Vec<i64> = snapshot
        .publications
        .iter()
        .filter_map(|p| {
            if p.consumer_id == subject_id {
                Some(p.provider_id)
            } else if p.provider_id == subject_id {
                Some(p.consumer_id)
            } else {
                None
            }
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .filter(|id| *id != subject_id)
        .collect();
    partners.sort();
    partners
        .into_iter()
        .map(|id| {
            let name = snapshot.name(id).to_owned();
            let versions = snapshot.versions_of(id);
            let Some(target) = target else {
                let description = format!("any version of {name}");
                return Resolved { pacticipant_id: Some(id), name, versions: None, description, missing: None, inferred: true };
            };
            let (ids, description): (Vec<i64>, String) = match target {
                Target::Environment(env) => {
                    let env_id = snapshot.environment_by_name(env).map(|e| e.id);
                    let ids: Vec<i64> = versions
                        .iter()
                        .filter(|v| {
                            snapshot.deployments.iter().any(|d| d.version_id == v.id && Some(d.environment_id) == env_id)
                        })
                        .map(|v| v.id)
                        .collect();
                    let description = match ids.as_slice() {
                        [] => format!(
                            "a version of {name} currently in {env} (no version is currently recorded as deployed/released in this environment)"
                        ),
                        [one] => format!("the version of {name} currently in {env} ({})", snapshot.version(*one).number),
                        _ => format!("the versions of {name} currently in {env}"),
                    };
                    (ids, description)
                }
                Target::Tag(tag) => {
                    let ids: Vec<i64> = versions.iter().find(|v| v.tags.contains(tag)).map(|v| v.id).into_iter().collect();
                    let description = match ids.first() {
                        Some(id) => format!("the latest version of {name} with tag {tag} ({})", snapshot.version(*id).number),
                        None => format!("the latest version of {name} with tag {tag} (no such version exists)"),
                    };
                    (ids, description)
                }
                Target::Latest => {
                    let ids: Vec<i64> = versions.first().map(|v| v.id).into_iter().collect();
                    let description = match ids.first() {
                        Some(id) => format!("the latest version of {name} ({})", snapshot.version(*id).number),
                        None => format!("the latest version of {name}"),
                    };
                    (ids, description)
                }
            };
            Resolved { pacticipant_id: Some(id), name, versions: Some(ids), description, missing: None, inferred: true }
        })
        .collect()
}

/// One matrix line: a consumer version's pact and (maybe) a provider version's verification.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    pub publication: &'a Publication,
    pub verification: Option<&'a Verification>,
    consumer_selector: usize,
    provider_selector: usize,
    ignored: bool,
}

impl Row<'_> {
    pub fn success(&self) -> Option<bool> {
        self.verification.map(|v| v.success)
    }
}

pub struct MatrixResult<'a> {
    pub rows: Vec<Row<'a>>,
    resolved: Vec<Resolved>,
}

fn contains(versions: &Option<Vec<i64>>, id: i64) -> bool {
    versions.as_ref().is_none_or(|v| v.contains(&id))
}

pub fn query<'a>(snapshot: &'a Snapshot, query: &MatrixQuery) -> MatrixResult<'a> {
    let mut resolved: Vec<Resolved> = query
        .selectors
        .iter()
        .map(|s| resolve(snapshot, s))
        .collect();
    if resolved.len() == 1 {
        let inferred = infer(snapshot, &resolved[0], query.target.as_ref());
        resolved.extend(inferred);
    }
    let mut rows: Vec<Row<'a>> = Vec::new();
    for (ci, consumer) in resolved.iter().enumerate() {
        for (pi, provider) in resolved.iter().enumerate() {
            let (Some(cid), Some(pid)) = (consumer.pacticipant_id, provider.pacticipant_id) else {
                continue;
            };
            if ci == pi || (consumer.inferred && provider.inferred) {
                continue;
            }
            let ignored = query.ignore.iter().any(|(name, version)| {
                let hit = |r: &Resolved, vid: Option<i64>| {
                    &r.name == name
                        && version
                            .as_ref()
                            .is_none_or(|n| vid.is_some_and(|id| &snapshot.version(id).number == n))
                };
                hit(consumer, None) || hit(provider, None)
            });
            for publication in snapshot.publications.iter().filter(|p| {
                p.consumer_id == cid
                    && p.provider_id == pid
                    && contains(&consumer.versions, p.consumer_version_id)
            }) {
                let mut verifications: Vec<&Verification> = snapshot
                    .verifications
                    .iter()
                    .filter(|v| {
                        v.sha == publication.sha
                            && v.provider_id == pid
                            && contains(&provider.versions, v.provider_version_id)
                    })
                    .collect();
                match query.latest_by {
                    LatestBy::None => {}
                    LatestBy::Cvp => {
                        verifications = verifications
                            .into_iter()
                            .max_by_key(|v| v.id)
                            .into_iter()
                            .collect();
                    }
                    LatestBy::Cvpv => {
                        let mut latest: BTreeMap<i64, &Verification> = BTreeMap::new();
                        for v in verifications {
                            latest.insert(v.provider_version_id, v);
                        }
                        verifications = latest.into_values().collect();
                    }
                }
                let base = Row {
                    publication,
                    verification: None,
                    consumer_selector: ci,
                    provider_selector: pi,
                    ignored,
                };
                if verifications.is_empty() {
                    rows.push(base);
                } else {
                    rows.extend(verifications.into_iter().map(|v| Row {
                        verification: Some(v),
                        ..base.clone()
                    }));
                }
            }
        }
    }
    rows.truncate(query.limit);
    MatrixResult { rows, resolved }
}

pub struct Summary {
    pub deployable: Option<bool>,
    pub reasons: Vec<(&'static str, String)>,
    pub success: usize,
    pub failed: usize,
    pub unknown: usize,
}

impl MatrixResult<'_> {
    fn describe(&self, snapshot: &Snapshot, row: &Row<'_>) -> (String, String) {
        let consumer = &self.resolved[row.consumer_selector];
        let provider = &self.resolved[row.provider_selector];
        let cv = &snapshot.version(row.publication.consumer_version_id).number;
        let c = if consumer.inferred {
            consumer.description.clone()
        } else {
            format!("version {cv} of {}", consumer.name)
        };
        let p = match row.verification {
            Some(v) if !provider.inferred => {
                format!(
                    "version {} of {}",
                    snapshot.version(v.provider_version_id).number,
                    provider.name
                )
            }
            _ => provider.description.clone(),
        };
        (c, p)
    }

    pub fn summary(&self, snapshot: &Snapshot) -> Summary {
        let considered: Vec<&Row<'_>> = self.rows.iter().filter(|r| !r.ignored).collect();
        let success = considered
            .iter()
            .filter(|r| r.success() == Some(true))
            .count();
        let failed = considered
            .iter()
            .filter(|r| r.success() == Some(false))
            .count();
        let unknown = considered.iter().filter(|r| r.success().is_none()).count();
        let missing: Vec<String> = self
            .resolved
            .iter()
            .filter_map(|r| r.missing.clone())
            .collect();
        let deployable = if !missing.is_empty() {
            Some(false)
        } else if unknown > 0 {
            None
        } else {
            Some(failed == 0)
        };
        let mut reasons: Vec<(&'static str, String)> =
            missing.into_iter().map(|m| ("error", m)).collect();
        if reasons.is_empty() {
            for row in &considered {
                let (c, p) = self.describe(snapshot, row);
                let reason = match row.success() {
                    Some(false) => {
                        format!("The verification for the pact between {c} and {p} failed")
                    }
                    None => format!("There is no verified pact between {c} and {p}"),
                    Some(true) => continue,
                };
                if !reasons.iter().any(|(_, r)| r == &reason) {
                    reasons.push(("error", reason));
                }
            }
        }
        if reasons.is_empty() {
            let text = if considered.is_empty() {
                "There are no missing dependencies"
            } else {
                "All required verification results are published and successful"
            };
            reasons.push(("success", text.to_owned()));
        }
        for row in self
            .rows
            .iter()
            .filter(|r| r.ignored && r.success() != Some(true))
        {
            let (c, p) = self.describe(snapshot, row);
            reasons.push((
                "warning",
                format!("Ignoring the missing or failed verification between {c} and {p}"),
            ));
        }
        Summary {
            deployable,
            reasons,
            success,
            failed,
            unknown,
        }
    }
}

fn version_json(base: &Base, snapshot: &Snapshot, pacticipant: &str, version_id: i64) -> Value {
    let v = snapshot.version(version_id);
    json!({
        "number": v.number,
        "branch": v.branches.last(),
        "branches": v.branches.iter().map(|b| json!({"name": b})).collect::<Vec<_>>(),
        "tags": v.tags.iter().map(|t| json!({"name": t})).collect::<Vec<_>>(),
        "_links": { "self": link(base.version(pacticipant, &v.number)) }
    })
}

/// The matrix resource body (also the can-i-deploy answer).
pub fn to_json(base: &Base, snapshot: &Snapshot, result: &MatrixResult<'_>) -> Value {
    let summary = result.summary(snapshot);
    let matrix: Vec<Value> = result
        .rows
        .iter()
        .map(|row| {
            let consumer = snapshot.name(row.publication.consumer_id);
            let provider = snapshot.name(row.publication.provider_id);
            let cv = &snapshot.version(row.publication.consumer_version_id).number;
            let verification = row.verification.map(|v| {
                json!({
                    "success": v.success,
                    "verifiedAt": v.created_at,
                    "_links": { "self": link(base.verification(provider, consumer, &row.publication.sha, v.id)) }
                })
            });
            json!({
                "consumer": {
                    "name": consumer,
                    "_links": { "self": link(base.pacticipant(consumer)) },
                    "version": version_json(base, snapshot, consumer, row.publication.consumer_version_id),
                },
                "provider": {
                    "name": provider,
                    "_links": { "self": link(base.pacticipant(provider)) },
                    "version": row.verification.map(|v| version_json(base, snapshot, provider, v.provider_version_id)),
                },
                "pact": {
                    "createdAt": row.publication.created_at,
                    "_links": { "self": link(base.pact(provider, consumer, cv)) }
                },
                "verificationResult": verification,
            })
        })
        .collect();
    let reason = summary
        .reasons
        .iter()
        .map(|(_, r)| r.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    json!({
        "summary": {
            "deployable": summary.deployable,
            "reason": reason,
            "success": summary.success,
            "failed": summary.failed,
            "unknown": summary.unknown,
        },
        "notices": summary.reasons.iter().map(|(kind, text)| json!({"type": kind, "text": text})).collect::<Vec<_>>(),
        "matrix": matrix,
    })
}
