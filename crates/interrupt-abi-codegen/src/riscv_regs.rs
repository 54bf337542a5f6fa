//! RISC-V register conventions, register by register.
//!
//! The psABI tables decide what a trampoline saves; the proposed embedded ABI
//! (EABI) tables cannot be compiled for today, but the benchmarks report the
//! save cost each table implies, so they live here as data too.

/// Who preserves a register across a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `x0`: hard-wired zero, nothing to save.
    Zero,
    /// `sp`, `gp`, `tp`: not allocated by the compiler.
    Reserved,
    /// A call may change it: an interrupt entry must save it around the body.
    CallerSaved,
    /// The body's own prologue preserves it.
    CalleeSaved,
}

/// One architectural register under a convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Register {
    /// Architectural number (`x5` is 5, `f10` is 10).
    pub number: u8,
    /// ABI mnemonic under this convention.
    pub name: &'static str,
    pub role: Role,
}

/// A register convention: integer and floating-point files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterTable {
    pub name: &'static str,
    pub integer: &'static [Register],
    /// Empty when the convention defines no FP registers.
    pub float: &'static [Register],
    /// Stack alignment in bytes the convention requires at a call.
    pub stack_align: u32,
}

impl RegisterTable {
    /// Integer registers an interrupt entry must save around a body call.
    pub fn caller_saved_integer(&self) -> impl Iterator<Item = &'static str> + '_ {
        caller_saved(self.integer)
    }

    /// FP registers an interrupt entry must save when the target has F/D.
    pub fn caller_saved_float(&self) -> impl Iterator<Item = &'static str> + '_ {
        caller_saved(self.float)
    }
}

