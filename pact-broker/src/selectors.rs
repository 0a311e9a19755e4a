//! Pacts for verification: which pacts a provider must verify, given consumer version
//! selectors, with pending status and work-in-progress pacts, as the official broker answers
//! `POST /pacts/provider/{provider}/for-verification`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use service_kit::ApiError;

use crate::storage::{DeploymentKind, Publication, Snapshot};

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Selector {
    pub main_branch: Option<bool>,
    pub branch: Option<String>,
    pub matching_branch: Option<bool>,
    pub fallback_branch: Option<String>,
    pub tag: Option<String>,
    pub fallback_tag: Option<String>,
    pub latest: Option<bool>,
    pub consumer: Option<String>,
    pub deployed: Option<bool>,
    pub released: Option<bool>,
    pub deployed_or_released: Option<bool>,
    pub environment: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationRequest {
    #[serde(default)]
    pub provider_version_tags: Vec<String>,
    pub provider_version_branch: Option<String>,
    #[serde(default)]
    pub consumer_version_selectors: Vec<Selector>,
    #[serde(default)]
    pub include_pending_status: bool,
    pub include_wip_pacts_since: Option<String>,
}

/// One pact to verify: the newest publication of a content sha, why it was selected, and
/// whether it is pending / work in progress.
#[derive(Debug, Clone)]
pub struct Selected {
    pub publication: Publication,
    pub consumer: String,
    pub consumer_version: String,
    pub descriptions: Vec<String>,
    pub pending: Option<bool>,
    pub wip: bool,
}

fn validate(request: &VerificationRequest) -> Result<(), ApiError> {
    for selector in &request.consumer_version_selectors {
        let has_criterion = selector.main_branch == Some(true)
            || selector.branch.is_some()
            || selector.matching_branch == Some(true)
            || selector.tag.is_some()
            || selector.latest == Some(true)
            || selector.deployed == Some(true)
            || selector.released == Some(true)
            || selector.deployed_or_released == Some(true)
            || selector.environment.is_some()
            || selector.consumer.is_some();
        if !has_criterion {
            return Err(ApiError::BadRequest(format!(
                "consumerVersionSelectors: {selector:?} has no criterion (mainBranch, branch, matchingBranch, tag, latest, deployed, released, deployedOrReleased, environment or consumer)"
            )));
        }
        if selector.matching_branch == Some(true) && request.provider_version_branch.is_none() {
            return Err(ApiError::BadRequest(
                "consumerVersionSelectors: matchingBranch needs providerVersionBranch".into(),
            ));
        }
        if selector.fallback_tag.is_some() && selector.tag.is_none() {
            return Err(ApiError::BadRequest(
                "consumerVersionSelectors: fallbackTag needs tag".into(),
            ));
        }
        if selector.fallback_branch.is_some() && selector.branch.is_none() {
            return Err(ApiError::BadRequest(
                "consumerVersionSelectors: fallbackBranch needs branch".into(),
            ));
        }
    }
    Ok(())
}

/// Parses `includeWipPactsSince`: a date (`2024-01-31`) or an RFC 3339 timestamp.
pub fn parse_since(text: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
        })
        .map_err(|_| {
            ApiError::BadRequest(format!(
                "includeWipPactsSince: {text:?} is not a date or timestamp"
            ))
        })
}

/// Keeps the newest publication per consumer (publications are ordered by consumer version).
fn latest_per_consumer<'a>(pubs: impl Iterator<Item = &'a Publication>) -> Vec<&'a Publication> {
    let mut latest: BTreeMap<i64, &Publication> = BTreeMap::new();
    for p in pubs {
        latest.insert(p.consumer_id, p);
    }
    latest.into_values().collect()
}

struct Context<'a> {
    snapshot: &'a Snapshot,
    pubs: Vec<&'a Publication>,
}

impl<'a> Context<'a> {
    fn consumer(&self, p: &Publication) -> &str {
        self.snapshot.name(p.consumer_id)
    }

    fn number(&self, p: &Publication) -> &str {
        &self.snapshot.version(p.consumer_version_id).number
    }

