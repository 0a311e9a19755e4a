//! Contract catalog-service → accounting-service, from the consumer's side.
//!
//! Each test declares one interaction, runs catalog's real `AccountingClient` against the Pact
//! mock server and checks what the client made of the answer. Together they write
//! `pacts/catalog-service-accounting-service.json`.

use catalog_service::clients::AccountingClient;
use catalog_service::clients::accounting::Price;
use contract_testing::InteractionBuilder;
use contract_testing::matchers::{decimal, integer};
use pact_consumer::prelude::*;
use serde_json::json;

async fn accounting(
    description: &str,
    build: impl FnOnce(&mut InteractionBuilder) + Send + 'static,
) -> (Box<dyn ValidatingMockServer>, AccountingClient) {
    let mock = contract_testing::mock_provider("catalog-service", "accounting-service", description, build).await;
    let client = AccountingClient::new(&mock.url(), reqwest::Client::new());
    (mock, client)
}

#[tokio::test]
async fn reading_the_price_of_an_item_with_tax() {
    let (_mock, client) = accounting("a request for the price of an item with tax", |i| {
        i.given_with_params(
            "an item with id {item_id} has price {price} and tax {tax}",
            &json!({"item_id": 1, "price": 1299, "tax": 0.2}),
        );
        i.request.get().path(term!("^/items/[0-9]+$", "/items/1"));
        i.response
            .ok()
            .content_type("application/json")
            .json_body(json_pattern!({"price": integer(1299), "tax": decimal(0.2)}));
    })
    .await;

    assert_eq!(
        client.price(1).await.unwrap(),
        Some(Price {
            price: 1299,
            tax: Some(0.2)
        })
    );
}

#[tokio::test]
async fn reading_the_price_of_an_item_without_tax() {
    let (_mock, client) = accounting("a request for the price of an item without tax", |i| {
        i.given_with_params(
            "an item with id {item_id} has price {price} and no tax",
            &json!({"item_id": 2, "price": 850}),
        );
        i.request.get().path(term!("^/items/[0-9]+$", "/items/2"));
        i.response
            .ok()
            .content_type("application/json")
            .json_body(json_pattern!({"price": integer(850), "tax": null}));
    })
    .await;

    assert_eq!(client.price(2).await.unwrap(), Some(Price { price: 850, tax: None }));
}

#[tokio::test]
async fn reading_the_price_of_an_unknown_item() {
    let (_mock, client) = accounting("a request for the price of an unknown item", |i| {
        i.given_with_params("no item with id {item_id} exists", &json!({"item_id": 404}));
        i.request.get().path("/items/404");
        i.response.not_found();
    })
    .await;

    assert_eq!(client.price(404).await.unwrap(), None);
}
