//! `cargo xtask demo`: builds every firmware, runs it in QEMU and shows, per
//! ABI and scenario, the interrupts taken, the register checks made and what
//! an entry costs.

use anyhow::Result;

use crate::firmware::{self, Report};
use crate::{qemu, toolchain};

const COLUMNS: &[(&str, &str)] = &[
    ("target", "target"),
    ("abi", "ABI"),
    ("scenario", "scenario"),
    ("interrupts", "interrupts"),
    ("checks", "register checks"),
    ("entry_insns", "entry insns"),
    ("exit_insns", "exit insns"),
    ("entry_cycles", "entry cycles"),
    ("exit_cycles", "exit cycles"),
    ("entry_bytes", "entry bytes"),
];

pub fn run() -> Result<()> {
    qemu::ensure_qemu()?;
    toolchain::ensure_cross_toolchain()?;
    let mut rows = Vec::new();
    for fw in firmware::MATRIX {
        println!("building and running {} for {} ...", fw.package, fw.target);
        let run = firmware::run(fw)?;
        for mut report in run.reports {
            let handler = report.get("handler").map(str::to_string);
            if let Some(bytes) = handler
                .map(|h| firmware::entry_bytes(&run.elf, &h))
                .transpose()?
                .flatten()
            {
                report.0.insert("entry_bytes".into(), bytes.to_string());
            }
            report
                .0
                .entry("target".into())
                .or_insert_with(|| fw.target.into());
            rows.push(report);
        }
    }
    print_table(&rows);
    println!(
        "\ninsns: instructions from the interrupt to the body's first instruction (entry) and \
         from its last back to the interrupted code (exit), counted by the firmware under \
         QEMU -icount shift=0 (minstret, rdtsc, the PMU or a timer: see each firmware's cost \
         module); bytes: ELF symbol size of the trampoline."
    );
    Ok(())
}

/// One line for logs.
pub fn summary(r: &Report) -> String {
    COLUMNS
        .iter()
        .filter_map(|(key, label)| r.get(key).map(|v| format!("{label}={v}")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_table(rows: &[Report]) {
    let cols: Vec<_> = COLUMNS
        .iter()
        .filter(|(k, _)| rows.iter().any(|r| r.get(k).is_some()))
        .collect();
    let cell = |r: &Report, k: &str| r.get(k).unwrap_or("-").to_string();
    let widths: Vec<usize> = cols
        .iter()
        .map(|(k, label)| {
            rows.iter()
                .map(|r| cell(r, k).len())
                .chain([label.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("| {} |", parts.join(" | "));
    };
    line(cols.iter().map(|(_, l)| l.to_string()).collect());
    line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for r in rows {
        line(cols.iter().map(|(k, _)| cell(r, k)).collect());
    }
}
