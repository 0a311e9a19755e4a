//! Pacticipants: create, update (PUT, merge-patch PATCH), 404 and 409.

use crate::common::{get_json, pact, publish, send_json, spawn};
use crate::{client, verify};
use serde_json::json;
use service_kit::testing::{TempDatabase, assert_error};

#[tokio::test]
async fn pacticipants_are_created_updated_and_unknown_ones_are_404() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    assert_error(
        c.get(app.url("/pacticipants/Nobody")).send().await.unwrap(),
        404,
        "not found",
    )
    .await;

    let (status, body) = send_json(
        c.post(app.url("/pacticipants"))
            .json(&json!({"name": "Foo", "mainBranch": "main"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["mainBranch"], "main");
    assert!(
        body["_links"]["pb:branch-version"]["href"]
            .as_str()
            .unwrap()
            .contains("/branches/{branch}/versions/{version}")
    );
    let (status, _) = send_json(c.post(app.url("/pacticipants")).json(&json!({"name": "Foo"}))).await;
    assert_eq!(status, 409);

    // PATCH with the merge-patch content type, as create-or-update-pacticipant sends it.
    let (status, body) = send_json(
        c.patch(app.url("/pacticipants/Foo"))
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"name": "Foo", "repositoryUrl": "http://git/foo"}).to_string()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["repositoryUrl"], "http://git/foo");
    assert_eq!(body["mainBranch"], "main", "PATCH keeps the fields it does not name");

    let (status, body) = send_json(
        c.put(app.url("/pacticipants/Bar"))
            .json(&json!({"displayName": "The Bar"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (_, list) = get_json(&c, &app.url("/pacticipants")).await;
    let names: Vec<&str> = list["_embedded"]["pacticipants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bar", "Foo"]);

    assert_error(
        c.put(app.url("/pacticipants/Bar"))
            .json(&json!({"name": "Baz"}))
            .send()
            .await
            .unwrap(),
        400,
        "does not match",
    )
    .await;
    assert_error(
        c.post(app.url("/pacticipants")).json(&json!({})).send().await.unwrap(),
        400,
        "name",
    )
    .await;
    assert_error(
        c.post(app.url("/pacticipants"))
            .header("Content-Type", "application/json")
            .body("{nope")
            .send()
            .await
            .unwrap(),
        400,
        "invalid JSON",
    )
    .await;
}

/// Deleting a version takes its pacts, verifications, tags and branches with it; deleting a
/// pacticipant takes its versions, the pacts it is provider of and the webhooks naming it.
#[tokio::test]
async fn versions_and_pacticipants_can_be_deleted() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &["prod"]).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/2"]), "2", Some("main"), &[]).await;
    publish(&c, &app, &pact("Baz", "Bar", &["/z"]), "1", Some("main"), &[]).await;
    verify(
        &c,
        &app.url("/pacts/provider/Bar/consumer/Foo/version/2"),
        "7",
        None,
        true,
        json!([]),
    )
    .await;

    let version = app.url("/pacticipants/Foo/versions/2");
    assert_eq!(send_json(c.delete(&version)).await.0, 204);
    assert_eq!(get_json(&c, &version).await.0, 404);
    assert_eq!(send_json(c.delete(&version)).await.0, 404);
    let (_, latest) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/latest")).await;
    assert_eq!(
        latest["interactions"][0]["request"]["path"], "/1",
        "version 1's pact is the latest again"
    );

    let bar = app.url("/pacticipants/Bar");
    assert_eq!(send_json(c.delete(&bar)).await.0, 204);
    assert_eq!(get_json(&c, &bar).await.0, 404);
    assert_eq!(
        get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/latest"))
            .await
            .0,
        404
    );
    assert_eq!(
        get_json(&c, &app.url("/pacticipants/Foo/versions/1")).await.0,
        200,
        "consumers stay"
    );
    let (_, integrations) = get_json(&c, &app.url("/integrations")).await;
    assert_eq!(integrations["_embedded"]["integrations"], json!([]));
    assert_eq!(send_json(c.delete(&bar)).await.0, 404);
}

#[tokio::test]
async fn labels_are_put_read_listed_embedded_and_deleted() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    publish(&c, &app, &pact("Foo", "Bar", &["/a"]), "1", None, &[]).await;
    let label_url = app.url("/pacticipants/Foo/labels/team%20a");
    assert_error(c.get(&label_url).send().await.unwrap(), 404, "no label").await;

    let response = c.put(&label_url).json(&json!({})).send().await.unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers()["location"],
        label_url.as_str(),
        "Location names the new label"
    );
    let label: serde_json::Value = response.json().await.unwrap();
    assert_eq!(label["name"], "team a");
    assert!(
        label["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/pacticipants/Foo/labels/team%20a")
    );
    assert!(
        label["_links"]["pacticipant"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/pacticipants/Foo")
    );
    let (status, _) = send_json(c.put(&label_url).json(&json!({}))).await;
    assert_eq!(status, 200, "labelling again changes nothing");
    assert_eq!(get_json(&c, &label_url).await.0, 200);

    // Like the official broker, labelling an unknown pacticipant creates it.
    let (status, _) = send_json(c.put(app.url("/pacticipants/Baz/labels/team%20a")).json(&json!({}))).await;
    assert_eq!(status, 201);
    let (status, _) = send_json(c.put(app.url("/pacticipants/Bar/labels/team%20b")).json(&json!({}))).await;
    assert_eq!(status, 201);

    let (_, with_label) = get_json(&c, &app.url("/pacticipants/label/team%20a")).await;
    let names: Vec<&str> = with_label["_embedded"]["pacticipants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Baz", "Foo"], "{with_label}");
    let (_, none) = get_json(&c, &app.url("/pacticipants/label/nobody")).await;
    assert_eq!(none["_embedded"]["pacticipants"], json!([]));
    let (_, all) = get_json(&c, &app.url("/labels")).await;
    assert_eq!(
        all["_embedded"]["labels"],
        json!([{"name": "team a"}, {"name": "team b"}]),
        "each label name once"
    );

    let (_, foo) = get_json(&c, &app.url("/pacticipants/Foo")).await;
    assert_eq!(foo["_embedded"]["labels"][0]["name"], "team a", "{foo}");
    assert!(
        foo["_links"]["pb:label"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/pacticipants/Foo/labels/{label}")
    );

    assert_eq!(c.delete(&label_url).send().await.unwrap().status(), 204);
    assert_error(c.delete(&label_url).send().await.unwrap(), 404, "no label").await;
    let (_, foo) = get_json(&c, &app.url("/pacticipants/Foo")).await;
    assert_eq!(foo["_embedded"]["labels"], json!([]));
    // A deleted pacticipant takes its labels with it.
    assert_eq!(
        c.delete(app.url("/pacticipants/Baz")).send().await.unwrap().status(),
        204
    );
    let (_, with_label) = get_json(&c, &app.url("/pacticipants/label/team%20a")).await;
    assert_eq!(with_label["_embedded"]["pacticipants"], json!([]));
}

