//! can-i-deploy: the summary of a matrix result with the official broker's semantics —
//! `deployable` is `false` when a specified version does not exist or a required verification
//! failed, unknown (`None`, answered as `null`) when a required verification is missing, `true`
//! otherwise (also when nothing is required) — and the official reason texts.

use super::Snapshot;
use super::matrix::{MatrixResult, Row};

/// How a reason reads: as a success, an error (not deployable) or a warning (ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Success,
    Error,
    Warning,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Success => "success",
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub level: Level,
    pub text: String,
}

impl Reason {
    fn new(level: Level, text: impl Into<String>) -> Self {
        Self {
            level,
            text: text.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub deployable: Option<bool>,
    pub reasons: Vec<Reason>,
    pub success: usize,
    pub failed: usize,
    pub unknown: usize,
}

/// How a row's two sides are named in reasons: inferred sides by how they were chosen ("the
/// version of Bar currently in prod (2)"), the others by version.
fn describe(snapshot: &Snapshot, result: &MatrixResult<'_>, row: &Row<'_>) -> (String, String) {
    let consumer = &result.resolved[row.consumer_selector];
    let provider = &result.resolved[row.provider_selector];
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

pub fn summary(snapshot: &Snapshot, result: &MatrixResult<'_>) -> Summary {
    let considered: Vec<&Row<'_>> = result.rows.iter().filter(|r| !r.ignored).collect();
    let success = considered.iter().filter(|r| r.success() == Some(true)).count();
    let failed = considered.iter().filter(|r| r.success() == Some(false)).count();
    let unknown = considered.iter().filter(|r| r.success().is_none()).count();
    let missing: Vec<String> = result.resolved.iter().filter_map(|r| r.missing.clone()).collect();
    let deployable = if !missing.is_empty() {
        Some(false)
    } else if unknown > 0 {
        None
    } else {
        Some(failed == 0)
    };
    let mut reasons: Vec<Reason> = missing.into_iter().map(|m| Reason::new(Level::Error, m)).collect();
    if reasons.is_empty() {
        for row in &considered {
            let (c, p) = describe(snapshot, result, row);
            let text = match row.success() {
                Some(false) => format!("The verification for the pact between {c} and {p} failed"),
                None => format!("There is no verified pact between {c} and {p}"),
                Some(true) => continue,
            };
            if !reasons.iter().any(|r| r.text == text) {
                reasons.push(Reason::new(Level::Error, text));
            }
        }
    }
    if reasons.is_empty() {
        let text = if considered.is_empty() {
            "There are no missing dependencies"
        } else {
            "All required verification results are published and successful"
        };
        reasons.push(Reason::new(Level::Success, text));
    }
    for row in result.rows.iter().filter(|r| r.ignored && r.success() != Some(true)) {
        let (c, p) = describe(snapshot, result, row);
        reasons.push(Reason::new(
            Level::Warning,
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

impl Summary {
    /// The reasons as one text, a line each (the `reason` field clients print).
    pub fn reason(&self) -> String {
        self.reasons
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DeploymentKind;
    use crate::model::matrix::{LatestBy, MatrixQuery, SelectorSpec, Target, query};
    use crate::model::snapshot::fixture::Builder;

    /// Web 1 and 2 publish pacts for Api (content a, b); Api 5 verifies a (success) and
    /// b (failure); Api 5 is in production, tagged prod; Api 6 is the latest, unverified.
    fn fixture() -> Snapshot {
        let mut b = Builder::default();
        b.publish("Web", "1", &[], "Api", "a");
        b.publish("Web", "2", &[], "Api", "b");
        b.verify("Api", "5", &["tag:prod"], "Web", "a", true);
        b.verify("Api", "5", &["tag:prod"], "Web", "b", false);
        b.deploy("Api", "5", "production", DeploymentKind::Deployed);
        b.environment("test");
        b.version("Api", "6", &[]);
        b.version("Lonely", "1", &[]);
        b.snapshot
    }

    fn ask(snapshot: &Snapshot, question: &MatrixQuery) -> (Option<bool>, Vec<(Level, String)>) {
        let result = query(snapshot, question);
        let summary = summary(snapshot, &result);
        (
            summary.deployable,
            summary.reasons.into_iter().map(|r| (r.level, r.text)).collect(),
        )
    }

    fn can_i_deploy(pacticipant: &str, version: Option<&str>, target: Target) -> MatrixQuery {
        MatrixQuery::can_i_deploy(pacticipant.into(), version.map(str::to_owned), target)
    }

    fn production() -> Target {
        Target::Environment("production".into())
    }

    #[test]
    fn can_i_deploy_answers_true_false_or_unknown_with_the_official_reasons() {
        use Level::{Error, Success, Warning};
        let snapshot = fixture();
        let mut ignoring_api = can_i_deploy("Web", Some("2"), production());
        ignoring_api.ignore = vec![("Api".into(), None)];
        // (case, question, deployable, reasons)
        type Case = (&'static str, MatrixQuery, Option<bool>, Vec<(Level, &'static str)>);
        let cases: Vec<Case> = vec![
            (
                "verified by the version in the environment",
                can_i_deploy("Web", Some("1"), production()),
                Some(true),
                vec![(
                    Success,
                    "All required verification results are published and successful",
                )],
            ),
            (
                "failed verification",
                can_i_deploy("Web", Some("2"), production()),
                Some(false),
                vec![(
                    Error,
                    "The verification for the pact between version 2 of Web and the version of Api currently in production (5) failed",
                )],
            ),
            (
                "nothing deployed where it goes: unknown",
                can_i_deploy("Web", Some("1"), Target::Environment("test".into())),
                None,
                vec![(
                    Error,
                    "There is no verified pact between version 1 of Web and a version of Api currently in test (no version is currently recorded as deployed/released in this environment)",
                )],
            ),
            (
                "no such version",
                can_i_deploy("Web", Some("9"), production()),
                Some(false),
                vec![(
                    Error,
                    "No pacts or verifications have been published for version 9 of Web",
                )],
            ),
            (
                "no such pacticipant",
                can_i_deploy("Nobody", Some("1"), production()),
                Some(false),
                vec![(Error, "Pacticipant 'Nobody' not found")],
            ),
            (
                "nothing required",
                can_i_deploy("Lonely", Some("1"), production()),
                Some(true),
                vec![(Success, "There are no missing dependencies")],
            ),
            (
                "provider side: its consumers' versions in the environment",
                can_i_deploy("Api", Some("6"), production()),
                Some(true),
                vec![(Success, "There are no missing dependencies")],
            ),
            (
                "to a tag (the latest version with it)",
                can_i_deploy("Web", Some("2"), Target::Tag("prod".into())),
                Some(false),
                vec![(
                    Error,
                    "The verification for the pact between version 2 of Web and the latest version of Api with tag prod (5) failed",
                )],
            ),
            (
                "against the latest version: unverified",
                can_i_deploy("Web", Some("1"), Target::Latest),
                None,
                vec![(
                    Error,
                    "There is no verified pact between version 1 of Web and the latest version of Api (6)",
                )],
            ),
            (
                "the latest version when none is given",
                can_i_deploy("Web", None, production()),
                Some(false),
                vec![(
                    Error,
                    "The verification for the pact between version 2 of Web and the version of Api currently in production (5) failed",
                )],
            ),
            (
                "an ignored pacticipant's failure is a warning",
                ignoring_api,
                Some(true),
                vec![
                    (Success, "There are no missing dependencies"),
                    (
                        Warning,
                        "Ignoring the missing or failed verification between version 2 of Web and the version of Api currently in production (5)",
                    ),
                ],
            ),
        ];
        for (case, question, deployable, reasons) in cases {
            let reasons: Vec<(Level, String)> = reasons.into_iter().map(|(l, t)| (l, t.to_owned())).collect();
            assert_eq!(ask(&snapshot, &question), (deployable, reasons), "{case}");
        }
    }

    #[test]
    fn the_matrix_lists_every_verification_or_the_latest_by_provider_version() {
        let mut b = Builder::default();
        b.publish("Web", "1", &[], "Api", "a");
        b.verify("Api", "5", &[], "Web", "a", false);
        b.verify("Api", "5", &[], "Web", "a", true);
        b.verify("Api", "6", &[], "Web", "a", true);
        b.publish("Web", "2", &[], "Api", "b");
        let snapshot = b.snapshot;
        let spec = |name: &str| SelectorSpec {
            pacticipant: name.into(),
            ..SelectorSpec::default()
        };
        let rows = |latest_by: LatestBy| {
            let question = MatrixQuery {
                latest_by,
                ..MatrixQuery::between("Web".into(), "Api".into())
            };
            query(&snapshot, &question)
                .rows
                .iter()
                .map(|r| {
                    let consumer = snapshot.version(r.publication.consumer_version_id).number.clone();
                    let verification = r
                        .verification
                        .map(|v| (snapshot.version(v.provider_version_id).number.clone(), v.success));
                    (consumer, verification)
                })
                .collect::<Vec<_>>()
        };
        let v = |n: &str, ok: bool| Some((n.to_owned(), ok));
        assert_eq!(
            rows(LatestBy::None),
            [
                ("1".into(), v("5", false)),
                ("1".into(), v("5", true)),
                ("1".into(), v("6", true)),
                ("2".into(), None)
            ]
        );
        assert_eq!(
            rows(LatestBy::Cvpv),
            [
                ("1".into(), v("5", true)),
                ("1".into(), v("6", true)),
                ("2".into(), None)
            ]
        );
        assert_eq!(rows(LatestBy::Cvp), [("1".into(), v("6", true)), ("2".into(), None)]);
        let limited = MatrixQuery {
            selectors: vec![spec("Web"), spec("Api")],
            limit: 1,
            ..MatrixQuery::between("Web".into(), "Api".into())
        };
        assert_eq!(query(&snapshot, &limited).rows.len(), 1);
        let summary = summary(
            &snapshot,
            &query(&snapshot, &MatrixQuery::between("Web".into(), "Api".into())),
        );
        assert_eq!(
            (summary.success, summary.failed, summary.unknown, summary.deployable),
            (2, 1, 1, None)
        );
    }
}