fn caller_saved(regs: &'static [Register]) -> impl Iterator<Item = &'static str> {
    regs.iter()
        .filter(|r| r.role == Role::CallerSaved)
        .map(|r| r.name)
}

const fn reg(number: u8, name: &'static str, role: Role) -> Register {
    Register { number, name, role }
}

use Role::{CalleeSaved as Ce, CallerSaved as Cr, Reserved as Rs, Zero as Z};

/// The psABI integer convention shared by `ilp32`, `ilp32f`, `ilp32d`, `lp64*`.
const PSABI_INTEGER: &[Register] = &[
    reg(0, "zero", Z),
    reg(1, "ra", Cr),
    reg(2, "sp", Rs),
    reg(3, "gp", Rs),
    reg(4, "tp", Rs),
    reg(5, "t0", Cr),
    reg(6, "t1", Cr),
    reg(7, "t2", Cr),
    reg(8, "s0", Ce),
    reg(9, "s1", Ce),
    reg(10, "a0", Cr),
    reg(11, "a1", Cr),
    reg(12, "a2", Cr),
    reg(13, "a3", Cr),
    reg(14, "a4", Cr),
    reg(15, "a5", Cr),
    reg(16, "a6", Cr),
    reg(17, "a7", Cr),
    reg(18, "s2", Ce),
    reg(19, "s3", Ce),
    reg(20, "s4", Ce),
    reg(21, "s5", Ce),
    reg(22, "s6", Ce),
    reg(23, "s7", Ce),
    reg(24, "s8", Ce),
    reg(25, "s9", Ce),
    reg(26, "s10", Ce),
    reg(27, "s11", Ce),
    reg(28, "t3", Cr),
    reg(29, "t4", Cr),
    reg(30, "t5", Cr),
    reg(31, "t6", Cr),
];

/// The psABI FP convention of the hard-float ABIs (`ilp32f/d`, `lp64f/d`).
const PSABI_FLOAT: &[Register] = &[
    reg(0, "ft0", Cr),
    reg(1, "ft1", Cr),
    reg(2, "ft2", Cr),
    reg(3, "ft3", Cr),
    reg(4, "ft4", Cr),
    reg(5, "ft5", Cr),
    reg(6, "ft6", Cr),
    reg(7, "ft7", Cr),
    reg(8, "fs0", Ce),
    reg(9, "fs1", Ce),
    reg(10, "fa0", Cr),
    reg(11, "fa1", Cr),
    reg(12, "fa2", Cr),
    reg(13, "fa3", Cr),
    reg(14, "fa4", Cr),
    reg(15, "fa5", Cr),
    reg(16, "fa6", Cr),
    reg(17, "fa7", Cr),
    reg(18, "fs2", Ce),
    reg(19, "fs3", Ce),
    reg(20, "fs4", Ce),
    reg(21, "fs5", Ce),
    reg(22, "fs6", Ce),
    reg(23, "fs7", Ce),
    reg(24, "fs8", Ce),
    reg(25, "fs9", Ce),
    reg(26, "fs10", Ce),
    reg(27, "fs11", Ce),
    reg(28, "ft8", Cr),
    reg(29, "ft9", Cr),
    reg(30, "ft10", Cr),
    reg(31, "ft11", Cr),
];

/// `ilp32` / `lp64` and their hard-float variants (RV32I, RV64I, with F/D).
pub const PSABI: RegisterTable = RegisterTable {
    name: "ilp32/lp64 (psABI)",
    integer: PSABI_INTEGER,
    float: PSABI_FLOAT,
    stack_align: 16,
};

/// The soft-float ABIs' view of an FPU: they preserve no FP register across
/// calls, so compiled code may use any of f0-f31 without saving it.
const SOFT_FLOAT_FPU: [Register; 32] = {
    let mut regs = [reg(0, "", Z); 32];
    let mut i = 0;
    while i < 32 {
        regs[i] = reg(i as u8, PSABI_FLOAT[i].name, Cr);
        i += 1;
    }
    regs
};

/// `ilp32` / `lp64` (soft-float ABI) on a target with F or D: the FPU's
/// registers are all caller-saved. Also what `ilp32f`/`lp64f` code amounts
/// to on a D machine: it preserves only the low 32 bits of fs0-fs11.
pub const PSABI_SOFT_FLOAT: RegisterTable = RegisterTable {
    name: "ilp32/lp64 with an FPU (psABI)",
    integer: PSABI_INTEGER,
    float: &SOFT_FLOAT_FPU,
    stack_align: 16,
};

/// `ilp32e`: RV32E has only x0-x15, and the stack is 4-byte aligned.
pub const ILP32E: RegisterTable = RegisterTable {
    name: "ilp32e (psABI)",
    integer: PSABI_INTEGER.split_at(16).0,
    float: &[],
    stack_align: 4,
};

/// `lp64e`: RV64E, x0-x15 as in `ilp32e`, with an 8-byte aligned stack.
pub const LP64E: RegisterTable = RegisterTable {
    name: "lp64e (psABI)",
    stack_align: 8,
    ..ILP32E
};

/// The integer half of the proposed EABI, identical for RV32E and RV32I/RV64I
/// in x0-x15.
const EABI_LOW: [Register; 16] = [
    reg(0, "zero", Z),
    reg(1, "ra", Cr),
    reg(2, "sp", Rs),
    reg(3, "gp", Rs),
    reg(4, "tp", Rs),
    reg(5, "t1", Cr),
    reg(6, "s3", Ce),
    reg(7, "s4", Ce),
    reg(8, "s0", Ce),
    reg(9, "s1", Ce),
    reg(10, "a0", Cr),
    reg(11, "a1", Cr),
    reg(12, "a2", Cr),
    reg(13, "a3", Cr),
    reg(14, "s2", Ce),
    reg(15, "t0", Cr),
];

/// Proposed RV32E EABI (not implemented by any compiler we can target).
pub const EABI_RV32E: RegisterTable = RegisterTable {
    name: "RV32E EABI (proposed)",
    integer: &EABI_LOW,
    float: &[],
    stack_align: 4,
};

const EABI_FULL: [Register; 32] = {
    let mut regs = [reg(0, "", Z); 32];
    let mut i = 0;
    while i < 16 {
        regs[i] = EABI_LOW[i];
        i += 1;
    }
    const HIGH: [&str; 16] = [
        "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16", "s17",
        "s18", "s19", "s20",
    ];
    while i < 32 {
        regs[i] = reg(i as u8, HIGH[i - 16], Ce);
        i += 1;
    }
    regs
};

const EABI_FLOAT: [Register; 32] = {
    const NAMES: [&str; 32] = [
        "fa0", "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "ft0", "ft1", "ft2", "ft3", "ft4",
        "ft5", "ft6", "ft7", "fs0", "fs1", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9",
        "fs10", "fs11", "fs12", "fs13", "fs14", "fs15",
    ];
    let mut regs = [reg(0, "", Z); 32];
    let mut i = 0;
    while i < 32 {
        regs[i] = reg(i as u8, NAMES[i], if i < 16 { Cr } else { Ce });
        i += 1;
    }
    regs
};

/// Proposed RV32I/RV64I EABI (not implemented by any compiler we can target).
pub const EABI_RV32I: RegisterTable = RegisterTable {
    name: "RV32I/RV64I EABI (proposed)",
    integer: &EABI_FULL,
    float: &EABI_FLOAT,
    stack_align: 16,
};

/// Every table, for reports that compare them.
pub const ALL: [&RegisterTable; 4] = [&PSABI, &ILP32E, &EABI_RV32E, &EABI_RV32I];

#[cfg(test)]
mod tests {
    use super::*;

    fn count<'a>(it: impl Iterator<Item = &'a str>) -> usize {
        it.count()
    }

    fn numbered_in_order(t: &RegisterTable) {
        for (i, r) in t.integer.iter().chain(t.float).enumerate() {
            assert_eq!(usize::from(r.number), i % 32, "{}: {}", t.name, r.name);
        }
    }

    #[test]
    fn psabi_saves_sixteen_integer_and_twenty_float() {
        numbered_in_order(&PSABI);
        assert_eq!(
            PSABI.caller_saved_integer().collect::<Vec<_>>(),
            [
                "ra", "t0", "t1", "t2", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t3", "t4",
                "t5", "t6"
            ]
        );
        assert_eq!(count(PSABI.caller_saved_float()), 20);
        assert!(
            PSABI
                .caller_saved_float()
                .all(|n| n.starts_with("ft") || n.starts_with("fa"))
        );
    }

    #[test]
    fn soft_float_abi_leaves_every_fp_register_to_the_caller() {
        numbered_in_order(&PSABI_SOFT_FLOAT);
        assert_eq!(count(PSABI_SOFT_FLOAT.caller_saved_float()), 32);
        assert!(
            PSABI_SOFT_FLOAT
                .caller_saved_integer()
                .eq(PSABI.caller_saved_integer())
        );
    }

    #[test]
    fn lp64e_is_ilp32e_with_an_8_byte_stack() {
        numbered_in_order(&LP64E);
        assert!(
            LP64E
                .caller_saved_integer()
                .eq(ILP32E.caller_saved_integer())
        );
        assert_eq!(LP64E.stack_align, 8);
    }

    #[test]
    fn ilp32e_is_the_lower_half_with_ten_caller_saved() {
        numbered_in_order(&ILP32E);
        assert_eq!(ILP32E.integer.len(), 16);
        assert_eq!(
            ILP32E.caller_saved_integer().collect::<Vec<_>>(),
            ["ra", "t0", "t1", "t2", "a0", "a1", "a2", "a3", "a4", "a5"]
        );
        assert_eq!(ILP32E.stack_align, 4);
    }

    #[test]
    fn eabi_rv32e_saves_seven() {
        numbered_in_order(&EABI_RV32E);
        assert_eq!(
            EABI_RV32E.caller_saved_integer().collect::<Vec<_>>(),
            ["ra", "t1", "a0", "a1", "a2", "a3", "t0"]
        );
    }

    #[test]
    fn eabi_rv32i_adds_only_callee_saved_registers() {
        numbered_in_order(&EABI_RV32I);
        assert_eq!(count(EABI_RV32I.caller_saved_integer()), 7);
        assert!(
            EABI_RV32I.integer[16..]
                .iter()
                .all(|r| r.role == Role::CalleeSaved)
        );
        let fp: Vec<_> = EABI_RV32I.caller_saved_float().collect();
        assert_eq!(fp.len(), 16);
        assert_eq!((fp[0], fp[15]), ("fa0", "ft7"));
    }
}
