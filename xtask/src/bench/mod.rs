//! `cargo xtask bench`: interrupt entry and exit cost of interrupt-abi next
//! to rustc's native ABIs, GCC, Clang and riscv-rt, measured in one run.
//!
//! 1. [`compile`]: the suite (bench/) once per target and contender, plain
//!    (what users get: static metrics) and with probes (dynamic metrics).
//! 2. [`analyze`]: entry/exit instructions, code and stack bytes and the
//!    saved registers, from the plain image's machine code ([`isa`]).
//! 3. [`dynamic`]: each probe image in QEMU `-icount shift=0,sleep=off`.
//! 4. [`conventions`]: the save cost each RISC-V register table implies.
//! 5. [`report`]: docs/bench/{README.md, results.json, chart.svg}.
//!
//! [`self_test`] is `cargo xtask test`'s check that the method is exact.

mod analyze;
mod compile;
mod conventions;
mod dynamic;
mod image;
mod matrix;
mod report;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};

use crate::isa::Kind;
use crate::{host, qemu, toolchain};
use analyze::Static;
use compile::Build;
use dynamic::Dynamic;
use image::Image;
use matrix::{Contender, Handler, RtGroup, TARGETS, Target};
use report::{Results, Row, TargetResults};

/// The C compilers, as (executable, Debian package): GCC 12 for RISC-V and
/// ARM, Clang 14 (every target), the host's GCC (x86_64).
const C_COMPILERS: &[(&str, &str)] = &[
    ("riscv64-unknown-elf-gcc", "gcc-riscv64-unknown-elf"),
    ("arm-none-eabi-gcc", "gcc-arm-none-eabi"),
    ("clang", "clang"),
    ("gcc", "gcc"),
];

pub fn run() -> Result<()> {
    let start = Instant::now();
    ensure_tools()?;
    let rustc = toolchain::ensure_cross_toolchain()?;
    let mut progress = Progress::new();
    let mut targets = Vec::new();
    for target in TARGETS {
        targets.push(measure_target(target, &rustc, &mut progress)?);
    }
    let results = Results {
        tools: tool_versions(&rustc),
        targets,
        computed: conventions::computed(),
    };
    let dir = toolchain::repo_root().join("docs/bench");
    report::write(&results, &dir)?;
    println!("\n{}", report::summary_markdown(&results));
    println!(
        "bench: wrote {} (README.md, results.json, chart.svg) in {:.0?}",
        dir.display(),
        start.elapsed()
    );
    Ok(())
}

