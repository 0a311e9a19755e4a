//! catalog-service over real HTTP, with its real neighbours on random ports and fresh databases.

use catalog_service::storage::Status;
use catalog_service::testing::{Neighbourhood, spawn_catalog};
use catalog_service::{AppState, Config, app};
use serde_json::json;
use service_kit::config::CommonArgs;
use service_kit::testing::{TempDatabase, TestApp, assert_error, json_body, unreachable_url};
use url::Url;

async fn stock(system: &Neighbourhood, item_id: i64) -> i64 {
    let body = json_body(
        reqwest::get(system.inventory.url(&format!("/items/{item_id}")))
            .await
            .unwrap(),
        200,
    )
    .await;
    body["quantity"].as_i64().unwrap()
}

fn url(app: &TestApp) -> Url {
    Url::parse(&app.base_url).unwrap()
}

async fn order(catalog: &TestApp, body: serde_json::Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(catalog.url("/order"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_order_takes_stock_and_answers_the_total_price() {
    let system = Neighbourhood::spawn(false).await;
    let placed = json_body(order(&system.catalog, json!({"item_id": 1, "quantity": 2})).await, 200).await;
    assert_eq!(placed["total_price"], 2 * 1299);
    assert_eq!(placed["item_id"], 1);
    assert_eq!(placed["quantity"], 2);
    assert!(placed["order_id"].is_i64());
    assert_eq!(stock(&system, 1).await, 98);
}

#[tokio::test]
async fn an_item_is_composed_from_item_accounting_and_inventory() {
    let system = Neighbourhood::spawn(false).await;
    let item = json_body(reqwest::get(system.catalog.url("/items/3")).await.unwrap(), 200).await;
    assert_eq!(
        item,
        json!({"item_id": 3, "item_name": "Broker Hoodie", "item_price": 4500, "item_quantity_remaining": 5})
    );
    assert_error(
        reqwest::get(system.catalog.url("/items/99")).await.unwrap(),
        404,
        "item 99 does not exist",
    )
    .await;
}

#[tokio::test]
async fn short_stock_and_unknown_items_are_refused_without_taking_anything() {
    let system = Neighbourhood::spawn(false).await;
    let short = order(&system.catalog, json!({"item_id": 3, "quantity": 6})).await;
    assert_error(
        short,
        400,
        "insufficient stock: 5 units of item 3 in stock, 6 requested",
    )
    .await;
    assert_eq!(stock(&system, 3).await, 5);
    assert_error(
        order(&system.catalog, json!({"item_id": 99, "quantity": 1})).await,
        404,
        "item 99 does not exist",
    )
    .await;
}

#[tokio::test]
async fn bad_input_gets_a_json_4xx_and_takes_no_stock() {
    let system = Neighbourhood::spawn(false).await;
    let catalog = &system.catalog;
    assert_error(
        order(catalog, json!({"item_id": 1, "quantity": 0})).await,
        422,
        "quantity must be between 1",
    )
    .await;
    assert_error(
        order(catalog, json!({"item_id": 1, "quantity": -3})).await,
        422,
        "quantity must be between 1",
    )
    .await;
    assert_error(
        order(catalog, json!({"item_id": 1, "quantity": 1_000_001})).await,
        422,
        "quantity",
    )
    .await;
    assert_error(order(catalog, json!({"item_id": 1})).await, 422, "quantity").await;
    assert_error(
        order(catalog, json!({"item_id": "one", "quantity": 1})).await,
        422,
        "item_id",
    )
    .await;
    assert_error(
        order(catalog, json!({"item_id": 1, "quantity": 1.5})).await,
        422,
        "quantity",
    )
    .await;
    let malformed = reqwest::Client::new()
        .post(catalog.url("/order"))
        .header("content-type", "application/json");
    assert_error(malformed.body("{\"item_id\": 1,").send().await.unwrap(), 400, "json").await;
    let not_json = reqwest::Client::new().post(catalog.url("/order")).body("item_id=1");
    assert_error(not_json.send().await.unwrap(), 415, "content-type").await;
    assert_error(reqwest::get(catalog.url("/items/x1")).await.unwrap(), 400, "invalid").await;
    assert_eq!(stock(&system, 1).await, 100, "no stock was taken");
}

/// The services on a multi-threaded runtime, the 50 orders from another: they really race.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_orders_for_ten_units_never_oversell() {
    let system = Neighbourhood::spawn(false).await;
    let client = reqwest::Client::new();
    client
        .put(system.inventory.url("/items/1"))
        .json(&json!({"quantity": 10}))
        .send()
        .await
        .unwrap();

    let url = system.catalog.url("/order");
    let statuses = service_kit::testing::race(50, move |client, _| {
        client.post(&url).json(&json!({"item_id": 1, "quantity": 1}))
    })
    .await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 400).count(), 40, "{statuses:?}");
    assert_eq!(stock(&system, 1).await, 0);
}

