//! item-service over real HTTP: the app on a random port with a fresh database.

use crate::support;

use serde_json::json;
use service_kit::testing::{TempDatabase, assert_error, json_body};
use support::spawn;

#[tokio::test]
async fn a_fresh_database_lists_the_demo_items() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    json_body(reqwest::get(app.url("/health")).await.unwrap(), 200).await;
    let items = json_body(reqwest::get(app.url("/items")).await.unwrap(), 200).await;
    let names: Vec<_> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Contract Coffee Mug", "Pact Notebook", "Broker Hoodie"]);
    let mug = json_body(reqwest::get(app.url("/items/1")).await.unwrap(), 200).await;
    assert_eq!(mug["id"], 1);
    assert_eq!(mug["name"], "Contract Coffee Mug");
    assert!(mug["description"].is_string());
}

#[tokio::test]
async fn a_created_item_is_stored_listed_and_survives_a_restart() {
    let db = TempDatabase::new();
    let created = {
        let app = spawn(&db, false).await;
        let response = reqwest::Client::new()
            .post(app.url("/items"))
            .json(&json!({"name": "  Verifier Socks ", "description": "Matched pairs only"}))
            .send()
            .await
            .unwrap();
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let created = json_body(response, 201).await;
        assert_eq!(created["name"], "Verifier Socks", "the name is trimmed");
        assert_eq!(created["description"], "Matched pairs only");
        assert_eq!(location, format!("/items/{}", created["id"]));
        app.stop().await;
        created
    };
    let restarted = spawn(&db, false).await;
    let path = format!("/items/{}", created["id"]);
    assert_eq!(
        json_body(reqwest::get(restarted.url(&path)).await.unwrap(), 200).await,
        created
    );
    let items = json_body(reqwest::get(restarted.url("/items")).await.unwrap(), 200).await;
    assert_eq!(items.as_array().unwrap().last().unwrap(), &created);
}

#[tokio::test]
async fn bad_input_gets_a_json_4xx_and_stores_nothing() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    let client = reqwest::Client::new();
    let post = || client.post(app.url("/items"));

    assert_error(
        reqwest::get(app.url("/items/999")).await.unwrap(),
        404,
        "item 999 does not exist",
    )
    .await;
    assert_error(reqwest::get(app.url("/items/mug")).await.unwrap(), 400, "invalid").await;
    assert_error(
        reqwest::get(app.url("/items/18446744073709551616")).await.unwrap(),
        400,
        "invalid",
    )
    .await;
    let malformed = post()
        .header("content-type", "application/json")
        .body("{\"name\"")
        .send();
    assert_error(malformed.await.unwrap(), 400, "json").await;
    assert_error(post().body("name=mug").send().await.unwrap(), 415, "content-type").await;
    assert_error(
        post().json(&json!({"description": "no name"})).send().await.unwrap(),
        422,
        "name",
    )
    .await;
    assert_error(post().json(&json!({"name": 42})).send().await.unwrap(), 422, "name").await;
    assert_error(
        post().json(&json!("just a string")).send().await.unwrap(),
        422,
        "expected struct",
    )
    .await;
    assert_error(
        post().json(&json!({"name": "   "})).send().await.unwrap(),
        422,
        "name must not be empty",
    )
    .await;
    // Found by schemathesis: SQLite measures text up to the first NUL, so this broke the CHECK (500).
    let nul = post().json(&json!({"name": "\u{0}mug"})).send().await.unwrap();
    assert_error(nul, 422, "name must not contain control characters").await;
    assert_error(
        post().json(&json!({"name": "x".repeat(201)})).send().await.unwrap(),
        422,
        "at most 200",
    )
    .await;
    let long_description = json!({"name": "x", "description": "d".repeat(2001)});
    assert_error(
        post().json(&long_description).send().await.unwrap(),
        422,
        "at most 2000",
    )
    .await;
    let huge = json!({"name": "x", "description": "d".repeat(70_000)});
    assert_error(post().json(&huge).send().await.unwrap(), 413, "length").await;
    assert_error(
        client.delete(app.url("/items/1")).send().await.unwrap(),
        405,
        "not allowed",
    )
    .await;

    let items = json_body(reqwest::get(app.url("/items")).await.unwrap(), 200).await;
    assert_eq!(items.as_array().unwrap().len(), 3, "nothing was stored");
}

#[tokio::test]
async fn provider_states_are_off_unless_enabled() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    service_kit::testing::assert_provider_states_disabled(&app).await;
    // The data is untouched: all three demo items are still there, as they were.
    let items = json_body(reqwest::get(app.url("/items")).await.unwrap(), 200).await;
    let names: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Contract Coffee Mug", "Pact Notebook", "Broker Hoodie"]);
}

#[tokio::test]
async fn every_provider_state_sets_up_exactly_what_it_names() {
    let db = TempDatabase::new();
    let app = spawn(&db, true).await;

    let state = "an item with id {item_id} exists with name {name}";
    json_body(
        app.set_provider_state(state, json!({"item_id": 5, "name": "Stub Lamp"}))
            .await
            .unwrap(),
        200,
    )
    .await;
    let items = json_body(reqwest::get(app.url("/items")).await.unwrap(), 200).await;
    assert_eq!(items, json!([{"id": 5, "name": "Stub Lamp", "description": ""}]));

    json_body(
        app.set_provider_state("no item with id {item_id} exists", json!({"item_id": 5}))
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(
        json_body(reqwest::get(app.url("/items")).await.unwrap(), 200).await,
        json!([])
    );

    assert_error(
        app.set_provider_state(state, json!({"item_id": 5})).await.unwrap(),
        400,
        "name",
    )
    .await;
    assert_error(
        app.set_provider_state(state, json!({"item_id": 5, "name": 7}))
            .await
            .unwrap(),
        400,
        "string",
    )
    .await;
    assert_error(
        app.set_provider_state("an item exists", json!({})).await.unwrap(),
        400,
        "unknown provider state",
    )
    .await;
}

#[test]
fn every_provider_state_is_documented_in_the_readme() {
    service_kit::testing::assert_states_documented::<item_service::provider_states::ItemStates>("item-service");
}

/// `/openapi.json` is generated from the handlers: every operation with every status it answers.
#[tokio::test]
async fn the_openapi_document_lists_every_operation_and_status() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    service_kit::testing::assert_openapi(
        &app,
        &[
            ("GET", "/items", &[200]),
            ("POST", "/items", &[201, 400, 413, 415, 422]),
            ("GET", "/items/{id}", &[200, 400, 404]),
        ],
    )
    .await;
}
