//! The second phase's scoring: each candidate scored leaf by leaf (one name in one field), every
//! leaf with its own scorer that seeks straight to the candidates, in document order.

use super::query::Part;
use super::stats::RequestStats;
use crate::index::IndexError;
use std::collections::BTreeMap;
use std::ops::Range;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::query::{Occur, PhraseQuery, Scorer, TermQuery, Weight};
use tantivy::{DocAddress, DocId, DocSet, Searcher, SeekDangerResult, SegmentReader, Term};

/// Where a candidate stands after the parts scored so far.
#[derive(Debug, Clone, Copy)]
pub(super) enum Sum {
    /// No `Should` part has matched yet; the sum so far.
    Unmatched(f32),
    /// Some `Should` part matched; the sum so far.
    Matched(f32),
    /// A `MustNot` part matched (or a `Must` part did not): dropped for good.
    Dropped,
}

/// Per candidate, the sum of the scores of the parts it matched. Parts can be added in several
/// calls (the full query, then feedback words) without scoring the earlier ones again: a
/// document's score is the same sum, in the same order, as if all parts were scored at once.
#[derive(Default)]
pub(super) struct Sums {
    pub(super) docs: BTreeMap<DocAddress, Sum>,
}

impl Sums {
    pub(super) fn seen(&self, addr: &DocAddress) -> bool {
        self.docs.contains_key(addr)
    }

    /// The candidates the query excludes.
    pub(super) fn dropped(&self) -> std::collections::HashSet<DocAddress> {
        self.docs.iter().filter(|(_, s)| matches!(s, Sum::Dropped)).map(|(a, _)| *a).collect()
    }

    /// Forgets every document not in `keep`.
    pub(super) fn keep_only(&mut self, keep: &[DocAddress]) {
        let keep: std::collections::HashSet<&DocAddress> = keep.iter().collect();
        self.docs.retain(|a, _| keep.contains(a));
    }

    /// Scores `candidates` with `parts` and adds to their sums. A `BooleanQuery` would advance
    /// its union through whole blocks of documents, and a phrase scorer would look for its first
    /// match from the start of the segment; here each leaf only visits the candidates.
    pub(super) fn add(
        &mut self,
        stats: &RequestStats,
        searcher: &Searcher,
        parts: &[Part],
        candidates: &[DocAddress],
    ) -> Result<(), IndexError> {
        let leaves = Leaves::new(stats, parts)?;
        let mut by_segment: BTreeMap<u32, Vec<DocId>> = BTreeMap::new();
        for a in candidates {
            by_segment.entry(a.segment_ord).or_default().push(a.doc_id);
        }
        let mut results = vec![None; leaves.specs.len()];
        for (ord, mut docs) in by_segment {
            docs.sort_unstable();
            docs.dedup();
            let segment = searcher.segment_reader(ord);
            let mut cursors: Vec<Cursor> = leaves.specs.iter().map(Cursor::new).collect();
            for doc in docs {
                let slot = self.docs.entry(DocAddress::new(ord, doc)).or_insert(Sum::Unmatched(0.0));
                let (score, matched) = match *slot {
                    Sum::Dropped => continue,
                    Sum::Unmatched(s) => (s, false),
                    Sum::Matched(s) => (s, true),
                };
                leaves.score_leaves(&mut cursors, &mut results, segment, doc)?;
                *slot = leaves.sum(score, matched, parts, &results);
            }
        }
        Ok(())
    }
}

/// One leaf of the parts: its weight and boost, and the one-word leaves that must have matched
/// for it to be worth seeking.
struct LeafSpec {
    /// `None` for a leaf with a word the index does not have in its field: it matches nothing.
    weight: Option<Box<dyn Weight>>,
    boost: f32,
    /// A phrase needs every one of its words in its field: the leaves of those words (in the
    /// same field) that the query also has. A word they did not find rules the phrase out.
    needs: Vec<usize>,
}

/// The parts' leaves in one list, with where each part's groups lie in it.
struct Leaves {
    specs: Vec<LeafSpec>,
    /// Per part, per group, the range of its leaves in `specs`.
    layout: Vec<Vec<Range<usize>>>,
    /// The order leaves are scored in: one-word leaves first, so the phrases can be ruled out.
    order: Vec<usize>,
}

