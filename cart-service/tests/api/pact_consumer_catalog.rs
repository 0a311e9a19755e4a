//! Contract cart-service → catalog-service, from the consumer's side.
//!
//! Each test declares one interaction, runs cart's real `CatalogClient` against the Pact mock
//! server and checks what the client made of the answer. Together they write
//! `pacts/cart-service-catalog-service.json`.

use cart_service::clients::CatalogClient;
use cart_service::clients::catalog::{Order, OrderState};
use contract_testing::InteractionBuilder;
use contract_testing::matchers::integer;
use pact_consumer::prelude::*;
use serde_json::json;
use service_kit::idempotency::IdempotencyKey;

const FOR_SALE: &str = "an item with id {item_id} is for sale at price {price} with {quantity} units in stock";
const ORDER_CONFIRMED: &str =
    "an order with key {key} for {quantity} units of item {item_id} is confirmed at price {price}";
const NO_ITEM: &str = "no item with id {item_id} exists";
/// Cart sends its line's key, whatever it is; the contract holds it to the documented form.
const KEY_PATTERN: &str = service_kit::idempotency::PATTERN;

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::parse(text).unwrap()
}

async fn catalog(
    description: &str,
    build: impl FnOnce(&mut InteractionBuilder) + Send + 'static,
) -> (Box<dyn ValidatingMockServer>, CatalogClient) {
    let mock = contract_testing::mock_provider("cart-service", "catalog-service", description, build).await;
    let client = CatalogClient::new(&mock.url(), reqwest::Client::new());
    (mock, client)
}

#[tokio::test]
async fn ordering_an_item_in_stock() {
    let (_mock, client) = catalog("an order for an item in stock", |i| {
        i.given_with_params(FOR_SALE, &json!({"item_id": 1, "price": 1299, "quantity": 10}));
        i.request
            .post()
            .path("/order")
            .header("Idempotency-Key", term!(KEY_PATTERN, "cart-line-1"))
            .content_type("application/json")
            .json_body(json!({"item_id": 1, "quantity": 2}));
        // Cart only needs the total; whatever else catalog says about the order is its own.
        i.response
            .ok()
            .content_type("application/json")
            .json_body(json_pattern!({"total_price": integer(2598)}));
    })
    .await;

    assert_eq!(
        client.order(&key("cart-line-1"), 1, 2).await.unwrap(),
        Order::Placed { total_price: 2598 }
    );
}

#[tokio::test]
async fn ordering_more_than_is_in_stock() {
    let message = "insufficient stock: 1 units of item 1 in stock, 5 requested";
    let (_mock, client) = catalog("an order for more units than are in stock", move |i| {
        i.given_with_params(FOR_SALE, &json!({"item_id": 1, "price": 1299, "quantity": 1}));
        i.request
            .post()
            .path("/order")
            .header("Idempotency-Key", term!(KEY_PATTERN, "cart-line-1"))
            .content_type("application/json")
            .json_body(json!({"item_id": 1, "quantity": 5}));
        i.response
            .status(400)
            .content_type("application/json")
            .json_body(json_pattern!({"error": like!(message)}));
    })
    .await;

    assert_eq!(
        client.order(&key("cart-line-1"), 1, 5).await.unwrap(),
        Order::OutOfStock(message.to_owned())
    );
}

#[tokio::test]
async fn ordering_an_unknown_item() {
    let message = "item 404 does not exist";
    let (_mock, client) = catalog("an order for an unknown item", move |i| {
        i.given_with_params(NO_ITEM, &json!({"item_id": 404}));
        i.request
            .post()
            .path("/order")
            .header("Idempotency-Key", term!(KEY_PATTERN, "cart-line-1"))
            .content_type("application/json")
            .json_body(json!({"item_id": 404, "quantity": 1}));
        i.response
            .not_found()
            .content_type("application/json")
            .json_body(json_pattern!({"error": like!(message)}));
    })
    .await;

    assert_eq!(
        client.order(&key("cart-line-1"), 404, 1).await.unwrap(),
        Order::UnknownItem(message.to_owned())
    );
}

#[tokio::test]
async fn reading_a_confirmed_order_by_its_key() {
    let (_mock, client) = catalog("a request for the order with a key, confirmed", |i| {
        i.given_with_params(
            ORDER_CONFIRMED,
            &json!({"key": "cart-line-1", "quantity": 2, "item_id": 1, "price": 1299}),
        );
        i.request.get().path("/orders/cart-line-1");
        // Cart reads whether the order stands and, if it does, what it costs.
        i.response
            .ok()
            .content_type("application/json")
            .json_body(json_pattern!({"status": "confirmed", "total_price": integer(2598)}));
    })
    .await;

    assert_eq!(
        client.order_state(&key("cart-line-1")).await.unwrap(),
        OrderState::Confirmed { total_price: 2598 }
    );
}

#[tokio::test]
async fn reading_an_order_with_a_key_catalog_never_saw() {
    let (_mock, client) = catalog("a request for the order with a key catalog never saw", |i| {
        i.given_with_params(NO_ITEM, &json!({"item_id": 404}));
        i.request.get().path("/orders/cart-line-404");
        i.response.not_found();
    })
    .await;

    assert_eq!(
        client.order_state(&key("cart-line-404")).await.unwrap(),
        OrderState::Unknown
    );
}