    fn on_branch(&self, p: &Publication, branch: &str) -> bool {
        self.snapshot
            .version(p.consumer_version_id)
            .branches
            .iter()
            .any(|b| b == branch)
    }

    fn tagged(&self, p: &Publication, tag: &str) -> bool {
        self.snapshot
            .version(p.consumer_version_id)
            .tags
            .iter()
            .any(|t| t == tag)
    }

    fn filtered(&self, selector: &Selector) -> impl Iterator<Item = &'a Publication> + '_ {
        let consumer = selector.consumer.clone();
        self.pubs.iter().copied().filter(move |p| {
            consumer
                .as_deref()
                .is_none_or(|c| self.snapshot.name(p.consumer_id) == c)
        })
    }

    /// Latest per consumer matching `matches`; consumers with none fall back to `fallback`.
    fn latest_with_fallback(
        &self,
        selector: &Selector,
        matches: impl Fn(&Publication) -> bool,
        fallback: Option<&dyn Fn(&Publication) -> bool>,
    ) -> Vec<(&'a Publication, bool)> {
        let primary = latest_per_consumer(self.filtered(selector).filter(|p| matches(p)));
        let mut found: Vec<(&Publication, bool)> = primary.iter().map(|p| (*p, false)).collect();
        if let Some(fallback) = fallback {
            let have: HashSet<i64> = primary.iter().map(|p| p.consumer_id).collect();
            for p in latest_per_consumer(self.filtered(selector).filter(|p| fallback(p))) {
                if !have.contains(&p.consumer_id) {
                    found.push((p, true));
                }
            }
        }
        found
    }

