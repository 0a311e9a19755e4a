//! Pending and work-in-progress pacts, as the official broker decides them: a pact stays
//! pending for a provider line (branch or tags) until that line verifies it successfully, so a
//! failure does not break the provider's build; WIP pacts are pending pacts that no selector
//! asked for, verified so a consumer learns early.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::selectors::{Selected, VerificationRequest};
use super::{Publication, Snapshot, Version};

/// Whether a pact content is still pending for the provider version being verified: pending
/// for provider branch B unless a version on B verified it successfully, or a successful
/// verification (from any branch) happened before B first appeared (a branch cut from a line
/// that already supports the pact). Tags work the same way (pending when any given tag is);
/// with neither, pending until any successful verification.
pub fn is_pending(snapshot: &Snapshot, sha: &str, provider_id: i64, request: &VerificationRequest) -> bool {
    let successes: Vec<_> = snapshot
        .verifications_of(sha, provider_id)
        .filter(|v| v.success)
        .collect();
    let pending_for = |on: &dyn Fn(&Version) -> bool, created: Option<&String>| {
        let verified_by_label = successes.iter().any(|v| on(snapshot.version(v.provider_version_id)));
        let verified_before = successes.iter().any(|v| created.is_none_or(|c| &v.created_at < c));
        !verified_by_label && !verified_before
    };
    match (
        &request.provider_version_branch,
        request.provider_version_tags.is_empty(),
    ) {
        (Some(branch), _) => pending_for(
            &|v| v.branches.contains(branch),
            snapshot.branch_created.get(&(provider_id, branch.clone())),
        ),
        (None, false) => request.provider_version_tags.iter().any(|tag| {
            pending_for(
                &|v| v.tags.contains(tag),
                snapshot.tag_created.get(&(provider_id, tag.clone())),
            )
        }),
        (None, true) => successes.is_empty(),
    }
}

