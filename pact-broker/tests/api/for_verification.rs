//! Pacts for verification: every selector (POST and GET), pending and WIP.

use crate::common::{environment, get_json, pact, publish, send_json, spawn};
use crate::{client, verify};
use serde_json::{Value, json};
use service_kit::testing::TempDatabase;

async fn for_verification(c: &reqwest::Client, app: &service_kit::testing::TestApp, body: Value) -> (u16, Value) {
    send_json(c.post(app.url("/pacts/provider/Bar/for-verification")).json(&body)).await
}

fn versions_of(body: &Value) -> Vec<String> {
    let mut names: Vec<String> = body["_embedded"]["pacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["_links"]["self"]["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn pacts_for_verification_honours_every_selector() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    send_json(c.put(app.url("/pacticipants/Foo")).json(&json!({"mainBranch": "main"}))).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &["prod"]).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/2"]), "2", Some("main"), &[]).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/3"]), "3", Some("feat-x"), &["dev"]).await;
    // "trunk" is no main-branch candidate: Baz has no main branch, so mainBranch skips it.
    publish(&c, &app, &pact("Baz", "Bar", &["/z"]), "9", Some("trunk"), &[]).await;
    let prod = environment(&c, &app, "production").await;
    let (status, _) = send_json(
        c.post(app.url(&format!(
            "/pacticipants/Foo/versions/1/deployed-versions/environment/{prod}"
        )))
        .json(&json!({})),
    )
    .await;
    assert_eq!(status, 201);
    let staging = environment(&c, &app, "staging").await;
    let (status, _) = send_json(c.post(app.url(&format!(
        "/pacticipants/Baz/versions/9/released-versions/environment/{staging}"
    ))))
    .await;
    assert_eq!(status, 201);

    let case = |selectors: Value| json!({"consumerVersionSelectors": selectors, "providerVersionBranch": "feat-x"});
    let expect = [
        (json!([{"mainBranch": true}]), vec!["Pact between Foo (2) and Bar"]),
        (json!([{"branch": "main"}]), vec!["Pact between Foo (2) and Bar"]),
        (
            json!([{"branch": "feat-y", "fallbackBranch": "main"}]),
            vec!["Pact between Foo (2) and Bar"],
        ),
        (json!([{"matchingBranch": true}]), vec!["Pact between Foo (3) and Bar"]),
        (
            json!([{"tag": "prod", "latest": true}]),
            vec!["Pact between Foo (1) and Bar"],
        ),
        (
            json!([{"tag": "nope", "fallbackTag": "dev"}]),
            vec!["Pact between Foo (3) and Bar"],
        ),
        (
            json!([{"latest": true}]),
            vec!["Pact between Baz (9) and Bar", "Pact between Foo (3) and Bar"],
        ),
        (
            json!([{"latest": true, "consumer": "Baz"}]),
            vec!["Pact between Baz (9) and Bar"],
        ),
        (json!([{"deployed": true}]), vec!["Pact between Foo (1) and Bar"]),
        (json!([{"released": true}]), vec!["Pact between Baz (9) and Bar"]),
        (
            json!([{"deployedOrReleased": true}]),
            vec!["Pact between Baz (9) and Bar", "Pact between Foo (1) and Bar"],
        ),
        (
            json!([{"environment": "staging"}]),
            vec!["Pact between Baz (9) and Bar"],
        ),
        (json!([{"deployed": true, "environment": "staging"}]), vec![]),
        (
            json!([{"consumer": "Foo"}]),
            vec![
                "Pact between Foo (1) and Bar",
                "Pact between Foo (2) and Bar",
                "Pact between Foo (3) and Bar",
            ],
        ),
    ];
    for (selectors, expected) in expect {
        let (status, body) = for_verification(&c, &app, case(selectors.clone())).await;
        assert_eq!(status, 200, "{selectors}: {body}");
        assert_eq!(versions_of(&body), expected, "selectors {selectors}");
        for entry in body["_embedded"]["pacts"].as_array().unwrap() {
            assert!(entry["shortDescription"].is_string());
            assert!(
                entry["verificationProperties"]["notices"][0]["text"]
                    .as_str()
                    .unwrap()
                    .contains("is being verified because")
            );
            assert!(
                entry["_links"]["self"]["href"]
                    .as_str()
                    .unwrap()
                    .starts_with(&app.base_url)
            );
        }
    }

    // The same content selected twice is one entry with both reasons.
    let (_, body) = for_verification(&c, &app, case(json!([{"mainBranch": true}, {"branch": "main"}]))).await;
    assert_eq!(body["_embedded"]["pacts"].as_array().unwrap().len(), 1);

    // Bad selectors and unknown providers: 400 with what is wrong, in `error` and in the
    // official `errors` shape.
    for (request, message) in [
        (
            json!({"consumerVersionSelectors": [{"matchingBranch": true}]}),
            "matchingBranch needs providerVersionBranch",
        ),
        (json!({"consumerVersionSelectors": [{"bogus": 1}]}), "has no criterion"),
        (
            json!({"includeWipPactsSince": "yesterday"}),
            "is not a date or timestamp",
        ),
    ] {
        let (status, body) = for_verification(&c, &app, request.clone()).await;
        assert_eq!(status, 400, "{request}: {body}");
        assert!(
            body["error"].as_str().is_some_and(|error| error.contains(message)),
            "{request}: {body}"
        );
        assert!(body["errors"].to_string().contains(message), "{request}: {body}");
    }
    assert_eq!(
        send_json(
            c.post(app.url("/pacts/provider/Nobody/for-verification"))
                .json(&json!({}))
        )
        .await
        .0,
        404
    );

    // The GET form takes the same parameters in the query string.
    let query = "consumer_version_selectors[][branch]=feat-x&include_pending_status=true&provider_version_branch=main";
    let (status, body) = get_json(&c, &app.url(&format!("/pacts/provider/Bar/for-verification?{query}"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(versions_of(&body), ["Pact between Foo (3) and Bar"]);
    assert_eq!(body["_embedded"]["pacts"][0]["verificationProperties"]["pending"], true);

    // The GET form (what the Rust verifier fetches first) links to itself for the POST.
    let (status, body) = get_json(&c, &app.url("/pacts/provider/Bar/for-verification")).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["_links"]["self"]["href"],
        app.url("/pacts/provider/Bar/for-verification")
    );
}

#[tokio::test]
async fn pending_and_wip_pacts_follow_successful_verifications() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    send_json(c.put(app.url("/pacticipants/Foo")).json(&json!({"mainBranch": "main"}))).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &[]).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/wip"]), "2", Some("feat-new"), &[]).await;
    // A provider branch that exists before anything is verified.
    c.put(app.url("/pacticipants/Bar/branches/old-feat/versions/99"))
        .send()
        .await
        .unwrap();
    let request = json!({
        "consumerVersionSelectors": [{"mainBranch": true}],
        "includePendingStatus": true,
        "providerVersionBranch": "main",
        "includeWipPactsSince": "2020-01-01"
    });
    let (status, body) = for_verification(&c, &app, request.clone()).await;
    assert_eq!(status, 200, "{body}");
    let pacts = body["_embedded"]["pacts"].as_array().unwrap();
    assert_eq!(pacts.len(), 2, "{body}");
    let main = pacts
        .iter()
        .find(|p| p["verificationProperties"]["wip"].is_null())
        .unwrap();
    let wip = pacts
        .iter()
        .find(|p| p["verificationProperties"]["wip"] == true)
        .unwrap();
    assert_eq!(main["verificationProperties"]["pending"], true);
    assert_eq!(wip["verificationProperties"]["pending"], true);
    assert!(wip["_links"]["self"]["name"].as_str().unwrap().contains("Foo (2)"));

    // A successful verification from the provider's main branch: no longer pending, not WIP.
    let href = main["_links"]["self"]["href"].as_str().unwrap();
    let (status, _) = verify(&c, href, "100", Some("main"), true, json!([])).await;
    assert_eq!(status, 201);
    let href = wip["_links"]["self"]["href"].as_str().unwrap();
    verify(&c, href, "100", Some("main"), true, json!([])).await;
    let (_, body) = for_verification(&c, &app, request).await;
    let pacts = body["_embedded"]["pacts"].as_array().unwrap();
    assert_eq!(pacts.len(), 1, "{body}");
    assert_eq!(pacts[0]["verificationProperties"]["pending"], false);
    // Still pending for a provider branch that existed before the verification (it has to verify
    // it itself); not pending for a branch cut afterwards (as the official broker decides).
    let pending_for = |branch: &str| {
        let request = json!({"consumerVersionSelectors": [{"mainBranch": true}], "includePendingStatus": true, "providerVersionBranch": branch});
        let c = c.clone();
        let url = app.url("/pacts/provider/Bar/for-verification");
        async move {
            let (_, body) = send_json(c.post(url).json(&request)).await;
            body["_embedded"]["pacts"][0]["verificationProperties"]["pending"].clone()
        }
    };
    assert_eq!(pending_for("old-feat").await, true);
    assert_eq!(pending_for("new-feat").await, false);
    // Tags work the same way.
    let (_, body) = for_verification(&c, &app, json!({"consumerVersionSelectors": [{"mainBranch": true}], "includePendingStatus": true, "providerVersionTags": ["never-used"]})).await;
    assert_eq!(
        body["_embedded"]["pacts"][0]["verificationProperties"]["pending"],
        false
    );
}
