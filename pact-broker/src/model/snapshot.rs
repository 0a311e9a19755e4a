//! Everything but pact contents and verification details, as one consistent read: what the
//! pure rules (selectors, pending, matrix, pages) work on.

use std::collections::{BTreeMap, HashMap};

use super::{Deployment, Environment, Pacticipant, Publication, Verification, Version};

#[derive(Debug, Default)]
pub struct Snapshot {
    pub pacticipants: HashMap<i64, Pacticipant>,
    pub versions: HashMap<i64, Version>,
    /// Ordered by consumer version (oldest first), then id.
    pub publications: Vec<Publication>,
    /// Ordered by id (oldest first).
    pub verifications: Vec<Verification>,
    /// Ordered by name.
    pub environments: Vec<Environment>,
    /// Only the current ones (not undeployed, support not ended), ordered by id.
    pub deployments: Vec<Deployment>,
    /// When each (pacticipant, branch) first appeared (pending status compares with it).
    pub branch_created: HashMap<(i64, String), String>,
    /// When each (pacticipant, tag) first appeared.
    pub tag_created: HashMap<(i64, String), String>,
}

/// The newest publication per consumer among `publications` (given oldest first, as the
/// snapshot orders them), ordered by consumer id.
pub fn latest_per_consumer<'a>(publications: impl IntoIterator<Item = &'a Publication>) -> Vec<&'a Publication> {
    let mut latest: BTreeMap<i64, &Publication> = BTreeMap::new();
    for publication in publications {
        latest.insert(publication.consumer_id, publication);
    }
    latest.into_values().collect()
}

impl Snapshot {
    pub fn pacticipant_by_name(&self, name: &str) -> Option<&Pacticipant> {
        self.pacticipants.values().find(|p| p.name == name)
    }

    /// A pacticipant's name ("?" for an id that is not there, which a consistent read never has).
    pub fn name(&self, pacticipant_id: i64) -> &str {
        self.pacticipants
            .get(&pacticipant_id)
            .map(|p| p.name.as_str())
            .unwrap_or("?")
    }

    /// A version by id; every id in a snapshot refers to a version in it.
    pub fn version(&self, id: i64) -> &Version {
        &self.versions[&id]
    }

    pub fn version_by_number(&self, pacticipant_id: i64, number: &str) -> Option<&Version> {
        self.versions
            .values()
            .find(|v| v.pacticipant_id == pacticipant_id && v.number == number)
    }

    /// Versions of a pacticipant, newest first.
    pub fn versions_of(&self, pacticipant_id: i64) -> Vec<&Version> {
        let mut versions: Vec<_> = self
            .versions
            .values()
            .filter(|v| v.pacticipant_id == pacticipant_id)
            .collect();
        versions.sort_by_key(|v| std::cmp::Reverse(v.id));
        versions
    }

    /// The newest version of a pacticipant on a branch.
    pub fn latest_version_on_branch(&self, pacticipant_id: i64, branch: &str) -> Option<&Version> {
        self.versions_of(pacticipant_id)
            .into_iter()
            .find(|v| v.branches.iter().any(|b| b == branch))
    }

    /// The newest version of a pacticipant with a tag.
    pub fn latest_version_with_tag(&self, pacticipant_id: i64, tag: &str) -> Option<&Version> {
        self.versions_of(pacticipant_id)
            .into_iter()
            .find(|v| v.tags.iter().any(|t| t == tag))
    }

    /// Every branch of a pacticipant, sorted, once each.
    pub fn branches_of(&self, pacticipant_id: i64) -> Vec<&str> {
        let mut branches: Vec<&str> = self
            .versions_of(pacticipant_id)
            .into_iter()
            .flat_map(|v| v.branches.iter().map(String::as_str))
            .collect();
        branches.sort();
        branches.dedup();
        branches
    }

    pub fn environment_by_name(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }

