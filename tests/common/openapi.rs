//! Checking real answers against the OpenAPI description the server serves: each answer's
//! status must be documented for its operation, its content type must be one the operation lists
//! for that status, and a JSON body must validate against that response's schema (references into
//! `components` resolved). Shared by `tests/openapi.rs` and `tests/semantic.rs`.

#![allow(dead_code)]

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use healthsearch::server::router;
use healthsearch::server::state::AppState;
use http_body_util::BodyExt;
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use tower::ServiceExt;

/// The served description and the operations checked against it so far.
pub struct Spec {
    pub doc: Value,
    /// (path template, method, status) of every answer checked.
    pub seen: BTreeSet<(String, String, u16)>,
}

/// One request to make: its method, the documented path it goes to and the URI it uses.
pub struct Call<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub uri: &'a str,
    pub body: Option<String>,
    pub headers: Vec<(&'a str, String)>,
}

pub fn get<'a>(path: &'a str, uri: &'a str) -> Call<'a> {
    Call { method: "GET", path, uri, body: None, headers: Vec::new() }
}

pub fn post<'a>(path: &'a str, uri: &'a str, body: &str) -> Call<'a> {
    let headers = vec![("content-type", "application/json".to_string())];
    Call { method: "POST", path, uri, body: Some(body.to_string()), headers }
}

impl Call<'_> {
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn request(&self) -> Request<Body> {
        let mut req = Request::builder().method(self.method).uri(self.uri);
        for (name, value) in &self.headers {
            req = req.header(*name, value);
        }
        let mut req = req.body(self.body.clone().map(Body::from).unwrap_or_default()).expect("request");
        req.extensions_mut().insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 40000))));
        req
    }
}

impl Spec {
    /// The description `state`'s router serves.
    pub async fn load(state: &AppState) -> Spec {
        let res = router(state.clone()).oneshot(get("/openapi.json", "/openapi.json").request()).await.expect("answer");
        assert_eq!(res.headers()["content-type"], "application/json");
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let doc: Value = serde_json::from_slice(&bytes).expect("the description is JSON");
        assert_eq!(doc["openapi"], "3.1.0");
        Spec { doc, seen: BTreeSet::new() }
    }

    /// Makes the call on `state` and checks the answer against the description; returns the
    /// status and the body (JSON, or a string for other content).
    pub async fn check(&mut self, state: &AppState, call: Call<'_>) -> (StatusCode, Value) {
        let what = format!("{} {}", call.method, call.uri);
        let res = router(state.clone()).oneshot(call.request()).await.expect("router answers");
        let status = res.status();
        let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).map(String::from);
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let method = call.method.to_ascii_lowercase();
        let operation = &self.doc["paths"][call.path][method.as_str()];
        assert!(operation.is_object(), "{what}: {} {} is not documented", call.method, call.path);
        let code = status.as_str();
        let range = format!("{}XX", &code[..1]);
        let documented = [code, range.as_str(), "default"].into_iter().find_map(|s| operation["responses"].get(s));
        let Some(response) = documented.map(|r| self.follow(r).clone()) else {
            panic!("{what}: status {status} is not documented; body: {}", String::from_utf8_lossy(&bytes));
        };
        self.seen.insert((call.path.to_string(), method, status.as_u16()));
        let Some(content) = response["content"].as_object() else {
            assert!(bytes.is_empty(), "{what}: {status} documents no body but has one");
            return (status, Value::Null);
        };
        let essence = content_type.as_deref().and_then(|c| c.split(';').next()).unwrap_or_default().trim().to_string();
        let media = content.iter().find(|(k, _)| k.split(';').next().map(str::trim) == Some(essence.as_str()));
        let Some((_, media)) = media else {
            panic!("{what}: {status} answered {content_type:?}, documented {:?}", content.keys().collect::<Vec<_>>());
        };
        if essence != "application/json" {
            return (status, Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        }
        let body: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{what}: not JSON ({e})"));
        self.validate(&what, &media["schema"], &body);
        (status, body)
    }

    /// A response, or the reusable one it refers to.
    pub fn follow<'a>(&'a self, response: &'a Value) -> &'a Value {
        match response["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => self.doc.pointer(pointer).expect("the reference resolves"),
            None => response,
        }
    }

    /// Validates `body` against `schema`, whose references point into this document's
    /// `components` (carried along as the root's, so `#/components/...` resolves).
    pub fn validate(&self, what: &str, schema: &Value, body: &Value) {
        let mut root = schema.clone();
        root["components"] = self.doc["components"].clone();
        let validator =
            jsonschema::draft202012::options().should_validate_formats(true).build(&root).expect("a valid JSON Schema");
        let errors: Vec<String> =
            validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{what}: the body does not match its schema:\n{}\n{body:#}", errors.join("\n"));
    }

    /// Every documented operation was checked with a success.
    pub fn assert_every_operation_succeeded(&self) {
        for (path, item) in self.doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("operations").keys() {
                let ok = self.seen.iter().any(|(p, m, s)| p == path && m == method && (200..300).contains(s));
                assert!(ok, "{method} {path} was never checked with a success");
            }
        }
    }
}
