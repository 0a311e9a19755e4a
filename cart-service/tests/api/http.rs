//! cart-service over real HTTP, in front of the real catalog, accounting, inventory and item
//! services, each on a random port with a fresh database.

use cart_service::{AppState, Config, app};
use catalog_service::testing::Neighbourhood;
use serde_json::json;
use service_kit::config::CommonArgs;
use service_kit::testing::{TempDatabase, TestApp, assert_error, json_body, unreachable_url};
use url::Url;

fn config(db: &TempDatabase, catalog: Url) -> Config {
    Config {
        port: 0,
        database_path: db.path.clone(),
        catalog_service_url: catalog,
        cart_recovery_after_ms: 60_000,
        cart_recovery_interval_ms: 5_000,
        common: CommonArgs::default(),
    }
}

async fn spawn_cart(db: &TempDatabase, catalog: Url) -> TestApp {
    TestApp::spawn(app(AppState::open(&config(db, catalog)).await.expect("open the app"))).await
}

struct System {
    cart: TestApp,
    neighbours: Neighbourhood,
    _db: TempDatabase,
}

async fn spawn_system() -> System {
    let neighbours = Neighbourhood::spawn(false).await;
    let db = TempDatabase::new();
    let cart = spawn_cart(&db, Url::parse(&neighbours.catalog.base_url).unwrap()).await;
    System {
        cart,
        neighbours,
        _db: db,
    }
}

async fn new_cart(cart: &TestApp) -> i64 {
    let response = reqwest::Client::new().post(cart.url("/carts")).send().await.unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body = json_body(response, 201).await;
    assert_eq!(body["items"], json!([]));
    let id = body["id"].as_i64().unwrap();
    assert_eq!(location, format!("/carts/{id}"));
    id
}

