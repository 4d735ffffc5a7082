//! The MCP server driven by a real MCP client (rmcp's), over both transports: `healthsearch mcp`
//! on standard input/output, and `serve --mcp` over streamable HTTP with its token and rate
//! limit. The same checks run on both: initialization, the tool list, every tool on the bundled
//! corpus (ranked content, anchors, citations, plain text), article resources, and bad arguments
//! answered as tool errors by a server that keeps serving.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use healthsearch::index::HealthIndex;
use healthsearch::ingest::{Input, ingest};
use healthsearch::server::router;
use healthsearch::server::state::AppState;
use rmcp::model::{CallToolRequestParams, CallToolResult, ReadResourceRequestParams, ResourceContents};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tower::ServiceExt as _;

const BIN: &str = env!("CARGO_BIN_EXE_healthsearch");
const TOKEN: &str = "mcp-token-for-tests-0123456789";
const BACK_PAIN: &str = "Postpartum back pain: How to get relief";
const TOOLS: [&str; 5] = ["search_health_articles", "get_passages", "get_article", "related_articles", "who_cites"];

type Client = RunningService<RoleClient, ()>;

/// The bundled corpus indexed once for this test binary, in a directory the server processes open.
fn index_dir() -> &'static Path {
    static DIR: OnceLock<TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = HealthIndex::create(dir.path()).expect("create index");
        let report = ingest(&index, &Input::Mirror(common::corpus_dir())).expect("ingest corpus");
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        dir
    })
    .path()
}

fn articles_in_index() -> usize {
    HealthIndex::open(index_dir()).expect("open").num_docs() as usize
}

async fn call(client: &Client, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else { panic!("arguments are an object") };
    client.call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(args)).await.expect("tools/call")
}

/// A successful answer's JSON, checked to be the same as its text form.
fn answer(r: &CallToolResult) -> Value {
    assert_ne!(r.is_error, Some(true), "{r:?}");
    let structured = r.structured_content.clone().expect("structured content");
    let text = r.content.first().and_then(|c| c.as_text()).map(|t| t.text.clone()).expect("text content");
    assert_eq!(serde_json::from_str::<Value>(&text).expect("the text is JSON"), structured);
    assert!(!text.contains("<mark>") && !text.contains("&amp;"), "plain text only: {text}");
    structured
}

