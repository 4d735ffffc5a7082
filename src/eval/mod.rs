//! Evaluation: measuring extraction (and, later, ranking) against judged data.

pub mod extraction;
pub mod passages;
pub mod ranking;