/// Installs QEMU and the C compilers when they are missing (as root).
fn ensure_tools() -> Result<()> {
    qemu::ensure_qemu()?;
    let missing: Vec<&str> = C_COMPILERS
        .iter()
        .filter(|(tool, _)| host::find_in_path(tool).is_none())
        .map(|&(_, package)| package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !host::is_root() {
        bail!(
            "C compilers are missing; install them as root with \
             `apt-get install --no-install-recommends {}`",
            missing.join(" ")
        );
    }
    println!("installing {}", missing.join(" "));
    host::apt_update()?;
    host::apt_install(&missing)
}

fn tool_versions(rustc: &toolchain::CrossToolchain) -> BTreeMap<String, String> {
    let mut tools = BTreeMap::new();
    tools.insert("rustc".into(), compile::version(&rustc.rustc));
    let qemus = [
        "qemu-system-riscv32",
        "qemu-system-x86_64",
        "qemu-system-arm",
    ];
    for tool in C_COMPILERS.iter().map(|(tool, _)| *tool).chain(qemus) {
        let path = host::find_in_path(tool).unwrap_or_else(|| PathBuf::from(tool));
        tools.insert(tool.into(), compile::version(&path));
    }
    tools.insert("riscv-rt".into(), "0.18.0 (crates.io)".into());
    tools
}

/// Prints one line per step, numbered.
struct Progress {
    step: usize,
    start: Instant,
}

impl Progress {
    fn new() -> Self {
        Progress {
            step: 0,
            start: Instant::now(),
        }
    }

    fn say(&mut self, what: &str) {
        self.step += 1;
        println!("[{:>3} {:>5.0?}] {what}", self.step, self.start.elapsed());
    }
}

/// Which builds a contender needs on `target`.
fn groups(target: &Target, contender: Contender) -> Vec<RtGroup> {
    if contender == Contender::RiscvRt {
        let second = target
            .handlers
            .iter()
            .any(|h| h.riscv_rt().1 == RtGroup::Second);
        if second {
            return vec![RtGroup::First, RtGroup::Second];
        }
    }
    vec![RtGroup::First]
}

fn measure_target(
    target: &Target,
    rustc: &toolchain::CrossToolchain,
    progress: &mut Progress,
) -> Result<TargetResults> {
    let mut rows = Vec::new();
    for contender in target.contenders() {
        let mut statics: BTreeMap<Handler, Static> = BTreeMap::new();
        let mut dynamics: BTreeMap<Handler, Dynamic> = BTreeMap::new();
        let mut unavailable = None;
        for group in groups(target, contender) {
            let handlers: Vec<Handler> = target
                .handlers
                .iter()
                .copied()
                .filter(|h| contender != Contender::RiscvRt || h.riscv_rt().1 == group)
                .collect();
            let plain = Build {
                target,
                contender,
                group,
                probe: false,
            };
            let name = match (contender, group) {
                (Contender::RiscvRt, RtGroup::First) => {
                    format!("{} (first group)", contender.label())
                }
                (Contender::RiscvRt, RtGroup::Second) => {
                    format!("{} (second group)", contender.label())
                }
                _ => contender.label().to_string(),
            };
            progress.say(&format!("{}: build {name}", target.name));
            let elf = match plain.run(rustc) {
                Ok(elf) => elf,
                // A compiler known not to support the target (Clang 14 and
                // RV32E) is reported with its own words; any other failure
                // is a bug of the benchmark.
                Err(e) if target.unsupported.contains(&contender) => {
                    unavailable = Some(format!("{e:#}"));
                    break;
                }
                Err(e) => return Err(e),
            };
            let image = Image::load(&elf, target.isa)?;
            for &h in &handlers {
                let s = static_metrics(target, &image, contender, h).with_context(|| {
                    format!("{} {} {}", target.name, contender.label(), h.name())
                })?;
                statics.insert(h, s);
            }
            if target.machine.is_some() {
                let probe = Build {
                    probe: true,
                    ..plain
                };
                progress.say(&format!("{}: build {name} with probes", target.name));
                let elf = probe.run(rustc)?;
                progress.say(&format!(
                    "{}: run {name} in QEMU -icount {}",
                    target.name,
                    dynamic::ICOUNT
                ));
                let measured = dynamic::run(target, &elf)
                    .with_context(|| format!("{} {}", target.name, contender.label()))?;
                check_known(&measured).with_context(|| target.name)?;
                for (name, d) in &measured {
                    if let (false, Some(cycles)) = (d.raw.cycles_match(), d.raw.total_cycles) {
                        println!(
                            "      note: {name}: mcycle advanced {cycles} over {} instructions \
                             (QEMU's virtual clock jumped; minstret is exact)",
                            d.raw.total
                        );
                    }
                }
                for &h in &handlers {
                    let d = measured
                        .get(h.name())
                        .with_context(|| format!("no @bench line for {}", h.name()))?;
                    dynamics.insert(h, *d);
                }
            }
        }
        for &h in target.handlers {
            let (st, note) = match (&unavailable, statics.remove(&h)) {
                (Some(why), _) => (None, Some(format!("not available: {why}"))),
                (None, Some(s)) => (Some(s), None),
                (None, None) => bail!(
                    "{} {} {}: not built",
                    target.name,
                    contender.label(),
                    h.name()
                ),
            };
            let fpu = target
                .handlers
                .contains(&Handler::Float)
                .then_some(target.isa);
            rows.push(Row::new(
                h,
                contender,
                st,
                dynamics.get(&h).copied(),
                note,
                fpu,
            ));
        }
    }
    Ok(TargetResults {
        name: target.name,
        triple: target.triple,
        dynamic: target.machine.is_some(),
        rows,
    })
}

fn static_metrics(
    target: &Target,
    image: &Image,
    contender: Contender,
    handler: Handler,
) -> Result<Static> {
    match contender {
        // `cortex-m-interrupt` has no trampoline: the body is the vector.
        Contender::InterruptAbi if !target.is_cortex_m() => {
            analyze::trampoline(image, &handler.vector())
        }
        Contender::RiscvRt => analyze::riscv_rt(image, handler.riscv_rt().0),
        _ => analyze::single(image, &handler.vector()),
    }
}

/// The firmware's self-test handler has 7 entry and 5 + return exit
/// instructions: any other result means the method is broken.
fn check_known(measured: &BTreeMap<String, Dynamic>) -> Result<()> {
    let known = measured.get("known").context("no self-test line")?;
    ensure!(
        (known.entry_insns, known.exit_insns, known.stack_bytes) == (7, 6, 0),
        "the measuring method is off: the 7 + 6 instruction self-test handler measured \
         entry {} exit {} stack {}",
        known.entry_insns,
        known.exit_insns,
        known.stack_bytes
    );
    Ok(())
}

/// `cargo xtask test`'s check of the method itself: the firmware's counts
/// of a handler of known length on RV32IMAC, x86_64 and ARMv7-A (each
/// counts with its own counter: `minstret`, the TSC, the PMU), and the
/// static decoder's reading of interrupt-abi's RV32IMAC trampoline against
/// what the emitter says it emitted.
pub fn self_test() -> Result<()> {
    qemu::ensure_qemu()?;
    let rustc = toolchain::ensure_cross_toolchain()?;
    let build = |target, probe| Build {
        target,
        contender: Contender::InterruptAbi,
        group: RtGroup::First,
        probe,
    };
    let counters = ["RV32IMAC", "x86_64", "ARMv7-A"];
    for target in TARGETS.iter().filter(|t| counters.contains(&t.name)) {
        let measured = dynamic::run(target, &build(target, true).run(&rustc)?)?;
        check_known(&measured).with_context(|| target.name)?;
        println!(
            "    dynamic, {}: the 7 + 6 instruction handler measures 7 + 6",
            target.name
        );
    }
    let target = &TARGETS[0];
    let build = |probe| build(target, probe);

    use interrupt_abi_codegen::convention::Shape;
    let variant = interrupt_abi_codegen::Abi::RiscvInterruptM
        .variants()
        .iter()
        .find(|v| v.convention.name == "RV32I ilp32")
        .context("no RV32I variant")?;
    let emitted = interrupt_abi_codegen::Abi::RiscvInterruptM
        .emit(variant, Shape::default())
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let image = Image::load(&build(false).run(&rustc)?, target.isa)?;
    let trampoline = image.function("bench_leaf")?;
    let s = analyze::trampoline(&image, "bench_leaf")?;
    // `call` is one line of the template, and `auipc` + `jalr` in the image
    // unless the linker relaxed it to `jal`.
    let call = trampoline
        .insns
        .iter()
        .position(|i| matches!(i.kind, Kind::Call(_)))
        .context("the trampoline calls nothing")?;
    let auipc_ra = Kind::Other {
        writes: vec!["ra".into()],
    };
    let call_insns = if call > 0 && trampoline.insns[call - 1].kind == auipc_ra {
        2
    } else {
        1
    };
    ensure!(
        trampoline.insns.len() - call_insns == emitted.instruction_count() - 1,
        "decoded {} instructions in the trampoline ({call_insns} for the call), \
         the emitter wrote {} (1 for the call)",
        trampoline.insns.len(),
        emitted.instruction_count()
    );
    ensure!(
        s.saved
            .iter()
            .map(String::as_str)
            .eq(variant.convention.gprs.iter().copied()),
        "decoded saves {:?}, emitted {:?}",
        s.saved,
        variant.convention.gprs
    );
    ensure!(s.stack_bytes == Some(u64::from(emitted.stack_bytes)));
    println!(
        "    static: the decoder reads {} instructions and {} saves in the trampoline, as emitted",
        trampoline.insns.len(),
        s.saved.len()
    );
    Ok(())
}
