//! The broker over real HTTP, resource by resource: statuses, shapes clients rely on, bad input,
//! auth, concurrency and restarts. The app runs on a random port with a temporary database.

mod common;

use common::{environment, get_json, pact, publish, publish_body, send_json, spawn, spawn_with};
use pact_broker::Config;
use serde_json::{Value, json};
use service_kit::testing::{TempDatabase, assert_error};

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

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

#[tokio::test]
async fn versions_tags_and_branches() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    // Write requests may carry a JSON content type with an empty body.
    let empty = |url: String| c.put(url).header("Content-Type", "application/json").body("");
    assert_eq!(
        send_json(empty(app.url("/pacticipants/Foo/versions/1/tags/prod")))
            .await
            .0,
        201
    );
    assert_eq!(
        send_json(empty(app.url("/pacticipants/Foo/versions/1/tags/prod")))
            .await
            .0,
        200
    );
    assert_eq!(
        send_json(empty(app.url("/pacticipants/Foo/branches/main/versions/2")))
            .await
            .0,
        200
    );
    let (status, latest) = get_json(&c, &app.url("/pacticipants/Foo/latest-version")).await;
    assert_eq!((status, latest["number"].as_str()), (200, Some("2")));
    let (_, tagged) = get_json(&c, &app.url("/pacticipants/Foo/latest-version/prod")).await;
    assert_eq!(tagged["number"], "1");
    assert_eq!(tagged["_embedded"]["tags"][0]["name"], "prod");
    assert_eq!(
        get_json(&c, &app.url("/pacticipants/Foo/versions/1/tags/prod")).await.0,
        200
    );
    assert_eq!(get_json(&c, &app.url("/pacticipants/Foo/versions/3")).await.0, 404);
    assert_eq!(
        get_json(&c, &app.url("/pacticipants/Foo/branches/main/versions/2"))
            .await
            .0,
        200
    );
    let (status, v) = send_json(
        c.put(app.url("/pacticipants/Foo/versions/3"))
            .json(&json!({"branch": "feat", "buildUrl": "http://ci/3"})),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["buildUrl"], "http://ci/3");
    assert_eq!(
        c.delete(app.url("/pacticipants/Foo/versions/1/tags/prod"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        get_json(&c, &app.url("/pacticipants/Foo/latest-version/prod")).await.0,
        404
    );
    let (_, versions) = get_json(&c, &app.url("/pacticipants/Foo/versions")).await;
    assert_eq!(versions["_embedded"]["versions"].as_array().unwrap().len(), 3);
}

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
    publish(&c, &app, &pact("Baz", "Bar", &["/z"]), "9", Some("master"), &[]).await;
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

    // Bad selectors and unknown providers.
    let (status, _) = for_verification(
        &c,
        &app,
        json!({"consumerVersionSelectors": [{"matchingBranch": true}]}),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = for_verification(&c, &app, json!({"consumerVersionSelectors": [{"bogus": 1}]})).await;
    assert_eq!(status, 400);
    let (status, _) = for_verification(&c, &app, json!({"includeWipPactsSince": "yesterday"})).await;
    assert_eq!(status, 400);
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

async fn verify(
    c: &reqwest::Client,
    pact_href: &str,
    version: &str,
    branch: Option<&str>,
    success: bool,
    results: Value,
) -> (u16, Value) {
    let (_, pact) = get_json(c, pact_href).await;
    let href = pact["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    if let Some(branch) = branch {
        let provider = pact["_links"]["pb:provider"]["href"].as_str().unwrap();
        c.put(format!("{provider}/branches/{branch}/versions/{version}"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
    }
    send_json(c.post(href).json(&json!({
        "success": success,
        "providerApplicationVersion": version,
        "testResults": results,
        "verifiedBy": {"implementation": "test", "version": "1"}
    })))
    .await
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

fn matrix_url(app: &service_kit::testing::TestApp, query: &str) -> String {
    app.url(&format!("/matrix?{query}"))
}

#[tokio::test]
async fn matrix_and_can_i_deploy_follow_the_official_semantics() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &[]).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/2"]), "2", Some("main"), &[]).await;
    let v1 = app.url("/pacts/provider/Bar/consumer/Foo/version/1");
    let v2 = app.url("/pacts/provider/Bar/consumer/Foo/version/2");
    verify(&c, &v1, "10", Some("main"), true, json!([])).await;
    verify(&c, &v2, "10", Some("main"), false, json!([])).await;

    // Rack-style query with literal brackets, as pact-broker-cli sends it.
    let (status, body) = get_json(
        &c,
        &matrix_url(
            &app,
            "q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][version]=10&latestby=cvpv",
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["summary"]["deployable"], true, "{body}");
    assert_eq!(body["matrix"][0]["verificationResult"]["success"], true);
    let (_, body) = get_json(&c, &matrix_url(&app, "q%5B%5D%5Bpacticipant%5D=Foo&q%5B%5D%5Bversion%5D=2&q%5B%5D%5Bpacticipant%5D=Bar&q%5B%5D%5Bversion%5D=10&latestby=cvpv")).await;
    assert_eq!(body["summary"]["deployable"], false, "{body}");
    assert!(body["summary"]["reason"].as_str().unwrap().contains("failed"));
    let (_, body) = get_json(&c, &matrix_url(&app, "q[][pacticipant]=Foo&latestby=cvp")).await;
    assert_eq!(body["matrix"].as_array().unwrap().len(), 2);
    let (status, _) = get_json(&c, &matrix_url(&app, "latestby=cvp")).await;
    assert_eq!(status, 400);

    // can-i-deploy to an environment.
    let prod = environment(&c, &app, "production").await;
    let cid = |v: &str| {
        app.url(&format!(
            "/can-i-deploy?pacticipant=Foo&version={v}&environment=production"
        ))
    };
    let (_, body) = get_json(&c, &cid("1")).await;
    assert_eq!(
        body["summary"]["deployable"],
        Value::Null,
        "provider not deployed yet → unknown: {body}"
    );
    assert!(
        body["summary"]["reason"]
            .as_str()
            .unwrap()
            .contains("There is no verified pact")
    );
    c.post(app.url(&format!(
        "/pacticipants/Bar/versions/10/deployed-versions/environment/{prod}"
    )))
    .json(&json!({}))
    .send()
    .await
    .unwrap();
    let (_, body) = get_json(&c, &cid("1")).await;
    assert_eq!(body["summary"]["deployable"], true, "{body}");
    assert_eq!(
        body["summary"]["reason"],
        "All required verification results are published and successful"
    );
    let (_, body) = get_json(&c, &cid("2")).await;
    assert_eq!(body["summary"]["deployable"], false, "{body}");
    let (_, body) = get_json(&c, &cid("404")).await;
    assert_eq!(body["summary"]["deployable"], false, "{body}");
    assert!(
        body["summary"]["reason"]
            .as_str()
            .unwrap()
            .contains("No pacts or verifications have been published for version 404 of Foo")
    );
    // The provider side: deployable when no consumer in production needs it.
    let (_, body) = get_json(
        &c,
        &app.url("/can-i-deploy?pacticipant=Bar&version=10&environment=production"),
    )
    .await;
    assert_eq!(body["summary"]["deployable"], true, "{body}");
    // Once Foo 2 is deployed, Bar 10 (which failed its pact) cannot replace the provider.
    c.post(app.url(&format!(
        "/pacticipants/Foo/versions/2/deployed-versions/environment/{prod}"
    )))
    .json(&json!({}))
    .send()
    .await
    .unwrap();
    let (_, body) = get_json(
        &c,
        &app.url("/can-i-deploy?pacticipant=Bar&version=10&environment=production"),
    )
    .await;
    assert_eq!(body["summary"]["deployable"], false, "{body}");

    // Legacy tags: `to`.
    c.put(app.url("/pacticipants/Bar/versions/10/tags/prod"))
        .send()
        .await
        .unwrap();
    let (_, body) = get_json(&c, &app.url("/can-i-deploy?pacticipant=Foo&version=1&to=prod")).await;
    assert_eq!(body["summary"]["deployable"], true, "{body}");
    let (status, _) = get_json(
        &c,
        &app.url("/can-i-deploy?pacticipant=Foo&version=1&environment=nowhere"),
    )
    .await;
    assert_eq!(status, 400);
    // Undeploying Bar makes Foo's requirement unknown again.
    let (_, deployed) = get_json(
        &c,
        &app.url(&format!(
            "/environments/{prod}/deployed-versions/currently-deployed?pacticipant=Bar"
        )),
    )
    .await;
    let href = deployed["_embedded"]["deployedVersions"][0]["_links"]["self"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = send_json(c.patch(href).json(&json!({"currentlyDeployed": false}))).await;
    assert_eq!((status, body["currentlyDeployed"].as_bool()), (200, Some(false)));
    let (_, body) = get_json(&c, &cid("1")).await;
    assert_eq!(body["summary"]["deployable"], Value::Null, "{body}");
}

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

#[tokio::test]
async fn basic_auth_answers_401_and_403_like_the_official_image() {
    let db = TempDatabase::new();
    let config = Config {
        basic_auth_username: Some("rw".into()),
        basic_auth_password: Some("secret".into()),
        basic_auth_read_only_username: Some("ro".into()),
        basic_auth_read_only_password: Some("peek".into()),
        ..Config::for_database(db.path.clone())
    };
    let app = spawn_with(config).await;
    let c = client();
    let response = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    assert_eq!(
        c.get(app.url("/"))
            .basic_auth("rw", Some("wrong"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        c.get(app.url("/"))
            .basic_auth("ro", Some("peek"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let url = app.url("/pacts/provider/Bar/consumer/Foo/version/1");
    let p = pact("Foo", "Bar", &["/1"]);
    assert_error(
        c.put(&url)
            .basic_auth("ro", Some("peek"))
            .json(&p)
            .send()
            .await
            .unwrap(),
        403,
        "only read",
    )
    .await;
    assert_eq!(
        c.put(&url)
            .basic_auth("rw", Some("secret"))
            .json(&p)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        c.get(app.url("/health")).send().await.unwrap().status(),
        200,
        "health stays open"
    );

    let db2 = TempDatabase::new();
    let config = Config {
        basic_auth_username: Some("rw".into()),
        basic_auth_password: Some("secret".into()),
        allow_public_read: true,
        ..Config::for_database(db2.path.clone())
    };
    let public = spawn_with(config).await;
    assert_eq!(c.get(public.url("/")).send().await.unwrap().status(), 200);
    assert_eq!(
        c.put(public.url("/pacts/provider/Bar/consumer/Foo/version/1"))
            .json(&p)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn concurrent_publishers_lose_nothing() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let (c, url) = (c.clone(), app.base_url.clone());
            tokio::spawn(async move {
                for i in 0..25 {
                    let p = pact(&format!("Consumer{}", t % 4), "Provider", &[&format!("/t{t}/i{i}")]);
                    let body = publish_body(&p, &format!("{t}.{i}"), Some("main"), &["ci"]);
                    let response = c
                        .post(format!("{url}/contracts/publish"))
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
                }
            })
        })
        .collect();
    for task in futures::future::join_all(tasks).await {
        task.unwrap();
    }
    for t in 0..8 {
        for i in 0..25 {
            let url = app.url(&format!(
                "/pacts/provider/Provider/consumer/Consumer{}/version/{t}.{i}",
                t % 4
            ));
            let (status, body) = get_json(&c, &url).await;
            assert_eq!(status, 200, "{url}");
            assert_eq!(body["interactions"][0]["request"]["path"], format!("/t{t}/i{i}"));
        }
    }
}

#[tokio::test]
async fn data_survives_a_restart() {
    let db = TempDatabase::new();
    let c = client();
    {
        let app = spawn(&db).await;
        publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &["prod"]).await;
        environment(&c, &app, "production").await;
        app.stop().await;
    }
    let app = spawn(&db).await;
    let (status, body) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/latest")).await;
    assert_eq!(status, 200);
    assert_eq!(body["interactions"][0]["request"]["path"], "/1");
    let (_, envs) = get_json(&c, &app.url("/environments")).await;
    assert_eq!(envs["_embedded"]["environments"][0]["name"], "production");
}

#[tokio::test]
async fn browsers_get_html_pages_and_an_svg_graph() {
    let db = TempDatabase::new();
    let app = spawn(&db).await;
    let c = client();
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", None, &[]).await;
    let html = |url: String| c.get(url).header("Accept", "text/html,application/xhtml+xml").send();
    let response = html(app.url("/")).await.unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains("<td class=\"consumer\">Foo</td>") && text.contains("pending"),
        "{text}"
    );
    let text = html(app.url("/pacts/provider/Bar/consumer/Foo/latest"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("a request for /1"), "{text}");
    let text = html(app.url("/matrix")).await.unwrap().text().await.unwrap();
    assert!(text.contains("<table id=\"matrix\">"));
    let text = c
        .get(app.url("/matrix/provider/Bar/consumer/Foo"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("<td>Foo</td><td>1</td><td>Bar</td>"), "{text}");
    let response = c.get(app.url("/network.svg")).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    let svg = response.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Foo depends on Bar"));
    let group = c
        .get(app.url("/groups/Bar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(group.contains("Foo depends on Bar"), "{group}");
    assert_eq!(c.get(app.url("/groups/Nobody")).send().await.unwrap().status(), 404);
    // Unknown routes and wrong methods stay JSON.
    assert_error(c.get(app.url("/nope")).send().await.unwrap(), 404, "no route").await;
    assert_error(c.delete(app.url("/matrix")).send().await.unwrap(), 405, "not allowed").await;
}
