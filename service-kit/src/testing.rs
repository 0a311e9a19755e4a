//! Test helpers (feature `testing`): the real app on a random port with a fresh database.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running app on 127.0.0.1 and a random port; it runs until [`TestApp::stop`] or the end of
/// the test's runtime.
#[derive(Debug)]
pub struct TestApp {
    pub address: SocketAddr,
    pub base_url: String,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    pub async fn spawn(app: Router) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a random port");
        let address = listener.local_addr().expect("local address");
        let (stop, stopped) = oneshot::channel();
        // Only `stop` shuts the app down: dropping the TestApp leaves it serving, so a test
        // may keep just its URL.
        let shutdown = async move {
            if stopped.await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        let server = tokio::spawn(crate::http::serve(listener, app, shutdown));
        Self {
            address,
            base_url: format!("http://{address}"),
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// Shuts the app down as SIGTERM does and waits until it has stopped serving, so a restart
    /// test reopens a database its first app has let go of.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("the server task").expect("serving");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `POST /_pact/provider_states` as pact_verifier sends it, to set up `state`.
    pub fn set_provider_state(
        &self,
        state: &str,
        params: serde_json::Value,
    ) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> + use<> {
        let change = serde_json::json!({ "state": state, "params": params, "action": "setup" });
        reqwest::Client::new()
            .post(self.url(crate::provider_states::PATH))
            .json(&change)
            .send()
    }
}

/// Asserts that the provider-state endpoint is absent (404) when states are not enabled.
pub async fn assert_provider_states_disabled(app: &TestApp) {
    let response = app.set_provider_state("no item with id {item_id} exists", serde_json::json!({"item_id": 1}));
    assert_error(response.await.expect("send the state change"), 404, "no route").await;
}

/// Sends `count` requests made by `request` (given a client and the request's index) all at once,
/// from a runtime of their own (its own worker threads, apart from the app's), so they reach the
/// app in parallel rather than taking turns on the test's runtime; returns each answer's status,
/// by index.
pub async fn race<F>(count: usize, request: F) -> Vec<u16>
where
    F: Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let load = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .expect("a runtime for the load");
        load.block_on(async move {
            let client = reqwest::Client::new();
            let mut sent = tokio::task::JoinSet::new();
            for index in 0..count {
                let request = request(&client, index);
                sent.spawn(async move { (index, request.send().await.expect("send a request").status().as_u16()) });
            }
            let mut statuses = vec![0; count];
            while let Some(answer) = sent.join_next().await {
                let (index, status) = answer.expect("a request task");
                statuses[index] = status;
            }
            statuses
        })
    })
    .await
    .expect("the load's thread")
}

/// A database file in its own temporary folder, removed when dropped.
#[derive(Debug)]
pub struct TempDatabase {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TempDatabase {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        let path = dir.path().join("test.db");
        Self { _dir: dir, path }
    }
}

impl Default for TempDatabase {
    fn default() -> Self {
        Self::new()
    }
}

/// A base URL on which nothing listens: calls to it are refused at once.
pub fn unreachable_url() -> url::Url {
    url::Url::parse(&format!("http://127.0.0.1:{}", closed_port())).expect("valid URL")
}

/// A port on 127.0.0.1 on which nothing listens, nor will while the test process runs: it is
/// bound by a socket that never listens (connections to it are refused) and is kept open, so
/// another test cannot be given it. (Binding a listener and dropping it freed the port for the
/// next test that asked for any port; a catalog test once reached another test's server there.)
pub fn closed_port() -> u16 {
    static RESERVED: std::sync::Mutex<Vec<tokio::net::TcpSocket>> = std::sync::Mutex::new(Vec::new());
    let socket = tokio::net::TcpSocket::new_v4().expect("a TCP socket");
    socket
        .bind((std::net::Ipv4Addr::LOCALHOST, 0).into())
        .expect("bind a random port");
    let port = socket.local_addr().expect("local address").port();
    RESERVED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(socket);
    port
}

/// Asserts the status of a JSON answer and returns its body.
pub async fn json_body(response: reqwest::Response, status: u16) -> serde_json::Value {
    let actual = response.status().as_u16();
    let url = response.url().clone();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("read the body");
    assert_eq!(actual, status, "status of {url}, body: {text}");
    assert!(
        content_type.starts_with("application/json"),
        "content type of {url}: {content_type:?}"
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("body of {url} is not JSON ({e}): {text}"))
}

/// Asserts an error answer: `status` and a JSON `{"error": ...}` that mentions `needle`.
pub async fn assert_error(response: reqwest::Response, status: u16, needle: &str) {
    let body = json_body(response, status).await;
    let message = body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error message in {body}"));
    assert!(
        message.to_lowercase().contains(&needle.to_lowercase()),
        "error message {message:?} should mention {needle:?}"
    );
}