#[tokio::test]
async fn metrics_count_what_the_broker_holds_in_the_official_shape() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    let (status, empty) = get_json(&c, &app.url("/metrics")).await;
    assert_eq!(status, 200);
    assert_eq!(empty["pacticipants"]["count"], 0, "{empty}");
    assert_eq!(empty["pactPublications"]["first"], json!(null));

    publish(
        &c,
        &app,
        &pact("Foo", "Bar", &["/a", "/b"]),
        "1",
        Some("main"),
        &["prod"],
    )
    .await;
    publish(
        &c,
        &app,
        &pact("Foo", "Bar", &["/a", "/b", "/c"]),
        "2",
        Some("main"),
        &[],
    )
    .await;
    publish(&c, &app, &pact("Qux", "Bar", &["/q"]), "1", None, &[]).await;
    let (_, pact_doc) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/version/2")).await;
    let href = pact_doc["_links"]["self"]["href"].as_str().unwrap().to_owned();
    assert_eq!(verify(&c, &href, "7", Some("main"), true, json!({})).await.0, 201);
    assert_eq!(verify(&c, &href, "8", Some("main"), false, json!({})).await.0, 201);

    let (_, m) = get_json(&c, &app.url("/metrics")).await;
    assert_eq!(m["pacticipants"]["count"], 3, "{m}");
    assert_eq!(m["integrations"]["count"], 2);
    assert_eq!(m["pactPublications"]["count"], 3);
    assert!(m["pactPublications"]["last"].is_string());
    assert_eq!(m["pactVersions"]["count"], 3);
    assert_eq!(m["verificationResults"]["count"], 2);
    assert_eq!(m["verificationResults"]["successCount"], 1);
    assert_eq!(m["verificationResults"]["failureCount"], 1);
    assert_eq!(m["verificationResultsPerPactVersion"]["distribution"], json!({"2": 1}));
    // Foo 1 and 2, Qux 1, Bar 7 and 8.
    assert_eq!(m["pacticipantVersions"]["count"], 5);
    assert_eq!(m["pacticipantVersions"]["withBranchCount"], 4);
    assert_eq!(m["tags"]["count"], 1);
    // The latest pact of each integration: Foo's second (3 interactions) and Qux's (1).
    assert_eq!(m["interactions"]["latestInteractionsCount"], 4);
    assert_eq!(m["matrix"]["count"], -1);
}
