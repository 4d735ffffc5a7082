//! Presentation: what a request gets back, cut from stored articles: search responses with
//! snippets and sources, passages for the chatbot, suggestions, and the editors' lists.

pub mod editorial;
pub mod passages;
pub mod search;
pub mod snippet;
pub mod suggest;
