//! RISC-V: `"riscv-interrupt-m"` / `"riscv-interrupt-s"` conventions and the
//! trampoline emitter.
//!
//! A trap leaves every register as the interrupted code had it and puts the
//! return address in `mepc`/`sepc`. The trampoline saves the psABI's
//! caller-saved registers (and `fcsr` with the F/D temporaries) on the
//! interrupted stack, which the psABI keeps aligned at all times, calls the
//! body, restores, and returns with `mret`/`sret`.
//!
//! `mtvec`/`stvec` ignore their two low bits, so the entry must be 4-byte
//! aligned even where RVC lets functions be 2-aligned. rustc 1.96 already
//! aligns naked functions to 4 bytes on RISC-V; the template's `.balign 4`
//! (which raises the alignment of the function's section) makes that a
//! property of the entry rather than of the compiler version.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::convention::{
    Convention, EmitError, Entry, FpState, Isa, SaveSet, Shape, Trampoline, align_up,
    check_save_set,
};

/// psABI caller-saved integer registers (checked against [`crate::riscv_regs`]).
const PSABI_GPRS: &[&str] = &[
    "ra", "t0", "t1", "t2", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t3", "t4", "t5", "t6",
];
/// `ilp32e` caller-saved registers: the psABI set restricted to x0-x15.
const ILP32E_GPRS: &[&str] = &["ra", "t0", "t1", "t2", "a0", "a1", "a2", "a3", "a4", "a5"];
/// Hard-float psABI caller-saved FP registers.
const PSABI_FPRS: &[&str] = &[
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fa0", "fa1", "fa2", "fa3", "fa4",
    "fa5", "fa6", "fa7", "ft8", "ft9", "ft10", "ft11",
];

const F32: FpState = FpState::Riscv {
    regs: PSABI_FPRS,
    width: 4,
};
const F64: FpState = FpState::Riscv {
    regs: PSABI_FPRS,
    width: 8,
};

pub const RV32I: Convention = Convention {
    name: "RV32I ilp32",
    isa: Isa::Riscv32,
    gprs: PSABI_GPRS,
    fp: FpState::None,
    stack_align: 16,
};
pub const RV32IF: Convention = Convention {
    name: "RV32IF ilp32f",
    fp: F32,
    ..RV32I
};
pub const RV32ID: Convention = Convention {
    name: "RV32ID ilp32d",
    fp: F64,
    ..RV32I
};
pub const RV32E: Convention = Convention {
    name: "RV32E ilp32e",
    gprs: ILP32E_GPRS,
    stack_align: 4,
    ..RV32I
};
pub const RV64I: Convention = Convention {
    name: "RV64I lp64",
    isa: Isa::Riscv64,
    ..RV32I
};
pub const RV64IF: Convention = Convention {
    name: "RV64IF lp64f",
    fp: F32,
    ..RV64I
};
pub const RV64ID: Convention = Convention {
    name: "RV64ID lp64d",
    fp: F64,
    ..RV64I
};

/// CSR names and return instruction of a privilege mode.
struct Mode {
    epc: &'static str,
    status: &'static str,
    /// `xIE` bit in `xstatus`.
    ie: u32,
    ret: &'static str,
}

fn mode(entry: Entry) -> Result<Mode, EmitError> {
    match entry {
        Entry::RiscvMachine => Ok(Mode {
            epc: "mepc",
            status: "mstatus",
            ie: 8,
            ret: "mret",
        }),
        Entry::RiscvSupervisor => Ok(Mode {
            epc: "sepc",
            status: "sstatus",
            ie: 2,
            ret: "sret",
        }),
        _ => Err(EmitError::EntryMismatch),
    }
}

