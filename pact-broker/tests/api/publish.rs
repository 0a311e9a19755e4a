//! `POST /contracts/publish`: branch, tags, several contracts, conflicts, overwriting.

use crate::client;
use crate::common::{get_json, pact, publish, publish_body, send_json, spawn, spawn_with};
use pact_broker::Config;
use serde_json::json;
use service_kit::testing::TempDatabase;

#[tokio::test]
async fn contracts_publish_stores_branch_tags_and_content_once() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    let p = pact("Foo", "Bar", &["/a"]);
    let (status, body) =
        send_json(
            c.post(app.url("/contracts/publish"))
                .json(&publish_body(&p, "1", Some("main"), &["dev", "test"])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["_embedded"]["version"]["number"], "1");
    assert_eq!(body["_links"]["pb:contracts"].as_array().unwrap().len(), 1);
    assert_eq!(
        body["_links"]["pb:pacticipant-version-tags"].as_array().unwrap().len(),
        2
    );
    assert!(
        body["notices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["text"].as_str().unwrap().contains("Pact published"))
    );
    assert!(body["logs"][0]["deprecationWarning"].is_string());

    // The same content from another version is stored once: both point at the same sha.
    publish(&c, &app, &p, "2", Some("main"), &[]).await;
    let (_, v1) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/version/1")).await;
    let (_, v2) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/version/2")).await;
    assert_eq!(
        v1["_links"]["pb:pact-version"]["name"],
        v2["_links"]["pb:pact-version"]["name"]
    );

    // Different content for an existing version: 409 even with onConflict overwrite, as the
    // official broker answers by default; merge is accepted.
    let changed = pact("Foo", "Bar", &["/other"]);
    let (status, body) =
        send_json(
            c.post(app.url("/contracts/publish"))
                .json(&publish_body(&changed, "1", Some("main"), &[])),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["errors"]["contracts"][0]
            .as_str()
            .unwrap()
            .contains("Cannot change the content")
    );
    let mut merge = publish_body(&changed, "1", Some("main"), &[]);
    merge["contracts"][0]["onConflict"] = json!("merge");
    let (status, _) = send_json(c.post(app.url("/contracts/publish")).json(&merge)).await;
    assert_eq!(status, 200);
    // The merged pact holds the interactions of both, once each.
    let (_, merged) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/version/1")).await;
    let mut paths: Vec<&str> = merged["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|interaction| interaction["request"]["path"].as_str().unwrap())
        .collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/a", "/other"], "{merged}");

    let (status, version) = get_json(&c, &app.url("/pacticipants/Foo/versions/1")).await;
    assert_eq!(status, 200);
    let tags: Vec<&str> = version["_embedded"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["dev", "test"]);
    assert_eq!(version["_embedded"]["branchVersions"][0]["name"], "main");
    let (_, latest) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/latest/dev")).await;
    assert_eq!(latest["_links"]["pb:consumer-version"]["name"], "1");
    let (_, latest) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/branch/main/latest")).await;
    assert_eq!(latest["_links"]["pb:consumer-version"]["name"], "2");
    let (_, all) = get_json(&c, &app.url("/pacts/latest")).await;
    assert_eq!(
        all["pacts"][0]["_embedded"]["consumer"]["_embedded"]["version"]["number"],
        "2"
    );
    let (_, provider) = get_json(&c, &app.url("/pacts/provider/Bar/latest")).await;
    assert_eq!(provider["_links"]["pb:pacts"].as_array().unwrap().len(), 1);
    assert_eq!(provider["_links"]["pacts"], provider["_links"]["pb:pacts"]);
}

#[tokio::test]
async fn one_publish_request_may_carry_several_contracts() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    let mut body = publish_body(&pact("Web", "Api", &["/a"]), "3", Some("main"), &[]);
    let second = publish_body(&pact("Web", "Search", &["/s"]), "3", Some("main"), &[]);
    body["contracts"]
        .as_array_mut()
        .unwrap()
        .push(second["contracts"][0].clone());
    let (status, response) = send_json(c.post(app.url("/contracts/publish")).json(&body)).await;
    assert_eq!(status, 200, "{response}");
    assert_eq!(response["_links"]["pb:contracts"].as_array().unwrap().len(), 2);
    for provider in ["Api", "Search"] {
        let (status, _) = get_json(
            &c,
            &app.url(&format!("/pacts/provider/{provider}/consumer/Web/version/3")),
        )
        .await;
        assert_eq!(status, 200);
    }
    let (_, versions) = get_json(&c, &app.url("/pacts/provider/Api/consumer/Web/versions")).await;
    assert_eq!(versions["_links"]["pb:pact-versions"][0]["name"], "3");
}

#[tokio::test]
async fn allowing_dangerous_contract_modification_lets_content_be_overwritten() {
    let db = TempDatabase::new();
    let config = Config {
        allow_dangerous_contract_modification: true,
        ..Config::for_database(db.path.clone())
    };
    let app = spawn_with(config).await;
    let c = client();
    publish(&c, &app, &pact("Foo", "Bar", &["/old"]), "1", None, &[]).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/new"]), "1", None, &[]).await;
    let (status, body) = send_json(c.put(app.url("/pacts/provider/Bar/consumer/Foo/version/1")).json(&pact(
        "Foo",
        "Bar",
        &["/put"],
    )))
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, latest) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/latest")).await;
    assert_eq!(latest["interactions"][0]["request"]["path"], "/put");
}