/// The README row documenting one provider state: template, typed params, the example concrete
/// name, effect.
pub fn readme_row(provider: &str, state: &crate::provider_states::ProviderState) -> String {
    let params: Vec<String> = state
        .params
        .iter()
        .map(|param| {
            let kind = serde_json::to_value(param.kind).expect("a param kind serialises");
            format!("`{}` {}", param.name, kind.as_str().unwrap_or_default())
        })
        .collect();
    format!(
        "| {provider} | `{}` | {} | `{}` | {} |",
        state.name,
        params.join(", "),
        state.example(),
        state.effect
    )
}

/// Fails unless the workspace README's provider-state table holds exactly the states of `S` for
/// `provider` as the code has them (no row missing, none stale or extra), and unless the table
/// itself is consistent (placeholders match params, each example names its own state alone).
pub fn assert_states_documented<S: crate::provider_states::ProviderStates>(provider: &str) {
    if let Err(problem) = crate::provider_states::matching::check_table(S::STATES) {
        panic!("{provider}'s provider-state table: {problem}");
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).expect("read README.md");
    let expected: Vec<String> = S::STATES.iter().map(|state| readme_row(provider, state)).collect();
    let documented: Vec<&str> = readme
        .lines()
        .filter(|line| line.starts_with(&format!("| {provider} | `")))
        .collect();
    let missing: Vec<&String> = expected
        .iter()
        .filter(|row| !documented.contains(&row.as_str()))
        .collect();
    let stale: Vec<&&str> = documented
        .iter()
        .filter(|row| !expected.iter().any(|e| e == **row))
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "README.md's provider-state table is out of date for {provider}.\nRows it lacks:\n{}\nRows it has that the code does not:\n{}",
        missing.iter().map(|row| row.as_str()).collect::<Vec<_>>().join("\n"),
        stale.iter().map(|row| **row).collect::<Vec<_>>().join("\n"),
    );
}

/// Everything logged on this thread while the returned guard lives, e.g. by apps spawned on a
/// single-threaded `#[tokio::test]` runtime.
pub fn capture_logs() -> (CapturedLogs, tracing::subscriber::DefaultGuard) {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (logs, tracing::subscriber::set_default(subscriber))
}

#[derive(Clone, Default)]
pub struct CapturedLogs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLogs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("logs lock")).into_owned()
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("logs lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Fetches `GET /openapi.json` from `app` and asserts that it parses as an OpenAPI 3 document,
/// documents exactly the operations `expected` lists (method, path, statuses) beside
/// `GET /health`, and that every 4xx/5xx answer has the `{"error": string}` body schema.
pub async fn assert_openapi(app: &TestApp, expected: &[(&str, &str, &[u16])]) {
    let response = reqwest::get(app.url(crate::openapi::PATH))
        .await
        .expect("GET /openapi.json");
    let document = json_body(response, 200).await;
    let parsed: utoipa::openapi::OpenApi = serde_json::from_value(document.clone())
        .unwrap_or_else(|e| panic!("not an OpenAPI document ({e}): {document}"));
    let version = serde_json::to_value(&parsed.openapi).expect("version");
    assert!(
        version.as_str().is_some_and(|v| v.starts_with("3.")),
        "OpenAPI version {version}"
    );
    let mut documented: Vec<(String, String, Vec<u16>)> = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let responses = operation["responses"].as_object().expect("responses");
            let mut statuses: Vec<u16> = responses.keys().map(|s| s.parse().expect("numeric status")).collect();
            statuses.sort_unstable();
            for (status, response) in responses.iter().filter(|(status, _)| status.as_str() >= "400") {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(
                    schema, "#/components/schemas/ErrorBody",
                    "{method} {path} {status} must have the error body schema"
                );
            }
            documented.push((method.to_uppercase(), path.clone(), statuses));
        }
    }
    documented.sort();
    let mut wanted: Vec<(String, String, Vec<u16>)> = expected
        .iter()
        .chain([&("GET", "/health", &[200u16][..])])
        .map(|(method, path, statuses)| {
            let mut statuses = statuses.to_vec();
            statuses.sort_unstable();
            (method.to_string(), path.to_string(), statuses)
        })
        .collect();
    wanted.sort();
    assert_eq!(documented, wanted, "operations and statuses in /openapi.json");
    let error_schema = &document["components"]["schemas"]["ErrorBody"];
    assert_eq!(error_schema["required"], serde_json::json!(["error"]), "{error_schema}");
    assert_eq!(error_schema["properties"]["error"]["type"], "string", "{error_schema}");
}
