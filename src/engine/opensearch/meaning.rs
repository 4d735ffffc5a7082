//! Meaning on the cluster: each article's passage vectors, as the embedded engine stores them
//! ([`crate::semantic::vectors`]), sit in a binary doc-values field; a painless script scores an
//! article by its best passage's cosine to the query's vector, exactly (no k-NN plugin needed).
//! Fusion with the words' ranking is the embedded engine's ([`fusion::fuse`]).

use super::cluster::OpenSearch;
use super::error::OsError;
use crate::article::Audience;
use crate::index::present::search::Ranker;
use crate::index::ranking::fusion::{self, MIN_COSINE};
use crate::index::ranking::ranker::meaning_text;
use crate::index::storage::schema::name;
use crate::query::QueryPlan;
use crate::semantic::vectors::{CODES_AT, Code, RECORD, SCALE_AT};
use crate::semantic::{DIM, vectors};
use serde_json::{Value, json};
use std::sync::{Arc, LazyLock};

/// An article's best cosine to the query (`params.q`, `params.s`: the query's int8 code and
/// scale) over its stored vectors (section `u16`, scale `f32` little-endian, then the codes),
/// or 0 without vectors: scores may not be negative. The query's codes are copied into an
/// `int[]` once per segment (each segment's script gets its own copy of `params`).
const BEST_COSINE: &str = "
if (doc['VECTORS'].size() == 0) { return 0.0; }
def r = doc['VECTORS'].value;
byte[] a = r.bytes;
int o = r.offset;
int n = r.length / RECORD;
int[] q = params['qa'];
if (q == null) {
  List l = params.q;
  q = new int[l.size()];
  for (int j = 0; j < q.length; ++j) { q[j] = l.get(j); }
  params['qa'] = q;
}
double best = 0.0;
for (int v = 0; v < n; ++v) {
  int p = o + v * RECORD;
  int s = p + SCALE_AT;
  int bits = (a[s] & 255) | ((a[s + 1] & 255) << 8) | ((a[s + 2] & 255) << 16) | ((a[s + 3] & 255) << 24);
  int dot = 0;
  int c0 = p + CODES_AT;
  for (int j = 0; j < DIM; ++j) { dot += a[c0 + j] * q[j]; }
  double c = dot * Float.intBitsToFloat(bits) * params.s;
  if (c > best) { best = c; }
}
return best;
";

/// The named clause telling which nearest articles pass the request's filters.
const PASSES: &str = "passes";

/// One request's side of meaning on the cluster: the text the model read, its vector, the ratio.
pub struct Meaning {
    pub text: String,
    pub query: Arc<Code>,
    pub ratio: f32,
}

impl Meaning {
    /// The query's meaning, when the ranking uses the model and the ratio is above 0.
    pub fn of(ranker: &Ranker, q: &str, plan: &QueryPlan, ratio: Option<f32>) -> Option<Meaning> {
        let semantic = ranker.semantic.as_ref()?;
        let text = meaning_text(q, plan);
        let (query, ratio) = fusion::query_vector(semantic, ratio, &text)?;
        Some(Meaning { text, query, ratio })
    }

    /// The script scoring an article by its best cosine to this query.
    pub fn script(&self) -> Value {
        script(&self.query)
    }
}

/// The script scoring an article by its best cosine to `q`.
pub fn script(q: &Code) -> Value {
    static SOURCE: LazyLock<String> = LazyLock::new(|| {
        let source = BEST_COSINE.replace("VECTORS", name::VECTORS).replace("RECORD", &RECORD.to_string());
        let source = source.replace("SCALE_AT", &SCALE_AT.to_string()).replace("CODES_AT", &CODES_AT.to_string());
        source.replace("DIM", &DIM.to_string())
    });
    json!({"source": SOURCE.as_str(), "params": {"q": q.code, "s": q.scale}})
}

/// An article near the query in meaning.
pub struct Near {
    pub id: String,
    pub url: String,
    pub cosine: f32,
    /// Whether it passes the request's filters.
    pub passes: bool,
    pub audience: Vec<Audience>,
}

/// The `k` articles nearest to `q`, from [`MIN_COSINE`] up, best first, less those `exclude`
/// drops; each says whether it passes `filters` (the search box counts meaning matches before
/// filters, as facets need).
pub fn nearest(
    os: &OpenSearch,
    q: &Code,
    filters: Vec<Value>,
    exclude: Vec<Value>,
    k: usize,
) -> Result<Vec<Near>, OsError> {
    let everything = filters.is_empty();
    let mut within = json!({"bool": {"must": {"match_all": {}}, "must_not": exclude}});
    if !everything {
        within["bool"]["should"] = json!([{"bool": {"filter": filters, "_name": PASSES}}]);
    }
    let body = json!({
        "size": k,
        "min_score": MIN_COSINE,
        "query": {"script_score": {"query": within, "script": script(q)}},
        "_source": [name::ID, name::URL, name::AUDIENCE],
        "track_total_hits": false,
    });
    let answer = os.read("_search", &body)?;
    let hits = answer["hits"]["hits"].as_array().into_iter().flatten();
    Ok(hits
        .filter_map(|h| {
            let passes = everything || h["matched_queries"].as_array().is_some_and(|m| m.iter().any(|n| n == PASSES));
            Some(Near {
                id: h["_source"][name::ID].as_str()?.to_string(),
                url: h["_source"][name::URL].as_str().unwrap_or_default().to_string(),
                cosine: h["_score"].as_f64()? as f32,
                passes,
                audience: audience_of(&h["_source"]),
            })
        })
        .collect())
}

/// The audiences an article's `_source` names.
pub fn audience_of(source: &Value) -> Vec<Audience> {
    let names = source[name::AUDIENCE].as_array().into_iter().flatten();
    names.filter_map(|a| Audience::from_name(a.as_str()?)).collect()
}

/// An article's stored vectors, from the base64 of its `_source`.
pub fn stored_vectors(source: &Value) -> Option<Vec<Code>> {
    use base64::Engine as _;
    let text = source[name::VECTORS].as_str()?;
    vectors::decode(&base64::engine::general_purpose::STANDARD.decode(text).ok()?)
}

/// The base64 form of an article's vectors, as the binary field takes them.
pub fn encoded_vectors(codes: &[Code]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(vectors::encode(codes))
}
