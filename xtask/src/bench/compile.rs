//! Building the suite: the C object per compiler and target, and the
//! firmware image per contender, with and without the probes.
//!
//! Every Rust contender is compiled by the same rustc (Debian's 1.96, see
//! xtask/src/toolchain.rs) with `-Zbuild-std`; `RUSTC_BOOTSTRAP=1` also
//! unlocks rustc's native interrupt ABIs for the `native` feature. Images
//! are copied to `target/bench/elf/` since each cargo build overwrites the
//! last one's output.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::image::Isa;
use super::matrix::{Contender, RtGroup, Target};
use crate::toolchain::{self, CrossToolchain};

/// Optimisation of the C builds; the Rust builds use `opt-level = 3`
/// (bench/Cargo.toml), the default of `cargo --release`.
pub const C_FLAGS: &[&str] = &[
    "-O2",
    "-ffreestanding",
    // Rust never contracts `a * b + c` into a fused multiply-add.
    "-ffp-contract=off",
    "-fno-common",
    "-fno-stack-protector",
    "-fno-asynchronous-unwind-tables",
    "-Wall",
    "-Wextra",
    "-Werror",
];

pub fn bench_dir() -> PathBuf {
    toolchain::repo_root().join("bench")
}

pub fn target_dir() -> PathBuf {
    toolchain::repo_root().join("target/bench")
}

/// GCC for `target`: a cross compiler, or the host's on x86_64.
pub fn gcc(target: &Target) -> &'static str {
    match target.isa {
        Isa::Riscv { .. } => "riscv64-unknown-elf-gcc",
        Isa::Arm { .. } => "arm-none-eabi-gcc",
        Isa::X86_64 => "gcc",
    }
}

/// Compiles `bench/c/handlers.c`; an error carries the compiler's message
/// (Clang 14 has no `ilp32e`, for one).
pub fn c_object(target: &Target, contender: Contender, probe: bool) -> Result<PathBuf> {
    let (cc, flags) = match contender {
        Contender::Gcc => (gcc(target), target.gcc),
        Contender::Clang => ("clang", target.clang),
        _ => bail!("{contender:?} is not a C compiler"),
    };
    let dir = target_dir().join("c");
    std::fs::create_dir_all(&dir)?;
    let out = dir.join(format!(
        "{}-{}{}.o",
        target.triple,
        contender.key(),
        if probe { "-probe" } else { "" }
    ));
    let mut cmd = Command::new(cc);
    // The target's flags last: they may turn off a warning of C_FLAGS.
    cmd.args(C_FLAGS).args(flags);
    if target.isa == Isa::X86_64 {
        // Debian's GCC may default to CET landing pads; interrupt-abi's
        // trampolines have none either.
        cmd.arg("-fcf-protection=none");
    }
    if probe {
        cmd.arg("-DBENCH_PROBE");
    }
    cmd.arg("-c")
        .arg(bench_dir().join("c/handlers.c"))
        .arg("-o")
        .arg(&out);
    let output = cmd.output().with_context(|| format!("cannot run {cc}"))?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        let first = err
            .lines()
            .find(|l| l.contains("error"))
            .unwrap_or(err.lines().next().unwrap_or("failed"));
        bail!("{cc}: {}", first.trim());
    }
    Ok(out)
}

/// One firmware build.
pub struct Build<'a> {
    pub target: &'a Target,
    pub contender: Contender,
    pub group: RtGroup,
    pub probe: bool,
}

impl Build<'_> {
    fn profile(&self) -> &'static str {
        match self.contender {
            Contender::RustcNativeIpra => "release-lto",
            _ => "release",
        }
    }

    fn features(&self) -> String {
        let mut f = vec![self.contender.feature()];
        if self.contender == Contender::RiscvRt && self.group == RtGroup::Second {
            f.push("rt-second");
        }
        if self.probe {
            f.push("probe");
        }
        f.join(",")
    }

    /// Where the image of this build is kept.
    pub fn elf(&self) -> PathBuf {
        let group = match (self.contender, self.group) {
            (Contender::RiscvRt, RtGroup::Second) => "-second",
            _ => "",
        };
        let probe = if self.probe { "-probe" } else { "" };
        target_dir()
            .join("elf")
            .join(self.target.triple)
            .join(format!("{}{group}{probe}.elf", self.contender.key()))
    }

    /// Builds the image and returns its path.
    pub fn run(&self, rustc: &CrossToolchain) -> Result<PathBuf> {
        let c_object = match self.contender {
            Contender::Gcc | Contender::Clang => {
                Some(c_object(self.target, self.contender, self.probe)?)
            }
            _ => None,
        };
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        let subcommand = if self.contender == Contender::RustcNativeIpra {
            "rustc"
        } else {
            "build"
        };
        cmd.current_dir(bench_dir())
            .env("CARGO_TARGET_DIR", target_dir())
            .env("RUSTC", &rustc.rustc)
            .env("RUSTC_BOOTSTRAP", "1")
            .env(
                toolchain::linker_env_var(self.target.triple),
                toolchain::find_lld()?,
            )
            .args([subcommand, "--quiet", "--profile", self.profile()])
            .args(["--target", self.target.triple])
            .args(toolchain::BUILD_STD_ARGS)
            .args(["--features", &self.features()]);
        if let Some(object) = &c_object {
            cmd.env("INTERRUPT_BENCH_C_OBJECT", object);
        }
        if self.contender == Contender::RustcNativeIpra {
            // Only the final crate: with fat LTO it generates all the code.
            cmd.args(["--", "-C", "llvm-args=-enable-ipra"]);
        }
        let output = cmd.output().context("cannot run cargo")?;
        if !output.status.success() {
            bail!(
                "cargo {subcommand} --features {} for {} failed:\n{}",
                self.features(),
                self.target.triple,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let built = target_dir()
            .join(self.target.triple)
            .join(self.profile())
            .join("interrupt-bench");
        let elf = self.elf();
        std::fs::create_dir_all(elf.parent().unwrap())?;
        std::fs::copy(&built, &elf)
            .with_context(|| format!("copying {} to {}", built.display(), elf.display()))?;
        Ok(elf)
    }
}

/// First line of `<tool> --version`, for the record.
pub fn version(tool: &Path) -> String {
    Command::new(tool)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "unknown".into())
}