/// The WIP pacts: the heads of every consumer branch (and tag) of `publications` (the
/// provider's, oldest first) published since `since`, still pending for this provider version,
/// and not among `selected`.
pub fn wip_pacts(
    snapshot: &Snapshot,
    publications: &[&Publication],
    provider_id: i64,
    request: &VerificationRequest,
    since: DateTime<Utc>,
    selected: &[Selected],
) -> Vec<Selected> {
    let mut heads: BTreeMap<(i64, String), &Publication> = BTreeMap::new();
    for p in publications {
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
        let published = DateTime::parse_from_rfc3339(&p.created_at).map(|t| t.with_timezone(&Utc));
        let recent = published.is_ok_and(|t| t >= since);
        let already = selected.iter().chain(wip.iter()).any(|s| s.publication.sha == p.sha);
        if recent && !already && is_pending(snapshot, &p.sha, provider_id, request) {
            let consumer = snapshot.name(p.consumer_id);
            let number = &snapshot.version(p.consumer_version_id).number;
            wip.push(Selected {
                publication: p.clone(),
                consumer: consumer.to_owned(),
                consumer_version: number.clone(),
                descriptions: vec![format!("latest version of {consumer} from {head} ({number})")],
                pending: Some(true),
                wip: true,
            });
        }
    }
    wip
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::snapshot::fixture::Builder;

    fn request(branch: Option<&str>, tags: &[&str]) -> VerificationRequest {
        VerificationRequest {
            provider_version_branch: branch.map(str::to_owned),
            provider_version_tags: tags.iter().map(|t| t.to_string()).collect(),
            include_pending_status: true,
            ..VerificationRequest::default()
        }
    }

    #[test]
    fn a_pact_is_pending_until_the_provider_line_verifies_it() {
        // Each case: what happened, in order, and what is asked; then whether the pact is pending.
        enum Step {
            /// An Api version with labels verifies the pact.
            Verify(&'static str, &'static [&'static str], bool),
            /// An Api version with labels appears (a branch or tag first seen now).
            Version(&'static str, &'static [&'static str]),
        }
        use Step::{Verify, Version};
        // (case, steps, provider branch, provider tags, pending)
        type Case = (
            &'static str,
            Vec<Step>,
            Option<&'static str>,
            &'static [&'static str],
            bool,
        );
        let cases: Vec<Case> = vec![
            ("never verified, on a branch", vec![], Some("main"), &[], true),
            ("never verified, no branch or tag", vec![], None, &[], true),
            (
                "verified by the branch",
                vec![Verify("1", &["branch:main"], true)],
                Some("main"),
                &[],
                false,
            ),
            (
                "failed on the branch",
                vec![Verify("1", &["branch:main"], false)],
                Some("main"),
                &[],
                true,
            ),
            (
                "verified by another branch that existed before",
                vec![Version("0", &["branch:feat"]), Verify("1", &["branch:main"], true)],
                Some("feat"),
                &[],
                true,
            ),
            (
                "a branch cut after a successful verification",
                vec![Verify("1", &["branch:main"], true), Version("2", &["branch:feat"])],
                Some("feat"),
                &[],
                false,
            ),
            (
                "a branch never seen before, after a success",
                vec![Verify("1", &["branch:main"], true)],
                Some("new"),
                &[],
                false,
            ),
            (
                "verified by the tag",
                vec![Verify("1", &["tag:prod"], true)],
                None,
                &["prod"],
                false,
            ),
            (
                "pending while any given tag is",
                vec![Version("0", &["tag:dev"]), Verify("1", &["tag:prod"], true)],
                None,
                &["prod", "dev"],
                true,
            ),
            (
                "no branch or tag: any success",
                vec![Verify("1", &["branch:x"], true)],
                None,
                &[],
                false,
            ),
            (
                "no branch or tag: only failures",
                vec![Verify("1", &["branch:x"], false)],
                None,
                &[],
                true,
            ),
        ];
        for (case, steps, branch, tags, pending) in cases {
            let mut b = Builder::default();
            b.publish("Web", "1", &[], "Api", "sha");
            for step in steps {
                match step {
                    Verify(number, labels, success) => b.verify("Api", number, labels, "Web", "sha", success),
                    Version(number, labels) => {
                        b.version("Api", number, labels);
                    }
                }
            }
            let api = b.pacticipant("Api");
            assert_eq!(
                is_pending(&b.snapshot, "sha", api, &request(branch, tags)),
                pending,
                "{case}"
            );
        }
    }

    #[test]
    fn wip_pacts_are_recent_pending_branch_heads_not_otherwise_selected() {
        let mut b = Builder::default();
        b.publish("Web", "1", &["branch:main"], "Api", "old");
        let since = b.now();
        b.publish("Web", "2", &["branch:feat-a"], "Api", "a");
        b.publish("Web", "3", &["branch:feat-b"], "Api", "b");
        b.publish("Web", "4", &["branch:feat-c", "tag:rc"], "Api", "c");
        b.publish("Web", "5", &["branch:feat-d"], "Api", "d");
        b.verify("Api", "9", &["branch:main"], "Web", "b", true);
        let api = b.pacticipant("Api");
        let snapshot = &b.snapshot;
        let publications: Vec<&Publication> = snapshot.publications_for(api).collect();
        let since = DateTime::parse_from_rfc3339(&since).unwrap().with_timezone(&Utc);
        let already = Selected {
            publication: publications[4].clone(),
            consumer: "Web".into(),
            consumer_version: "5".into(),
            descriptions: vec![],
            pending: None,
            wip: false,
        };
        let wip = wip_pacts(
            snapshot,
            &publications,
            api,
            &request(Some("main"), &[]),
            since,
            &[already],
        );
        let found: Vec<(&str, &str)> = wip
            .iter()
            .map(|s| (s.consumer_version.as_str(), s.descriptions[0].as_str()))
            .collect();
        // old: published before `since`; b: verified by main; d: already selected; c: once,
        // under its first head.
        assert_eq!(
            found,
            [
                ("2", "latest version of Web from branch 'feat-a' (2)"),
                ("4", "latest version of Web from branch 'feat-c' (4)"),
            ]
        );
        assert!(wip.iter().all(|s| s.wip && s.pending == Some(true)));

        let later = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap();
        assert!(wip_pacts(snapshot, &publications, api, &request(Some("main"), &[]), later, &[]).is_empty());
    }
}
