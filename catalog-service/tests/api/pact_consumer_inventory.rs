//! Contract catalog-service → inventory-service, from the consumer's side.
//!
//! Each test declares one interaction, runs catalog's real `InventoryClient` against the Pact
//! mock server and checks what the client made of the answer. Together they write
//! `pacts/catalog-service-inventory-service.json`.

use catalog_service::clients::InventoryClient;
use catalog_service::clients::inventory::{MovementState, TakeStock};
use contract_testing::InteractionBuilder;
use contract_testing::matchers::integer;
use pact_consumer::prelude::*;
use serde_json::json;
use service_kit::idempotency::IdempotencyKey;

const IN_STOCK: &str = "an item with id {item_id} has {quantity} units in stock";
const NO_ITEM: &str = "no item with id {item_id} exists";
const TAKEN_WITH_KEY: &str =
    "an item with id {item_id} has {quantity} units in stock after a take of {taken} units with key {key}";
/// Catalog sends its order's key, whatever it is; the contract holds it to the documented form.
const KEY_PATTERN: &str = service_kit::idempotency::PATTERN;

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::parse(text).unwrap()
}

async fn inventory(
    description: &str,
    build: impl FnOnce(&mut InteractionBuilder) + Send + 'static,
) -> (Box<dyn ValidatingMockServer>, InventoryClient) {
    let mock = contract_testing::mock_provider("catalog-service", "inventory-service", description, build).await;
    let client = InventoryClient::new(&mock.url(), reqwest::Client::new());
    (mock, client)
}

#[tokio::test]
async fn taking_units_out_of_stock() {
    let (_mock, client) = inventory("a request to take units of an item out of stock", |i| {
        i.given_with_params(IN_STOCK, &json!({"item_id": 1, "quantity": 10}));
        i.request
            .method("PATCH")
            .path("/items/1")
            .header("Idempotency-Key", term!(KEY_PATTERN, "order-1"))
            .content_type("application/json")
            .json_body(json!({"quantity_delta": 2}));
        i.response
            .ok()
            .content_type("application/json")
            .json_body(json_pattern!({"quantity": integer(8)}));
    })
    .await;

    assert_eq!(
        client.take(&key("order-1"), 1, 2).await.unwrap(),
        TakeStock::Taken { remaining: 8 }
    );
}

#[tokio::test]
async fn taking_more_units_than_are_in_stock() {
    let message = "insufficient stock: 1 units of item 1 in stock, 5 requested";
    let (_mock, client) = inventory("a request to take more units than are in stock", move |i| {
        i.given_with_params(IN_STOCK, &json!({"item_id": 1, "quantity": 1}));
        i.request
            .method("PATCH")
            .path("/items/1")
            .header("Idempotency-Key", term!(KEY_PATTERN, "order-1"))
            .content_type("application/json")
            .json_body(json!({"quantity_delta": 5}));
        // Catalog passes inventory's explanation on to its own caller, so it must be a string.
        i.response
            .status(400)
            .content_type("application/json")
            .json_body(json_pattern!({"error": like!(message)}));
    })
    .await;

    assert_eq!(
        client.take(&key("order-1"), 1, 5).await.unwrap(),
        TakeStock::Insufficient(message.to_owned())
    );
}

#[tokio::test]
async fn taking_units_of_an_unknown_item() {
    let (_mock, client) = inventory("a request to take units of an unknown item", |i| {
        i.given_with_params(NO_ITEM, &json!({"item_id": 404}));
        i.request
            .method("PATCH")
            .path("/items/404")
            .header("Idempotency-Key", term!(KEY_PATTERN, "order-1"))
            .content_type("application/json")
            .json_body(json!({"quantity_delta": 1}));
        i.response.not_found();
    })
    .await;

    assert_eq!(
        client.take(&key("order-1"), 404, 1).await.unwrap(),
        TakeStock::UnknownItem
    );
}

#[tokio::test]
async fn reading_the_stock_of_an_item() {
    let (_mock, client) = inventory("a request for the stock of an item", |i| {
        i.given_with_params(IN_STOCK, &json!({"item_id": 1, "quantity": 10}));
        i.request.get().path(term!("^/items/[0-9]+$", "/items/1"));
        i.response
            .ok()
            .content_type("application/json")
            .json_body(json_pattern!({"quantity": integer(10)}));
    })
    .await;

    assert_eq!(client.stock(1).await.unwrap(), Some(10));
}

#[tokio::test]
async fn reading_the_stock_of_an_item_that_is_not_stocked() {
    let (_mock, client) = inventory("a request for the stock of an item that is not stocked", |i| {
        i.given_with_params(NO_ITEM, &json!({"item_id": 404}));
        i.request.get().path("/items/404");
        i.response.not_found();
    })
    .await;

    assert_eq!(client.stock(404).await.unwrap(), None);
}

#[tokio::test]
async fn asking_what_became_of_a_take_by_its_key() {
    let (_mock, client) = inventory("a request for the stock movement with a key, taken", |i| {
        i.given_with_params(
            TAKEN_WITH_KEY,
            &json!({"item_id": 1, "quantity": 8, "taken": 2, "key": "order-1"}),
        );
        i.request.get().path("/movements/order-1");
        i.response
            .ok()
            .content_type("application/json")
            .json_body(json_pattern!({"state": "taken"}));
    })
    .await;

    assert_eq!(
        client.movement(&key("order-1")).await.unwrap(),
        Some(MovementState::Taken)
    );
}

#[tokio::test]
async fn asking_about_a_key_inventory_never_saw() {
    let (_mock, client) = inventory("a request for the stock movement with a key inventory never saw", |i| {
        i.given_with_params(IN_STOCK, &json!({"item_id": 1, "quantity": 10}));
        i.request.get().path("/movements/order-404");
        i.response.not_found();
    })
    .await;

    assert_eq!(client.movement(&key("order-404")).await.unwrap(), None);
}

/// An interaction cancelling the take of 2 units of item 1 under `key`, in state `given`.
async fn cancelling(description: &str, given: (&'static str, serde_json::Value), key: &'static str) -> MovementState {
    let (_mock, client) = inventory(description, move |i| {
        i.given_with_params(given.0, &given.1);
        i.request
            .method("POST")
            .path(format!("/movements/{key}/cancel"))
            .content_type("application/json")
            .json_body(json!({"item_id": 1, "quantity": 2}));
        i.response
            .ok()
            .content_type("application/json")
            .json_body(json_pattern!({"state": "cancelled"}));
    })
    .await;
    client.cancel(&self::key(key), 1, 2).await.unwrap()
}

#[tokio::test]
async fn cancelling_a_take_puts_its_units_back() {
    let taken = json!({"item_id": 1, "quantity": 8, "taken": 2, "key": "order-1"});
    let state = cancelling(
        "a request to cancel the take with a key",
        (TAKEN_WITH_KEY, taken),
        "order-1",
    )
    .await;
    assert_eq!(state, MovementState::Cancelled);
}

#[tokio::test]
async fn cancelling_a_take_that_never_arrived_fences_its_key() {
    let stocked = json!({"item_id": 1, "quantity": 10});
    let description = "a request to cancel a take with a key inventory never saw";
    let state = cancelling(description, (IN_STOCK, stocked), "order-2").await;
    assert_eq!(state, MovementState::Cancelled);
}
