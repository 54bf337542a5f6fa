//! `cargo xtask test`: every test of the project, in one command.
//!
//! Steps run in order and all of them run even when one fails; the command
//! fails at the end if any did.

use std::process::Command;
use std::time::Instant;

use anyhow::{Result, bail};

use crate::{firmware, host, qemu, toolchain};

pub fn run(only: Option<&str>) -> Result<()> {
    let mut failed = Vec::new();
    let mut ran = 0;
    let mut step = |name: &str, f: &mut dyn FnMut() -> Result<()>| {
        let setup = name.starts_with("install ");
        if only.is_some_and(|o| !setup && !name.contains(o)) {
            return;
        }
        ran += usize::from(!setup);
        println!("==> {name}");
        let start = Instant::now();
        match f() {
            Ok(()) => println!("    ok: {name} ({:.1?})", start.elapsed()),
            Err(e) => {
                println!("    FAILED: {name}: {e:#}");
                failed.push(name.to_string());
            }
        }
    };

    // QEMU first: the xtask unit tests drive it too.
    step(
        "install QEMU and the cross toolchain if missing",
        &mut || {
            qemu::ensure_qemu()?;
            toolchain::ensure_cross_toolchain().map(drop)
        },
    );
    step(
        "workspace tests: unit, UI, property, host x86_64 torture",
        &mut || host::run(Command::new(cargo()).args(["test", "--workspace"])),
    );
    step(
        "host x86_64 torture again, built with AVX (the YMM-saving entry)",
        &mut host_torture_with_avx,
    );
    step(
        "rustc's native x86-interrupt under the same host torture (nightly)",
        &mut || native_reference(),
    );
    step(
        "bench: the measuring method is exact (known-length handler, decoder vs emitter)",
        &mut crate::bench::self_test,
    );
    for fw in firmware::MATRIX {
        let name = format!("firmware {} for {} in QEMU", fw.package, fw.target);
        step(&name, &mut || {
            let run = firmware::run(fw)?;
            for r in &run.reports {
                println!("    {}", crate::demo::summary(r));
            }
            Ok(())
        });
    }

    if ran == 0 {
        bail!(
            "no test step's name contains {:?}",
            only.unwrap_or_default()
        );
    }
    if failed.is_empty() {
        println!("all tests passed");
        Ok(())
    } else {
        bail!("{} step(s) failed: {}", failed.len(), failed.join("; "))
    }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The AVX variant of the entry saves YMM instead of XMM registers; exercise
/// it on hosts that can run AVX code.
fn host_torture_with_avx() -> Result<()> {
    #[cfg(target_arch = "x86_64")]
    let avx2 = std::arch::is_x86_feature_detected!("avx2");
    #[cfg(not(target_arch = "x86_64"))]
    let avx2 = false;
    if !avx2 {
        println!("    not an x86_64 host with AVX2: the AVX entry is not run here");
        return Ok(());
    }
    // An explicit --target keeps RUSTFLAGS away from build scripts and proc
    // macros; a separate target dir keeps the default build cached.
    host::run(
        Command::new(cargo())
            .args(["test", "-p", "interrupt-abi", "--test", "host_x86_64"])
            .args(["--target", "x86_64-unknown-linux-gnu", "--target-dir"])
            .arg(toolchain::repo_root().join("target/avx"))
            .env("RUSTFLAGS", "-C target-feature=+avx,+avx2"),
    )
}

/// The reference run needs `#![feature(abi_x86_interrupt)]`, so a nightly
/// toolchain; without one the step says so and is not counted as run.
fn native_reference() -> Result<()> {
    let has_nightly = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_nightly {
        println!(
            "    no nightly toolchain: the native reference is not run (nothing of ours depends on it)"
        );
        return Ok(());
    }
    let manifest =
        toolchain::repo_root().join("crates/interrupt-abi/tests/native-reference/Cargo.toml");
    host::run(
        Command::new("rustup")
            .args(["run", "nightly", "cargo", "test", "--manifest-path"])
            .arg(manifest)
            .env_remove("RUSTC")
            .env_remove("CARGO"),
    )
}
