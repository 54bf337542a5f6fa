//! The results: `results.json` (every number), `README.md` (tables) and
//! `chart.svg`, all under docs/bench/. Output is a pure function of the
//! measurements (no dates, fixed order), so a fresh run on the same tools
//! reproduces the committed files byte for byte.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::analyze::Static;
use super::conventions::ConventionCost;
use super::dynamic::Dynamic;
use super::image::Isa;
use super::matrix::{Contender, Handler};

mod chart;

#[derive(Debug, Serialize)]
pub struct Results {
    /// `--version` of every tool involved.
    pub tools: BTreeMap<String, String>,
    pub targets: Vec<TargetResults>,
    /// Computed, not measured.
    pub computed: Vec<ConventionCost>,
}

#[derive(Debug, Serialize)]
pub struct TargetResults {
    pub name: &'static str,
    pub triple: &'static str,
    /// Booted in QEMU (else static metrics only).
    pub dynamic: bool,
    pub rows: Vec<Row>,
}

impl TargetResults {
    /// The handlers measured on this target, in suite order.
    pub fn handlers(&self) -> Vec<Handler> {
        let mut h: Vec<Handler> = self.rows.iter().map(|r| r.handler).collect();
        h.sort();
        h.dedup();
        h
    }
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub handler: Handler,
    pub contender: Contender,
    #[serde(rename = "static")]
    pub static_metrics: Option<Static>,
    pub dynamic: Option<Dynamic>,
    /// Why a row is missing or what the handler gets wrong.
    pub notes: Vec<String>,
}

impl Row {
    /// `fpu`: the target has FP registers, which a handler must preserve
    /// when its body uses them or calls code that may.
    pub fn new(
        handler: Handler,
        contender: Contender,
        static_metrics: Option<Static>,
        dynamic: Option<Dynamic>,
        note: Option<String>,
        fpu: Option<Isa>,
    ) -> Row {
        let mut notes: Vec<String> = note.into_iter().collect();
        if let (Some(isa), Some(s)) = (fpu, &static_metrics) {
            let fp_saved = s.saved.iter().any(|r| isa.is_fp_register(r));
            let unseen = "saves no FP register: sound only while nothing it calls uses one";
            match handler {
                Handler::Float if !fp_saved => {
                    notes.push("saves no FP register although the body uses them".into())
                }
                // `deep` calls memcpy, which no compiler sees into: an
                // entry that saves no FP register trusts it to use none.
                Handler::Deep if !fp_saved => notes.push(unseen.into()),
                // These bodies call `step`, which the compilers see (and
                // on RISC-V save what it uses; on ARM it uses no FP
                // register); riscv-rt's entry cannot see it, and saves none.
                Handler::Nonleaf | Handler::Nested
                    if !fp_saved && contender == Contender::RiscvRt =>
                {
                    notes.push(unseen.into())
                }
                _ => {}
            }
            if let Some(status) = isa.fp_status_register()
                && handler == Handler::Float
                && !s.saved.iter().any(|r| r == status)
            {
                notes.push(format!(
                    "does not save {status} (the body's arithmetic sets its flags)"
                ));
            }
        }
        Row {
            handler,
            contender,
            static_metrics,
            dynamic,
            notes,
        }
    }

    /// Entry + exit instructions: executed where measured, else static.
    pub fn cost(&self) -> Option<u64> {
        if let Some(d) = &self.dynamic {
            return Some(d.entry_insns + d.exit_insns);
        }
        let s = self.static_metrics.as_ref()?;
        Some((s.entry_insns? + s.exit_insns?) as u64)
    }

    /// Preserves all the interrupted state the body can touch.
    fn is_correct(&self) -> bool {
        self.static_metrics.is_some() && !self.notes.iter().any(|n| n.starts_with("saves no"))
    }
}

/// The best other correct contender per handler, next to ours.
struct Gap<'a> {
    handler: Handler,
    ours: &'a Row,
    best: Option<&'a Row>,
}

