//! accounting-service over real HTTP: the app on a random port with a fresh database.

use crate::support;

use serde_json::json;
use service_kit::testing::{TempDatabase, assert_error, json_body};
use support::spawn;

#[tokio::test]
async fn health_answers_ok() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    let body = json_body(reqwest::get(app.url("/health")).await.unwrap(), 200).await;
    assert_eq!(body, json!({"status": "ok"}));
}

#[tokio::test]
async fn a_fresh_database_has_demo_prices() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    let with_tax = json_body(reqwest::get(app.url("/items/1")).await.unwrap(), 200).await;
    assert_eq!(with_tax, json!({"item_id": 1, "price": 1299, "tax": 0.2}));
    let without_tax = json_body(reqwest::get(app.url("/items/2")).await.unwrap(), 200).await;
    assert_eq!(without_tax, json!({"item_id": 2, "price": 850, "tax": null}));
}

#[tokio::test]
async fn a_price_that_is_set_can_be_read_and_survives_a_restart() {
    let db = TempDatabase::new();
    let client = reqwest::Client::new();
    {
        let app = spawn(&db, false).await;
        let put = client
            .put(app.url("/items/42"))
            .json(&json!({"price": 700, "tax": 0.07}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            json_body(put, 200).await,
            json!({"item_id": 42, "price": 700, "tax": 0.07})
        );
        let put = client
            .put(app.url("/items/42"))
            .json(&json!({"price": 650}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            json_body(put, 200).await,
            json!({"item_id": 42, "price": 650, "tax": null})
        );
        app.stop().await;
    }
    let restarted = spawn(&db, false).await;
    let body = json_body(reqwest::get(restarted.url("/items/42")).await.unwrap(), 200).await;
    assert_eq!(body, json!({"item_id": 42, "price": 650, "tax": null}));
}

#[tokio::test]
async fn an_item_without_a_price_is_not_found() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    assert_error(
        reqwest::get(app.url("/items/999")).await.unwrap(),
        404,
        "item 999 has no price",
    )
    .await;
}

#[tokio::test]
async fn bad_input_gets_a_json_4xx_and_changes_nothing() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    let client = reqwest::Client::new();
    let put = |path: &str| client.put(app.url(path));

    // Ids that are not numbers, or do not fit a 64-bit integer: 400.
    assert_error(reqwest::get(app.url("/items/abc")).await.unwrap(), 400, "invalid").await;
    assert_error(
        reqwest::get(app.url("/items/99999999999999999999")).await.unwrap(),
        400,
        "invalid",
    )
    .await;
    // Malformed JSON: 400. Not JSON at all: 415. Missing or mistyped field: 422.
    let malformed = put("/items/1")
        .header("content-type", "application/json")
        .body("{\"price\": ")
        .send();
    assert_error(malformed.await.unwrap(), 400, "json").await;
    assert_error(
        put("/items/1").body("price=5").send().await.unwrap(),
        415,
        "content-type",
    )
    .await;
    assert_error(
        put("/items/1").json(&json!({"tax": 0.1})).send().await.unwrap(),
        422,
        "price",
    )
    .await;
    assert_error(
        put("/items/1").json(&json!({"price": "cheap"})).send().await.unwrap(),
        422,
        "price",
    )
    .await;
    assert_error(
        put("/items/1").json(&json!({"price": 1.5})).send().await.unwrap(),
        422,
        "price",
    )
    .await;
    // Values out of range: 422.
    assert_error(
        put("/items/1").json(&json!({"price": -1})).send().await.unwrap(),
        422,
        "price",
    )
    .await;
    assert_error(
        put("/items/1")
            .json(&json!({"price": 1, "tax": -0.1}))
            .send()
            .await
            .unwrap(),
        422,
        "tax",
    )
    .await;
    assert_error(
        put("/items/0").json(&json!({"price": 1})).send().await.unwrap(),
        422,
        "item_id",
    )
    .await;
    // Oversized body: 413.
    let huge = json!({"price": 1, "padding": "x".repeat(100_000)});
    assert_error(put("/items/1").json(&huge).send().await.unwrap(), 413, "length").await;
    // Unknown route and wrong method: 404 and 405, still JSON.
    assert_error(reqwest::get(app.url("/nope")).await.unwrap(), 404, "no route").await;
    assert_error(
        client.delete(app.url("/items/1")).send().await.unwrap(),
        405,
        "not allowed",
    )
    .await;

    // None of it changed the stored price.
    let body = json_body(reqwest::get(app.url("/items/1")).await.unwrap(), 200).await;
    assert_eq!(body, json!({"item_id": 1, "price": 1299, "tax": 0.2}));
}

