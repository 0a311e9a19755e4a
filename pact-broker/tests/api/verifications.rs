//! Verification results, with array or object test results.

use crate::common::{get_json, pact, publish, spawn};
use crate::{client, verify};
use serde_json::json;
use service_kit::testing::{TempDatabase, assert_error};

#[tokio::test]
async fn verification_results_are_stored_with_array_or_object_test_results() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", None, &[]).await;
    let href = app.url("/pacts/provider/Bar/consumer/Foo/version/1");
    let (status, body) = verify(
        &c,
        &href,
        "7",
        None,
        true,
        json!([{"interactionId": "abc", "success": true}]),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["testResults"][0]["interactionId"], "abc");
    let self_href = body["_links"]["self"]["href"].as_str().unwrap().to_owned();
    let (status, read) = get_json(&c, &self_href).await;
    assert_eq!((status, read["success"].as_bool()), (200, Some(true)));
    let (status, body) = verify(
        &c,
        &href,
        "8",
        None,
        false,
        json!({"summary": {"testCount": 1, "failureCount": 1}}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["testResults"]["summary"]["failureCount"], 1);

    let (_, pact) = get_json(&c, &href).await;
    let publish_href = pact["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_error(
        c.post(&publish_href)
            .json(&json!({"providerApplicationVersion": "1"}))
            .send()
            .await
            .unwrap(),
        400,
        "success",
    )
    .await;
    assert_error(
        c.post(&publish_href)
            .json(&json!({"success": true}))
            .send()
            .await
            .unwrap(),
        400,
        "providerApplicationVersion",
    )
    .await;
    let wrong = publish_href.replace("/pact-version/", "/pact-version/0000");
    assert_error(
        c.post(&wrong)
            .json(&json!({"success": true, "providerApplicationVersion": "1"}))
            .send()
            .await
            .unwrap(),
        404,
        "no pact",
    )
    .await;
}
