//! Passage vectors as stored with each article: int8 codes with one scale per vector (a quarter
//! of f32's size; cosines move by about 1e-3), and the dot product the search scans with.
//!
//! Stored layout, little-endian: per vector a `u16` section number ([`LEAD`] for the title and
//! summary), an `f32` scale, then [`DIM`] signed bytes.

use super::DIM;

/// Section number of the vector that embeds the title and summary.
pub const LEAD: u16 = u16::MAX;
/// Where a stored vector's scale starts (after its `u16` section number).
pub const SCALE_AT: usize = 2;
/// Where a stored vector's codes start (after its `f32` scale).
pub const CODES_AT: usize = SCALE_AT + 4;
/// Bytes of one stored vector.
pub const RECORD: usize = CODES_AT + DIM;

/// One quantized unit vector: `code[i] * scale` approximates component `i`.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    pub section: u16,
    pub scale: f32,
    pub code: Vec<i8>,
}

impl Code {
    /// Quantizes a unit vector, the largest component mapped to ±127.
    pub fn quantize(section: u16, v: &[f32]) -> Code {
        let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let code = v.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8).collect();
        Code { section, scale, code }
    }

    /// The cosine between two quantized unit vectors.
    pub fn cosine(&self, other: &Code) -> f32 {
        dot_i8(&self.code, &other.code) as f32 * self.scale * other.scale
    }
}

/// Serializes an article's vectors for its stored field.
pub fn encode(codes: &[Code]) -> Vec<u8> {
    let mut out = Vec::with_capacity(codes.len() * RECORD);
    for c in codes {
        out.extend_from_slice(&c.section.to_le_bytes());
        out.extend_from_slice(&c.scale.to_le_bytes());
        out.extend(c.code.iter().map(|&b| b as u8));
    }
    out
}

/// Reads an article's stored vectors; `None` when the bytes are not whole records.
pub fn decode(bytes: &[u8]) -> Option<Vec<Code>> {
    if !bytes.len().is_multiple_of(RECORD) {
        return None;
    }
    let codes = bytes
        .chunks_exact(RECORD)
        .map(|r| Code {
            section: u16::from_le_bytes([r[0], r[1]]),
            scale: f32::from_le_bytes([r[SCALE_AT], r[SCALE_AT + 1], r[SCALE_AT + 2], r[SCALE_AT + 3]]),
            code: r[CODES_AT..].iter().map(|&b| b as i8).collect(),
        })
        .collect();
    Some(codes)
}

/// The dot product of two int8 vectors, with AVX-512 or AVX2 where the processor has it (the
/// generic loop compiled for them vectorizes to 64 or 32 lanes; the baseline build only has SSE2).
pub fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512bw") {
            // Safety: the processor supports AVX-512 BW, checked just above.
            return unsafe { dot_avx512(a, b) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // Safety: the processor supports AVX2, checked just above.
            return unsafe { dot_avx2(a, b) };
        }
    }
    dot_generic(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dot_avx2(a: &[i8], b: &[i8]) -> i32 {
    dot_generic(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw")]
fn dot_avx512(a: &[i8], b: &[i8]) -> i32 {
    dot_generic(a, b)
}

#[inline(always)]
fn dot_generic(a: &[i8], b: &[i8]) -> i32 {
    a.iter().zip(b).map(|(&x, &y)| i32::from(x as i16 * y as i16)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(seed: u32) -> Vec<f32> {
        let v: Vec<f32> =
            (0..DIM as u32).map(|i| (((i * 7919 + seed * 104_729) % 1000) as f32 / 500.0) - 1.0).collect();
        super::super::model::normalized(v)
    }

    #[test]
    fn every_instruction_set_gives_the_exact_dot_product() {
        // Extremes included: -128 * -128 summed over a whole vector must not overflow a lane.
        let a: Vec<i8> = (0..DIM).map(|i| if i % 5 == 0 { -128 } else { (i * 37 % 255) as u8 as i8 }).collect();
        let b: Vec<i8> = (0..DIM).map(|i| if i % 5 == 0 { -128 } else { (i * 91 % 255) as u8 as i8 }).collect();
        let want: i32 = a.iter().zip(&b).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum();
        assert_eq!(dot_i8(&a, &b), want);
        assert_eq!(dot_generic(&a, &b), want);
    }

    #[test]
    fn quantized_cosines_stay_close_to_exact_ones() {
        let (a, b) = (unit(1), unit(2));
        let exact: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        let q = Code::quantize(0, &a).cosine(&Code::quantize(0, &b));
        assert!((exact - q).abs() < 5e-3, "{exact} vs {q}");
        let own = Code::quantize(0, &a).cosine(&Code::quantize(0, &a));
        assert!((own - 1.0).abs() < 5e-3, "{own}");
    }

    #[test]
    fn records_round_trip_and_torn_bytes_are_refused() {
        let codes = vec![Code::quantize(3, &unit(4)), Code::quantize(LEAD, &unit(5))];
        let bytes = encode(&codes);
        assert_eq!(bytes.len(), 2 * RECORD);
        assert_eq!(decode(&bytes), Some(codes));
        assert_eq!(decode(&bytes[..RECORD + 1]), None);
    }

    #[test]
    fn simd_and_generic_dot_products_agree() {
        let a: Vec<i8> = (0..DIM).map(|i| (i as i32 * 37 % 255 - 127) as i8).collect();
        let b: Vec<i8> = (0..DIM).map(|i| (i as i32 * 91 % 255 - 127) as i8).collect();
        assert_eq!(dot_i8(&a, &b), dot_generic(&a, &b));
    }
}
