//! Pacts for verification: which pacts a provider must verify, given consumer version
//! selectors, with pending status and work-in-progress pacts, as the official broker answers
//! `POST /pacts/provider/{provider}/for-verification`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::latest_per_consumer;
use super::pending::{self, is_pending};
use super::{DeploymentKind, Invalid, Publication, Snapshot};

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

fn validate(request: &VerificationRequest) -> Result<(), Invalid> {
    let invalid = |message: String| Invalid::new("consumerVersionSelectors", message);
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
            return Err(invalid(format!(
                "{selector:?} has no criterion (mainBranch, branch, matchingBranch, tag, latest, deployed, released, deployedOrReleased, environment or consumer)"
            )));
        }
        if selector.matching_branch == Some(true) && request.provider_version_branch.is_none() {
            return Err(invalid("matchingBranch needs providerVersionBranch".into()));
        }
        if selector.fallback_tag.is_some() && selector.tag.is_none() {
            return Err(invalid("fallbackTag needs tag".into()));
        }
        if selector.fallback_branch.is_some() && selector.branch.is_none() {
            return Err(invalid("fallbackBranch needs branch".into()));
        }
    }
    Ok(())
}

/// Parses `includeWipPactsSince`: a date (`2024-01-31`) or an RFC 3339 timestamp.
pub fn parse_since(text: &str) -> Result<DateTime<Utc>, Invalid> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
        })
        .map_err(|_| Invalid::new("includeWipPactsSince", format!("{text:?} is not a date or timestamp")))
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
    fn select(&self, selector: &Selector, request: &VerificationRequest) -> Vec<(&'a Publication, String)> {
        let describe = |p: &Publication, what: String| format!("{what} ({})", self.number(p));
        let all_or_latest = |matches: &dyn Fn(&Publication) -> bool, what: &dyn Fn(&Publication) -> String| {
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
                        format!("latest version of {} from branch '{main}'", self.consumer(p)),
                    ),
                )
            })
            .collect();
        }
        if selector.matching_branch == Some(true) {
            let branch = request.provider_version_branch.clone().unwrap_or_default();
            return latest_per_consumer(self.filtered(selector).filter(|p| self.on_branch(p, &branch)))
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
                            describe(p, format!("latest version of {} from branch '{b}'", self.consumer(p))),
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
                            describe(p, format!("latest version of {} with tag '{t}'", self.consumer(p))),
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
                            format!("one of the versions of {} with tag '{tag}'", self.consumer(p)),
                        ),
                    )
                })
                .collect();
        }
        let deployed = selector.deployed == Some(true) || selector.deployed_or_released == Some(true);
        let released = selector.released == Some(true) || selector.deployed_or_released == Some(true);
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
                    current.entry(d.version_id).or_default().push((env_name, d.kind));
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
                        describe(p, format!("version of {} currently {verb} '{env}'", self.consumer(p))),
                    ))
                })
                .collect();
        }
        if selector.latest == Some(true) {
            return latest_per_consumer(self.filtered(selector))
                .into_iter()
                .map(|p| (p, describe(p, format!("latest version of {}", self.consumer(p)))))
                .collect();
        }
        // Only `consumer`: every version of that consumer.
        self.filtered(selector)
            .map(|p| (p, describe(p, format!("one of the versions of {}", self.consumer(p)))))
            .collect()
    }
}