fn gaps(t: &TargetResults) -> Vec<Gap<'_>> {
    let mut out = Vec::new();
    for handler in t.handlers() {
        let rows: Vec<&Row> = t.rows.iter().filter(|r| r.handler == handler).collect();
        let Some(ours) = rows
            .iter()
            .find(|r| r.contender == Contender::InterruptAbi)
            .copied()
        else {
            continue;
        };
        let best = rows
            .iter()
            .filter(|r| r.contender != Contender::InterruptAbi && r.is_correct())
            .filter(|r| r.cost().is_some())
            .min_by_key(|r| (r.cost(), r.contender))
            .copied();
        out.push(Gap {
            handler,
            ours,
            best,
        });
    }
    out
}

fn dash<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "—".into(), |v| v.to_string())
}

/// `ra t0 t1 t2 a0 a1` -> `ra t0-t2 a0-a1`.
pub fn compact(regs: &[String]) -> String {
    fn split(r: &str) -> (&str, Option<u32>) {
        let digits = r.trim_start_matches(|c: char| !c.is_ascii_digit());
        let prefix = &r[..r.len() - digits.len()];
        match digits.parse() {
            Ok(n) if !prefix.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) => {
                (prefix, Some(n))
            }
            _ => (r, None),
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < regs.len() {
        let (prefix, n) = split(&regs[i]);
        let mut j = i;
        if let Some(n) = n {
            while j + 1 < regs.len()
                && split(&regs[j + 1]) == (prefix, Some(n + (j + 1 - i) as u32))
            {
                j += 1;
            }
        }
        if j > i + 1 {
            out.push(format!("{}-{}", regs[i], regs[j]));
        } else {
            out.extend(regs[i..=j].iter().cloned());
        }
        i = j + 1;
    }
    out.join(" ")
}

pub fn summary_markdown(results: &Results) -> String {
    let mut md = String::new();
    md.push_str(
        "| target | handler | interrupt-abi entry + exit | best other contender | entry + exit | interrupt-abi is worse by |\n\
         |---|---|---|---|---|---|\n",
    );
    for t in &results.targets {
        for g in gaps(t) {
            let ours = g.ours.cost();
            let best = g.best.and_then(Row::cost);
            let gap = match (ours, best) {
                (Some(o), Some(b)) if o > b => format!("**{}** instructions", o - b),
                (Some(_), Some(_)) => "— (not worse)".into(),
                _ => "—".into(),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                t.name,
                g.handler.name(),
                dash(ours),
                g.best.map_or("—", |r| r.contender.label()),
                dash(best),
                gap
            );
        }
    }
    md
}

fn target_table(md: &mut String, t: &TargetResults) {
    let _ = writeln!(md, "\n### {} (`{}`)\n", t.name, t.triple);
    if t.dynamic {
        md.push_str(
            "| handler | contender | entry | exit | stack bytes | static entry | static exit | code bytes | saved | notes |\n\
             |---|---|--:|--:|--:|--:|--:|--:|---|---|\n",
        );
    } else {
        md.push_str(
            "| handler | contender | static entry | static exit | stack bytes | code bytes | saved | notes |\n\
             |---|---|--:|--:|--:|--:|---|---|\n",
        );
    }
    for r in &t.rows {
        let s = r.static_metrics.as_ref();
        let saved = s.map_or_else(String::new, |s| match s.saved.len() {
            0 => "none".into(),
            n => format!("{n}: {}", compact(&s.saved)),
        });
        let notes = r.notes.join("; ");
        let (se, sx, code) = (
            dash(s.and_then(|s| s.entry_insns)),
            dash(s.and_then(|s| s.exit_insns)),
            dash(s.map(|s| s.code_bytes)),
        );
        if t.dynamic {
            let d = r.dynamic.as_ref();
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {se} | {sx} | {code} | {saved} | {notes} |",
                r.handler.name(),
                r.contender.label(),
                dash(d.map(|d| d.entry_insns)),
                dash(d.map(|d| d.exit_insns)),
                dash(d.map(|d| d.stack_bytes)),
            );
        } else {
            let _ = writeln!(
                md,
                "| {} | {} | {se} | {sx} | {} | {code} | {saved} | {notes} |",
                r.handler.name(),
                r.contender.label(),
                dash(s.and_then(|s| s.stack_bytes)),
            );
        }
    }
}