impl Leaves {
    fn new(stats: &RequestStats, parts: &[Part]) -> Result<Leaves, IndexError> {
        let scoring = stats.scoring();
        let (mut specs, mut layout, mut words) = (Vec::new(), Vec::with_capacity(parts.len()), Vec::new());
        let mut phrases: Vec<(usize, Vec<Term>)> = Vec::new();
        for part in parts {
            let mut groups = Vec::with_capacity(part.groups.len());
            for group in &part.groups {
                let start = specs.len();
                for (query, boost) in group {
                    let i = specs.len();
                    let mut absent = false;
                    if let Some(t) = query.downcast_ref::<TermQuery>() {
                        absent = stats.doc_freq(t.term())? == 0;
                        words.push((t.term().clone(), i));
                    } else if let Some(p) = query.downcast_ref::<PhraseQuery>() {
                        let terms = p.phrase_terms();
                        for t in &terms {
                            absent |= stats.doc_freq(t)? == 0;
                        }
                        phrases.push((i, terms));
                    }
                    let weight = if absent { None } else { Some(query.weight(scoring)?) };
                    specs.push(LeafSpec { weight, boost: *boost, needs: Vec::new() });
                }
                groups.push(start..specs.len());
            }
            layout.push(groups);
        }
        for (i, terms) in phrases {
            specs[i].needs = terms.iter().filter_map(|t| words.iter().find(|(w, _)| w == t).map(|(_, j)| *j)).collect();
        }
        let mut is_word = vec![false; specs.len()];
        for (_, j) in &words {
            is_word[*j] = true;
        }
        let (first, then): (Vec<usize>, Vec<usize>) = (0..specs.len()).partition(|&i| is_word[i]);
        Ok(Leaves { specs, layout, order: first.into_iter().chain(then).collect() })
    }

    /// Each leaf's boosted score at `doc` (`None` where it does not match) into `results`.
    fn score_leaves(
        &self,
        cursors: &mut [Cursor],
        results: &mut [Option<f32>],
        segment: &SegmentReader,
        doc: DocId,
    ) -> Result<(), IndexError> {
        for &i in &self.order {
            let ruled_out = self.specs[i].needs.iter().any(|&j| results[j].is_none());
            results[i] = if ruled_out { None } else { cursors[i].score_at(segment, doc)? };
        }
        Ok(())
    }

    /// A candidate's sum so far (`score`, and whether a `Should` part `matched`) with the parts'
    /// scores added, in part order (so the sum is the same however the leaves were visited).
    fn sum(&self, mut score: f32, mut matched: bool, parts: &[Part], results: &[Option<f32>]) -> Sum {
        for (part, groups) in parts.iter().zip(&self.layout) {
            let mut best_group: Option<f32> = None;
            for range in groups {
                let (mut max, mut total, mut any) = (0.0f32, 0.0f32, false);
                for s in results[range.clone()].iter().flatten() {
                    max = max.max(*s);
                    total += s;
                    any = true;
                }
                if any {
                    let g = max + part.tie * (total - max);
                    best_group = Some(best_group.map_or(g, |b: f32| b.max(g)));
                }
            }
            match (part.occur, best_group) {
                (Occur::MustNot, Some(_)) | (Occur::Must, None) => return Sum::Dropped,
                (Occur::Should | Occur::Must, Some(g)) => {
                    score += part.weight * g;
                    matched = true;
                }
                _ => {}
            }
        }
        if matched { Sum::Matched(score) } else { Sum::Unmatched(score) }
    }
}

/// One leaf's scorer in one segment, created at the first candidate it is asked about and then
/// only moved forward with `seek_danger`, never to a document below the bound it last reported.
struct Cursor<'a> {
    weight: Option<&'a dyn Weight>,
    boost: f32,
    scorer: Option<Box<dyn Scorer>>,
    /// No document below this can match.
    bound: DocId,
}

