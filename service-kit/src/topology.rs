//! The services as the workspace's `topology.txt` lists them (the one place that does; the
//! scripts read the same file): each one's default port and the services it calls. Compiled in,
//! so a binary needs no file beside it.

use url::Url;

const TOPOLOGY: &str = include_str!("../../topology.txt");

/// One line of `topology.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: &'static str,
    pub default_port: u16,
    /// The variable the scripts read for the port (`ACCOUNTING_PORT`, ...).
    pub port_variable: &'static str,
    /// The services this one calls.
    pub calls: Vec<&'static str>,
}

/// Every process `make up` starts, in start order (each after the services it calls).
pub fn entries() -> Vec<Entry> {
    TOPOLOGY
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let mut words = line.split_whitespace();
            let mut next = |what: &str| {
                words
                    .next()
                    .unwrap_or_else(|| panic!("topology.txt: {line:?} has no {what}"))
            };
            let name = next("name");
            let default_port = next("port")
                .parse()
                .unwrap_or_else(|error| panic!("topology.txt: {line:?}: the port is not a port: {error}"));
            let port_variable = next("port variable");
            Entry {
                name,
                default_port,
                port_variable,
                calls: words.collect(),
            }
        })
        .collect()
}

fn entry(name: &str) -> Entry {
    entries()
        .into_iter()
        .find(|entry| entry.name == name)
        .unwrap_or_else(|| panic!("{name} is not in topology.txt"))
}

/// The port `name` listens on unless told otherwise.
pub fn default_port(name: &str) -> u16 {
    entry(name).default_port
}

/// Where `name` answers on this machine by default, as its callers reach it.
pub fn default_url(name: &str) -> Url {
    Url::parse(&format!("http://127.0.0.1:{}", default_port(name))).expect("a valid URL")
}

/// The services other services call, the providers of the pacts, in start order.
pub fn providers() -> Vec<&'static str> {
    let all = entries();
    all.iter()
        .filter(|entry| all.iter().any(|caller| caller.calls.contains(&entry.name)))
        .map(|entry| entry.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_topology_lists_the_broker_and_five_services_each_after_what_it_calls() {
        let all = entries();
        let names: Vec<&str> = all.iter().map(|entry| entry.name).collect();
        assert_eq!(
            names,
            [
                "pact-broker",
                "accounting-service",
                "inventory-service",
                "item-service",
                "catalog-service",
                "cart-service"
            ]
        );
        for (place, entry) in all.iter().enumerate() {
            for called in &entry.calls {
                let before = names[..place].contains(called);
                assert!(before, "{} calls {called}, which must come before it", entry.name);
            }
        }
        let mut ports: Vec<u16> = all.iter().map(|entry| entry.default_port).collect();
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), all.len(), "every port is its own");
    }

    #[test]
    fn ports_urls_and_providers_come_from_the_topology() {
        assert_eq!(default_port("catalog-service"), 8005);
        assert_eq!(default_url("accounting-service").as_str(), "http://127.0.0.1:8001/");
        assert_eq!(
            providers(),
            [
                "accounting-service",
                "inventory-service",
                "item-service",
                "catalog-service"
            ]
        );
        assert_eq!(entry("cart-service").port_variable, "CART_PORT");
    }
}
