//! `cargo xtask firmware-smoke`: proves the cross toolchain and QEMU work by
//! booting `firmware/riscv-virt` on every RISC-V target variant.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::{qemu, toolchain};

/// RV32 with compressed instructions, RV64 with F/D, and RV32E (tier 3).
const RISCV_TARGETS: &[&str] = &[
    "riscv32imac-unknown-none-elf",
    "riscv64gc-unknown-none-elf",
    "riscv32e-unknown-none-elf",
];

/// Generous for a firmware that runs for milliseconds; only a hang hits it.
const TIMEOUT: Duration = Duration::from_secs(20);

pub fn run() -> Result<()> {
    let start = Instant::now();
    qemu::ensure_qemu()?;
    for target in RISCV_TARGETS {
        boot(target).with_context(|| format!("firmware smoke test for {target}"))?;
    }
    println!("firmware-smoke: all passed in {:.1?}", start.elapsed());
    Ok(())
}

fn boot(target: &str) -> Result<()> {
    let elf = toolchain::firmware_build("riscv-virt", target)?;
    let (binary, args) = qemu::riscv_virt_command(target, &elf)?;
    let outcome = qemu::run_qemu(binary, &args, TIMEOUT)?;
    outcome.check()?;
    let greeting = format!("hello from {target}");
    anyhow::ensure!(
        outcome.stdout.contains(&greeting),
        "expected {greeting:?} on the serial console, got {:?}",
        outcome.stdout
    );
    println!("{target}: {greeting:?}, exit 0 in {:.1?}", outcome.elapsed);
    Ok(())
}