#[tokio::test]
async fn accounting_unreachable_after_stock_was_taken_gives_503_and_puts_the_stock_back() {
    let system = Neighbourhood::spawn(false).await;
    let (catalog, _db) = spawn_catalog(unreachable_url(), url(&system.inventory), url(&system.item), false).await;
    let failed = keyed_order(&catalog, "order-1", json!({"item_id": 2, "quantity": 5})).await;
    assert_error(failed, 503, "accounting-service is unavailable").await;
    assert_eq!(stock(&system, 2).await, 25, "the 5 units taken were put back");
    let recorded = json_body(reqwest::get(catalog.url("/orders/order-1")).await.unwrap(), 200).await;
    assert_eq!(recorded["status"], "cancelled");
    assert_eq!(recorded["failure"]["status"], 503);
    let stock_key = recorded["stock_key"].as_str().unwrap();
    assert!(
        stock_key.starts_with("catalog:"),
        "catalog makes up the stock key: {stock_key}"
    );
    let movement = reqwest::get(system.inventory.url(&format!("/movements/{stock_key}")))
        .await
        .unwrap();
    assert_eq!(json_body(movement, 200).await["state"], "cancelled");
    // The same key again: the recorded answer, and no second take.
    let again = keyed_order(&catalog, "order-1", json!({"item_id": 2, "quantity": 5})).await;
    assert_error(again, 503, "accounting-service is unavailable").await;
    assert_eq!(stock(&system, 2).await, 25);
}

async fn keyed_order(catalog: &TestApp, key: &str, body: serde_json::Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(catalog.url("/order"))
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_key_gets_the_same_order_and_takes_stock_once() {
    let system = Neighbourhood::spawn(false).await;
    let first = keyed_order(&system.catalog, "order-1", json!({"item_id": 1, "quantity": 3})).await;
    assert_eq!(first.headers()["idempotency-key"], "order-1");
    let first = json_body(first, 200).await;
    let again = keyed_order(&system.catalog, "order-1", json!({"item_id": 1, "quantity": 3})).await;
    assert_eq!(json_body(again, 200).await, first);
    assert_eq!(stock(&system, 1).await, 97);

    // Twenty callers racing with one key: one order, every caller told about it.
    let racing = (0..20).map(|_| keyed_order(&system.catalog, "order-2", json!({"item_id": 1, "quantity": 2})));
    let mut order_ids = Vec::new();
    for answer in futures::future::join_all(racing).await {
        order_ids.push(json_body(answer, 200).await["order_id"].as_i64().unwrap());
    }
    order_ids.dedup();
    assert_eq!(order_ids.len(), 1, "{order_ids:?}");
    assert_eq!(stock(&system, 1).await, 95);

    let reused = keyed_order(&system.catalog, "order-1", json!({"item_id": 1, "quantity": 4})).await;
    assert_error(reused, 422, "already used").await;
    let malformed = keyed_order(&system.catalog, "not/a/key", json!({"item_id": 1, "quantity": 1})).await;
    assert_error(malformed, 422, "Idempotency-Key").await;
    // Without a key, catalog makes one up and says which.
    let unkeyed = order(&system.catalog, json!({"item_id": 1, "quantity": 1})).await;
    let key = unkeyed.headers()["idempotency-key"].to_str().unwrap().to_owned();
    json_body(unkeyed, 200).await;
    let listed = json_body(
        reqwest::get(system.catalog.url("/orders?item_id=1")).await.unwrap(),
        200,
    )
    .await;
    let keys: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["order-1", "order-2", key.as_str()]);
    assert_error(
        reqwest::get(system.catalog.url("/orders/nobody")).await.unwrap(),
        404,
        "no order",
    )
    .await;
    assert_eq!(stock(&system, 1).await, 94);
}

