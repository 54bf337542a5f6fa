//! `chart.svg`: per target, entry (dark) and exit (light) instructions of
//! every contender, grouped by handler. plotters with its SVG backend only:
//! no fonts are loaded (text is left to the viewer), so the file depends
//! on nothing but the numbers.

use std::path::Path;

use anyhow::Result;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use super::{Results, Row, TargetResults};
use crate::bench::matrix::Contender;

/// Entry and exit of a row: executed where measured, else static.
fn split(row: &Row) -> Option<(u64, u64)> {
    if let Some(d) = &row.dynamic {
        return Some((d.entry_insns, d.exit_insns));
    }
    let s = row.static_metrics.as_ref()?;
    Some((s.entry_insns? as u64, s.exit_insns? as u64))
}

pub fn draw(results: &Results, path: &Path) -> Result<()> {
    let panels = results.targets.len();
    let root = SVGBackend::new(path, (980, 300 * panels as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    for (area, t) in root.split_evenly((panels, 1)).iter().zip(&results.targets) {
        panel(area, t)?;
    }
    root.present()?;
    Ok(())
}

fn panel(area: &DrawingArea<SVGBackend, plotters::coord::Shift>, t: &TargetResults) -> Result<()> {
    let handlers = t.handlers();
    let contenders: Vec<Contender> = Contender::ALL
        .into_iter()
        .filter(|c| {
            t.rows
                .iter()
                .any(|r| r.contender == *c && split(r).is_some())
        })
        .collect();
    // One slot per contender and one empty slot between handlers.
    let per = contenders.len() as u32 + 1;
    let slots = per * handlers.len() as u32;
    let top = t
        .rows
        .iter()
        .filter_map(split)
        .map(|(e, x)| e + x)
        .max()
        .unwrap_or(1);
    // Head room for the legend in the upper left.
    let y_max = top * 7 / 4 + 1;
    let what = if t.dynamic { "executed" } else { "static" };
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!(
                "{} ({}): entry (dark) + exit (light) instructions, {what}",
                t.name, t.triple
            ),
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(24)
        .y_label_area_size(44)
        .build_cartesian_2d((0..slots).into_segmented(), 0..y_max)?;
    let label = |v: &SegmentValue<u32>| match v {
        SegmentValue::CenterOf(i) if i % per == (per - 1) / 2 => handlers
            .get((i / per) as usize)
            .map_or(String::new(), |h| h.name().to_string()),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(slots as usize)
        .x_label_formatter(&label)
        .y_desc("instructions")
        .draw()?;
    for (ci, contender) in contenders.iter().enumerate() {
        // One colour per contender in every panel.
        let color = Palette99::pick(*contender as usize).to_rgba();
        let light = color.mix(0.45);
        let mut bars = Vec::new();
        for (hi, handler) in handlers.iter().enumerate() {
            let Some((entry, exit)) = t
                .rows
                .iter()
                .find(|r| r.handler == *handler && r.contender == *contender)
                .and_then(split)
            else {
                continue;
            };
            let slot = hi as u32 * per + ci as u32;
            let (x0, x1) = (SegmentValue::Exact(slot), SegmentValue::Exact(slot + 1));
            bars.push(Rectangle::new(
                [(x0.clone(), 0), (x1.clone(), entry)],
                color.filled(),
            ));
            bars.push(Rectangle::new(
                [(x0, entry), (x1, entry + exit)],
                light.filled(),
            ));
        }
        chart
            .draw_series(bars)?
            .label(contender.label())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .border_style(BLACK)
        .background_style(WHITE.mix(0.85))
        .draw()?;
    Ok(())
}
