//! Filters (category, site, review date), facet counts per value, and the sort orders of a search.

use crate::index::storage::schema::{Fields, name};
use crate::index::storage::writer::date_value;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Bound;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, Term};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

/// Restrictions on which articles a search may return. Values of one field are alternatives
/// (any may match); different fields must all match.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Filters {
    /// Categories as the sites file articles (their breadcrumbs, e.g. `After the birth`).
    pub category: Vec<String>,
    /// Host names, as in article URLs (e.g. `www.bumptobaby.example`).
    pub site: Vec<String>,
    /// Who the article is for.
    #[schema(value_type = Vec<crate::article::Audience>)]
    pub audience: Vec<String>,
    /// Reviewed on or after this day (undated articles are left out).
    pub reviewed_after: Option<NaiveDate>,
}

/// A facet a search can count: a keyword field of the index. Its name is the field's, the API's
/// `facets=` value and the search page's parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    // In the order of their names, so maps keyed by facet list them as the names sort.
    Audience,
    Category,
    Site,
}

impl Facet {
    /// Every facet, in the order the search page shows them.
    pub const ALL: [Facet; 3] = [Facet::Category, Facet::Site, Facet::Audience];

    /// The facet's name (and its field's).
    pub const fn name(self) -> &'static str {
        match self {
            Facet::Audience => name::AUDIENCE,
            Facet::Category => name::CATEGORY,
            Facet::Site => name::SITE,
        }
    }

    /// The facet called `name`.
    pub fn named(name: &str) -> Option<Facet> {
        Facet::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl std::fmt::Display for Facet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Facet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A facet's name, as it is serialized.
impl PartialSchema for Facet {
    fn schema() -> RefOr<Schema> {
        let names = Facet::ALL.map(Facet::name);
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(names))
            .description(Some("A facet: a field whose values a search can count and filter on."))
            .into()
    }
}

impl ToSchema for Facet {}

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Most recently reviewed first (undated articles last).
    Reviewed,
}

impl Filters {
    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        self.category.is_empty() && self.site.is_empty() && self.audience.is_empty() && self.reviewed_after.is_none()
    }

    /// These filters without the one on `facet`, for counting that facet's other values.
    pub fn without(&self, facet: Facet) -> Filters {
        let mut f = self.clone();
        match facet {
            Facet::Category => f.category.clear(),
            Facet::Site => f.site.clear(),
            Facet::Audience => f.audience.clear(),
        }
        f
    }

    /// The values filtered on for a facet field.
    pub fn values(&self, facet: Facet) -> &[String] {
        match facet {
            Facet::Category => &self.category,
            Facet::Site => &self.site,
            Facet::Audience => &self.audience,
        }
    }

    /// `query` restricted to articles that pass; the filters add nothing to the score.
    pub fn apply(&self, query: Box<dyn Query>, fields: &Fields) -> Box<dyn Query> {
        if self.is_empty() {
            return query;
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, query)];
        for (field, values) in
            [(fields.category, &self.category), (fields.site, &self.site), (fields.audience, &self.audience)]
        {
            if values.is_empty() {
                continue;
            }
            let any: Vec<(Occur, Box<dyn Query>)> = values
                .iter()
                .map(|v| {
                    let q = TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic);
                    (Occur::Should, Box::new(q) as Box<dyn Query>)
                })
                .collect();
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0))));
        }
        if let Some(day) = self.reviewed_after {
            let from = Term::from_field_date(fields.reviewed, date_value(day));
            let range = RangeQuery::new(Bound::Included(from), Bound::Unbounded);
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(range), 0.0))));
        }
        Box::new(BooleanQuery::new(clauses))
    }
}

/// One value of a facet and how many matching articles have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FacetValue {
    pub value: String,
    /// Matching articles with this value.
    pub count: u64,
    /// What to show for the value when it differs from it: a site's name for its host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Whether the search is filtered on this value.
    pub selected: bool,
}

/// Counts matching documents per value of one string fast field.
pub struct FacetCounter {
    field: &'static str,
}

impl FacetCounter {
    pub fn new(field: &'static str) -> FacetCounter {
        FacetCounter { field }
    }
}

/// A segment's counts by term ordinal.
pub struct SegmentFacetCounter {
    column: Option<StrColumn>,
    counts: Vec<u64>,
}

impl Collector for FacetCounter {
    type Fruit = HashMap<String, u64>;
    type Child = SegmentFacetCounter;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentFacetCounter> {
        let column = segment.fast_fields().str(self.field)?;
        let terms = column.as_ref().map_or(0, |c| c.num_terms());
        Ok(SegmentFacetCounter { column, counts: vec![0; terms] })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<String, u64>>) -> tantivy::Result<HashMap<String, u64>> {
        let mut all = HashMap::new();
        for fruit in fruits {
            for (k, v) in fruit {
                *all.entry(k).or_default() += v;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = HashMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(column) = &self.column {
            for ord in column.term_ords(doc) {
                if let Some(c) = self.counts.get_mut(ord as usize) {
                    *c += 1;
                }
            }
        }
    }

    fn harvest(self) -> HashMap<String, u64> {
        let mut out = HashMap::new();
        let Some(column) = self.column else { return out };
        let mut value = String::new();
        for (ord, count) in self.counts.into_iter().enumerate().filter(|(_, c)| *c > 0) {
            value.clear();
            if column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                out.insert(value.clone(), count);
            }
        }
        out
    }
}

/// Facet values by count (then name), at most `max`, with selected values always included.
pub fn facet_values(counts: HashMap<String, u64>, selected: &[String], max: usize) -> Vec<FacetValue> {
    let mut values: Vec<FacetValue> = counts
        .into_iter()
        .map(|(value, count)| FacetValue { selected: selected.contains(&value), value, count, label: None })
        .collect();
    for s in selected {
        if !values.iter().any(|v| &v.value == s) {
            values.push(FacetValue { value: s.clone(), count: 0, selected: true, label: None });
        }
    }
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    let mut kept: Vec<FacetValue> = Vec::with_capacity(max);
    for v in values {
        if kept.len() < max || v.selected {
            kept.push(v);
        }
    }
    kept
}
