//! inventory-service over real HTTP: the app on a random port with a fresh database.

use crate::support;

use serde_json::json;
use service_kit::testing::{TempDatabase, TestApp, assert_error, json_body};
use support::spawn;

async fn stock(app: &TestApp, item_id: i64) -> serde_json::Value {
    json_body(reqwest::get(app.url(&format!("/items/{item_id}"))).await.unwrap(), 200).await
}

#[tokio::test]
async fn taking_putting_back_and_setting_stock() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    let client = reqwest::Client::new();
    assert_eq!(stock(&app, 3).await, json!({"item_id": 3, "quantity": 5}));

    let take = client
        .patch(app.url("/items/3"))
        .json(&json!({"quantity_delta": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body(take, 200).await, json!({"item_id": 3, "quantity": 3}));

    // Fewer in stock than asked for: 400 and nothing is taken.
    let too_many = client
        .patch(app.url("/items/3"))
        .json(&json!({"quantity_delta": 4}))
        .send()
        .await
        .unwrap();
    assert_error(
        too_many,
        400,
        "insufficient stock: 3 units of item 3 in stock, 4 requested",
    )
    .await;
    assert_eq!(stock(&app, 3).await, json!({"item_id": 3, "quantity": 3}));

    let back = client
        .post(app.url("/items/3/restock"))
        .json(&json!({"quantity": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body(back, 200).await, json!({"item_id": 3, "quantity": 5}));

    let set = client
        .put(app.url("/items/77"))
        .json(&json!({"quantity": 12}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body(set, 200).await, json!({"item_id": 77, "quantity": 12}));
    assert_eq!(stock(&app, 77).await, json!({"item_id": 77, "quantity": 12}));
}

#[tokio::test]
async fn stock_survives_a_restart() {
    let db = TempDatabase::new();
    {
        let app = spawn(&db, false).await;
        let take = reqwest::Client::new()
            .patch(app.url("/items/1"))
            .json(&json!({"quantity_delta": 40}));
        json_body(take.send().await.unwrap(), 200).await;
        app.stop().await;
    }
    let restarted = spawn(&db, false).await;
    assert_eq!(stock(&restarted, 1).await, json!({"item_id": 1, "quantity": 60}));
}

/// The app on a multi-threaded runtime, the 50 takes from another: they really race.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_takes_never_oversell() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    let client = reqwest::Client::new();
    client
        .put(app.url("/items/9"))
        .json(&json!({"quantity": 10}))
        .send()
        .await
        .unwrap();

    let url = app.url("/items/9");
    let statuses = service_kit::testing::race(50, move |client, _| {
        client.patch(&url).json(&json!({"quantity_delta": 1}))
    })
    .await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 10);
    assert_eq!(statuses.iter().filter(|s| **s == 400).count(), 40);
    assert_eq!(stock(&app, 9).await, json!({"item_id": 9, "quantity": 0}));
}

#[tokio::test]
async fn bad_input_gets_a_json_4xx_and_changes_nothing() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    let client = reqwest::Client::new();
    let take = |body: serde_json::Value| client.patch(app.url("/items/1")).json(&body).send();

    assert_error(
        reqwest::get(app.url("/items/404")).await.unwrap(),
        404,
        "item 404 is not stocked",
    )
    .await;
    assert_error(take_unknown(&client, &app).await, 404, "not stocked").await;
    let restock_unknown = client
        .post(app.url("/items/404/restock"))
        .json(&json!({"quantity": 1}))
        .send();
    assert_error(restock_unknown.await.unwrap(), 404, "not stocked").await;
    assert_error(reqwest::get(app.url("/items/one")).await.unwrap(), 400, "invalid").await;
    assert_error(
        take(json!({"quantity_delta": 0})).await.unwrap(),
        422,
        "quantity_delta must be between 1",
    )
    .await;
    assert_error(
        take(json!({"quantity_delta": -5})).await.unwrap(),
        422,
        "quantity_delta must be between 1",
    )
    .await;
    assert_error(
        take(json!({"quantity_delta": 1_000_000_001})).await.unwrap(),
        422,
        "quantity_delta",
    )
    .await;
    assert_error(
        take(json!({"quantity_delta": "2"})).await.unwrap(),
        422,
        "quantity_delta",
    )
    .await;
    assert_error(take(json!({"quantity": 2})).await.unwrap(), 422, "quantity_delta").await;
    let out_of_range = client
        .patch(app.url("/items/1"))
        .header("content-type", "application/json")
        .body(r#"{"quantity_delta": 99999999999999999999999}"#)
        .send();
    assert_error(out_of_range.await.unwrap(), 422, "quantity_delta").await;
    let malformed = client
        .patch(app.url("/items/1"))
        .header("content-type", "application/json")
        .body("{")
        .send();
    assert_error(malformed.await.unwrap(), 400, "json").await;
    let restock = client
        .post(app.url("/items/1/restock"))
        .json(&json!({"quantity": 0}))
        .send();
    assert_error(restock.await.unwrap(), 422, "quantity must be between 1").await;
    let set = client.put(app.url("/items/1")).json(&json!({"quantity": -1})).send();
    assert_error(set.await.unwrap(), 422, "quantity must be between 0").await;
    let set = client.put(app.url("/items/-1")).json(&json!({"quantity": 1})).send();
    assert_error(set.await.unwrap(), 422, "item_id").await;

    assert_eq!(
        stock(&app, 1).await,
        json!({"item_id": 1, "quantity": 100}),
        "nothing changed"
    );
}

async fn take_unknown(client: &reqwest::Client, app: &TestApp) -> reqwest::Response {
    client
        .patch(app.url("/items/404"))
        .json(&json!({"quantity_delta": 1}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_provider_state_sets_up_exactly_what_it_names() {
    let db = TempDatabase::new();
    let app = spawn(&db, true).await;
    let state = "an item with id {item_id} has {quantity} units in stock";
    json_body(
        app.set_provider_state(state, json!({"item_id": 4, "quantity": 6}))
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(stock(&app, 4).await, json!({"item_id": 4, "quantity": 6}));
    assert_error(reqwest::get(app.url("/items/1")).await.unwrap(), 404, "not stocked").await;

    json_body(
        app.set_provider_state("no item with id {item_id} exists", json!({"item_id": 4}))
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_error(reqwest::get(app.url("/items/4")).await.unwrap(), 404, "not stocked").await;

    assert_error(
        app.set_provider_state(state, json!({"item_id": 4, "quantity": -1}))
            .await
            .unwrap(),
        400,
        "negative",
    )
    .await;
    assert_error(
        app.set_provider_state(state, json!({"item_id": 4})).await.unwrap(),
        400,
        "quantity",
    )
    .await;
}

#[tokio::test]
async fn provider_states_are_off_unless_enabled() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    service_kit::testing::assert_provider_states_disabled(&app).await;
    assert_eq!(stock(&app, 1).await, json!({"item_id": 1, "quantity": 100}));
}

#[test]
fn every_provider_state_is_documented_in_the_readme() {
    service_kit::testing::assert_states_documented::<inventory_service::provider_states::InventoryStates>(
        "inventory-service",
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
            ("PATCH", "/items/{item_id}", &[200, 400, 404, 409, 413, 415, 422]),
            ("GET", "/movements", &[200, 400]),
            ("GET", "/movements/{key}", &[200, 400, 404, 422]),
            ("POST", "/movements/{key}/cancel", &[200, 400, 413, 415, 422]),
            ("PUT", "/items/{item_id}", &[200, 400, 413, 415, 422]),
            ("POST", "/items/{item_id}/restock", &[200, 400, 404, 413, 415, 422]),
        ],
    )
    .await;
}

async fn keyed_take(app: &TestApp, key: &str, item_id: i64, units: i64) -> reqwest::Response {
    reqwest::Client::new()
        .patch(app.url(&format!("/items/{item_id}")))
        .header("Idempotency-Key", key)
        .json(&json!({"quantity_delta": units}))
        .send()
        .await
        .unwrap()
}

async fn cancel(app: &TestApp, key: &str, item_id: i64, units: i64) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(&format!("/movements/{key}/cancel")))
        .json(&json!({"item_id": item_id, "quantity": units}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_keyed_take_is_applied_once_and_answers_the_same_again() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    let first = json_body(keyed_take(&app, "order-1", 2, 5).await, 200).await;
    let again = json_body(keyed_take(&app, "order-1", 2, 5).await, 200).await;
    assert_eq!(first, json!({"item_id": 2, "quantity": 20}));
    assert_eq!(again, first, "the recorded answer");
    assert_eq!(stock(&app, 2).await["quantity"], 20, "taken once");
    let movement = json_body(reqwest::get(app.url("/movements/order-1")).await.unwrap(), 200).await;
    assert_eq!(
        movement,
        json!({"key": "order-1", "item_id": 2, "quantity": 5, "state": "taken"})
    );

    // A refusal is recorded too: the same key stays refused even once stock is back.
    assert_error(
        keyed_take(&app, "order-2", 3, 6).await,
        400,
        "5 units of item 3 in stock",
    )
    .await;
    assert_error(
        keyed_take(&app, "order-2", 3, 6).await,
        400,
        "5 units of item 3 in stock",
    )
    .await;
    assert_error(keyed_take(&app, "order-3", 404, 1).await, 404, "not stocked").await;
    assert_error(keyed_take(&app, "order-3", 404, 1).await, 404, "not stocked").await;

    assert_error(keyed_take(&app, "order-1", 2, 6).await, 422, "already used").await;
    assert_error(keyed_take(&app, "bad key", 2, 1).await, 422, "Idempotency-Key").await;
    assert_error(
        reqwest::get(app.url("/movements/nobody")).await.unwrap(),
        404,
        "no stock movement",
    )
    .await;
    assert_error(
        reqwest::get(app.url("/movements/a%20b")).await.unwrap(),
        422,
        "Idempotency-Key",
    )
    .await;
    assert_eq!(
        stock(&app, 2).await["quantity"],
        20,
        "nothing taken by refused requests"
    );
}

#[tokio::test]
async fn cancelling_puts_units_back_once_and_fences_a_take_that_arrives_later() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    json_body(keyed_take(&app, "order-1", 1, 30).await, 200).await;
    for _ in 0..2 {
        let cancelled = json_body(cancel(&app, "order-1", 1, 30).await, 200).await;
        assert_eq!(cancelled["state"], "cancelled");
    }
    assert_eq!(stock(&app, 1).await["quantity"], 100, "put back once, not twice");

    // The take's answer never arrived and the order is cancelled before the take lands.
    assert_eq!(
        json_body(cancel(&app, "order-2", 1, 7).await, 200).await["state"],
        "cancelled"
    );
    assert_error(keyed_take(&app, "order-2", 1, 7).await, 409, "cancelled").await;
    assert_eq!(stock(&app, 1).await["quantity"], 100, "the late take took nothing");

    // Cancelling a refused take changes nothing.
    assert_error(keyed_take(&app, "order-3", 3, 9).await, 400, "insufficient").await;
    assert_eq!(
        json_body(cancel(&app, "order-3", 3, 9).await, 200).await["state"],
        "refused"
    );
    assert_eq!(stock(&app, 3).await["quantity"], 5);

    assert_error(cancel(&app, "order-1", 1, 31).await, 422, "already used").await;
    let movements = json_body(reqwest::get(app.url("/movements?item_id=1")).await.unwrap(), 200).await;
    let states: Vec<(&str, &str)> = movements
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["key"].as_str().unwrap(), m["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("order-1", "cancelled"), ("order-2", "cancelled")]);
    assert_error(reqwest::get(app.url("/movements")).await.unwrap(), 400, "item_id").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_repeats_of_one_key_take_once_and_concurrent_cancels_put_back_once() {
    let db = TempDatabase::new();
    let app = spawn(&db, false).await;
    let takes = (0..40).map(|_| keyed_take(&app, "order-1", 1, 3));
    let answers = futures::future::join_all(takes).await;
    for answer in answers {
        assert_eq!(json_body(answer, 200).await["quantity"], 97);
    }
    let cancels = (0..40).map(|_| cancel(&app, "order-1", 1, 3));
    for answer in futures::future::join_all(cancels).await {
        assert_eq!(json_body(answer, 200).await["state"], "cancelled");
    }
    assert_eq!(stock(&app, 1).await["quantity"], 100);
}

#[tokio::test]
async fn the_keyed_take_state_sets_up_the_stock_and_its_movement() {
    let db = TempDatabase::new();
    let app = spawn(&db, true).await;
    json_body(
        app.set_provider_state(
            "an item with id 1 has 8 units in stock after a take of 2 units with key order-1",
            json!({}),
        )
        .await
        .unwrap(),
        200,
    )
    .await;
    assert_eq!(stock(&app, 1).await, json!({"item_id": 1, "quantity": 8}));
    let movement = json_body(reqwest::get(app.url("/movements/order-1")).await.unwrap(), 200).await;
    assert_eq!(movement["state"], "taken");
    assert_eq!(
        json_body(cancel(&app, "order-1", 1, 2).await, 200).await["state"],
        "cancelled"
    );
    assert_eq!(stock(&app, 1).await["quantity"], 10);
    assert_error(reqwest::get(app.url("/items/2")).await.unwrap(), 404, "not stocked").await;
}