async fn keyed_take(system: &Neighbourhood, key: &str, item_id: i64, units: i64) {
    let answer = reqwest::Client::new()
        .patch(system.inventory.url(&format!("/items/{item_id}")))
        .header("Idempotency-Key", key)
        .json(&json!({"quantity_delta": units}))
        .send()
        .await
        .unwrap();
    json_body(answer, 200).await;
}

#[tokio::test]
async fn recovery_settles_what_a_crash_left_unfinished() {
    let system = Neighbourhood::spawn(false).await;
    let db = TempDatabase::new();
    let config = Config {
        port: 0,
        database_path: db.path.clone(),
        accounting_service_url: url(&system.accounting),
        inventory_service_url: url(&system.inventory),
        item_service_url: url(&system.item),
        order_recovery_after_ms: 60_000,
        order_recovery_interval_ms: 5_000,
        common: CommonArgs::default(),
    };
    let state = AppState::open(&config).await.unwrap();
    let orders = &state.orders;
    // What a catalog killed at three points leaves behind.
    orders
        .begin("after-take".into(), "stock-a".into(), 1, 4, 0)
        .await
        .unwrap();
    keyed_take(&system, "stock-a", 1, 4).await;
    orders
        .begin("before-take".into(), "stock-b".into(), 1, 2, 0)
        .await
        .unwrap();
    orders
        .begin("while-cancelling".into(), "stock-c".into(), 2, 3, 0)
        .await
        .unwrap();
    keyed_take(&system, "stock-c", 2, 3).await;
    assert!(
        orders
            .transition("while-cancelling".into(), Status::Pending, Status::Cancelling, None)
            .await
            .unwrap()
    );
    orders
        .begin("too-young".into(), "stock-d".into(), 1, 1, i64::MAX)
        .await
        .unwrap();

    let settled = catalog_service::orders::recover(&state, service_kit::detached::now_ms())
        .await
        .unwrap();
    assert_eq!(settled, 3);
    let status = async |key: &str| orders.get(key.into()).await.unwrap().unwrap().status;
    assert_eq!(
        status("after-take").await,
        Status::Confirmed,
        "stock taken: rolled forward"
    );
    assert_eq!(
        status("before-take").await,
        Status::Cancelled,
        "nothing taken: key fenced"
    );
    assert_eq!(status("while-cancelling").await, Status::Cancelled);
    assert_eq!(
        status("too-young").await,
        Status::Pending,
        "younger than the cut-off: left alone"
    );
    assert_eq!(stock(&system, 1).await, 96);
    assert_eq!(stock(&system, 2).await, 25, "the cancelled take was put back");
    // The take of the fenced order, still on its way, lands: it takes nothing.
    let late = reqwest::Client::new()
        .patch(system.inventory.url("/items/1"))
        .header("Idempotency-Key", "stock-b")
        .json(&json!({"quantity_delta": 2}))
        .send()
        .await
        .unwrap();
    assert_error(late, 409, "cancelled").await;
    assert_eq!(stock(&system, 1).await, 96);
    // The caller of the recovered order asks again with its key and gets it.
    let catalog = TestApp::spawn(app(state)).await;
    let again = json_body(
        keyed_order(&catalog, "after-take", json!({"item_id": 1, "quantity": 4})).await,
        200,
    )
    .await;
    assert_eq!(again["quantity"], 4);
    assert_eq!(stock(&system, 1).await, 96);
}

#[tokio::test]
async fn an_item_without_a_price_gives_404_and_puts_the_stock_back() {
    let system = Neighbourhood::spawn(false).await;
    let client = reqwest::Client::new();
    client
        .put(system.inventory.url("/items/50"))
        .json(&json!({"quantity": 4}))
        .send()
        .await
        .unwrap();
    assert_error(
        order(&system.catalog, json!({"item_id": 50, "quantity": 3})).await,
        404,
        "has no price",
    )
    .await;
    assert_eq!(stock(&system, 50).await, 4);
}

