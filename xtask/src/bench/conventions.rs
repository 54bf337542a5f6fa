//! Computed, not measured: what a trampoline around an opaque body costs
//! under each RISC-V register-convention table of the codegen crate
//! (`riscv_regs`: the psABI `ilp32`/`lp64d`/`ilp32e` and the proposed
//! EABI), emitted by interrupt-abi's own emitter with the table's full
//! caller-saved set.
//!
//! Tables name registers by their role, the emitter by psABI mnemonic, so
//! registers are mapped by number (the EABI's `t1` is `x5`, psABI `t0`).
//! Counted like the measurements: entry up to the body's first instruction,
//! with `call` as the two instructions (`auipc` + `jalr`) the linker leaves
//! it as in today's images; exit from the body's `ret` through `mret`.

use interrupt_abi_codegen::Abi;
use interrupt_abi_codegen::convention::{Convention, FpState, Isa, Shape};
use interrupt_abi_codegen::riscv_regs::{
    EABI_RV32E, EABI_RV32I, ILP32E, PSABI, RegisterTable, Role,
};
use serde::Serialize;

use crate::isa::riscv::{FREGS, XREGS};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ConventionCost {
    pub target: &'static str,
    pub table: &'static str,
    pub saved: Vec<String>,
    pub frame_bytes: u32,
    pub entry_insns: usize,
    pub exit_insns: usize,
}

/// The tables that apply to each benchmark target: (target, table, XLEN
/// bytes, FP register width or 0).
const CASES: &[(&str, &RegisterTable, Isa, u32)] = &[
    ("RV32IMAC", &PSABI, Isa::Riscv32, 0),
    ("RV32IMAC", &EABI_RV32I, Isa::Riscv32, 0),
    ("RV64GC", &PSABI, Isa::Riscv64, 8),
    ("RV64GC", &EABI_RV32I, Isa::Riscv64, 8),
    ("RV32E", &ILP32E, Isa::Riscv32, 0),
    ("RV32E", &EABI_RV32E, Isa::Riscv32, 0),
];

fn caller_saved(
    regs: &[interrupt_abi_codegen::riscv_regs::Register],
    names: &[&'static str; 32],
) -> Vec<&'static str> {
    regs.iter()
        .filter(|r| r.role == Role::CallerSaved)
        .map(|r| names[usize::from(r.number)])
        .collect()
}

pub fn computed() -> Vec<ConventionCost> {
    CASES
        .iter()
        .map(|&(target, table, isa, fp_width)| {
            let gprs: &'static [&'static str] = caller_saved(table.integer, &XREGS).leak();
            let fp = if fp_width == 0 {
                FpState::None
            } else {
                FpState::Riscv {
                    regs: caller_saved(table.float, &FREGS).leak(),
                    width: fp_width,
                }
            };
            let conv = Convention {
                name: table.name,
                isa,
                gprs,
                fp,
                stack_align: table.stack_align,
            };
            let t = Abi::RiscvInterruptM
                .emit_with(&conv, &conv.full_save_set(), Shape::default())
                .expect("every table's caller-saved set can be emitted");
            let insns: Vec<&str> = t.instructions().collect();
            let call = insns
                .iter()
                .position(|l| l.starts_with("call"))
                .expect("the trampoline calls the body");
            let mut saved: Vec<String> = gprs.iter().map(|r| r.to_string()).collect();
            if let FpState::Riscv { regs, .. } = fp {
                saved.extend(regs.iter().map(|r| r.to_string()));
                saved.push("fcsr".into());
            }
            ConventionCost {
                target,
                table: table.name,
                saved,
                frame_bytes: t.stack_bytes,
                // + 1: `call` is `auipc` + `jalr`.
                entry_insns: call + 2,
                // + 1: the body's `ret`.
                exit_insns: insns.len() - call,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psabi_rv32_saves_sixteen_and_eabi_seven() {
        let costs = computed();
        let ilp32 = &costs[0];
        assert_eq!(ilp32.saved.len(), 16);
        // addi + 16 stores + auipc + jalr; ret + 16 loads + addi + mret.
        assert_eq!((ilp32.entry_insns, ilp32.exit_insns), (19, 19));
        assert_eq!(ilp32.frame_bytes, 64);
        let eabi = &costs[1];
        assert_eq!(eabi.saved, ["ra", "t0", "a0", "a1", "a2", "a3", "a5"]);
        assert_eq!((eabi.entry_insns, eabi.exit_insns), (10, 10));
    }
}
