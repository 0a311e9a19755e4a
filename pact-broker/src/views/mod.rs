//! What clients see, rendered from model data: HAL+JSON resources as typed `Serialize`
//! structs (every URL from the one link builder, [`links::Links`]) and the HTML pages. Pure
//! functions: no view reads storage or calls a route.

pub mod badges;
pub mod environments;
pub mod for_verification;
pub mod hal;
pub mod index;
pub mod links;
pub mod matrix;
pub mod metrics;
pub mod pacticipants;
pub mod pacts;
pub mod pages;
pub mod publish;
pub mod verifications;
pub mod versions;
pub mod webhooks;

pub use links::Links;
