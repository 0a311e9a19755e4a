//! Environments, and deployments and releases to them.

use crate::client;
use crate::common::{environment, get_json, pact, publish, send_json, spawn};
use serde_json::json;
use service_kit::testing::{TempDatabase, assert_error};

#[tokio::test]
async fn environments_are_listed_embedded_and_as_named_links_and_feed_version_links() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    let test = environment(&c, &app, "test").await;
    environment(&c, &app, "production").await;
    let (status, _) = send_json(c.post(app.url("/environments")).json(&json!({"name": "test"}))).await;
    assert_eq!(status, 409);
    assert_error(
        c.post(app.url("/environments"))
            .header("Content-Type", "application/json")
            .body("")
            .send()
            .await
            .unwrap(),
        400,
        "name",
    )
    .await;
    let (_, list) = get_json(&c, &app.url("/environments")).await;
    assert_eq!(list["_embedded"]["environments"].as_array().unwrap().len(), 2);
    let links = list["_links"]["pb:environments"].as_array().unwrap();
    assert_eq!(links.len(), 2);
    assert!(
        links
            .iter()
            .all(|l| l["name"].is_string() && l["href"].as_str().unwrap().starts_with(&app.base_url))
    );
    let (status, env) = get_json(&c, &app.url(&format!("/environments/{test}"))).await;
    assert_eq!((status, env["name"].as_str()), (200, Some("test")));
    assert_eq!(get_json(&c, &app.url("/environments/nope")).await.0, 404);

    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", None, &[]).await;
    let (_, version) = get_json(&c, &app.url("/pacticipants/Foo/versions/1")).await;
    let record = version["_links"]["pb:record-deployment"].as_array().unwrap();
    assert_eq!(record.len(), 2);
    let to_test = record.iter().find(|l| l["name"] == "test").unwrap()["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = send_json(
        c.post(&to_test)
            .json(&json!({"applicationInstance": "blue", "target": "test"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["applicationInstance"], "blue");
    assert!(
        version["_links"]["pb:record-release"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["name"] == "production")
    );
    let (_, current) = get_json(
        &c,
        &app.url(&format!("/environments/{test}/deployed-versions/currently-deployed")),
    )
    .await;
    assert_eq!(
        current["_embedded"]["deployedVersions"][0]["_embedded"]["version"]["number"],
        "1"
    );
    assert_eq!(
        c.delete(app.url(&format!("/environments/{test}")))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
}