    /// Publications a selector picks, each with the text the official broker shows for it.
    fn select(
        &self,
        selector: &Selector,
        request: &VerificationRequest,
    ) -> Vec<(&'a Publication, String)> {
        let describe = |p: &Publication, what: String| format!("{what} ({})", self.number(p));
        let all_or_latest = |matches: &dyn Fn(&Publication) -> bool,
                             what: &dyn Fn(&Publication) -> String| {
            let chosen: Vec<&Publication> = if selector.latest == Some(false) {
                self.filtered(selector).filter(|p| matches(p)).collect()
            } else {
                latest_per_consumer(self.filtered(selector).filter(|p| matches(p)))
            };
            chosen
                .into_iter()
                .map(|p| (p, describe(p, what(p))))
                .collect::<Vec<_>>()
        };
        if selector.main_branch == Some(true) {
            return latest_per_consumer(self.filtered(selector).filter(|p| {
                let main = self
                    .snapshot
                    .pacticipants
                    .get(&p.consumer_id)
                    .and_then(|c| c.main_branch.as_deref());
                main.is_some_and(|b| self.on_branch(p, b))
            }))
            .into_iter()
            .map(|p| {
                let main = self.snapshot.pacticipants[&p.consumer_id]
                    .main_branch
                    .clone()
                    .unwrap_or_default();
                (
                    p,
                    describe(
                        p,
                        format!(
                            "latest version of {} from branch '{main}'",
                            self.consumer(p)
                        ),
                    ),
                )
            })
            .collect();
        }
        if selector.matching_branch == Some(true) {
            let branch = request.provider_version_branch.clone().unwrap_or_default();
            return latest_per_consumer(
                self.filtered(selector)
                    .filter(|p| self.on_branch(p, &branch)),
            )
            .into_iter()
            .map(|p| {
                let text = format!(
                    "latest version of {} from branch '{branch}' (matching provider branch)",
                    self.consumer(p)
                );
                (p, describe(p, text))
            })
            .collect();
        }
        if let Some(branch) = &selector.branch {
            if let Some(fallback) = &selector.fallback_branch {
                let fb = |p: &Publication| self.on_branch(p, fallback);
                return self
                    .latest_with_fallback(selector, |p| self.on_branch(p, branch), Some(&fb))
                    .into_iter()
                    .map(|(p, fell_back)| {
                        let b = if fell_back { fallback } else { branch };
                        (
                            p,
                            describe(
                                p,
                                format!("latest version of {} from branch '{b}'", self.consumer(p)),
                            ),
                        )
                    })
                    .collect();
            }
            return all_or_latest(&|p| self.on_branch(p, branch), &|p| {
                let which = if selector.latest == Some(false) {
                    "one of the versions"
                } else {
                    "latest version"
                };
                format!("{which} of {} from branch '{branch}'", self.consumer(p))
            });
        }
        if let Some(tag) = &selector.tag {
            if selector.latest == Some(true) || selector.fallback_tag.is_some() {
                let fallback = selector.fallback_tag.clone();
                let fb = |p: &Publication| fallback.as_deref().is_some_and(|f| self.tagged(p, f));
                return self
                    .latest_with_fallback(selector, |p| self.tagged(p, tag), Some(&fb))
                    .into_iter()
                    .map(|(p, fell_back)| {
                        let t = if fell_back {
                            selector.fallback_tag.as_deref().unwrap_or(tag)
                        } else {
                            tag
                        };
                        (
                            p,
                            describe(
                                p,
                                format!("latest version of {} with tag '{t}'", self.consumer(p)),
                            ),
                        )
                    })
                    .collect();
            }
            return self
                .filtered(selector)
                .filter(|p| self.tagged(p, tag))
                .map(|p| {
                    (
                        p,
                        describe(
                            p,
                            format!(
                                "one of the versions of {} with tag '{tag}'",
                                self.consumer(p)
                            ),
                        ),
                    )
                })
                .collect();
        }
        let deployed =
            selector.deployed == Some(true) || selector.deployed_or_released == Some(true);
        let released =
            selector.released == Some(true) || selector.deployed_or_released == Some(true);
        if deployed || released || selector.environment.is_some() {
            let (deployed, released) = if deployed || released {
                (deployed, released)
            } else {
                (true, true)
            };
            let environment = selector.environment.as_deref();
            let envs: HashMap<i64, &str> = self
                .snapshot
                .environments
                .iter()
                .map(|e| (e.id, e.name.as_str()))
                .collect();
            let mut current: HashMap<i64, Vec<(&str, DeploymentKind)>> = HashMap::new();
            for d in &self.snapshot.deployments {
                let env_name = envs.get(&d.environment_id).copied().unwrap_or_default();
                let kind_ok = match d.kind {
                    DeploymentKind::Deployed => deployed,
                    DeploymentKind::Released => released,
                };
                if kind_ok && environment.is_none_or(|e| e == env_name) {
                    current
                        .entry(d.version_id)
                        .or_default()
                        .push((env_name, d.kind));
                }
            }
            return self
                .filtered(selector)
                .filter_map(|p| {
                    let (env, kind) = current.get(&p.consumer_version_id)?.first().copied()?;
                    let verb = if kind == DeploymentKind::Deployed {
                        "deployed to"
                    } else {
                        "released to"
                    };
                    Some((
                        p,
                        describe(
                            p,
                            format!("version of {} currently {verb} '{env}'", self.consumer(p)),
                        ),
                    ))
                })
                .collect();
        }
        if selector.latest == Some(true) {
            return latest_per_consumer(self.filtered(selector))
                .into_iter()
                .map(|p| {
                    (
                        p,
                        describe(p, format!("latest version of {}", self.consumer(p))),
                    )
                })
                .collect();
        }
        // Only `consumer`: every version of that consumer.
        self.filtered(selector)
            .map(|p| {
                (
                    p,
                    describe(p, format!("one of the versions of {}", self.consumer(p))),
                )
            })
            .collect()
    }
}

/// Whether a pact content is still pending for the provider version being verified: it has no
/// successful verification from a provider version on the given branch (or with one of the
/// given tags; with neither, from any provider version).
pub fn is_pending(
    snapshot: &Snapshot,
    sha: &str,
    provider_id: i64,
    request: &VerificationRequest,
) -> bool {
    !snapshot.verifications_of(sha, provider_id).any(|v| {
        if !v.success {
            return false;
        }
        let version = snapshot.version(v.provider_version_id);
        match (
            &request.provider_version_branch,
            request.provider_version_tags.is_empty(),
        ) {
            (Some(branch), _) => version.branches.iter().any(|b| b == branch),
            (None, false) => version
                .tags
                .iter()
                .any(|t| request.provider_version_tags.contains(t)),
            (None, true) => true,
        }
    })
}

