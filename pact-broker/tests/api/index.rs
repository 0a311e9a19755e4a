//! The index: its relations, and links on the public base URL or the forwarded host.

use crate::client;
use crate::common::{get_json, spawn, spawn_with};
use pact_broker::Config;
use serde_json::Value;
use service_kit::testing::TempDatabase;

#[tokio::test]
async fn index_lists_the_pb_relations_with_absolute_hrefs() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    for path in ["/", "/?"] {
        let response = client()
            .get(app.url(path))
            .header("Accept", "application/hal+json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(content_type.starts_with("application/hal+json"), "{content_type}");
        let body: Value = response.json().await.unwrap();
        for rel in [
            "pb:publish-pact",
            "pb:publish-contracts",
            "pb:latest-provider-pacts",
            "pb:provider-pacts-for-verification",
            "pb:pacticipant",
            "pb:pacticipant-version",
            "pb:environments",
            "pb:environment",
            "pb:can-i-deploy-pacticipant-version-to-environment",
            "pb:can-i-deploy-pacticipant-version-to-tag",
            "pb:latest-pact-versions",
        ] {
            let href = body["_links"][rel]["href"]
                .as_str()
                .unwrap_or_else(|| panic!("{rel} missing"));
            assert!(href.starts_with(&app.base_url), "{rel}: {href} is not absolute");
        }
        assert_eq!(body["_links"]["pb:pacticipant"]["templated"], true);
    }
}

#[tokio::test]
async fn links_use_the_public_base_url_or_the_forwarded_host() {
    let db = TempDatabase::new();
    let config = Config {
        public_base_url: Some("https://broker.example/".into()),
        ..Config::for_database(db.path.clone())
    };
    let app = spawn_with(config).await;
    let (_, body) = get_json(&client(), &app.url("/")).await;
    assert_eq!(
        body["_links"]["pb:publish-contracts"]["href"],
        "https://broker.example/contracts/publish"
    );

    let db2 = TempDatabase::new();
    let app2 = spawn(&db2).await;
    let body: Value = client()
        .get(app2.url("/"))
        .header("X-Forwarded-Host", "proxy.local:8443")
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["_links"]["pb:environments"]["href"],
        "https://proxy.local:8443/environments"
    );
}