async fn add(cart: &TestApp, body: serde_json::Value) -> reqwest::Response {
    reqwest::Client::new()
        .patch(cart.url("/carts"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn stock(system: &System, item_id: i64) -> i64 {
    let url = system.neighbours.inventory.url(&format!("/items/{item_id}"));
    json_body(reqwest::get(url).await.unwrap(), 200).await["quantity"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn adding_items_orders_them_and_adds_up_quantities_and_costs() {
    let system = spawn_system().await;
    let id = new_cart(&system.cart).await;

    let cart = json_body(
        add(&system.cart, json!({"cart_id": id, "item_id": 1, "quantity": 2})).await,
        200,
    )
    .await;
    assert_eq!(
        cart,
        json!({"id": id, "items": [{"item_id": 1, "item_quantity": 2, "total_cost": 2598}]})
    );
    let cart = json_body(
        add(&system.cart, json!({"cart_id": id, "item_id": 1, "quantity": 1})).await,
        200,
    )
    .await;
    assert_eq!(
        cart["items"],
        json!([{"item_id": 1, "item_quantity": 3, "total_cost": 3897}])
    );
    let cart = json_body(
        add(&system.cart, json!({"cart_id": id, "item_id": 2, "quantity": 4})).await,
        200,
    )
    .await;
    assert_eq!(
        cart["items"],
        json!([
            {"item_id": 1, "item_quantity": 3, "total_cost": 3897},
            {"item_id": 2, "item_quantity": 4, "total_cost": 3400},
        ])
    );
    assert_eq!(
        json_body(
            reqwest::get(system.cart.url(&format!("/carts/{id}"))).await.unwrap(),
            200
        )
        .await,
        cart
    );
    assert_eq!(stock(&system, 1).await, 97, "the order went through to inventory");
    assert_eq!(stock(&system, 2).await, 21);
}

#[tokio::test]
async fn carts_survive_a_restart() {
    let neighbours = Neighbourhood::spawn(false).await;
    let db = TempDatabase::new();
    let catalog = Url::parse(&neighbours.catalog.base_url).unwrap();
    let id = {
        let cart = spawn_cart(&db, catalog.clone()).await;
        let id = new_cart(&cart).await;
        json_body(
            add(&cart, json!({"cart_id": id, "item_id": 3, "quantity": 1})).await,
            200,
        )
        .await;
        cart.stop().await;
        id
    };
    let restarted = spawn_cart(&db, catalog).await;
    let cart = json_body(reqwest::get(restarted.url(&format!("/carts/{id}"))).await.unwrap(), 200).await;
    assert_eq!(
        cart["items"],
        json!([{"item_id": 3, "item_quantity": 1, "total_cost": 4500}])
    );
}

#[tokio::test]
async fn short_stock_unknown_items_and_unknown_carts_change_nothing() {
    let system = spawn_system().await;
    let id = new_cart(&system.cart).await;
    assert_error(
        add(&system.cart, json!({"cart_id": id, "item_id": 3, "quantity": 6})).await,
        400,
        "insufficient stock",
    )
    .await;
    assert_error(
        add(&system.cart, json!({"cart_id": id, "item_id": 404, "quantity": 1})).await,
        404,
        "item 404",
    )
    .await;
    // An unknown cart is refused before anything is ordered.
    assert_error(
        add(&system.cart, json!({"cart_id": 999, "item_id": 1, "quantity": 1})).await,
        404,
        "cart 999",
    )
    .await;
    assert_eq!(stock(&system, 1).await, 100);
    assert_error(
        reqwest::get(system.cart.url("/carts/999")).await.unwrap(),
        404,
        "cart 999 does not exist",
    )
    .await;
    let cart = json_body(
        reqwest::get(system.cart.url(&format!("/carts/{id}"))).await.unwrap(),
        200,
    )
    .await;
    assert_eq!(cart["items"], json!([]));
}

#[tokio::test]
async fn bad_input_gets_a_json_4xx() {
    let system = spawn_system().await;
    let cart = &system.cart;
    let id = new_cart(cart).await;
    assert_error(
        add(cart, json!({"cart_id": id, "item_id": 1, "quantity": 0})).await,
        422,
        "quantity must be between 1",
    )
    .await;
    assert_error(
        add(cart, json!({"cart_id": id, "item_id": 1, "quantity": -1})).await,
        422,
        "quantity",
    )
    .await;
    assert_error(add(cart, json!({"cart_id": id, "item_id": 1})).await, 422, "quantity").await;
    assert_error(
        add(cart, json!({"cart_id": "mine", "item_id": 1, "quantity": 1})).await,
        422,
        "cart_id",
    )
    .await;
    let malformed = reqwest::Client::new()
        .patch(cart.url("/carts"))
        .header("content-type", "application/json");
    assert_error(malformed.body("[").send().await.unwrap(), 400, "json").await;
    assert_error(reqwest::get(cart.url("/carts/first")).await.unwrap(), 400, "invalid").await;
    assert_error(
        reqwest::Client::new().put(cart.url("/carts")).send().await.unwrap(),
        405,
        "not allowed",
    )
    .await;
    assert_eq!(stock(&system, 1).await, 100);
}

#[tokio::test]
async fn catalog_unreachable_gives_503_and_leaves_the_cart_as_it_was() {
    let db = TempDatabase::new();
    let cart = spawn_cart(&db, unreachable_url()).await;
    let id = new_cart(&cart).await;
    assert_error(
        add(&cart, json!({"cart_id": id, "item_id": 1, "quantity": 1})).await,
        503,
        "catalog-service is unavailable",
    )
    .await;
    let body = json_body(reqwest::get(cart.url(&format!("/carts/{id}"))).await.unwrap(), 200).await;
    assert_eq!(body["items"], json!([]));
}

#[tokio::test]
async fn cart_has_no_provider_state_endpoint() {
    let db = TempDatabase::new();
    let cart = spawn_cart(&db, unreachable_url()).await;
    let response = reqwest::Client::new()
        .post(cart.url("/_pact/provider_states"))
        .json(&json!({"state": ""}))
        .send();
    assert_error(response.await.unwrap(), 404, "no route").await;
}

/// `/openapi.json` is generated from the handlers: every operation with every status it answers.
#[tokio::test]
async fn the_openapi_document_lists_every_operation_and_status() {
    let db = TempDatabase::new();
    let app = spawn_cart(&db, unreachable_url()).await;
    service_kit::testing::assert_openapi(
        &app,
        &[
            ("POST", "/carts", &[201]),
            ("PATCH", "/carts", &[200, 400, 404, 413, 415, 422, 502, 503]),
            ("GET", "/carts/{id}", &[200, 400, 404]),
            ("GET", "/carts/{id}/lines", &[200, 400, 404]),
        ],
    )
    .await;
}

/// A sum that no longer fits in 64 bits is a 422, not a 500: SQLite would have stored it as a
/// REAL that could not be read back (found while hardening: the cart then answered 500).
#[tokio::test]
async fn a_cart_total_too_large_for_64_bits_is_refused_and_the_cart_stays_readable() {
    let system = spawn_system().await;
    let price = reqwest::Client::new()
        .put(system.neighbours.accounting.url("/items/1"))
        .json(&json!({"price": 5_000_000_000_000_000_000_i64}))
        .send()
        .await
        .unwrap();
    json_body(price, 200).await;
    let id = new_cart(&system.cart).await;
    let body = json!({"cart_id": id, "item_id": 1, "quantity": 1});
    json_body(add(&system.cart, body.clone()).await, 200).await;
    assert_error(add(&system.cart, body).await, 422, "too large").await;
    let cart = json_body(
        reqwest::get(system.cart.url(&format!("/carts/{id}"))).await.unwrap(),
        200,
    )
    .await;
    assert_eq!(cart["items"][0]["total_cost"], json!(5_000_000_000_000_000_000_i64));
}

async fn keyed_add(cart: &TestApp, key: &str, body: serde_json::Value) -> reqwest::Response {
    reqwest::Client::new()
        .patch(cart.url("/carts"))
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn lines(cart: &TestApp, id: i64) -> serde_json::Value {
    json_body(
        reqwest::get(cart.url(&format!("/carts/{id}/lines"))).await.unwrap(),
        200,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_key_adds_and_orders_once() {
    let system = spawn_system().await;
    let id = new_cart(&system.cart).await;
    let body = json!({"cart_id": id, "item_id": 2, "quantity": 2});
    let racing = (0..10).map(|_| keyed_add(&system.cart, "line-1", body.clone()));
    for answer in futures::future::join_all(racing).await {
        assert_eq!(answer.headers()["idempotency-key"], "line-1");
        let cart = json_body(answer, 200).await;
        assert_eq!(cart["items"][0]["item_quantity"], 2, "added once: {cart}");
    }
    assert_eq!(stock(&system, 2).await, 23, "ordered once");
    let recorded = lines(&system.cart, id).await;
    assert_eq!(recorded.as_array().unwrap().len(), 1);
    assert_eq!(recorded[0]["key"], "line-1");
    assert_eq!(recorded[0]["status"], "added");
    let order_key = recorded[0]["order_key"].as_str().unwrap();
    assert!(
        order_key.starts_with("cart:"),
        "cart makes up the order's key: {order_key}"
    );
    let order = reqwest::get(system.neighbours.catalog.url(&format!("/orders/{order_key}")))
        .await
        .unwrap();
    assert_eq!(
        json_body(order, 200).await["status"],
        "confirmed",
        "catalog ordered under that key"
    );

    let reused = keyed_add(
        &system.cart,
        "line-1",
        json!({"cart_id": id, "item_id": 2, "quantity": 3}),
    )
    .await;
    assert_error(reused, 422, "already used").await;
    let short = keyed_add(
        &system.cart,
        "line-2",
        json!({"cart_id": id, "item_id": 3, "quantity": 9}),
    )
    .await;
    assert_error(short, 400, "insufficient").await;
    let short_again = keyed_add(
        &system.cart,
        "line-2",
        json!({"cart_id": id, "item_id": 3, "quantity": 9}),
    )
    .await;
    assert_error(short_again, 400, "insufficient").await;
    assert_eq!(lines(&system.cart, id).await[1]["status"], "failed");
    assert_error(
        reqwest::get(system.cart.url("/carts/999/lines")).await.unwrap(),
        404,
        "cart 999",
    )
    .await;
}

#[tokio::test]
async fn an_add_whose_order_could_not_be_known_is_settled_by_recovery() {
    let neighbours = Neighbourhood::spawn(false).await;
    let db = TempDatabase::new();
    let id = {
        let cart = spawn_cart(&db, unreachable_url()).await;
        let id = new_cart(&cart).await;
        let failed = keyed_add(&cart, "line-1", json!({"cart_id": id, "item_id": 1, "quantity": 5})).await;
        assert_error(failed, 503, "catalog-service is unavailable").await;
        assert_eq!(lines(&cart, id).await[0]["status"], "pending", "the intent is kept");
        cart.stop().await;
        id
    };
    let catalog = Url::parse(&neighbours.catalog.base_url).unwrap();
    let state = AppState::open(&config(&db, catalog)).await.unwrap();
    let settled = cart_service::adding::recover(&state, service_kit::detached::now_ms())
        .await
        .unwrap();
    assert_eq!(settled, 1);
    let cart = TestApp::spawn(app(state)).await;
    assert_eq!(lines(&cart, id).await[0]["status"], "added");
    let body = json_body(reqwest::get(cart.url(&format!("/carts/{id}"))).await.unwrap(), 200).await;
    assert_eq!(body["items"][0]["item_quantity"], 5);
    let order_key = lines(&cart, id).await[0]["order_key"].as_str().unwrap().to_owned();
    let order = reqwest::get(neighbours.catalog.url(&format!("/orders/{order_key}")))
        .await
        .unwrap();
    assert_eq!(json_body(order, 200).await["status"], "confirmed");
    // The caller's retry with its key gets the cart, and nothing is ordered twice.
    let again = keyed_add(&cart, "line-1", json!({"cart_id": id, "item_id": 1, "quantity": 5})).await;
    assert_eq!(json_body(again, 200).await["items"][0]["item_quantity"], 5);
    let stock = reqwest::get(neighbours.inventory.url("/items/1")).await.unwrap();
    assert_eq!(json_body(stock, 200).await["quantity"], 95);
}

/// Found by `make fuzz`: a caller of catalog had used a key for an order of its own, and cart
/// passed its line's key on to catalog; catalog refused it (422). cart now orders under a key of
/// its own making, so the line can only ever stand for its own order.
#[tokio::test]
async fn a_key_another_caller_used_at_catalog_does_not_block_an_add() {
    let system = spawn_system().await;
    let id = new_cart(&system.cart).await;
    let other = reqwest::Client::new()
        .post(system.neighbours.catalog.url("/order"))
        .header("Idempotency-Key", "line-9")
        .json(&json!({"item_id": 1, "quantity": 3}))
        .send()
        .await
        .unwrap();
    json_body(other, 200).await;
    let added = keyed_add(
        &system.cart,
        "line-9",
        json!({"cart_id": id, "item_id": 1, "quantity": 1}),
    )
    .await;
    assert_eq!(json_body(added, 200).await["items"][0]["item_quantity"], 1);
    assert_eq!(stock(&system, 1).await, 96);
}
