//! Benchmark client for the broker (run by `scripts/bench-broker.sh`; not a timed test).
//!
//! Starts the broker binary given as the first argument on a random loopback port with a fresh
//! database, then measures:
//! - publish throughput: 1,000 consumer versions across four pacts (four consumers of one
//!   provider), published by 8 concurrent clients through `POST /contracts/publish`;
//! - pacts-for-verification latency (p50/p99) for that provider, with selectors, pending and WIP;
//! - the broker process's peak resident memory (VmHWM).
//!
//! `--webhooks N`: side by side, alternately, five runs each on fresh brokers: without webhooks,
//! and with N webhooks on `contract_published` (each fires on every publication) calling a
//! receiver in this process on loopback; reports each run's publish throughput, when the first
//! and the last delivery arrived, and the medians' ratio.
//!
//! Loopback only, bounded counts, and a deadline after which it gives up.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine;
use serde_json::{Value, json};

const VERSIONS: usize = 1_000;
const CONSUMERS: usize = 4;
const CLIENTS: usize = 8;
const QUERIES: usize = 500;
const COLD_QUERIES: usize = 100;
const DEADLINE: Duration = Duration::from_secs(300);
/// Runs of each kind in the side-by-side comparison.
const ROUNDS: usize = 5;

struct Broker {
    child: Child,
    base_url: String,
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(binary: &str, database: &std::path::Path) -> anyhow::Result<Broker> {
    let mut child = Command::new(binary)
        .env("PACT_BROKER_WEBHOOK_SCHEME_WHITELIST", "http")
        .env("PACT_BROKER_WEBHOOK_HOST_WHITELIST", "127.0.0.1")
        .env("PORT", "0")
        .env("BIND_ADDRESS", "127.0.0.1")
        .env("DATABASE_PATH", database)
        .env("RUST_LOG", "info,tower_http=warn")
        .env("RUST_LOG_STYLE", "never")
        .env("NO_COLOR", "1")
        .env("PACT_DO_NOT_TRACK", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {binary}"))?;
    let stdout = child.stdout.take().context("broker stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let Some(line) = lines.next() else {
            bail!("the broker exited before listening")
        };
        let line = line?;
        if let Some(rest) = line.split("address=").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .trim_matches('"')
                .to_owned();
        }
    };
    // Keep draining the log so the broker never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok(Broker {
        child,
        base_url: format!("http://{address}"),
    })
}