#[tokio::test]
async fn provider_states_are_off_unless_enabled() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    service_kit::testing::assert_provider_states_disabled(&app).await;
    // The data is untouched: the demo price is still there, as it was.
    let price = json_body(reqwest::get(app.url("/items/1")).await.unwrap(), 200).await;
    assert_eq!(price, json!({"item_id": 1, "price": 1299, "tax": 0.2}));
}

#[tokio::test]
async fn every_provider_state_sets_up_exactly_what_it_names() {
    let db = TempDatabase::new();
    let app = spawn(&db, true).await;
    let client = reqwest::Client::new();

    let listed = json_body(client.get(app.url("/_pact/provider_states")).send().await.unwrap(), 200).await;
    assert_eq!(listed["states"].as_array().unwrap().len(), 3);
    assert!(
        listed["usage"].as_str().unwrap().contains("both forms are accepted"),
        "{listed}"
    );
    assert_eq!(
        listed["states"][0]["example"], "an item with id 3 has price 999 and tax 0.2",
        "{listed}"
    );

    let state = "an item with id {item_id} has price {price} and tax {tax}";
    json_body(
        app.set_provider_state(state, json!({"item_id": 7, "price": 100, "tax": 0.1}))
            .await
            .unwrap(),
        200,
    )
    .await;
    let body = json_body(reqwest::get(app.url("/items/7")).await.unwrap(), 200).await;
    assert_eq!(body, json!({"item_id": 7, "price": 100, "tax": 0.1}));
    // The demo data is gone: the state is exactly this one item.
    assert_error(reqwest::get(app.url("/items/1")).await.unwrap(), 404, "no price").await;

    let state = "an item with id {item_id} has price {price} and no tax";
    json_body(
        app.set_provider_state(state, json!({"item_id": "8", "price": 250}))
            .await
            .unwrap(),
        200,
    )
    .await;
    let body = json_body(reqwest::get(app.url("/items/8")).await.unwrap(), 200).await;
    assert_eq!(body, json!({"item_id": 8, "price": 250, "tax": null}));

    json_body(
        app.set_provider_state("no item with id {item_id} exists", json!({"item_id": 8}))
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_error(reqwest::get(app.url("/items/8")).await.unwrap(), 404, "no price").await;

    // Teardown and interactions without a state are accepted and change nothing.
    let teardown = json!({"state": "no item with id {item_id} exists", "params": {"item_id": 1}, "action": "teardown"});
    json_body(
        client
            .post(app.url("/_pact/provider_states"))
            .json(&teardown)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    json_body(app.set_provider_state("", json!({})).await.unwrap(), 200).await;

    // Unknown states and missing or mistyped params: 400 naming the problem.
    assert_error(
        app.set_provider_state("the moon is made of cheese", json!({}))
            .await
            .unwrap(),
        400,
        "unknown provider state",
    )
    .await;
    assert_error(
        app.set_provider_state(state, json!({"item_id": 1})).await.unwrap(),
        400,
        "price",
    )
    .await;
    let mistyped = app.set_provider_state(state, json!({"item_id": "one", "price": 1}));
    assert_error(mistyped.await.unwrap(), 400, "integer").await;
}

/// What other teams' verifiers send: concrete names (V2 pacts), params beside them, a list of
/// states, the query-string form; and what they get wrong, which changes nothing.
#[tokio::test]
async fn provider_states_are_reached_by_concrete_names_in_every_request_shape() {
    let db = TempDatabase::new();
    let app = spawn(&db, true).await;
    let client = reqwest::Client::new();
    let endpoint = app.url("/_pact/provider_states");
    let price_of = |item: i64| reqwest::get(app.url(&format!("/items/{item}")));

    // A concrete name, no params, no action (what a V2 pact and pact-js send).
    let change = json!({"state": "an item with id 3 has price 999 and tax 0.2", "consumer": {"name": "web"}});
    json_body(client.post(&endpoint).json(&change).send().await.unwrap(), 200).await;
    assert_eq!(
        json_body(price_of(3).await.unwrap(), 200).await,
        json!({"item_id": 3, "price": 999, "tax": 0.2})
    );

    // Only a list of states: each set up in order (each resets the prices, so the last wins).
    let change = json!({"states": [
        {"name": "no item with id 3 exists"},
        {"name": "an item with id 7 has price 150 and no tax", "params": {"item_id": 7}},
    ]});
    json_body(client.post(&endpoint).json(&change).send().await.unwrap(), 200).await;
    assert_eq!(
        json_body(price_of(7).await.unwrap(), 200).await,
        json!({"item_id": 7, "price": 150, "tax": null})
    );
    assert_error(price_of(3).await.unwrap(), 404, "no price").await;

    // The query-string form of pact_verifier_cli --state-change-as-query, with no body.
    let query = [
        ("state", "an item with id {item_id} has price {price} and tax {tax}"),
        ("action", "setup"),
        ("item_id", "5"),
        ("price", "20"),
        ("tax", "0.5"),
    ];
    json_body(client.post(&endpoint).query(&query).send().await.unwrap(), 200).await;
    assert_eq!(
        json_body(price_of(5).await.unwrap(), 200).await,
        json!({"item_id": 5, "price": 20, "tax": 0.5})
    );

    // Wrong in every way a pact can be: 400 saying what, and the prices stay as they were.
    let wrong = [
        (
            json!({"state": "an item with id abc has price 1 and no tax"}),
            "param 'item_id' must be an integer, got \"abc\"",
        ),
        (
            json!({"state": "an item with id 5 has price 20 and tax 0.5", "params": {"price": 21}}),
            "param 'price' is 20 in the state name but 21",
        ),
        (
            json!({"state": "an item with id 5 costs 20"}),
            "unknown provider state \"an item with id 5 costs 20\"",
        ),
        (
            json!({"state": "no item with id {item_id} exists"}),
            "needs param 'item_id'",
        ),
        (
            json!({"state": "no item with id 5 exists", "action": "wipe"}),
            "\"action\" must be \"setup\" or \"teardown\"",
        ),
        (json!(["no item with id 5 exists"]), "not a JSON object"),
        // The first state is fine, the second is not: neither is set up.
        (
            json!({"states": [{"name": "no item with id 5 exists"}, {"name": "an item with id x has price 1 and no tax"}]}),
            "must be an integer",
        ),
    ];
    for (change, message) in wrong {
        let response = client.post(&endpoint).json(&change).send().await.unwrap();
        assert_error(response, 400, message).await;
        assert_eq!(
            json_body(price_of(5).await.unwrap(), 200).await,
            json!({"item_id": 5, "price": 20, "tax": 0.5}),
            "after {change}"
        );
    }
}

#[test]
fn every_provider_state_is_documented_in_the_readme() {
    service_kit::testing::assert_states_documented::<accounting_service::provider_states::AccountingStates>(
        "accounting-service",
    );
}

/// `/openapi.json` is generated from the handlers: every operation with every status it answers.
#[tokio::test]
async fn the_openapi_document_lists_every_operation_and_status() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    service_kit::testing::assert_openapi(
        &app,
        &[
            ("GET", "/items/{item_id}", &[200, 400, 404]),
            ("PUT", "/items/{item_id}", &[200, 400, 413, 415, 422]),
        ],
    )
    .await;
}