/// The pacts a provider must verify. `Ok(None)` when the provider is unknown.
pub fn pacts_for_verification(
    snapshot: &Snapshot,
    provider: &str,
    request: &VerificationRequest,
) -> Result<Option<Vec<Selected>>, Invalid> {
    validate(request)?;
    let since = request
        .include_wip_pacts_since
        .as_deref()
        .map(parse_since)
        .transpose()?;
    let Some(provider) = snapshot.pacticipant_by_name(provider) else {
        return Ok(None);
    };
    let pubs: Vec<&Publication> = snapshot.publications_for(provider.id).collect();
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
            let entry = by_sha
                .iter_mut()
                .find(|s| s.publication.sha == publication.sha && s.publication.consumer_id == publication.consumer_id);
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
            entry.pending = Some(is_pending(snapshot, &entry.publication.sha, provider.id, request));
        }
    }

    // WIP: pacts not selected above that are still pending for this provider branch.
    if let Some(since) = since {
        let wip = pending::wip_pacts(snapshot, &context.pubs, provider.id, request, since, &by_sha);
        by_sha.extend(wip);
    }
    Ok(Some(by_sha))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::snapshot::fixture::Builder;

    /// Web (main branch `main`) and Mobile (main branch `master`) publish pacts for Api;
    /// Web 1 is deployed to production, Mobile 1 released there; Web 4 republishes Web 2's content.
    fn fixture() -> Snapshot {
        let mut b = Builder::default();
        b.main_branch("Web", "main");
        b.main_branch("Mobile", "master");
        b.publish("Web", "W1", &["branch:main", "tag:prod"], "Api", "w1");
        b.publish("Mobile", "M1", &["branch:master", "tag:prod"], "Api", "m1");
        b.publish("Web", "W2", &["branch:main"], "Api", "w2");
        b.publish("Web", "W3", &["branch:feat-x"], "Api", "w3");
        b.publish("Mobile", "M2", &["branch:feat-x"], "Api", "m2");
        b.publish("Web", "W4", &["branch:main"], "Api", "w2");
        b.publish("Web", "O1", &["branch:main"], "Other", "o1");
        b.deploy("Web", "W1", "production", DeploymentKind::Deployed);
        b.deploy("Mobile", "M1", "production", DeploymentKind::Released);
        b.environment("test");
        b.snapshot
    }

    fn request(selectors: serde_json::Value, branch: Option<&str>) -> VerificationRequest {
        let mut body = json!({ "consumerVersionSelectors": selectors });
        if let Some(branch) = branch {
            body["providerVersionBranch"] = json!(branch);
        }
        serde_json::from_value(body).expect("a request")
    }

    /// (consumer version, descriptions) of every selected pact, in order.
    fn selected(snapshot: &Snapshot, request: &VerificationRequest) -> Vec<(String, Vec<String>)> {
        pacts_for_verification(snapshot, "Api", request)
            .expect("valid")
            .expect("a known provider")
            .into_iter()
            .map(|s| (s.consumer_version, s.descriptions))
            .collect()
    }

    #[test]
    fn every_selector_picks_the_official_versions_with_the_official_descriptions() {
        let snapshot = fixture();
        let one = |version: &str, text: &str| (version.to_owned(), vec![text.to_owned()]);
        // (case, selectors, provider branch, selected versions with their descriptions)
        type Case = (
            &'static str,
            serde_json::Value,
            Option<&'static str>,
            Vec<(String, Vec<String>)>,
        );
        let cases: Vec<Case> = vec![
            (
                "mainBranch: each consumer's latest on its own main branch",
                json!([{"mainBranch": true}]),
                None,
                vec![
                    one("W4", "latest version of Web from branch 'main' (W4)"),
                    one("M1", "latest version of Mobile from branch 'master' (M1)"),
                ],
            ),
            (
                "mainBranch for one consumer",
                json!([{"mainBranch": true, "consumer": "Mobile"}]),
                None,
                vec![one("M1", "latest version of Mobile from branch 'master' (M1)")],
            ),
            (
                "branch: latest per consumer",
                json!([{"branch": "feat-x"}]),
                None,
                vec![
                    one("W3", "latest version of Web from branch 'feat-x' (W3)"),
                    one("M2", "latest version of Mobile from branch 'feat-x' (M2)"),
                ],
            ),
            (
                "branch with latest false: every version on it",
                json!([{"branch": "main", "latest": false, "consumer": "Web"}]),
                None,
                vec![
                    one("W1", "one of the versions of Web from branch 'main' (W1)"),
                    (
                        "W4".into(),
                        vec![
                            "one of the versions of Web from branch 'main' (W2)".into(),
                            "one of the versions of Web from branch 'main' (W4)".into(),
                        ],
                    ),
                ],
            ),
            (
                "branch with fallbackBranch: the fallback where the branch has none",
                json!([{"branch": "feat-x", "fallbackBranch": "master"}, {"branch": "nope", "fallbackBranch": "main"}]),
                None,
                vec![
                    one("W3", "latest version of Web from branch 'feat-x' (W3)"),
                    one("M2", "latest version of Mobile from branch 'feat-x' (M2)"),
                    one("W4", "latest version of Web from branch 'main' (W4)"),
                ],
            ),
            (
                "matchingBranch: the provider's branch",
                json!([{"matchingBranch": true}]),
                Some("feat-x"),
                vec![
                    one(
                        "W3",
                        "latest version of Web from branch 'feat-x' (matching provider branch) (W3)",
                    ),
                    one(
                        "M2",
                        "latest version of Mobile from branch 'feat-x' (matching provider branch) (M2)",
                    ),
                ],
            ),
            (
                "tag: every version with it",
                json!([{"tag": "prod"}]),
                None,
                vec![
                    one("W1", "one of the versions of Web with tag 'prod' (W1)"),
                    one("M1", "one of the versions of Mobile with tag 'prod' (M1)"),
                ],
            ),
            (
                "tag with latest: the latest per consumer",
                json!([{"tag": "prod", "latest": true}]),
                None,
                vec![
                    one("W1", "latest version of Web with tag 'prod' (W1)"),
                    one("M1", "latest version of Mobile with tag 'prod' (M1)"),
                ],
            ),
            (
                "tag with fallbackTag",
                json!([{"tag": "nope", "fallbackTag": "prod"}]),
                None,
                vec![
                    one("W1", "latest version of Web with tag 'prod' (W1)"),
                    one("M1", "latest version of Mobile with tag 'prod' (M1)"),
                ],
            ),
            (
                "latest: each consumer's newest",
                json!([{"latest": true}]),
                None,
                vec![
                    one("W4", "latest version of Web (W4)"),
                    one("M2", "latest version of Mobile (M2)"),
                ],
            ),
            (
                "consumer alone: every version of it, one entry per content",
                json!([{"consumer": "Web"}]),
                None,
                vec![
                    one("W1", "one of the versions of Web (W1)"),
                    (
                        "W4".into(),
                        vec![
                            "one of the versions of Web (W2)".into(),
                            "one of the versions of Web (W4)".into(),
                        ],
                    ),
                    one("W3", "one of the versions of Web (W3)"),
                ],
            ),
            (
                "deployed",
                json!([{"deployed": true}]),
                None,
                vec![one("W1", "version of Web currently deployed to 'production' (W1)")],
            ),
            (
                "released",
                json!([{"released": true}]),
                None,
                vec![one("M1", "version of Mobile currently released to 'production' (M1)")],
            ),
            (
                "deployedOrReleased",
                json!([{"deployedOrReleased": true}]),
                None,
                vec![
                    one("W1", "version of Web currently deployed to 'production' (W1)"),
                    one("M1", "version of Mobile currently released to 'production' (M1)"),
                ],
            ),
            (
                "environment alone: deployed or released there",
                json!([{"environment": "production"}]),
                None,
                vec![
                    one("W1", "version of Web currently deployed to 'production' (W1)"),
                    one("M1", "version of Mobile currently released to 'production' (M1)"),
                ],
            ),
            (
                "deployed to an empty environment",
                json!([{"deployed": true, "environment": "test"}]),
                None,
                vec![],
            ),
            (
                "no selectors: the latest of each consumer",
                json!([]),
                None,
                vec![
                    one("W4", "latest version of Web (W4)"),
                    one("M2", "latest version of Mobile (M2)"),
                ],
            ),
            (
                "two selectors picking one content: one entry, both reasons",
                json!([{"mainBranch": true, "consumer": "Mobile"}, {"tag": "prod", "latest": true, "consumer": "Mobile"}]),
                None,
                vec![(
                    "M1".into(),
                    vec![
                        "latest version of Mobile from branch 'master' (M1)".into(),
                        "latest version of Mobile with tag 'prod' (M1)".into(),
                    ],
                )],
            ),
        ];
        for (case, selectors, branch, expected) in cases {
            assert_eq!(selected(&snapshot, &request(selectors, branch)), expected, "{case}");
        }
    }

    #[test]
    fn invalid_requests_name_the_field_and_unknown_providers_are_none() {
        let snapshot = fixture();
        let cases = [
            (
                json!({"consumerVersionSelectors": [{"fallbackTag": "x"}]}),
                "consumerVersionSelectors",
                "has no criterion",
            ),
            (
                json!({"consumerVersionSelectors": [{"matchingBranch": true}]}),
                "consumerVersionSelectors",
                "matchingBranch needs providerVersionBranch",
            ),
            (
                json!({"consumerVersionSelectors": [{"latest": true, "fallbackTag": "x"}]}),
                "consumerVersionSelectors",
                "fallbackTag needs tag",
            ),
            (
                json!({"consumerVersionSelectors": [{"latest": true, "fallbackBranch": "x"}]}),
                "consumerVersionSelectors",
                "fallbackBranch needs branch",
            ),
            (
                json!({"includeWipPactsSince": "last week"}),
                "includeWipPactsSince",
                "is not a date or timestamp",
            ),
        ];
        for (body, field, text) in cases {
            let request: VerificationRequest = serde_json::from_value(body.clone()).unwrap();
            let error = pacts_for_verification(&snapshot, "Api", &request).expect_err(&body.to_string());
            assert_eq!(error.field, field, "{body}");
            assert!(error.message.contains(text), "{body}: {}", error.message);
        }
        assert!(
            pacts_for_verification(&snapshot, "Nobody", &VerificationRequest::default())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn wip_since_accepts_dates_and_timestamps() {
        assert_eq!(
            parse_since("2024-01-31").unwrap().to_rfc3339(),
            "2024-01-31T00:00:00+00:00"
        );
        assert_eq!(
            parse_since("2024-01-31T10:00:00+02:00").unwrap().to_rfc3339(),
            "2024-01-31T08:00:00+00:00"
        );
        assert!(parse_since("31/01/2024").is_err());
    }
}
