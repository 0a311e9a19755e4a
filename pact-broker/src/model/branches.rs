//! The official broker's branch inference: a version labelled only with tags gets its first tag
//! as branch (when tagged soon after it was created), and a pacticipant without a main branch
//! gets one the first time a version is labelled with a candidate name (develop, main, master).

use std::time::Duration;

/// The settings, with the official names (`PACT_BROKER_AUTO_DETECT_MAIN_BRANCH`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchSettings {
    pub auto_detect_main_branch: bool,
    pub main_branch_candidates: Vec<String>,
    pub use_first_tag_as_branch: bool,
    pub use_first_tag_as_branch_time_limit: Duration,
}

impl Default for BranchSettings {
    /// The official broker's defaults.
    fn default() -> Self {
        Self {
            auto_detect_main_branch: true,
            main_branch_candidates: ["develop", "main", "master"].map(String::from).to_vec(),
            use_first_tag_as_branch: true,
            use_first_tag_as_branch_time_limit: Duration::from_secs(10),
        }
    }
}

/// What a version looked like before this write labelled it.
#[derive(Debug, Clone, Copy)]
pub struct VersionBefore {
    pub has_branch: bool,
    pub has_tags: bool,
    /// Time since the version was created (zero when this write creates it).
    pub age: Duration,
}

impl BranchSettings {
    /// The branch a write gives a version: the one it names, else its first tag when the
    /// version has no branch and no tag yet and was created within the time limit.
    pub fn branch_for(&self, before: VersionBefore, branch: Option<&str>, tags: &[String]) -> Option<String> {
        if let Some(branch) = branch {
            return Some(branch.to_owned());
        }
        let first_tag_counts = self.use_first_tag_as_branch
            && !before.has_branch
            && !before.has_tags
            && before.age <= self.use_first_tag_as_branch_time_limit;
        tags.first().filter(|_| first_tag_counts).cloned()
    }

    /// The main branch to give a pacticipant that has `current` when one of its versions is
    /// labelled `label` (a branch or a tag): only when it has none and `label` is a candidate.
    pub fn main_branch_from(&self, current: Option<&str>, label: &str) -> Option<String> {
        let detect =
            self.auto_detect_main_branch && current.is_none() && self.main_branch_candidates.iter().any(|c| c == label);
        detect.then(|| label.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> VersionBefore {
        VersionBefore {
            has_branch: false,
            has_tags: false,
            age: Duration::ZERO,
        }
    }

    #[test]
    fn branch_for_a_write() {
        let defaults = BranchSettings::default();
        let off = BranchSettings {
            use_first_tag_as_branch: false,
            ..BranchSettings::default()
        };
        let old = VersionBefore {
            age: Duration::from_secs(11),
            ..fresh()
        };
        let tagged = VersionBefore {
            has_tags: true,
            ..fresh()
        };
        let branched = VersionBefore {
            has_branch: true,
            ..fresh()
        };
        // (case, settings, version before, branch named, tags named, branch given)
        let cases = [
            (
                "named branch wins",
                &defaults,
                fresh(),
                Some("feat"),
                &["a"][..],
                Some("feat"),
            ),
            (
                "first tag of a new version",
                &defaults,
                fresh(),
                None,
                &["a", "b"],
                Some("a"),
            ),
            ("setting off", &off, fresh(), None, &["a"], None),
            ("older than the limit", &defaults, old, None, &["a"], None),
            ("already tagged", &defaults, tagged, None, &["a"], None),
            ("already has a branch", &defaults, branched, None, &["a"], None),
            ("no labels", &defaults, fresh(), None, &[], None),
        ];
        for (name, settings, before, branch, tags, expected) in cases {
            let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
            assert_eq!(
                settings.branch_for(before, branch, &tags).as_deref(),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn main_branch_detection() {
        let off = BranchSettings {
            auto_detect_main_branch: false,
            ..BranchSettings::default()
        };
        let trunk = BranchSettings {
            main_branch_candidates: vec!["trunk".into()],
            ..BranchSettings::default()
        };
        let cases = [
            (
                "main is a candidate",
                &BranchSettings::default(),
                None,
                "main",
                Some("main"),
            ),
            (
                "develop is a candidate",
                &BranchSettings::default(),
                None,
                "develop",
                Some("develop"),
            ),
            (
                "master is a candidate",
                &BranchSettings::default(),
                None,
                "master",
                Some("master"),
            ),
            (
                "feature branch is not",
                &BranchSettings::default(),
                None,
                "feat/x",
                None,
            ),
            ("already set", &BranchSettings::default(), Some("develop"), "main", None),
            ("setting off", &off, None, "main", None),
            ("custom candidates", &trunk, None, "trunk", Some("trunk")),
            ("custom candidates exclude main", &trunk, None, "main", None),
        ];
        for (name, settings, current, label, expected) in cases {
            assert_eq!(settings.main_branch_from(current, label).as_deref(), expected, "{name}");
        }
    }
}