#[tokio::test]
async fn inventory_unreachable_gives_503() {
    let system = Neighbourhood::spawn(false).await;
    let (catalog, _db) = spawn_catalog(url(&system.accounting), unreachable_url(), url(&system.item), false).await;
    let failed = order(&catalog, json!({"item_id": 1, "quantity": 1})).await;
    assert_error(failed, 503, "inventory-service is unavailable").await;
    let details = reqwest::get(catalog.url("/items/1")).await.unwrap();
    assert_error(details, 503, "inventory-service is unavailable").await;
}

#[tokio::test]
async fn provider_states_drive_the_neighbours_states() {
    let system = Neighbourhood::spawn(true).await;
    let for_sale = "an item with id {item_id} is for sale at price {price} with {quantity} units in stock";
    json_body(
        system
            .catalog
            .set_provider_state(for_sale, json!({"item_id": 7, "price": 300, "quantity": 2}))
            .await
            .unwrap(),
        200,
    )
    .await;
    let item = json_body(reqwest::get(system.catalog.url("/items/7")).await.unwrap(), 200).await;
    assert_eq!(
        item,
        json!({"item_id": 7, "item_name": "Item 7", "item_price": 300, "item_quantity_remaining": 2})
    );
    assert_error(
        reqwest::get(system.catalog.url("/items/1")).await.unwrap(),
        404,
        "does not exist",
    )
    .await;

    json_body(
        system
            .catalog
            .set_provider_state("no item with id {item_id} exists", json!({"item_id": 7}))
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_error(
        reqwest::get(system.catalog.url("/items/7")).await.unwrap(),
        404,
        "does not exist",
    )
    .await;

    assert_error(
        system
            .catalog
            .set_provider_state(for_sale, json!({"item_id": 7, "price": 300}))
            .await
            .unwrap(),
        400,
        "quantity",
    )
    .await;
}

#[tokio::test]
async fn provider_states_are_off_unless_enabled() {
    let system = Neighbourhood::spawn(false).await;
    service_kit::testing::assert_provider_states_disabled(&system.catalog).await;
    // Nothing was reset: the neighbours still know the demo item.
    let item = json_body(reqwest::get(system.catalog.url("/items/1")).await.unwrap(), 200).await;
    assert_eq!(item["item_name"], "Contract Coffee Mug", "{item}");
}

#[test]
fn every_provider_state_is_documented_in_the_readme() {
    service_kit::testing::assert_states_documented::<catalog_service::provider_states::CatalogStates>(
        "catalog-service",
    );
}

/// `/openapi.json` is generated from the handlers: every operation with every status it answers.
#[tokio::test]
async fn the_openapi_document_lists_every_operation_and_status() {
    let app = spawn_catalog(unreachable_url(), unreachable_url(), unreachable_url(), false)
        .await
        .0;
    service_kit::testing::assert_openapi(
        &app,
        &[
            ("POST", "/order", &[200, 400, 404, 413, 415, 422, 502, 503]),
            ("GET", "/items/{item_id}", &[200, 400, 404, 502, 503]),
            ("GET", "/orders", &[200, 400]),
            ("GET", "/orders/{key}", &[200, 400, 404, 422]),
        ],
    )
    .await;
}

/// Found by `make fuzz`: another client of inventory had used a key for a take of its own, and
/// catalog passed the same key on for its order; inventory refused it (422) and the order stuck.
/// catalog now takes stock under a key of its own making.
#[tokio::test]
async fn a_key_another_client_used_at_inventory_does_not_block_an_order() {
    let system = Neighbourhood::spawn(false).await;
    keyed_take(&system, "order-9", 2, 1).await;
    let ordered = keyed_order(&system.catalog, "order-9", json!({"item_id": 1, "quantity": 2})).await;
    assert_eq!(json_body(ordered, 200).await["quantity"], 2);
    assert_eq!(stock(&system, 1).await, 98);
    assert_eq!(stock(&system, 2).await, 24, "the other client's take stands as it was");
}
