//! HAL's building blocks: a link, a relation (one link or several) and a resource's `_links`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::links::Links;

/// One HAL link; the optional parts are left out when not set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub href: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub templated: Option<bool>,
}

impl Link {
    pub fn new(href: impl Into<String>) -> Self {
        Self {
            href: href.into(),
            name: None,
            title: None,
            templated: None,
        }
    }

    pub fn titled(href: impl Into<String>, title: impl Into<String>) -> Self {
        Self::new(href).title(title)
    }

    /// A link with the name of what it points at (a pacticipant, a version) and a title.
    pub fn named(href: impl Into<String>, name: impl Into<String>, title: impl Into<String>) -> Self {
        Self::new(href).name(name).title(title)
    }

    /// A URI template (RFC 6570) with a title.
    pub fn template(href: impl Into<String>, title: impl Into<String>) -> Self {
        Self::titled(href, title).templated(true)
    }

    /// A pacticipant, named, with a title saying its role ("Consumer", "Provider", ...).
    pub fn to_pacticipant(links: &Links, name: &str, title: &str) -> Self {
        Self::named(links.pacticipant(name), name, title)
    }

    /// A pacticipant version, named by its number.
    pub fn to_version(links: &Links, pacticipant: &str, number: &str, title: &str) -> Self {
        Self::named(links.version(pacticipant, number), number, title)
    }

    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    pub fn templated(mut self, templated: bool) -> Self {
        self.templated = Some(templated);
        self
    }
}

/// A relation: one link, or a list of them (`pb:pacts`, `pb:record-deployment`, ...).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Rel {
    One(Link),
    Many(Vec<Link>),
}

impl From<Link> for Rel {
    fn from(link: Link) -> Self {
        Rel::One(link)
    }
}

impl From<Vec<Link>> for Rel {
    fn from(links: Vec<Link>) -> Self {
        Rel::Many(links)
    }
}

/// A resource's `_links`, by relation name.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rels(BTreeMap<&'static str, Rel>);

impl Rels {
    pub fn new() -> Self {
        Self::default()
    }

    /// Only a `self` link.
    pub fn to_self(href: impl Into<String>) -> Self {
        Self::new().with("self", Link::new(href))
    }

    pub fn with(mut self, rel: &'static str, link: impl Into<Rel>) -> Self {
        self.0.insert(rel, link.into());
        self
    }

    /// Adds `curies`: where the `pb:` relations are documented.
    pub fn with_curies(self, links: &Links) -> Self {
        let curie = Link::new(links.curies()).name("pb").templated(true);
        self.with("curies", vec![curie])
    }
}

/// A resource with only `name` and a `self` link (a pacticipant, tag or branch in a list).
#[derive(Debug, Clone, Serialize)]
pub struct NamedRef {
    pub name: String,
    #[serde(rename = "_links")]
    pub links: Rels,
}

impl NamedRef {
    pub fn new(name: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            links: Rels::to_self(href),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn links_leave_out_what_is_not_set_and_relations_may_be_lists() {
        let rels = Rels::to_self("http://b/x")
            .with("pb:one", Link::named("http://b/y", "y", "Y"))
            .with("pb:many", vec![Link::template("http://b/{z}", "Z")]);
        assert_eq!(
            serde_json::to_value(&rels).unwrap(),
            json!({
                "self": {"href": "http://b/x"},
                "pb:one": {"href": "http://b/y", "name": "y", "title": "Y"},
                "pb:many": [{"href": "http://b/{z}", "title": "Z", "templated": true}],
            })
        );
    }
}