    pub fn environment_by_uuid(&self, uuid: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.uuid == uuid)
    }

    pub fn environment(&self, id: i64) -> Option<&Environment> {
        self.environments.iter().find(|e| e.id == id)
    }

    /// The pacticipant a version belongs to, by name.
    pub fn owner_of(&self, version_id: i64) -> &str {
        self.name(self.version(version_id).pacticipant_id)
    }

    /// Publications for a provider, oldest first.
    pub fn publications_for(&self, provider_id: i64) -> impl Iterator<Item = &Publication> {
        self.publications.iter().filter(move |p| p.provider_id == provider_id)
    }

    /// Publications of one consumer/provider pair, oldest first.
    pub fn publications_between(&self, consumer_id: i64, provider_id: i64) -> impl Iterator<Item = &Publication> {
        self.publications
            .iter()
            .filter(move |p| p.consumer_id == consumer_id && p.provider_id == provider_id)
    }

    /// Publications made by a consumer version.
    pub fn publications_of_version(&self, consumer_version_id: i64) -> impl Iterator<Item = &Publication> {
        self.publications
            .iter()
            .filter(move |p| p.consumer_version_id == consumer_version_id)
    }

    /// The newest publication of every consumer/provider pair, ordered by (consumer, provider) name.
    pub fn latest_pairs(&self) -> Vec<&Publication> {
        let mut latest: BTreeMap<(&str, &str), &Publication> = BTreeMap::new();
        for p in &self.publications {
            latest.insert((self.name(p.consumer_id), self.name(p.provider_id)), p);
        }
        latest.into_values().collect()
    }

    /// Verifications of one pact content by a provider, newest first.
    pub fn verifications_of(&self, sha: &str, provider_id: i64) -> impl Iterator<Item = &Verification> {
        self.verifications
            .iter()
            .rev()
            .filter(move |v| v.sha == sha && v.provider_id == provider_id)
    }

    /// The newest verification of a publication's content by its provider.
    pub fn last_verification(&self, publication: &Publication) -> Option<&Verification> {
        self.verifications_of(&publication.sha, publication.provider_id).next()
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    //! A small snapshot built by hand, for the rules' table-driven tests.

    use super::*;
    use crate::model::DeploymentKind;

    /// Builds a snapshot step by step; ids and timestamps increase with every call.
    #[derive(Default)]
    pub struct Builder {
        pub snapshot: Snapshot,
        clock: u32,
        next_id: i64,
    }

    impl Builder {
        fn tick(&mut self) -> String {
            self.clock += 1;
            format!("2024-01-01T00:{:02}:{:02}.000000Z", self.clock / 60, self.clock % 60)
        }

        fn id(&mut self) -> i64 {
            self.next_id += 1;
            self.next_id
        }

        /// The current time, as a timestamp between the last step and the next.
        pub fn now(&mut self) -> String {
            self.tick()
        }

        pub fn pacticipant(&mut self, name: &str) -> i64 {
            if let Some(p) = self.snapshot.pacticipant_by_name(name) {
                return p.id;
            }
            let (id, at) = (self.id(), self.tick());
            self.snapshot.pacticipants.insert(
                id,
                Pacticipant {
                    id,
                    name: name.to_owned(),
                    display_name: None,
                    main_branch: None,
                    repository_url: None,
                    created_at: at.clone(),
                    updated_at: at,
                },
            );
            id
        }

        pub fn main_branch(&mut self, name: &str, branch: &str) {
            let id = self.pacticipant(name);
            self.snapshot
                .pacticipants
                .get_mut(&id)
                .expect("pacticipant")
                .main_branch = Some(branch.to_owned());
        }

        /// A version of `pacticipant` with branches/tags (`"branch:main"`, `"tag:prod"`).
        pub fn version(&mut self, pacticipant: &str, number: &str, labels: &[&str]) -> i64 {
            let pacticipant_id = self.pacticipant(pacticipant);
            if let Some(v) = self.snapshot.version_by_number(pacticipant_id, number) {
                return v.id;
            }
            let (id, at) = (self.id(), self.tick());
            let mut version = Version {
                id,
                pacticipant_id,
                number: number.to_owned(),
                created_at: at.clone(),
                ..Version::default()
            };
            for label in labels {
                let (list, key_map, name) = match label.split_once(':') {
                    Some(("branch", b)) => (&mut version.branches, &mut self.snapshot.branch_created, b),
                    Some(("tag", t)) => (&mut version.tags, &mut self.snapshot.tag_created, t),
                    _ => panic!("label {label} is neither branch:.. nor tag:.."),
                };
                list.push(name.to_owned());
                key_map.entry((pacticipant_id, name.to_owned())).or_insert(at.clone());
            }
            self.snapshot.versions.insert(id, version);
            id
        }

        /// `consumer` version `number` publishes a pact with content `sha` for `provider`.
        pub fn publish(&mut self, consumer: &str, number: &str, labels: &[&str], provider: &str, sha: &str) -> i64 {
            let consumer_version_id = self.version(consumer, number, labels);
            let (consumer_id, provider_id) = (self.pacticipant(consumer), self.pacticipant(provider));
            let (id, at) = (self.id(), self.tick());
            self.snapshot.publications.push(Publication {
                id,
                consumer_id,
                provider_id,
                consumer_version_id,
                sha: sha.to_owned(),
                created_at: at,
            });
            self.snapshot
                .publications
                .sort_by_key(|p| (p.consumer_version_id, p.id));
            id
        }

        /// `provider` version `number` (with labels) verifies content `sha` of `consumer`.
        pub fn verify(
            &mut self,
            provider: &str,
            number: &str,
            labels: &[&str],
            consumer: &str,
            sha: &str,
            success: bool,
        ) {
            let provider_version_id = self.version(provider, number, labels);
            let (consumer_id, provider_id) = (self.pacticipant(consumer), self.pacticipant(provider));
            let (id, at) = (self.id(), self.tick());
            self.snapshot.verifications.push(Verification {
                id,
                sha: sha.to_owned(),
                consumer_id,
                provider_id,
                provider_version_id,
                success,
                created_at: at,
            });
        }

        pub fn environment(&mut self, name: &str) -> i64 {
            if let Some(e) = self.snapshot.environment_by_name(name) {
                return e.id;
            }
            let (id, at) = (self.id(), self.tick());
            self.snapshot.environments.push(Environment {
                id,
                uuid: format!("uuid-{name}"),
                name: name.to_owned(),
                created_at: at.clone(),
                updated_at: at,
                ..Environment::default()
            });
            id
        }

        /// Records `pacticipant` version `number` as currently deployed/released to `environment`.
        pub fn deploy(&mut self, pacticipant: &str, number: &str, environment: &str, kind: DeploymentKind) {
            let pacticipant_id = self.pacticipant(pacticipant);
            let version_id = self
                .snapshot
                .version_by_number(pacticipant_id, number)
                .map(|v| v.id)
                .unwrap_or_else(|| self.version(pacticipant, number, &[]));
            let environment_id = self.environment(environment);
            let (id, at) = (self.id(), self.tick());
            self.snapshot.deployments.push(Deployment {
                id,
                uuid: format!("deployment-{id}"),
                kind,
                version_id,
                environment_id,
                application_instance: None,
                created_at: at,
                ended_at: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::Builder;
    use super::*;

    #[test]
    fn latest_per_consumer_keeps_each_consumers_newest_publication() {
        let mut b = Builder::default();
        b.publish("A", "1", &[], "P", "a1");
        b.publish("B", "1", &[], "P", "b1");
        b.publish("A", "2", &[], "P", "a2");
        let latest: Vec<&str> = latest_per_consumer(&b.snapshot.publications)
            .into_iter()
            .map(|p| p.sha.as_str())
            .collect();
        assert_eq!(latest, ["a2", "b1"]);
    }

    #[test]
    fn latest_pairs_are_one_per_consumer_and_provider_by_name() {
        let mut b = Builder::default();
        b.publish("B", "1", &[], "P", "b1");
        b.publish("A", "1", &[], "Q", "aq1");
        b.publish("A", "1", &[], "P", "ap1");
        b.publish("A", "2", &[], "P", "ap2");
        let pairs: Vec<&str> = b.snapshot.latest_pairs().into_iter().map(|p| p.sha.as_str()).collect();
        assert_eq!(pairs, ["ap2", "aq1", "b1"]);
    }

    #[test]
    fn versions_and_branches_come_newest_first_and_sorted() {
        let mut b = Builder::default();
        b.version("A", "1", &["branch:main"]);
        b.version("A", "2", &["branch:feat", "tag:prod"]);
        b.version("A", "3", &["branch:main"]);
        let a = b.pacticipant("A");
        let s = &b.snapshot;
        assert_eq!(
            s.versions_of(a).iter().map(|v| v.number.as_str()).collect::<Vec<_>>(),
            ["3", "2", "1"]
        );
        assert_eq!(s.latest_version_on_branch(a, "main").unwrap().number, "3");
        assert_eq!(s.latest_version_with_tag(a, "prod").unwrap().number, "2");
        assert!(s.latest_version_on_branch(a, "none").is_none());
        assert_eq!(s.branches_of(a), ["feat", "main"]);
    }
}