fn computed_table(md: &mut String, results: &Results) {
    md.push_str(
        "\n## Computed, not measured: the save cost of each RISC-V register convention\n\n\
         What interrupt-abi's emitter produces around an opaque body when the body follows \
         each register-convention table of `interrupt-abi-codegen` (`riscv_regs`): the \
         psABI tables it uses today and the proposed EABI, which no compiler we can \
         target implements. Entry counts up to the body's first instruction (the `call` is \
         `auipc` + `jalr`), exit from the body's `ret` through the `mret`. Next to it, \
         interrupt-abi's measured `leaf`, whose body has no prologue of its own.\n\n\
         | target | convention | saved | frame bytes | entry | exit | measured interrupt-abi leaf entry / exit |\n\
         |---|---|---|--:|--:|--:|--:|\n",
    );
    for c in &results.computed {
        let measured = results
            .targets
            .iter()
            .find(|t| t.name == c.target)
            .and_then(|t| {
                t.rows
                    .iter()
                    .find(|r| r.handler == Handler::Leaf && r.contender == Contender::InterruptAbi)
            })
            .and_then(|r| r.dynamic)
            .map(|d| format!("{} / {}", d.entry_insns, d.exit_insns));
        let _ = writeln!(
            md,
            "| {} | {} | {}: {} | {} | {} | {} | {} |",
            c.target,
            c.table,
            c.saved.len(),
            compact(&c.saved),
            c.frame_bytes,
            c.entry_insns,
            c.exit_insns,
            dash(measured)
        );
    }
}

