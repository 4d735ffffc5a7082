//! Evaluation: measuring extraction (and, later, ranking) against judged data.

pub mod extraction;
pub mod opensearch;
pub mod passages;
pub mod ranking;