/// Emits the trampoline for `conv` entered through `entry`.
pub fn emit(
    conv: &Convention,
    entry: Entry,
    save: &SaveSet,
    shape: Shape,
) -> Result<Trampoline, EmitError> {
    let mode = mode(entry)?;
    let xlen = conv.xlen();
    let (store, load) = if xlen == 8 {
        ("sd", "ld")
    } else {
        ("sw", "lw")
    };
    let mut out: Vec<String> = vec![".balign 4".into()];

    if shape.diverges {
        out.push("call {body}".into());
        out.push("unimp".into());
        return Ok(Trampoline {
            lines: out,
            stack_bytes: 0,
        });
    }

    let fp = match save.fp {
        FpState::None => None,
        FpState::Riscv { regs, width } => Some((regs, width)),
        _ => return Err(EmitError::FpMismatch),
    };
    // `ra` for the call; `t0`/`t1` move CSRs through memory.
    let mut scratch = vec!["ra"];
    if fp.is_some() || shape.nested {
        scratch.push("t0");
    }
    if shape.nested {
        scratch.push("t1");
    }
    check_save_set(conv, save, &scratch)?;

    // Slots: GPRs, then [fcsr], then [xepc, xstatus], then FP registers
    // (8-aligned for `fsd` because every slot before is xlen-sized and the
    // whole area starts at the aligned stack pointer).
    let mut slots = save.gprs.len() as u32 + u32::from(fp.is_some()) + 2 * u32::from(shape.nested);
    let fp_base = align_up(slots * xlen, 8);
    let fp_bytes = fp.map_or(0, |(regs, w)| regs.len() as u32 * w);
    let frame = align_up(fp_base + fp_bytes, conv.stack_align);
    let (fstore, fload) = match fp.map(|f| f.1) {
        Some(8) => ("fsd", "fld"),
        _ => ("fsw", "flw"),
    };

    if let Some((_, w)) = fp {
        // Naked functions are assembled as module-level assembly, which does
        // not see the target's F/D features: enable them for this template.
        out.push(".option push".into());
        out.push(format!(".option arch, +{}", if w == 8 { "d" } else { "f" }));
    }
    out.push(format!("addi sp, sp, -{frame}"));
    for (i, r) in save.gprs.iter().enumerate() {
        out.push(format!("{store} {r}, {}(sp)", i as u32 * xlen));
    }
    slots = save.gprs.len() as u32;
    let fcsr_slot = slots * xlen;
    let epc_slot = (slots + u32::from(fp.is_some())) * xlen;
    if let Some((regs, w)) = fp {
        for (i, r) in regs.iter().enumerate() {
            out.push(format!("{fstore} {r}, {}(sp)", fp_base + i as u32 * w));
        }
        out.push("csrr t0, fcsr".into());
        out.push(format!("{store} t0, {fcsr_slot}(sp)"));
    }
    if shape.nested {
        out.push(format!("csrr t0, {}", mode.epc));
        out.push(format!("csrr t1, {}", mode.status));
        out.push(format!("{store} t0, {epc_slot}(sp)"));
        out.push(format!("{store} t1, {}(sp)", epc_slot + xlen));
    }
    out.push("call {body}".into());
    if shape.nested {
        // The body may have enabled interrupts: close the window before the
        // CSRs that `xret` consumes are written back.
        out.push(format!("csrci {}, {}", mode.status, mode.ie));
        out.push(format!("{load} t0, {epc_slot}(sp)"));
        out.push(format!("{load} t1, {}(sp)", epc_slot + xlen));
        out.push(format!("csrw {}, t0", mode.epc));
        out.push(format!("csrw {}, t1", mode.status));
    }
    if let Some((regs, w)) = fp {
        out.push(format!("{load} t0, {fcsr_slot}(sp)"));
        out.push("csrw fcsr, t0".into());
        for (i, r) in regs.iter().enumerate() {
            out.push(format!("{fload} {r}, {}(sp)", fp_base + i as u32 * w));
        }
    }
    for (i, r) in save.gprs.iter().enumerate() {
        out.push(format!("{load} {r}, {}(sp)", i as u32 * xlen));
    }
    out.push(format!("addi sp, sp, {frame}"));
    out.push(mode.ret.into());
    if fp.is_some() {
        out.push(".option pop".into());
    }
    Ok(Trampoline {
        lines: out,
        stack_bytes: frame,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::riscv_regs::{ILP32E, PSABI};

    fn lines(conv: &Convention, entry: Entry, shape: Shape) -> Vec<String> {
        emit(conv, entry, &conv.full_save_set(), shape)
            .unwrap()
            .lines
    }

    #[test]
    fn register_lists_match_the_tables() {
        assert!(PSABI.caller_saved_integer().eq(PSABI_GPRS.iter().copied()));
        assert!(
            ILP32E
                .caller_saved_integer()
                .eq(ILP32E_GPRS.iter().copied())
        );
        let mut fprs: Vec<_> = PSABI.caller_saved_float().collect();
        let mut ours = PSABI_FPRS.to_vec();
        fprs.sort();
        ours.sort();
        assert_eq!(fprs, ours);
    }

    #[test]
    fn rv32i_machine_golden() {
        let l = lines(&RV32I, Entry::RiscvMachine, Shape::default());
        assert_eq!(l[..3], [".balign 4", "addi sp, sp, -64", "sw ra, 0(sp)"]);
        assert_eq!(l.iter().filter(|l| l.starts_with("sw ")).count(), 16);
        assert_eq!(l.iter().filter(|l| l.starts_with("lw ")).count(), 16);
        assert_eq!(
            l[l.len() - 3..],
            ["lw t6, 60(sp)", "addi sp, sp, 64", "mret"]
        );
    }

    #[test]
    fn rv32e_touches_only_x0_to_x15_and_keeps_4_byte_alignment() {
        let l = lines(
            &RV32E,
            Entry::RiscvMachine,
            Shape {
                nested: true,
                ..Shape::default()
            },
        );
        let high = [
            "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
            "t5", "t6",
        ];
        for line in &l {
            for reg in line.split(|c: char| !c.is_ascii_alphanumeric()) {
                assert!(!high.contains(&reg), "{line}");
            }
        }
        // Ten registers plus mepc/mstatus, 4 bytes each.
        assert_eq!(l[1], "addi sp, sp, -48");
    }

    #[test]
    fn rv64d_saves_fp_temporaries_and_fcsr() {
        let l = lines(&RV64ID, Entry::RiscvSupervisor, Shape::default());
        assert_eq!(l.iter().filter(|l| l.starts_with("fsd ")).count(), 20);
        assert_eq!(l.iter().filter(|l| l.starts_with("fld ")).count(), 20);
        assert!(l.contains(&"csrr t0, fcsr".into()));
        assert!(l.contains(&"csrw fcsr, t0".into()));
        // 16 GPRs + fcsr = 136 bytes, FP area 8-aligned at 136, 160 bytes.
        assert_eq!(
            l[1..4],
            [".option push", ".option arch, +d", "addi sp, sp, -304"]
        );
        assert_eq!(l[l.len() - 2..], ["sret", ".option pop"]);
    }

    #[test]
    fn fp_slots_do_not_overlap_integer_slots() {
        let t = emit(
            &RV32IF,
            Entry::RiscvMachine,
            &RV32IF.full_save_set(),
            Shape::default(),
        )
        .unwrap();
        let mut offsets: Vec<u32> = t
            .lines
            .iter()
            .filter(|l| l.starts_with("sw ") || l.starts_with("fsw "))
            .map(|l| {
                l.rsplit(", ")
                    .next()
                    .unwrap()
                    .trim_end_matches("(sp)")
                    .parse()
                    .unwrap()
            })
            .collect();
        let n = offsets.len();
        offsets.sort();
        offsets.dedup();
        assert_eq!(offsets.len(), n, "{:#?}", t.lines);
        assert!(offsets.iter().all(|o| o + 4 <= t.stack_bytes));
    }

    #[test]
    fn nested_restores_csrs_with_interrupts_disabled() {
        let l = lines(
            &RV32I,
            Entry::RiscvMachine,
            Shape {
                nested: true,
                ..Shape::default()
            },
        );
        let call = l.iter().position(|l| l == "call {body}").unwrap();
        let disable = l.iter().position(|l| l == "csrci mstatus, 8").unwrap();
        let write = l.iter().position(|l| l == "csrw mepc, t0").unwrap();
        assert!(call < disable && disable < write);
        assert!(l[..call].contains(&"csrr t0, mepc".into()));
    }

    #[test]
    fn diverging_handler_just_calls() {
        let l = lines(
            &RV64ID,
            Entry::RiscvMachine,
            Shape {
                diverges: true,
                ..Shape::default()
            },
        );
        assert_eq!(l, [".balign 4", "call {body}", "unimp"]);
    }

    #[test]
    fn save_set_must_cover_ra() {
        let mut save = RV32I.full_save_set();
        save.gprs.retain(|r| *r != "ra");
        assert_eq!(
            emit(&RV32I, Entry::RiscvMachine, &save, Shape::default()),
            Err(EmitError::ScratchNotSaved("ra"))
        );
    }
}