fn pact(consumer: &str, version: usize) -> Value {
    let interactions: Vec<Value> = (0..5)
        .map(|i| {
            json!({
                "description": format!("request {i} of {consumer} {version}"),
                "providerStates": [{ "name": "items exist", "params": { "id": i } }],
                "request": { "method": "GET", "path": format!("/items/{i}"), "query": { "v": [version.to_string()] } },
                "response": { "status": 200, "headers": { "Content-Type": "application/json" }, "body": { "id": i, "name": "item", "price": 1299 } }
            })
        })
        .collect();
    json!({
        "consumer": { "name": consumer },
        "provider": { "name": "Provider" },
        "interactions": interactions,
        "metadata": { "pactSpecification": { "version": "3.0.0" } }
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A receiver on a random loopback port counting the calls it gets (and noting the first).
async fn receiver(calls: Arc<AtomicUsize>, first: Arc<OnceLock<Instant>>) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            first.get_or_init(Instant::now);
            calls.fetch_add(1, Ordering::Relaxed);
            async { "ok" }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}/hook"))
}

/// What one run measured.
struct Report {
    webhooks: usize,
    publish_time: Duration,
    /// After the first publish: when the first and the last delivery arrived.
    deliveries: Option<(Duration, Duration)>,
    selected: usize,
    latencies: Vec<Duration>,
    cold: Vec<Duration>,
    reads: Vec<Duration>,
    peak_rss_kib: Option<u64>,
}

impl Report {
    fn publishes_per_second(&self) -> f64 {
        VERSIONS as f64 / self.publish_time.as_secs_f64()
    }
}

async fn run(broker: &Broker, webhooks: usize) -> anyhow::Result<Report> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let base = broker.base_url.clone();
    let calls = Arc::new(AtomicUsize::new(0));
    let first_call = Arc::new(OnceLock::new());
    if webhooks > 0 {
        let hook = receiver(Arc::clone(&calls), Arc::clone(&first_call)).await?;
        for _ in 0..webhooks {
            let definition = json!({
                "events": [{"name": "contract_published"}],
                "request": {"method": "POST", "url": hook, "body": {"pact": "${pactbroker.pactUrl}"}}
            });
            let (status, body) = post_json(&http, &format!("{base}/webhooks"), &definition).await?;
            if status != 201 {
                bail!("creating a webhook answered {status}: {body}");
            }
        }
    }
    for c in 0..CONSUMERS {
        http.put(format!("{base}/pacticipants/Consumer{c}"))
            .json(&json!({"mainBranch": "main"}))
            .send()
            .await?
            .error_for_status()?;
    }

    // Publish throughput.
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (http, base) = (http.clone(), base.clone());
            tokio::spawn(async move {
                for n in (client..VERSIONS).step_by(CLIENTS) {
                    let consumer = format!("Consumer{}", n % CONSUMERS);
                    let branch = if n % 10 == 0 { "feat-x" } else { "main" };
                    let body = json!({
                        "pacticipantName": consumer,
                        "pacticipantVersionNumber": format!("1.0.{n}"),
                        "branch": branch,
                        "tags": if n % 50 == 0 { vec!["prod"] } else { vec![] },
                        "contracts": [{
                            "consumerName": consumer, "providerName": "Provider", "specification": "pact",
                            "contentType": "application/json", "onConflict": "overwrite",
                            "content": base64::engine::general_purpose::STANDARD.encode(pact(&consumer, n).to_string()),
                        }]
                    });
                    let response = http
                        .post(format!("{base}/contracts/publish"))
                        .json(&body)
                        .send()
                        .await?;
                    if !response.status().is_success() {
                        bail!("publish answered {}: {}", response.status(), response.text().await?);
                    }
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for task in futures::future::join_all(tasks).await {
        task??;
    }
    let publish_time = started.elapsed();
    let expected_calls = webhooks * VERSIONS;
    while calls.load(Ordering::Relaxed) < expected_calls {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let deliveries = (webhooks > 0).then(|| {
        let first = first_call.get().map_or(Duration::ZERO, |at| at.duration_since(started));
        (first, started.elapsed())
    });

    // Some verification results, so pending status has history to look through.
    let (_, body) = post_json(
        &http,
        &format!("{base}/pacts/provider/Provider/for-verification"),
        &json!({"consumerVersionSelectors": [{"mainBranch": true}]}),
    )
    .await?;
    for entry in body["_embedded"]["pacts"].as_array().cloned().unwrap_or_default() {
        let pact_url = entry["_links"]["self"]["href"].as_str().unwrap_or_default().to_owned();
        let pact: Value = http.get(&pact_url).send().await?.json().await?;
        let publish = pact["_links"]["pb:publish-verification-results"]["href"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        http.put(format!("{base}/pacticipants/Provider/branches/main/versions/2.0.0"))
            .send()
            .await?;
        post_json(
            &http,
            &publish,
            &json!({"success": true, "providerApplicationVersion": "2.0.0"}),
        )
        .await?;
    }

    // Pacts-for-verification latency.
    let request = json!({
        "consumerVersionSelectors": [{"mainBranch": true}, {"branch": "feat-x"}, {"tag": "prod", "latest": true}, {"deployedOrReleased": true}],
        "includePendingStatus": true,
        "providerVersionBranch": "main",
        "includeWipPactsSince": "2020-01-01"
    });
    let url = format!("{base}/pacts/provider/Provider/for-verification");
    let mut latencies = Vec::with_capacity(QUERIES);
    let mut selected = 0;
    for _ in 0..QUERIES {
        let started = Instant::now();
        let (status, body) = post_json(&http, &url, &request).await?;
        latencies.push(started.elapsed());
        if status != 200 {
            bail!("pacts for verification answered {status}: {body}");
        }
        selected = body["_embedded"]["pacts"].as_array().map_or(0, Vec::len);
    }
    latencies.sort();

    // The same request right after a write, when the read model has to be reloaded.
    let mut cold = Vec::with_capacity(COLD_QUERIES);
    for i in 0..COLD_QUERIES {
        http.put(format!("{base}/pacticipants/Provider/versions/2.0.0/tags/bench-{i}"))
            .send()
            .await?
            .error_for_status()?;
        let started = Instant::now();
        let (status, _) = post_json(&http, &url, &request).await?;
        cold.push(started.elapsed());
        if status != 200 {
            bail!("pacts for verification answered {status}");
        }
    }
    cold.sort();

    // Reading one pact, as a verifier does after the list.
    let (_, body) = post_json(&http, &url, &request).await?;
    let pact_url = body["_embedded"]["pacts"][0]["_links"]["self"]["href"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut reads = Vec::with_capacity(QUERIES);
    for _ in 0..QUERIES {
        let started = Instant::now();
        http.get(&pact_url).send().await?.error_for_status()?.bytes().await?;
        reads.push(started.elapsed());
    }
    reads.sort();

    Ok(Report {
        webhooks,
        publish_time,
        deliveries,
        selected,
        latencies,
        cold,
        reads,
        peak_rss_kib: peak_rss_kib(broker.child.id()),
    })
}

fn print(report: &Report) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let Report { webhooks, selected, .. } = *report;
    println!("pact-broker benchmark (loopback, release build), {webhooks} active webhooks");
    println!(
        "publish throughput: {VERSIONS} consumer versions across {CONSUMERS} pacts by {CLIENTS} concurrent clients in {:.2} s = {:.0} publishes/s",
        report.publish_time.as_secs_f64(),
        report.publishes_per_second()
    );
    if let Some((first, last)) = report.deliveries {
        println!(
            "webhooks: {} deliveries ({webhooks} per publication), the first received {:.2} s and the last {:.2} s after the first publish",
            webhooks * VERSIONS,
            first.as_secs_f64(),
            last.as_secs_f64()
        );
    }
    println!(
        "pacts-for-verification ({QUERIES} sequential requests, 4 selectors + pending + WIP, {selected} pacts selected): p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&report.latencies, 0.50)),
        ms(percentile(&report.latencies, 0.99))
    );
    println!(
        "pacts-for-verification right after a write ({COLD_QUERIES} requests, read model reloaded): p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&report.cold, 0.50)),
        ms(percentile(&report.cold, 0.99))
    );
    println!(
        "pact fetch by content sha ({QUERIES} requests): p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&report.reads, 0.50)),
        ms(percentile(&report.reads, 0.99))
    );
    match report.peak_rss_kib {
        Some(kib) => println!("broker peak RSS (VmHWM): {:.1} MiB", kib as f64 / 1024.0),
        None => println!("broker peak RSS: unavailable (no /proc)"),
    }
}

/// One run on a fresh broker with a fresh database.
async fn fresh_run(binary: &str, webhooks: usize) -> anyhow::Result<Report> {
    let dir = tempfile::tempdir()?;
    let broker = start(binary, &dir.path().join("bench.db"))?;
    tokio::time::timeout(DEADLINE, run(&broker, webhooks))
        .await
        .context("the benchmark ran past its deadline")?
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Without and with `webhooks` webhooks, alternately, [`ROUNDS`] runs each; then the medians.
async fn compare(binary: &str, webhooks: usize) -> anyhow::Result<()> {
    let (mut without, mut with) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        for count in [0, webhooks] {
            let report = fresh_run(binary, count).await?;
            let deliveries = report.deliveries.map_or(String::new(), |(first, last)| {
                format!(
                    ", deliveries from {:.2} s to {:.2} s",
                    first.as_secs_f64(),
                    last.as_secs_f64()
                )
            });
            println!(
                "round {round}, {count} webhooks: {:.0} publishes/s{deliveries}",
                report.publishes_per_second()
            );
            if count == 0 { &mut without } else { &mut with }.push(report.publishes_per_second());
        }
    }
    let (without, with) = (median(without), median(with));
    println!(
        "publish throughput, median of {ROUNDS}: {without:.0}/s without webhooks, {with:.0}/s with {webhooks} ({:.0}% of without)",
        100.0 * with / without
    );
    Ok(())
}

async fn post_json(http: &reqwest::Client, url: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
    let response = http.post(url).json(body).send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let usage = "usage: pact-broker-bench <path to the pact-broker binary> [--webhooks N]";
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [binary] => print(&fresh_run(binary, 0).await?),
        [binary, flag, n] if flag == "--webhooks" => compare(binary, n.parse().context(usage)?).await?,
        _ => bail!(usage),
    }
    Ok(())
}
