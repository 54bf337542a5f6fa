//! Project automation: `cargo xtask test`, `cargo xtask demo`, `cargo xtask bench`.

use anyhow::Result;
use clap::{Parser, Subcommand};

mod arm_elf;
mod bench;
mod demo;
mod firmware;
mod host;
mod isa;
mod qemu;
mod rv32e;
mod test;
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
    Test {
        /// Run only the steps whose name contains this text (e.g. `riscv64gc`,
        /// `workspace`); the toolchain step always runs.
        #[arg(long)]
        only: Option<String>,
    },
    /// Build the example firmware, run it in QEMU and show interrupts handled and their cost.
    Demo,
    /// Measure interrupt entry/exit cost against rustc, GCC, Clang and riscv-rt;
    /// writes docs/bench/.
    Bench,
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Test { only } => test::run(only.as_deref()),
        Command::Demo => demo::run(),
        Command::Bench => bench::run(),
    }
}