/// The pacts a provider must verify. `Ok(None)` when the provider is unknown.
pub fn pacts_for_verification(
    snapshot: &Snapshot,
    provider: &str,
    request: &VerificationRequest,
) -> Result<Option<Vec<Selected>>, ApiError> {
    validate(request)?;
    let since = request
        .include_wip_pacts_since
        .as_deref()
        .map(parse_since)
        .transpose()?;
    let Some(provider) = snapshot.pacticipant_by_name(provider) else {
        return Ok(None);
    };
    let pubs: Vec<&Publication> = snapshot
        .publications
        .iter()
        .filter(|p| p.provider_id == provider.id)
        .collect();
    let context = Context { snapshot, pubs };
    let default_selectors = [Selector {
        latest: Some(true),
        ..Selector::default()
    }];
    let selectors: &[Selector] = if request.consumer_version_selectors.is_empty() {
        &default_selectors
    } else {
        &request.consumer_version_selectors
    };

    // One entry per pact content (and consumer): the official broker verifies each sha once.
    let mut by_sha: Vec<Selected> = Vec::new();
    for selector in selectors {
        for (publication, description) in context.select(selector, request) {
            let entry = by_sha.iter_mut().find(|s| {
                s.publication.sha == publication.sha
                    && s.publication.consumer_id == publication.consumer_id
            });
            match entry {
                Some(entry) => {
                    if publication.consumer_version_id > entry.publication.consumer_version_id {
                        entry.publication = publication.clone();
                        entry.consumer_version = context.number(publication).to_owned();
                    }
                    if !entry.descriptions.contains(&description) {
                        entry.descriptions.push(description);
                    }
                }
                None => by_sha.push(Selected {
                    publication: publication.clone(),
                    consumer: context.consumer(publication).to_owned(),
                    consumer_version: context.number(publication).to_owned(),
                    descriptions: vec![description],
                    pending: None,
                    wip: false,
                }),
            }
        }
    }
    if request.include_pending_status {
        for entry in &mut by_sha {
            entry.pending = Some(is_pending(
                snapshot,
                &entry.publication.sha,
                provider.id,
                request,
            ));
        }
    }

    // WIP: the heads of every consumer branch (and tag) published since the date, still
    // pending for this provider branch, not already selected.
    if let Some(since) = since {
        let mut heads: BTreeMap<(i64, String), &Publication> = BTreeMap::new();
        for p in &context.pubs {
            let version = snapshot.version(p.consumer_version_id);
            for b in &version.branches {
                heads.insert((p.consumer_id, format!("branch '{b}'")), p);
            }
            for t in &version.tags {
                heads.insert((p.consumer_id, format!("tag '{t}'")), p);
            }
        }
        let mut wip: Vec<Selected> = Vec::new();
        for ((_, head), p) in heads {
            let published =
                DateTime::parse_from_rfc3339(&p.created_at).map(|t| t.with_timezone(&Utc));
            let recent = published.is_ok_and(|t| t >= since);
            let selected = by_sha
                .iter()
                .chain(wip.iter())
                .any(|s| s.publication.sha == p.sha);
            if recent && !selected && is_pending(snapshot, &p.sha, provider.id, request) {
                wip.push(Selected {
                    publication: p.clone(),
                    consumer: context.consumer(p).to_owned(),
                    consumer_version: context.number(p).to_owned(),
                    descriptions: vec![format!(
                        "latest version of {} from {head} ({})",
                        context.consumer(p),
                        context.number(p)
                    )],
                    pending: Some(true),
                    wip: true,
                });
            }
        }
        by_sha.extend(wip);
    }
    Ok(Some(by_sha))
}
