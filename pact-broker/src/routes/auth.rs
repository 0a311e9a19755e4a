//! Basic auth as the official image does it: a read-write user, an optional read-only user,
//! optional anonymous reads; no user configured → the broker is open.
//! Missing or wrong credentials → 401 (with `WWW-Authenticate`), read-only user writing → 403.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use service_kit::ApiError;

use crate::config::Config;

#[derive(Debug, Clone, Default)]
pub struct Auth {
    read_write: Option<(String, String)>,
    read_only: Option<(String, String)>,
    public_read: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Read,
    Write,
}

impl Auth {
    pub fn from_config(config: &Config) -> Self {
        let pair = |user: &Option<String>, password: &Option<String>| {
            user.clone()
                .filter(|u| !u.is_empty())
                .map(|u| (u, password.clone().unwrap_or_default()))
        };
        Self {
            read_write: pair(&config.basic_auth_username, &config.basic_auth_password),
            read_only: pair(
                &config.basic_auth_read_only_username,
                &config.basic_auth_read_only_password,
            ),
            public_read: config.allow_public_read,
        }
    }

    pub fn enabled(&self) -> bool {
        self.read_write.is_some() || self.read_only.is_some()
    }

    fn role(&self, authorization: Option<&HeaderValue>) -> Option<Role> {
        let credentials = authorization
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
            .and_then(|encoded| STANDARD.decode(encoded.trim()).ok())
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| text.split_once(':').map(|(u, p)| (u.to_owned(), p.to_owned())));
        let credentials = credentials?;
        if self.read_write.as_ref() == Some(&credentials) {
            Some(Role::Write)
        } else if self.read_only.as_ref() == Some(&credentials) {
            Some(Role::Read)
        } else {
            None
        }
    }
}

fn unauthorized() -> Response {
    let mut response = ApiError::Rejected {
        status: StatusCode::UNAUTHORIZED,
        message: "authentication required: wrong or missing credentials".into(),
    }
    .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"Pact Broker\""),
    );
    response
}

pub async fn require(State(auth): State<Auth>, request: Request, next: Next) -> Response {
    if !auth.enabled() {
        return next.run(request).await;
    }
    let reading = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let authorization = request.headers().get(header::AUTHORIZATION);
    let role = match (auth.role(authorization), authorization.is_some()) {
        (Some(role), _) => role,
        (None, true) => return unauthorized(),
        (None, false) if auth.public_read && reading => Role::Read,
        (None, false) => return unauthorized(),
    };
    if !reading && role == Role::Read {
        return ApiError::Rejected {
            status: StatusCode::FORBIDDEN,
            message: "this user may only read: writing needs the read-write user".into(),
        }
        .into_response();
    }
    next.run(request).await
}