/// A tool error's message.
fn tool_error(r: &CallToolResult) -> String {
    assert_eq!(r.is_error, Some(true), "{r:?}");
    r.content.first().and_then(|c| c.as_text()).map(|t| t.text.clone()).expect("error text")
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Everything both transports must do the same.
async fn check_server(client: &Client) {
    let info = client.peer_info().expect("initialized");
    assert_eq!(info.server_info.as_ref().map(|s| s.name.as_str()), Some("healthsearch"));
    assert!(info.capabilities.tools.is_some() && info.capabilities.resources.is_some());
    assert!(info.instructions.as_deref().is_some_and(|i| i.contains("get_passages")));

    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, TOOLS);
    for t in &tools {
        assert!(t.description.as_deref().is_some_and(|d| d.len() > 150), "{} needs a description", t.name);
        assert!(t.input_schema["properties"].is_object(), "{}", t.name);
        assert_eq!(t.input_schema["additionalProperties"], false, "{}", t.name);
        assert!(t.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true), "{}", t.name);
    }
    let schema = |name: &str| tools.iter().find(|t| t.name == name).map(|t| Value::Object((*t.input_schema).clone()));
    let search_schema = schema("search_health_articles").unwrap_or_default();
    assert_eq!(search_schema["required"], json!(["query"]));
    assert_eq!(search_schema["properties"]["limit"]["maximum"], 100);
    assert_eq!(search_schema["properties"]["query"]["maxLength"], 500);
    assert_eq!(schema("get_passages").unwrap_or_default()["required"], json!(["question"]));

    // Search: the postpartum back-pain article answers, with plain snippets of whole words.
    let found = answer(&call(client, "search_health_articles", json!({"query": "back pain after birth"})).await);
    let top = &found["results"][0];
    assert_eq!(top["title"], BACK_PAIN, "{found}");
    assert!(top["reviewed"].as_str().is_some_and(|d| d.len() == 10), "{top}");
    assert!(top["section"]["url"].as_str().is_some_and(|u| u.contains('#')), "{top}");
    assert_eq!(top["resource"], format!("healthsearch://article/{}", top["id"].as_str().unwrap_or_default()));
    let id = top["id"].as_str().expect("id").to_string();
    let url = top["url"].as_str().expect("url").to_string();

    // The article in full: sections with anchored URLs, references with DOIs.
    let article = answer(&call(client, "get_article", json!({"id": id})).await);
    assert_eq!(article["title"], BACK_PAIN);
    assert!(article["cite"].as_str().is_some_and(|c| c.contains(BACK_PAIN) && c.contains("reviewed")), "{article}");
    let sections = article["sections"].as_array().expect("sections");
    assert!(sections.len() >= 3 && sections.iter().skip(1).all(|s| s["url"].as_str().is_some_and(|u| u.contains('#'))));
    let dois: Vec<String> = article["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .filter_map(|c| c["doi"].as_str().map(String::from))
        .collect();
    assert!(!dois.is_empty(), "{article}");
    let body = words(&sections.iter().filter_map(|s| s["text"].as_str()).collect::<Vec<_>>().join("\n"));
    for hit in found["results"].as_array().expect("results").iter().filter(|h| h["id"] == id.as_str()) {
        let snippet = hit["snippet"].as_str().expect("snippet");
        let core = words(snippet.trim_matches('…'));
        let at = body.find(&core).unwrap_or_else(|| panic!("snippet {snippet:?} is the article's own words"));
        let before = body[..at].chars().next_back();
        let after = body[at + core.len()..].chars().next();
        assert!(!before.is_some_and(char::is_alphanumeric), "cut mid-word before {snippet:?}");
        assert!(!after.is_some_and(char::is_alphanumeric), "cut mid-word after {snippet:?}");
    }
    // However its URL is written.
    let by_url = url.replacen("https://www.", "http://", 1) + "/";
    assert_eq!(answer(&call(client, "get_article", json!({"url": by_url})).await)["id"], id.as_str());

    // Filters reach the search.
    let recent = json!({"query": "back pain after birth", "filters": {"reviewed_after": "2024-01-01"}});
    let recent = answer(&call(client, "search_health_articles", recent).await);
    let results = recent["results"].as_array().expect("results");
    assert!(!results.is_empty() && results.iter().all(|r| r["reviewed"].as_str() >= Some("2024-01-01")), "{recent}");
    let elsewhere = json!({"query": "back pain after birth", "filters": {"site": ["no.such.site"]}});
    assert_eq!(answer(&call(client, "search_health_articles", elsewhere).await)["results"], json!([]));

    // Passages to quote: anchored, cited, their sources listed once.
    let quoted = answer(&call(client, "get_passages", json!({"question": "back pain after birth", "k": 4})).await);
    let passages = quoted["passages"].as_array().expect("passages");
    assert_eq!(passages.len(), 4, "{quoted}");
    assert_eq!(passages[0]["article"]["title"], BACK_PAIN, "{quoted}");
    let sources = quoted["sources"].as_array().expect("sources");
    assert!(!sources.is_empty());
    for (i, s) in sources.iter().enumerate() {
        assert_eq!(s["n"], i + 1);
    }
    for p in passages {
        let section_url = p["section_url"].as_str().expect("section url");
        assert!(section_url.contains('#'), "{p}");
        assert_eq!(p["passage_id"].as_str().map(str::len), Some(16));
        let cite = p["cite"].as_str().expect("cite");
        for part in [p["article"]["title"].as_str(), p["article"]["site"].as_str(), Some(section_url)] {
            assert!(cite.contains(part.expect("part")), "{cite}");
        }
        assert!(cite.contains(&format!("reviewed {}", p["reviewed"].as_str().expect("reviewed"))), "{cite}");
        let citations = p["citations"].as_array().expect("citations");
        assert!(citations.iter().any(|c| c["doi"].is_string()), "{p}");
        for c in citations {
            let n = c["n"].as_u64().expect("numbered") as usize;
            assert_eq!(sources[n - 1]["title"], c["title"]);
            assert!(sources[n - 1]["passages"].as_array().is_some_and(|ps| ps.contains(&p["passage_id"])));
        }
    }

    // Editors' tools.
    let related = answer(&call(client, "related_articles", json!({"id": id, "limit": 3})).await);
    assert_eq!(related["article"]["id"], id.as_str());
    assert!(related["related"].as_array().is_some_and(|r| !r.is_empty() && r.len() <= 3), "{related}");
    let citing = answer(&call(client, "who_cites", json!({"doi": dois[0]})).await);
    assert!(citing["articles"].as_array().is_some_and(|a| a.iter().any(|x| x["id"] == id.as_str())), "{citing}");

    // Articles as resources.
    let listed = client.list_all_resources().await.expect("resources/list");
    assert_eq!(listed.len(), articles_in_index());
    let uri = format!("healthsearch://article/{id}");
    assert!(listed.iter().any(|r| r.uri == uri && r.name == BACK_PAIN));
    let templates = client.list_all_resource_templates().await.expect("resources/templates/list");
    assert_eq!(templates.len(), 1);
    let read = client.read_resource(ReadResourceRequestParams::new(uri.clone())).await.expect("resources/read");
    let Some(ResourceContents::TextResourceContents { text, .. }) = read.contents.first() else {
        panic!("text contents")
    };
    assert!(text.starts_with(&format!("# {BACK_PAIN}\n\nCite as: {BACK_PAIN}.")), "{text}");
    assert!(text.contains("## References") && text.contains(&dois[0]), "{text}");
    let missing = ReadResourceRequestParams::new("healthsearch://article/0000000000000000");
    assert!(client.read_resource(missing).await.is_err(), "an unknown article is not found");

    // Bad arguments are tool errors the model can read, never a failed call.
    for (tool, args, says) in [
        ("search_health_articles", json!({}), "missing field `query`"),
        ("search_health_articles", json!({"query": 5}), "invalid type"),
        ("search_health_articles", json!({"query": "back", "bogus": 1}), "unknown field `bogus`"),
        ("search_health_articles", json!({"query": "back", "limit": 0}), "invalid_search_limit"),
        ("search_health_articles", json!({"query": "back", "limit": -3}), "invalid"),
        ("search_health_articles", json!({"query": "\"unbalanced"}), "invalid_search_q"),
        ("search_health_articles", json!({"query": "back", "filters": {"audience": ["martian"]}}), "unknown variant"),
        ("search_health_articles", json!({"query": "back", "filters": {"reviewed_after": "May"}}), "invalid"),
        ("get_passages", json!({"question": "back pain", "max_chars": 5}), "invalid_passage_max_chars"),
        ("get_passages", json!({"question": "back pain", "k": 10000}), "k must be a whole number from 1 to 50"),
        ("get_article", json!({}), "give the article's url or its id"),
        ("get_article", json!({"id": "0000000000000000"}), "article_not_found"),
        ("related_articles", json!({"url": "not a url"}), "article_not_found"),
        ("who_cites", json!({"doi": "10.1/x", "pmid": "123"}), "exactly one of url, doi or pmid"),
        ("who_cites", json!({"doi": "not a doi"}), "doi is not valid"),
    ] {
        let message = tool_error(&call(client, tool, args.clone()).await);
        assert!(message.contains(says), "{tool} {args}: {message}");
    }
    let nothing = CallToolRequestParams::new("no_such_tool");
    assert!(client.call_tool(nothing).await.is_err(), "an unknown tool is a protocol error");
    // And the server still answers.
    let again =
        answer(&call(client, "search_health_articles", json!({"query": "back pain after birth", "limit": 1})).await);
    assert_eq!(again["results"][0]["title"], BACK_PAIN);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_mcp_client_uses_every_tool_over_stdio() {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args(["mcp", "--index"]).arg(index_dir()).env("HEALTHSEARCH_NO_SEMANTIC", "1");
    let transport = TokioChildProcess::new(cmd).expect("spawn healthsearch mcp");
    let client = ().serve(transport).await.expect("initialize");
    check_server(&client).await;
    client.cancel().await.expect("close");
}

/// A `serve` process, stopped when dropped (a failed assertion must not leave it running).
struct Served {
    child: Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `serve --mcp` on a free loopback port, with the token in its environment.
fn serve_mcp(extra: &[&str]) -> Served {
    let mut child = Command::new(BIN)
        .env("HEALTHSEARCH_NO_SEMANTIC", "1")
        .env("HEALTHSEARCH_MCP_TOKEN", TOKEN)
        .args(["serve", "--mcp", "--index"])
        .arg(index_dir())
        .args(["--corpus", common::corpus_dir().to_str().expect("utf-8")])
        .args(["--addr", "127.0.0.1:0", "--log-json"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let logs = BufReader::new(child.stderr.take().expect("stderr"));
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in logs.lines().map_while(Result::ok) {
            let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if v["message"] == "serving" {
                let _ = tx.send(v["addr"].as_str().unwrap_or_default().to_string());
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(90)).expect("serve logs the address it listens on");
    Served { child, addr }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_mcp_client_uses_every_tool_over_http_with_the_token() {
    let served = serve_mcp(&["--rate-limit", "2", "--rate-burst", "150"]);
    let endpoint = format!("http://{}/mcp", served.addr);
    let http = reqwest::Client::new();
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}});
    let post = |token: Option<&str>| {
        let req = http
            .post(&endpoint)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(initialize.to_string());
        match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    };
    for token in [None, Some("not-the-token-at-all-0123")] {
        let res = post(token).send().await.expect("answer");
        assert_eq!(res.status(), reqwest::StatusCode::UNAUTHORIZED);
        assert_eq!(res.headers().get("www-authenticate").map(|v| v.as_bytes()), Some(&b"Bearer"[..]));
        let v: Value = res.json().await.expect("json");
        assert_eq!(v["code"], "invalid_token");
    }
    // A client without the token cannot even initialize.
    let refused = StreamableHttpClientTransport::from_uri(endpoint.clone());
    assert!(().serve(refused).await.is_err(), "initialize without the token is refused");

    let config = StreamableHttpClientTransportConfig::with_uri(endpoint.clone()).auth_header(TOKEN);
    let client = ().serve(StreamableHttpClientTransport::from_config(config)).await.expect("initialize");
    check_server(&client).await;
    client.cancel().await.expect("close");

    // /mcp is behind the same per-client limit as the API.
    let started = Instant::now();
    let mut limited = false;
    while !limited && started.elapsed() < Duration::from_secs(30) {
        limited = post(Some(TOKEN)).send().await.expect("answer").status() == reqwest::StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(limited, "requests to /mcp are rate limited");
}

#[tokio::test]
async fn mcp_over_http_is_off_unless_asked_for() {
    let app = router(AppState::shared(common::corpus_index()));
    let req = Request::post("/mcp").header("content-type", "application/json").body(Body::from("{}")).expect("request");
    assert_eq!(app.oneshot(req).await.expect("answer").status(), StatusCode::NOT_FOUND);
}

#[test]
fn the_stdio_server_needs_an_index() {
    let missing: PathBuf = tempfile::tempdir().expect("tmp").path().join("none");
    let out = Command::new(BIN)
        .args(["mcp", "--index"])
        .arg(&missing)
        .env("HEALTHSEARCH_NO_SEMANTIC", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "standard output is the protocol's alone");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no index at"), "{}", String::from_utf8_lossy(&out.stderr));
}
