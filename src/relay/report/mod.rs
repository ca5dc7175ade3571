//! The analytics report (#16): what self-help solved, where it failed, and
//! which product fixes would remove the most tickets, from the database the
//! relay writes. The period in [`period`], the figures in [`model`], the
//! formats (text, JSON, CSV, HTML) in [`render`]. `signpost report` and the
//! inbox's report page both show it.

pub mod model;
pub mod period;
pub mod render;

use super::store::{Store, StoreError};
use period::Period;

/// The formats the report is printed in (`signpost report --format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
    Html,
}

/// The report over `period` from `store`, for one flow or all of them.
pub fn compute(
    store: &dyn Store,
    period: &Period,
    flow: Option<&str>,
) -> Result<model::Report, StoreError> {
    let data = store.report_data(period.span, period.previous_first_day)?;
    Ok(model::build(&data, period, flow))
}

/// `report` as text in `format`.
pub fn render(report: &model::Report, format: Format) -> String {
    match format {
        Format::Text => render::text(report),
        Format::Json => {
            let mut json = serde_json::to_string_pretty(report).expect("a report serialises");
            json.push('\n');
            json
        }
        Format::Csv => render::csv(report),
        Format::Html => render::html(report),
    }
}