pub fn markdown(results: &Results) -> String {
    let mut md = String::new();
    md.push_str(
        "# Interrupt entry and exit cost\n\n\
         Generated by `cargo xtask bench` (xtask/src/bench/); do not edit. Every number \
         is in [`results.json`](results.json); the chart is [`chart.svg`](chart.svg).\n\n\
         ![entry and exit instructions per handler](chart.svg)\n\n\
         ## Method\n\n\
         - **Suite**: each handler is written once in Rust ([`bench/src/suite.rs`](../../bench/src/suite.rs)) \
         and once in C ([`bench/c/handlers.c`](../../bench/c/handlers.c)), statement for statement:\n",
    );
    for h in Handler::ALL {
        let _ = writeln!(md, "  - `{}`: {}", h.name(), h.describe());
    }
    md.push_str(
        "- **Contenders**: interrupt-abi (`#[interrupt]`; `arm-interrupt-irq` on ARMv7-A, \
         `cortex-m-interrupt` on Cortex-M3); rustc's nightly `extern \"riscv-interrupt-m\"` / \
         `\"x86-interrupt\"` (`RUSTC_BOOTSTRAP=1`), and on Cortex-M3, whose hardware calls an AAPCS \
         function, a plain `extern \"C\" fn` as cortex-m-rt uses (rustc has no classic-ARM interrupt \
         ABI); the same with `-C llvm-args=-enable-ipra` and fat LTO; GCC and Clang \
         `__attribute__((interrupt))` (`interrupt(\"IRQ\")` on ARMv7-A) at `-O2`; riscv-rt's \
         `_start_trap` with `#[core_interrupt]` handlers (direct mode, its default). Rust at \
         `opt-level = 3`, one codegen unit, all with the same rustc.\n\
         - **entry / exit**: instructions executed from the interrupt to the body's first \
         instruction, and from the body's last through the return (`mret`, `iretq`, ARM's \
         `subs pc, lr, #4` or `ldm sp!, {..., pc}^`), read by the firmware in QEMU \
         `-icount shift=0,sleep=off` around an interrupt it raises itself, minus the calibrated cost of \
         the reading ([method](../../bench/src/harness.rs)). RISC-V reads `minstret` and raises the \
         interrupt through `mip` ([harness](../../bench/src/riscv/harness.rs)); x86_64 reads the TSC, \
         which QEMU derives from the instruction count under `-icount`, and raises it with `int` \
         ([harness](../../bench/src/x86/harness.rs)); ARMv7-A (QEMU `virt`, Cortex-A15) reads the \
         PMU's INST_RETIRED counter and raises an SGI at the GIC, which each body acknowledges \
         ([harness](../../bench/src/arm/harness.rs)). Cortex-M3 is static only: QEMU's M-profile \
         boards have no counter that reads single instructions (no DWT cycle counter; SysTick \
         ticks every 20 instructions at best). firmware/cortex-m recovers exact counts of its own \
         entry by summing phase-shifted SysTick samples (docs/cortex-m-interrupt.md), which this \
         benchmark does not do; with no trampoline and straight-line bodies the static counts \
         are what runs, up to instructions the compiler moves between body and prologue or \
         epilogue, either way. QEMU has no cycle model: under `-icount shift=0` \
         an instruction is a cycle, so these are also the cycle counts (on RISC-V results.json keeps \
         each round trip's `mcycle` delta next to its `minstret` delta; they differ only where QEMU's \
         virtual clock jumped on its own). A self-test handler of exactly 7 + 6 instructions must \
         measure 7 + 6 in every run. The probes are `asm!` blocks, which the compiler may answer \
         with code the plain build lacks (rustc's native x86 `leaf` gets a `cld` before them), and \
         across which it may move register-only body instructions (an address's `movw` before the \
         entry probe counts as entry): the static columns describe the plain build.\n\
         - **stack bytes**: between the interrupted code's stack pointer and the body's, less the \
         frame the hardware pushes (x86_64: 40 bytes after aligning the stack to 16); on ARMv7-A, \
         what the entry pushes on the IRQ-mode stack. Cortex-M3's hardware frame (32 bytes) is not \
         included either.\n\
         - **static entry / exit, code bytes, saved**: from the plain build's machine code \
         (no probes): the straight-line prologue up to its last save and the epilogue from its first \
         restore (a trampoline counts in full, plus the body's own prologue and epilogue); bytes are ELF \
         symbol sizes from the vector to the body inclusive; riscv-rt's dispatch branches, so its static \
         counts are left to the dynamic ones.\n\
         - **Gap**: entry + exit of interrupt-abi minus the best other contender that saves \
         what its body uses: a contender whose entry saves no FP register where the body uses one, \
         or calls memcpy (`deep`), which no compiler sees into, is not counted; one that misses \
         only the FP status register (its accrued flags) is, with that note.\n\n\
         Tools:\n\n",
    );
    for (tool, version) in &results.tools {
        let _ = writeln!(md, "- `{tool}`: {version}");
    }
    md.push_str("\n## Where interrupt-abi stands\n\n");
    md.push_str(&summary_markdown(results));
    md.push_str("\n## All measurements\n");
    for t in &results.targets {
        target_table(&mut md, t);
    }
    computed_table(&mut md, results);
    md
}

/// Writes README.md, results.json and chart.svg into `dir`.
pub fn write(results: &Results, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("README.md"), markdown(results))?;
    let mut json = serde_json::to_string_pretty(results)?;
    json.push('\n');
    std::fs::write(dir.join("results.json"), json)?;
    chart::draw(results, &dir.join("chart.svg"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_runs_are_compacted() {
        let regs: Vec<String> = ["ra", "t0", "t1", "t2", "a0", "a1", "fcsr", "ft0", "ft1"]
            .map(String::from)
            .into();
        assert_eq!(compact(&regs), "ra t0-t2 a0 a1 fcsr ft0 ft1");
        let x86: Vec<String> = ["rax", "r8", "r9", "r10", "r11"].map(String::from).into();
        assert_eq!(compact(&x86), "rax r8-r11");
    }
}
