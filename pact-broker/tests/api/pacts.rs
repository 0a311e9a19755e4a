//! Pacts published by PUT/PATCH, read back by version, latest and sha; bad pacts.

use crate::client;
use crate::common::{get_json, get_text, pact, publish, publish_body, send_json, spawn};
use serde_json::{Value, json};
use service_kit::testing::{TempDatabase, assert_error};

#[tokio::test]
async fn put_pact_is_idempotent_refuses_changed_content_and_reads_back() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    let url = app.url("/pacts/provider/Bar/consumer/Foo/version/1.0.0");
    let first = pact("Foo", "Bar", &["/a"]);

    let (status, body) = send_json(c.put(&url).json(&first)).await;
    assert_eq!(status, 201, "{body}");
    assert!(
        body["interactions"][0]["_id"].is_string(),
        "each interaction gets an _id"
    );
    let publish_href = body["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .unwrap();
    assert!(publish_href.starts_with(&app.base_url) && publish_href.ends_with("/verification-results"));

    let (status, _) = send_json(c.put(&url).json(&first)).await;
    assert_eq!(status, 200, "same content again is fine");
    let (status, body) = send_json(c.put(&url).json(&pact("Foo", "Bar", &["/changed"]))).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"].as_str().unwrap().contains("Cannot change the content"));

    // PATCH merges interactions into the existing pact.
    let (status, body) = send_json(c.patch(&url).json(&pact("Foo", "Bar", &["/b"]))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["interactions"].as_array().unwrap().len(), 2);

    let (status, latest) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/latest")).await;
    assert_eq!(status, 200);
    assert_eq!(latest["interactions"].as_array().unwrap().len(), 2);
    let sha_href = latest["_links"]["pb:pact-version"]["href"].as_str().unwrap().to_owned();
    let (status, by_sha) = get_json(&c, &sha_href).await;
    assert_eq!(status, 200);
    assert_eq!(by_sha["interactions"], latest["interactions"]);
    let (status, _) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/version/9.9.9")).await;
    assert_eq!(status, 404);
    let (status, _) = get_json(&c, &app.url("/pacts/provider/Nobody/consumer/Foo/latest")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn bad_pacts_get_a_json_4xx() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    let url = app.url("/pacts/provider/Bar/consumer/Foo/version/1");
    assert_error(
        c.put(&url).json(&pact("Other", "Bar", &["/a"])).send().await.unwrap(),
        400,
        "does not match",
    )
    .await;
    assert_error(
        c.put(&url).json(&pact("Foo", "Other", &["/a"])).send().await.unwrap(),
        400,
        "does not match",
    )
    .await;
    assert_error(
        c.put(&url)
            .header("Content-Type", "application/json")
            .body("{\"consumer\":")
            .send()
            .await
            .unwrap(),
        400,
        "invalid JSON",
    )
    .await;
    assert_error(c.put(&url).json(&json!([1, 2])).send().await.unwrap(), 400, "object").await;
    let huge =
        json!({"consumer": {"name": "Foo"}, "provider": {"name": "Bar"}, "padding": "x".repeat(5 * 1024 * 1024)});
    let response = c.put(&url).json(&huge).send().await.unwrap();
    assert_eq!(response.status(), 413);
    assert!(response.json::<Value>().await.unwrap()["error"].is_string());

    let mut body = publish_body(&pact("Foo", "Bar", &["/a"]), "1", None, &[]);
    body["contracts"][0]["content"] = json!("not base64!");
    assert_error(
        c.post(app.url("/contracts/publish")).json(&body).send().await.unwrap(),
        400,
        "base64",
    )
    .await;
    let mut body = publish_body(&pact("Foo", "Bar", &["/a"]), "1", None, &[]);
    body["contracts"][0]["consumerName"] = json!("Else");
    assert_error(
        c.post(app.url("/contracts/publish")).json(&body).send().await.unwrap(),
        400,
        "pacticipantName",
    )
    .await;
    assert_error(
        c.post(app.url("/contracts/publish"))
            .json(&json!({"pacticipantName": "Foo"}))
            .send()
            .await
            .unwrap(),
        400,
        "pacticipantVersionNumber",
    )
    .await;
    // Nothing was stored by the refused requests.
    assert_eq!(get_json(&c, &app.url("/pacticipants/Foo")).await.0, 404);
}

/// The same pact with its keys in another order (another client's serialiser) is the same
/// content: idempotent, not a 409. Sent as raw text, so the broker's own parsing decides.
#[tokio::test]
async fn the_same_pact_with_keys_in_another_order_is_the_same_content() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    let url = app.url("/pacts/provider/Bar/consumer/Foo/version/1.0.0");
    let interaction = r#"{"description": "a request for /a", "request": {"method": "GET", "path": "/a"}, "response": {"status": 200}}"#;
    let reordered = r#"{"response": {"status": 200}, "request": {"path": "/a", "method": "GET"}, "description": "a request for /a"}"#;
    let first =
        format!(r#"{{"consumer": {{"name": "Foo"}}, "provider": {{"name": "Bar"}}, "interactions": [{interaction}]}}"#);
    let second =
        format!(r#"{{"interactions": [{reordered}], "provider": {{"name": "Bar"}}, "consumer": {{"name": "Foo"}}}}"#);
    let put = |body: String| c.put(&url).header("Content-Type", "application/json").body(body);
    let (status, body) = send_json(put(first)).await;
    assert_eq!(status, 201, "{body}");
    let sha = body["_links"]["pb:pact-version"]["name"].clone();
    let (status, body) = send_json(put(second)).await;
    assert_eq!(status, 200, "same content in another key order: {body}");
    assert_eq!(body["_links"]["pb:pact-version"]["name"], sha);
}

/// `.../diff/previous-distinct`: what changed since the pair's previous distinct content, linked
/// from the pact (HAL and page); 404 when there is none.
#[tokio::test]
async fn a_pact_diffs_with_its_previous_distinct_version() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &[]).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "2", Some("main"), &[]).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/1", "/2"]), "3", Some("main"), &[]).await;
    let diff_of = |v: &str| {
        app.url(&format!(
            "/pacts/provider/Bar/consumer/Foo/version/{v}/diff/previous-distinct"
        ))
    };
    let (_, doc) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/version/3")).await;
    assert_eq!(doc["_links"]["pb:diff-previous-distinct"]["href"], diff_of("3"));

    let response = c.get(diff_of("3")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(text.contains("from version 2 to version 3"), "{text}");
    assert!(
        text.contains("+       \"description\": \"a request for /2\","),
        "{text}"
    );
    assert!(!text.lines().any(|l| l.starts_with('-')), "nothing removed: {text}");
    for same in ["1", "2"] {
        assert_eq!(
            c.get(diff_of(same)).send().await.unwrap().status(),
            404,
            "version {same}"
        );
    }
    let page = get_text(&c, &app.url("/pacts/provider/Bar/consumer/Foo/version/3"), "text/html").await;
    assert!(
        page.contains("/version/3/diff/previous-distinct"),
        "the page links the diff"
    );
}