impl<'a> Cursor<'a> {
    fn new(spec: &'a LeafSpec) -> Cursor<'a> {
        Cursor { weight: spec.weight.as_deref(), boost: spec.boost, scorer: None, bound: 0 }
    }

    /// The leaf's boosted score at `doc`, if it matches. Candidates come in increasing order.
    fn score_at(&mut self, segment: &SegmentReader, doc: DocId) -> Result<Option<f32>, IndexError> {
        let Some(weight) = self.weight.filter(|_| doc >= self.bound) else {
            return Ok(None);
        };
        let result = match &mut self.scorer {
            None => {
                let (result, scorer) = weight.scorer_danger(segment, doc, 1.0)?;
                self.scorer = Some(scorer);
                result
            }
            // A scorer already past `doc` (exhausted, or moved beyond the bound it reported) does
            // not match it, and must not be sought backwards.
            Some(scorer) if scorer.doc() > doc => SeekDangerResult::SeekLowerBound(scorer.doc()),
            Some(scorer) => scorer.seek_danger(doc),
        };
        self.bound = match result {
            SeekDangerResult::Found => doc + 1,
            SeekDangerResult::SeekLowerBound(b) => b,
        };
        Ok(match (&mut self.scorer, result) {
            (Some(scorer), SeekDangerResult::Found) => Some(scorer.score() * self.boost),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Query};
    use tantivy::schema::{Field, IndexRecordOption, Schema, TEXT};
    use tantivy::{Index, doc};

    fn term(f: Field, w: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(f, w), IndexRecordOption::WithFreqs))
    }

    fn phrase(f: Field, words: &[&str], slop: u32) -> Box<dyn Query> {
        let terms = words.iter().enumerate().map(|(i, w)| (i, Term::from_field_text(f, w))).collect();
        Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop))
    }

    /// A part across title (boost 2) and body, of one-word or phrase leaves.
    fn part(fields: [Field; 2], leaf: impl Fn(Field) -> Box<dyn Query>, weight: f32) -> Part {
        let groups = vec![vec![(leaf(fields[0]), 2.0), (leaf(fields[1]), 1.0)]];
        Part { occur: Occur::Should, weight, tie: 0.3, groups }
    }

    /// The same parts as one Tantivy query: a boosted disjunction-max per part.
    fn as_query(parts: &[Part]) -> BooleanQuery {
        let clauses = parts
            .iter()
            .map(|p| {
                let leaves: Vec<Box<dyn Query>> = p.groups[0]
                    .iter()
                    .map(|(q, b)| Box::new(BoostQuery::new(q.box_clone(), *b)) as Box<dyn Query>)
                    .collect();
                let dismax = DisjunctionMaxQuery::with_tie_breaker(leaves, p.tie);
                (p.occur, Box::new(BoostQuery::new(Box::new(dismax), p.weight)) as Box<dyn Query>)
            })
            .collect();
        BooleanQuery::new(clauses)
    }

    /// Leaf-by-leaf scoring, with phrases ruled out by their words and absent words skipped,
    /// gives every candidate the score Tantivy's own query gives it, and matches the same ones.
    #[test]
    fn scores_candidates_as_the_whole_query_would() -> Result<(), Box<dyn std::error::Error>> {
        let mut schema = Schema::builder();
        let (title, body) = (schema.add_text_field("title", TEXT), schema.add_text_field("body", TEXT));
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 20_000_000)?;
        for (t, b) in [
            ("back pain", "the pain in my back"),
            ("pain", "back pain after birth"),
            ("back", "no match here but pain"),
            ("other", "nothing at all"),
            ("back pain back", "pain back pain, back pain"),
            ("after birth", "pain and then back"),
        ] {
            writer.add_document(doc!(title => t, body => b))?;
        }
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let f = [title, body];
        let parts = vec![
            part(f, |fl| term(fl, "back"), 1.0),
            part(f, |fl| term(fl, "pain"), 1.0),
            part(f, |fl| term(fl, "zzz"), 1.0),
            part(f, |fl| phrase(fl, &["back", "pain"], 0), 1.0),
            part(f, |fl| phrase(fl, &["pain", "back"], 2), 0.3),
            part(f, |fl| phrase(fl, &["back", "zzz"], 0), 1.0),
            part(f, |fl| phrase(fl, &["after", "birth"], 0), 0.5),
        ];
        let stats = RequestStats::new(&searcher);
        let all: Vec<DocAddress> = (0..6).map(|d| DocAddress::new(0, d)).collect();
        let mut sums = Sums::default();
        sums.add(&stats, &searcher, &parts, &all)?;
        let expected = searcher.search(&as_query(&parts), &TopDocs::with_limit(10).order_by_score())?;
        let matched: Vec<(DocAddress, f32)> = sums
            .docs
            .iter()
            .filter_map(|(a, s)| match s {
                Sum::Matched(score) => Some((*a, *score)),
                _ => None,
            })
            .collect();
        assert_eq!(matched.len(), expected.len(), "{matched:?} vs {expected:?}");
        for (score, addr) in expected {
            let ours = sums.docs.get(&addr).and_then(|s| if let Sum::Matched(x) = s { Some(*x) } else { None });
            let ours = ours.ok_or_else(|| format!("{addr:?} not matched"))?;
            assert!((ours - score).abs() < 1e-4 * score.max(1.0), "{addr:?}: {ours} vs {score}");
        }
        Ok(())
    }
}
