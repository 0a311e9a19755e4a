//! Provider states of accounting-service (table in the README): each one resets the prices to
//! exactly what it names.

use service_kit::ApiError;
use service_kit::provider_states::{Param, Params, ProviderState, ProviderStates, not_implemented};

use crate::storage::{ItemPrice, PriceStore};

pub const PRICE_WITH_TAX: &str = "an item with id {item_id} has price {price} and tax {tax}";
pub const PRICE_WITHOUT_TAX: &str = "an item with id {item_id} has price {price} and no tax";
pub const NO_ITEM: &str = "no item with id {item_id} exists";

#[derive(Clone)]
pub struct AccountingStates {
    prices: PriceStore,
}

impl AccountingStates {
    pub fn new(prices: PriceStore) -> Self {
        Self { prices }
    }
}

impl ProviderStates for AccountingStates {
    const STATES: &'static [ProviderState] = &[
        ProviderState {
            name: PRICE_WITH_TAX,
            params: &[
                Param::integer("item_id", "3"),
                Param::integer("price", "999"),
                Param::number("tax", "0.2"),
            ],
            effect: "only that item has a price, with that tax rate",
        },
        ProviderState {
            name: PRICE_WITHOUT_TAX,
            params: &[Param::integer("item_id", "3"), Param::integer("price", "999")],
            effect: "only that item has a price, with tax null",
        },
        ProviderState {
            name: NO_ITEM,
            params: &[Param::integer("item_id", "42")],
            effect: "no item has a price",
        },
    ];

    async fn set_up(&self, state: &str, params: &Params) -> Result<(), ApiError> {
        let prices = match state {
            PRICE_WITH_TAX => vec![ItemPrice {
                item_id: params.integer("item_id")?,
                price: params.integer("price")?,
                tax: Some(params.number("tax")?),
            }],
            PRICE_WITHOUT_TAX => vec![ItemPrice {
                item_id: params.integer("item_id")?,
                price: params.integer("price")?,
                tax: None,
            }],
            NO_ITEM => vec![],
            other => return Err(not_implemented(other)),
        };
        self.prices.replace_all(prices).await
    }
}
