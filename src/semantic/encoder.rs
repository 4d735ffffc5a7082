//! The same six-layer BERT for one text at a time with int8 weights, for CPUs with int8
//! dot-product instructions (AVX-512 VNNI or AVX-VNNI). For a short query the f32 model spends
//! most of its time packing 42 MB of weights for matrix products of a handful of rows; int8
//! weights are a quarter of that and the VNNI kernels multiply four of them per lane.
//!
//! The linear layers run through candle's Q8_0 matrix product, whose fast x86 kernel needs the
//! inner dimension to be a multiple of 256: inputs of width 384 are padded with zeros to 512,
//! which leaves every product unchanged.

use super::SemanticError;
use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{D, DType, Device, Module, Tensor};
use candle_nn::{LayerNorm, VarBuilder, layer_norm};
use candle_transformers::models::bert::Config;

/// The inner dimension candle's int8 kernels work in multiples of.
const K_BLOCK: usize = 256;

type Result<T> = std::result::Result<T, candle_core::Error>;

/// Whether this CPU has the int8 instructions the encoder is built for; elsewhere candle's int8
/// product is slower than its f32 one and the f32 model encodes queries too.
pub fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        (is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512vnni"))
            || (is_x86_feature_detected!("avxvnni") && is_x86_feature_detected!("avx2"))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// A linear layer with int8 weights; `pad` zero columns bring its input width to a multiple of
/// [`K_BLOCK`].
struct Dense {
    weight: QMatMul,
    bias: Tensor,
    pad: usize,
}

impl Dense {
    /// From f32 weights `[out, in]` and bias `[out]`.
    fn new(weight: Tensor, bias: Tensor) -> Result<Dense> {
        let inputs = weight.dim(1)?;
        let pad = inputs.next_multiple_of(K_BLOCK) - inputs;
        let weight = if pad > 0 { weight.pad_with_zeros(1, 0, pad)? } else { weight };
        Ok(Dense { weight: QMatMul::from_qtensor(QTensor::quantize(&weight, GgmlDType::Q8_0)?)?, bias, pad })
    }

    fn load(vb: VarBuilder, inputs: usize, outputs: usize) -> Result<Dense> {
        Dense::new(vb.get((outputs, inputs), "weight")?, vb.get(outputs, "bias")?)
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let padded = if self.pad > 0 { x.pad_with_zeros(D::Minus1, 0, self.pad)? } else { x.clone() };
        self.weight.forward(&padded)?.broadcast_add(&self.bias)
    }
}

/// One transformer layer: self-attention then the feed-forward block, each with its residual
/// and layer norm (BERT's post-norm order).
struct Layer {
    qkv: Dense,
    attention_out: Dense,
    attention_norm: LayerNorm,
    up: Dense,
    down: Dense,
    output_norm: LayerNorm,
}

impl Layer {
    fn load(vb: VarBuilder, c: &Config) -> Result<Layer> {
        let (h, eps) = (c.hidden_size, c.layer_norm_eps);
        let own = vb.pp("attention.self");
        let part = |name: &str| -> Result<(Tensor, Tensor)> {
            Ok((own.pp(name).get((h, h), "weight")?, own.pp(name).get(h, "bias")?))
        };
        let (q, k, v) = (part("query")?, part("key")?, part("value")?);
        Ok(Layer {
            qkv: Dense::new(Tensor::cat(&[&q.0, &k.0, &v.0], 0)?, Tensor::cat(&[&q.1, &k.1, &v.1], 0)?)?,
            attention_out: Dense::load(vb.pp("attention.output.dense"), h, h)?,
            attention_norm: layer_norm(h, eps, vb.pp("attention.output.LayerNorm"))?,
            up: Dense::load(vb.pp("intermediate.dense"), h, c.intermediate_size)?,
            down: Dense::load(vb.pp("output.dense"), c.intermediate_size, h)?,
            output_norm: layer_norm(h, eps, vb.pp("output.LayerNorm"))?,
        })
    }

    /// `x`: `[tokens, hidden]`.
    fn forward(&self, x: &Tensor, heads: usize) -> Result<Tensor> {
        let (tokens, hidden) = x.dims2()?;
        let head = hidden / heads;
        let qkv = self.qkv.forward(x)?;
        let split = |i: usize| -> Result<Tensor> {
            qkv.narrow(1, i * hidden, hidden)?.reshape((tokens, heads, head))?.transpose(0, 1)?.contiguous()
        };
        let (q, k, v) = (split(0)?, split(1)?, split(2)?);
        let scores = (q.matmul(&k.t()?)? / (head as f64).sqrt())?;
        let weights = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = weights.matmul(&v)?.transpose(0, 1)?.reshape((tokens, hidden))?;
        let x = self.attention_norm.forward(&(x + self.attention_out.forward(&context)?)?)?;
        let inner = self.up.forward(&x)?.gelu_erf()?;
        self.output_norm.forward(&(&x + self.down.forward(&inner)?)?)
    }
}

/// The int8 encoder: token, position and type embeddings, then the layers.
pub struct Encoder {
    words: Tensor,
    positions: Tensor,
    first_type: Tensor,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
}

impl Encoder {
    /// Quantizes the weights of the model behind `vb` (its root holding `embeddings` and
    /// `encoder`).
    pub fn load(vb: VarBuilder, c: &Config) -> std::result::Result<Encoder, SemanticError> {
        Encoder::build(vb, c).map_err(|e| SemanticError::Model(format!("int8 encoder: {e}")))
    }

    fn build(vb: VarBuilder, c: &Config) -> Result<Encoder> {
        let e = vb.pp("embeddings");
        let h = c.hidden_size;
        let layers = (0..c.num_hidden_layers)
            .map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), c))
            .collect::<Result<Vec<_>>>()?;
        Ok(Encoder {
            words: e.get((c.vocab_size, h), "word_embeddings.weight")?,
            positions: e.get((c.max_position_embeddings, h), "position_embeddings.weight")?,
            first_type: e.get((c.type_vocab_size, h), "token_type_embeddings.weight")?.get(0)?,
            embedding_norm: layer_norm(h, c.layer_norm_eps, e.pp("LayerNorm"))?,
            layers,
            heads: c.num_attention_heads,
        })
    }

    /// The mean of the last layer's token vectors for one text's token ids (not normalised).
    pub fn mean(&self, ids: &[u32]) -> std::result::Result<Vec<f32>, SemanticError> {
        self.run(ids).map_err(|e| SemanticError::Model(e.to_string()))
    }

    fn run(&self, ids: &[u32]) -> Result<Vec<f32>> {
        let tokens = ids.len().min(self.positions.dim(0)?);
        let ids = Tensor::from_slice(&ids[..tokens], tokens, &Device::Cpu)?;
        let x = self.words.embedding(&ids)?;
        let x = x.add(&self.positions.narrow(0, 0, tokens)?)?.broadcast_add(&self.first_type)?;
        let mut x = self.embedding_norm.forward(&x)?;
        for layer in &self.layers {
            x = layer.forward(&x, self.heads)?;
        }
        x.mean(0)?.to_dtype(DType::F32)?.to_vec1()
    }
}
