//! The matrix: which consumer versions' pacts were verified by which provider versions, for
//! the pacticipant versions a query selects (and, for one selector, the pacticipants it
//! integrates with at the versions of a target: an environment, a tag or the latest).
//! `can_i_deploy` turns a result into the deployability answer.

use std::collections::{BTreeMap, HashSet};

use super::{Publication, Snapshot, Verification};

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

/// Rows answered when the query sets no `limit`.
pub const DEFAULT_LIMIT: usize = 1000;

#[derive(Debug, Clone)]
pub struct MatrixQuery {
    pub selectors: Vec<SelectorSpec>,
    pub target: Option<Target>,
    pub latest_by: LatestBy,
    /// `ignore[]`: (pacticipant, version) whose missing or failed verifications do not count.
    pub ignore: Vec<(String, Option<String>)>,
    pub limit: usize,
}

impl MatrixQuery {
    /// Every version of a consumer against every verification by a provider (the web page of
    /// one integration).
    pub fn between(consumer: String, provider: String) -> Self {
        let selector = |pacticipant| SelectorSpec {
            pacticipant,
            ..SelectorSpec::default()
        };
        Self {
            selectors: vec![selector(consumer), selector(provider)],
            target: None,
            latest_by: LatestBy::None,
            ignore: Vec::new(),
            limit: DEFAULT_LIMIT,
        }
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
            limit: DEFAULT_LIMIT,
        }
    }
}

/// A selector resolved to pacticipant and versions (`None`: all versions).
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    pacticipant_id: Option<i64>,
    pub(super) name: String,
    versions: Option<Vec<i64>>,
    /// Text for reasons, e.g. "version 1.0 of Foo", "the version of Bar currently in prod (2)".
    pub(super) description: String,
    /// A specified version that does not exist (deployable false).
    pub(super) missing: Option<String>,
    pub(super) inferred: bool,
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
            ids.is_empty()
                .then(|| format!("No pacts or verifications have been published for version {v} of {name}")),
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
            format!("the latest version of {name} ({})", number(ids).unwrap_or_default()),
            ids.is_empty().then(|| format!("No version of {name} exists")),
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
    pub(super) consumer_selector: usize,
    pub(super) provider_selector: usize,
    /// A row of an `ignore[]` pacticipant: shown, but not counted.
    pub ignored: bool,
}

impl Row<'_> {
    pub fn success(&self) -> Option<bool> {
        self.verification.map(|v| v.success)
    }
}

pub struct MatrixResult<'a> {
    pub rows: Vec<Row<'a>>,
    pub(super) resolved: Vec<Resolved>,
}

fn contains(versions: &Option<Vec<i64>>, id: i64) -> bool {
    versions.as_ref().is_none_or(|v| v.contains(&id))
}

pub fn query<'a>(snapshot: &'a Snapshot, query: &MatrixQuery) -> MatrixResult<'a> {
    let mut resolved: Vec<Resolved> = query.selectors.iter().map(|s| resolve(snapshot, s)).collect();
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
                p.consumer_id == cid && p.provider_id == pid && contains(&consumer.versions, p.consumer_version_id)
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
                        verifications = verifications.into_iter().max_by_key(|v| v.id).into_iter().collect();
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
