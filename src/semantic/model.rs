//! The sentence-embedding model (all-MiniLM-L6-v2): WordPiece tokens through a six-layer BERT on
//! the CPU, mean pooling over the real tokens, then L2 normalisation.

use super::encoder::{self, Encoder};
use super::{DIM, SemanticError};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// Tokens the model reads at most per text (the sentence-transformers setting for this model);
/// the rest of a longer text is not seen.
pub const MAX_TOKENS: usize = 256;
/// Files a model directory holds.
pub const FILES: [&str; 3] = ["model.safetensors", "tokenizer.json", "config.json"];

/// A loaded model and its tokenizer; cheap to share behind an `Arc`, safe to call from threads.
pub struct Model {
    /// The f32 model, for batches of passages (and single texts where the int8 encoder is not
    /// available). Loaded on first use: a server whose articles are embedded only reads queries.
    bert: OnceLock<BertModel>,
    /// Held while the f32 model loads, so threads that need it at once load it once.
    loading: Mutex<()>,
    weights: VarBuilder<'static>,
    config: Config,
    /// The int8 encoder for single texts, where the CPU has the instructions it needs.
    int8: Option<Encoder>,
    tokenizer: Tokenizer,
    /// The whole English words of the tokenizer's vocabulary (about 22,000).
    words: HashSet<String>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Model(all-MiniLM-L6-v2)")
    }
}

impl Model {
    /// Loads the model from a directory holding [`FILES`].
    pub fn load(dir: &Path) -> Result<Model, SemanticError> {
        let bad =
            |what: &str, e: &dyn std::fmt::Display| SemanticError::Model(format!("{what} in {}: {e}", dir.display()));
        let config =
            std::fs::read_to_string(dir.join("config.json")).map_err(|e| bad("cannot read config.json", &e))?;
        let config: Config = serde_json::from_str(&config).map_err(|e| bad("config.json", &e))?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json")).map_err(|e| bad("tokenizer.json", &e))?;
        tokenizer.with_padding(Some(PaddingParams { strategy: PaddingStrategy::BatchLongest, ..Default::default() }));
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: MAX_TOKENS, ..Default::default() }))
            .map_err(|e| bad("tokenizer", &e))?;
        // Safety of the mapping: the weights file is ours (written once by `model install`) and
        // not modified while it is mapped.
        let vb =
            unsafe { VarBuilder::from_mmaped_safetensors(&[dir.join("model.safetensors")], DType::F32, &Device::Cpu) }
                .map_err(|e| bad("model.safetensors", &e))?;
        if config.hidden_size != DIM {
            return Err(SemanticError::Model(format!("the model has {} dimensions, not {DIM}", config.hidden_size)));
        }
        let root = if vb.contains_tensor("embeddings.word_embeddings.weight") { vb.clone() } else { vb.pp("bert") };
        let int8 = if encoder::available() { Some(Encoder::load(root, &config)?) } else { None };
        let words = tokenizer
            .get_vocab(false)
            .into_keys()
            .filter(|w| w.len() > 1 && w.bytes().all(|b| b.is_ascii_lowercase()))
            .collect();
        let model =
            Model { bert: OnceLock::new(), loading: Mutex::new(()), weights: vb, config, int8, tokenizer, words };
        if model.int8.is_none() {
            model.bert()?;
        }
        Ok(model)
    }

    /// The f32 model, loaded on first use.
    fn bert(&self) -> Result<&BertModel, SemanticError> {
        if let Some(bert) = self.bert.get() {
            return Ok(bert);
        }
        let _guard =
            self.loading.lock().map_err(|_| SemanticError::Model("model loading failed in another thread".into()))?;
        if let Some(bert) = self.bert.get() {
            return Ok(bert);
        }
        let bert = BertModel::load(self.weights.clone(), &self.config)
            .map_err(|e| SemanticError::Model(format!("model weights: {e}")))?;
        Ok(self.bert.get_or_init(|| bert))
    }

    /// Whether `word` (lower-case) is a whole word of the model's vocabulary: a common English
    /// word, which spelling correction leaves alone even where the index lacks it.
    pub fn knows_word(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    /// WordPiece ids of a text as the model reads it (with `[CLS]` and `[SEP]`).
    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>, SemanticError> {
        let enc = self.tokenizer.encode(text, true).map_err(|e| SemanticError::Model(e.to_string()))?;
        Ok(enc.get_ids().to_vec())
    }

    /// The unit-length embedding of one short text, such as a query: through the int8 encoder
    /// where the CPU runs it fast (its vectors agree with the f32 model's to a cosine above
    /// 0.99), else through the f32 model.
    pub fn embed_one(&self, text: &str) -> Result<Vec<f32>, SemanticError> {
        match &self.int8 {
            Some(int8) => Ok(normalized(int8.mean(&self.token_ids(text)?)?)),
            None => self.embed(&[text])?.pop().ok_or_else(|| SemanticError::Model("no vector for the text".into())),
        }
    }

    /// Whether [`Model::embed_one`] runs the int8 encoder on this machine.
    pub fn has_int8(&self) -> bool {
        self.int8.is_some()
    }

    /// Unit-length embeddings of `texts`, in order. Texts of one call are padded to the longest,
    /// so callers batch texts of similar length.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SemanticError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let m = |e: candle_core::Error| SemanticError::Model(e.to_string());
        let encodings =
            self.tokenizer.encode_batch(texts.to_vec(), true).map_err(|e| SemanticError::Model(e.to_string()))?;
        let len = encodings.first().map_or(0, |e| e.get_ids().len());
        let flat = |f: &dyn Fn(&tokenizers::Encoding) -> &[u32]| -> Vec<u32> {
            encodings.iter().flat_map(|e| f(e).iter().copied()).collect()
        };
        let shape = (texts.len(), len);
        let ids = Tensor::from_vec(flat(&|e| e.get_ids()), shape, &Device::Cpu).map_err(m)?;
        let types = Tensor::from_vec(flat(&|e| e.get_type_ids()), shape, &Device::Cpu).map_err(m)?;
        let mask = Tensor::from_vec(flat(&|e| e.get_attention_mask()), shape, &Device::Cpu).map_err(m)?;
        let hidden = self.bert()?.forward(&ids, &types, Some(&mask)).map_err(m)?;
        // Mean over the real tokens only: padding must not pull short texts toward each other.
        let mask = mask.to_dtype(DType::F32).map_err(m)?.unsqueeze(2).map_err(m)?;
        let summed = hidden.broadcast_mul(&mask).map_err(m)?.sum(1).map_err(m)?;
        let counts = mask.sum(1).map_err(m)?;
        let mean = summed.broadcast_div(&counts).map_err(m)?;
        let rows: Vec<Vec<f32>> = mean.to_vec2().map_err(m)?;
        Ok(rows.into_iter().map(normalized).collect())
    }
}

/// `v` scaled to unit length (a zero vector stays zero).
pub fn normalized(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}
