//! Ingest into an OpenSearch cluster (the one `HEALTHSEARCH_OPENSEARCH` names): versions and the
//! alias swap, incremental runs by content hash, removals, and a run abandoned half way.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use healthsearch::engine::opensearch::{OpenSearch, OsStore};
use healthsearch::ingest::{Extractor, IngestReport, Input, Store};
use healthsearch::server::router;
use healthsearch::server::state::AppState;
use reqwest::Method;
use serde_json::Value;
use tower::ServiceExt;

/// Runs `f` with a deployment under its own alias (skipped without a cluster).
fn with_cluster(alias: &str, f: impl FnOnce(&OpenSearch)) {
    let Some(urls) = common::engines::opensearch_urls() else {
        eprintln!("skipped: no OpenSearch cluster (HEALTHSEARCH_OPENSEARCH)");
        return;
    };
    let os = OpenSearch::connect(&[urls], alias).expect("node URLs");
    f(&os);
}

fn ingest(os: &OpenSearch, mirror: &std::path::Path) -> IngestReport {
    let state = tempfile::tempdir().expect("temp dir");
    let store = OsStore::begin(os, state.path()).expect("a run");
    healthsearch::ingest::run(store, &Input::Mirror(mirror.to_path_buf()), &Extractor::default()).expect("ingest")
}

fn live(os: &OpenSearch) -> String {
    os.live_index().expect("alias").expect("a live version")
}

#[test]
fn runs_swap_versions_only_when_something_changed() {
    with_cluster("healthsearch_ingest_test", |os| {
        let copy = common::MirrorCopy::new();
        let first = ingest(os, &copy.mirror);
        assert!(first.added > 50, "{first:?}");
        let v1 = live(os);

        let again = ingest(os, &copy.mirror);
        assert_eq!((again.added, again.updated, again.removed), (0, 0, 0));
        assert_eq!(again.unchanged, first.added);
        assert_eq!(live(os), v1, "a run that changes nothing makes no version");

        copy.retitle_lochia("zebracorn");
        std::fs::remove_file(copy.mirror.join("littlesprouts.example/baby/crying-and-sleep/colic.html")).expect("rm");
        let changed = ingest(os, &copy.mirror);
        assert_eq!((changed.updated, changed.removed), (1, 1), "{changed:?}");
        let v2 = live(os);
        assert!(v2 > v1, "{v2} after {v1}");
        assert_eq!(os.count().expect("count"), (first.added - 1) as u64);
        assert_eq!(os.client.send(Method::GET, &v1, None).expect("get").status, 404, "the old version is deleted");
    });
}

#[test]
fn a_run_dropped_half_way_leaves_the_live_version_serving_and_writable() {
    with_cluster("healthsearch_drop_test", |os| {
        let copy = common::MirrorCopy::new();
        ingest(os, &copy.mirror);
        let before = (live(os), os.count().expect("count"));
        {
            let state = tempfile::tempdir().expect("temp dir");
            let mut store = OsStore::begin(os, state.path()).expect("a run");
            store.delete("no-such-article").expect("a write");
            // Dropped without commit: a crash of the run, as far as the cluster can tell.
        }
        assert_eq!((live(os), os.count().expect("count")), before);
        let settings: Value = os.client.call(Method::GET, &format!("{}/_settings", before.0), None).expect("settings");
        assert!(settings[&before.0]["settings"]["index"]["blocks"]["write"].as_str() != Some("true"), "{settings}");
        let again = ingest(os, &copy.mirror);
        assert_eq!(again.unchanged as u64, before.1, "{again:?}");
    });
}

#[test]
fn search_answers_are_cached_until_a_run_changes_the_articles() {
    with_cluster("healthsearch_cache_test", |os| {
        let copy = common::MirrorCopy::new();
        ingest(os, &copy.mirror);
        let urls = common::engines::opensearch_urls().expect("a cluster");
        let served = OpenSearch::connect(&[urls], "healthsearch_cache_test").expect("node URLs");
        let state = AppState::on(std::sync::Arc::new(served));
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let search = |q: &'static str| {
            let app = router(state.clone());
            rt.block_on(async move {
                let req = Request::get(format!("/api/search?q={q}")).body(Body::empty()).expect("request");
                let res = app.oneshot(req).await.expect("router answers");
                assert_eq!(res.status(), StatusCode::OK);
                res.headers()["x-cache"].to_str().unwrap_or_default().to_string()
            })
        };
        assert_eq!(search("lochia"), "miss");
        assert_eq!(search("lochia"), "hit");
        copy.retitle_lochia("zebracorn");
        ingest(os, &copy.mirror);
        assert_eq!(search("lochia"), "miss", "a new version is new content");
        assert_eq!(search("lochia"), "hit");
    });
}
