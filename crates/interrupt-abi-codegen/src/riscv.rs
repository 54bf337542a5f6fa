//! RISC-V: `"riscv-interrupt-m"` / `"riscv-interrupt-s"` conventions and the
//! trampoline emitter.
//!
//! A trap leaves every register as the interrupted code had it and puts the
//! return address in `mepc`/`sepc`. The trampoline saves the psABI's
//! caller-saved registers on the interrupted stack, which the psABI keeps
//! aligned at all times, calls the body, restores, and returns with
//! `mret`/`sret`. With an FPU it first looks at `xstatus.FS`: Off means no
//! FP state to save (and any FP access would trap inside the entry); else
//! it saves the FP registers the body's float ABI does not preserve and
//! `fcsr`, gives the body `fcsr` = 0, and on the way out restores them and
//! FS as it was.
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

/// Every FP register, in number order: a soft-float ABI (`ilp32`, `lp64`)
/// preserves none of them across calls, and `ilp32f`/`lp64f` code on a D
/// machine preserves only the low halves of fs0-fs11, while the interrupted
/// code may hold doubles there.
const ALL_FPRS: &[&str] = &[
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2",
    "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9",
    "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
];

const F32: FpState = FpState::Riscv {
    regs: PSABI_FPRS,
    width: 4,
};
const F64: FpState = FpState::Riscv {
    regs: PSABI_FPRS,
    width: 8,
};
const F32_ALL: FpState = FpState::Riscv {
    regs: ALL_FPRS,
    width: 4,
};
const F64_ALL: FpState = FpState::Riscv {
    regs: ALL_FPRS,
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
/// F with the soft-float `ilp32` ABI (e.g. `riscv32imac` with `+f`).
pub const RV32IF_ALL: Convention = Convention {
    name: "RV32IF ilp32",
    fp: F32_ALL,
    ..RV32I
};
/// D with `ilp32` or `ilp32f`.
pub const RV32ID_ALL: Convention = Convention {
    name: "RV32ID ilp32/ilp32f",
    fp: F64_ALL,
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
pub const RV64IF_ALL: Convention = Convention {
    name: "RV64IF lp64",
    fp: F32_ALL,
    ..RV64I
};
pub const RV64ID_ALL: Convention = Convention {
    name: "RV64ID lp64/lp64f",
    fp: F64_ALL,
    ..RV64I
};
/// RV64E: x0-x15 only, like RV32E, on an 8-byte aligned stack.
pub const RV64E: Convention = Convention {
    name: "RV64E lp64e",
    gprs: ILP32E_GPRS,
    stack_align: 8,
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
    let fp = match save.fp {
        FpState::None => None,
        FpState::Riscv { regs, width } => Some((regs, width)),
        _ => return Err(EmitError::FpMismatch),
    };
    let mut out: Vec<String> = vec![".balign 4".into()];
    if let Some((_, w)) = fp {
        // Naked functions are assembled as module-level assembly, which does
        // not see the target's F/D features: enable them for this template.
        out.push(".option push".into());
        out.push(format!(".option arch, +{}", if w == 8 { "d" } else { "f" }));
    }

    if shape.diverges {
        if fp.is_some() {
            // Nothing comes back, so nothing is saved; the body still gets
            // the default FP environment, where it has one at all.
            push_fs_test(&mut out, &mode, "t0", "t0");
            out.push("beqz t0, 1f".into());
            out.push("csrw fcsr, zero".into());
            out.push("1:".into());
        }
        out.push("call {body}".into());
        out.push("unimp".into());
        if fp.is_some() {
            out.push(".option pop".into());
        }
        return Ok(Trampoline {
            lines: out,
            stack_bytes: 0,
        });
    }

    // `ra` for the call; two more saved registers (`t0`, `t1` in the
    // psABI's order) hold CSRs and FS.
    check_save_set(conv, save, &["ra"])?;
    let mut temps = save.gprs.iter().copied().filter(|r| *r != "ra");
    let (a, b) = match (temps.next(), temps.next()) {
        (Some(a), Some(b)) => (a, b),
        _ if fp.is_none() && !shape.nested => ("", ""),
        (None, _) => return Err(EmitError::ScratchNotSaved("t0")),
        (Some(_), None) => return Err(EmitError::ScratchNotSaved("t1")),
    };

    // Slots: GPRs, then [FS, fcsr], then [xepc, xstatus], then FP registers
    // (8-aligned for `fsd` because every slot before is xlen-sized and the
    // whole area starts at the aligned stack pointer).
    let gpr_slots = save.gprs.len() as u32;
    let fs_slot = gpr_slots * xlen;
    let fcsr_slot = fs_slot + xlen;
    let epc_slot = (gpr_slots + 2 * u32::from(fp.is_some())) * xlen;
    let slots = epc_slot / xlen + 2 * u32::from(shape.nested);
    let fp_base = align_up(slots * xlen, 8);
    let fp_bytes = fp.map_or(0, |(regs, w)| regs.len() as u32 * w);
    let frame = align_up(fp_base + fp_bytes, conv.stack_align);
    let (fstore, fload) = match fp.map(|f| f.1) {
        Some(8) => ("fsd", "fld"),
        _ => ("fsw", "flw"),
    };

    out.push(format!("addi sp, sp, -{frame}"));
    for (i, r) in save.gprs.iter().enumerate() {
        out.push(format!("{store} {r}, {}(sp)", i as u32 * xlen));
    }
    // With `nested`, the xstatus read for the FS test is also the one saved.
    let status_reg = if shape.nested { b } else { a };
    if let Some((regs, w)) = fp {
        // FS = Off: the FP state is inaccessible (the first `fsd` would
        // raise illegal-instruction and overwrite xepc/xcause) and there is
        // nothing of the interrupted code's to save. The FS field (0 = Off)
        // is kept for the exit, which must make the same choice even if the
        // body switches the FPU on.
        if shape.nested {
            out.push(format!("csrr {b}, {}", mode.status));
        }
        push_fs_test(&mut out, &mode, a, status_reg);
        out.push(format!("{store} {a}, {fs_slot}(sp)"));
        out.push(format!("beqz {a}, 1f"));
        for (i, r) in regs.iter().enumerate() {
            out.push(format!("{fstore} {r}, {}(sp)", fp_base + i as u32 * w));
        }
        // One instruction saves the interrupted environment and gives the
        // body the default one (RNE, no flags), which LLVM's code assumes.
        out.push(format!("csrrw {a}, fcsr, zero"));
        out.push(format!("{store} {a}, {fcsr_slot}(sp)"));
        out.push("1:".into());
    }
    if shape.nested {
        out.push(format!("csrr {a}, {}", mode.epc));
        if fp.is_none() {
            out.push(format!("csrr {b}, {}", mode.status));
        }
        out.push(format!("{store} {a}, {epc_slot}(sp)"));
        out.push(format!("{store} {b}, {}(sp)", epc_slot + xlen));
    }
    out.push("call {body}".into());
    if shape.nested {
        // The body may have enabled interrupts: close the window before the
        // CSRs that `xret` consumes are written back.
        out.push(format!("csrci {}, {}", mode.status, mode.ie));
        out.push(format!("{load} {a}, {epc_slot}(sp)"));
        out.push(format!("csrw {}, {a}", mode.epc));
    }
    if let Some((regs, w)) = fp {
        out.push(format!("{load} {a}, {fs_slot}(sp)"));
        out.push(format!("beqz {a}, 2f"));
        out.push(format!("{load} {b}, {fcsr_slot}(sp)"));
        out.push(format!("csrw fcsr, {b}"));
        for (i, r) in regs.iter().enumerate() {
            out.push(format!("{fload} {r}, {}(sp)", fp_base + i as u32 * w));
        }
        if !shape.nested {
            // The loads made FS Dirty, but the state is the entry's again:
            // clearing the FS bits that were clear at entry gives back
            // Initial or Clean, so that a lazy-FP kernel does not save an
            // unchanged state. (`nested` writes all of xstatus back below.)
            out.push(format!("xori {a}, {a}, 3"));
            out.push(format!("slli {a}, {a}, 13"));
            out.push(format!("csrc {}, {a}", mode.status));
        }
        out.push("2:".into());
    }
    if shape.nested {
        out.push(format!("{load} {b}, {}(sp)", epc_slot + xlen));
        out.push(format!("csrw {}, {b}", mode.status));
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

/// `dst` = xstatus.FS (0 Off, 1 Initial, 2 Clean, 3 Dirty), from xstatus
/// in `status` (read here when that is `dst` itself).
fn push_fs_test(out: &mut Vec<String>, mode: &Mode, dst: &str, status: &str) {
    if status == dst {
        out.push(format!("csrr {dst}, {}", mode.status));
    }
    out.push(format!("srli {dst}, {status}, 13"));
    out.push(format!("andi {dst}, {dst}, 3"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::riscv_regs::{ILP32E, LP64E, PSABI, PSABI_SOFT_FLOAT};

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
        assert!(
            PSABI_SOFT_FLOAT
                .caller_saved_float()
                .eq(ALL_FPRS.iter().copied())
        );
        assert!(LP64E.caller_saved_integer().eq(RV64E.gprs.iter().copied()));
        assert_eq!(LP64E.stack_align, RV64E.stack_align);
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
    fn rv32e_and_rv64e_touch_only_x0_to_x15_and_keep_their_alignment() {
        // Ten registers plus xepc/xstatus: 4 bytes each on RV32E, 8 on RV64E.
        for (conv, frame) in [(&RV32E, 48), (&RV64E, 96)] {
            let l = lines(
                conv,
                Entry::RiscvMachine,
                Shape {
                    nested: true,
                    ..Shape::default()
                },
            );
            let high = [
                "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3",
                "t4", "t5", "t6",
            ];
            for line in &l {
                for reg in line.split(|c: char| !c.is_ascii_alphanumeric()) {
                    assert!(!high.contains(&reg), "{}: {line}", conv.name);
                }
            }
            assert_eq!(l[1], format!("addi sp, sp, -{frame}"), "{}", conv.name);
        }
    }

    #[test]
    fn soft_float_abi_entries_save_every_fp_register() {
        for (conv, op, width) in [
            (&RV32IF_ALL, "fsw", 4),
            (&RV32ID_ALL, "fsd", 8),
            (&RV64IF_ALL, "fsw", 4),
            (&RV64ID_ALL, "fsd", 8),
        ] {
            let l = lines(conv, Entry::RiscvMachine, Shape::default());
            let saved: Vec<&str> = l
                .iter()
                .filter_map(|l| l.strip_prefix(op)?.trim().split(',').next())
                .collect();
            assert_eq!(saved, ALL_FPRS, "{}", conv.name);
            assert!(l.contains(&"csrrw t0, fcsr, zero".into()));
            let t = emit(
                conv,
                Entry::RiscvMachine,
                &conv.full_save_set(),
                Shape::default(),
            );
            assert!(t.unwrap().stack_bytes >= 32 * width + 16 * conv.xlen());
        }
    }

    #[test]
    fn rv64d_saves_fp_temporaries_and_fcsr() {
        let l = lines(&RV64ID, Entry::RiscvSupervisor, Shape::default());
        assert_eq!(l.iter().filter(|l| l.starts_with("fsd ")).count(), 20);
        assert_eq!(l.iter().filter(|l| l.starts_with("fld ")).count(), 20);
        // The body runs with frm = RNE and no flags (what LLVM's code
        // assumes); the interrupted code's fcsr comes back from the slot.
        assert!(l.contains(&"csrrw t0, fcsr, zero".into()));
        assert!(l.contains(&"csrw fcsr, t1".into()));
        // 16 GPRs + FS + fcsr = 144 bytes, then the FP area, 160 bytes.
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
            &RV64I,
            Entry::RiscvMachine,
            Shape {
                diverges: true,
                ..Shape::default()
            },
        );
        assert_eq!(l, [".balign 4", "call {body}", "unimp"]);
    }

    #[test]
    fn diverging_fp_handler_gets_the_default_environment_if_fs_is_on() {
        let l = lines(
            &RV64ID,
            Entry::RiscvSupervisor,
            Shape {
                diverges: true,
                ..Shape::default()
            },
        );
        assert_eq!(
            l,
            [
                ".balign 4",
                ".option push",
                ".option arch, +d",
                "csrr t0, sstatus",
                "srli t0, t0, 13",
                "andi t0, t0, 3",
                "beqz t0, 1f",
                "csrw fcsr, zero",
                "1:",
                "call {body}",
                "unimp",
                ".option pop",
            ]
        );
    }

    /// Lines that are instructions: not directives, not labels.
    fn instructions(l: &[String]) -> Vec<&str> {
        l.iter()
            .map(String::as_str)
            .filter(|l| !l.starts_with('.') && !l.ends_with(':'))
            .collect()
    }

    #[test]
    fn rv64d_machine_golden_skips_fp_state_when_fs_is_off() {
        let l = lines(&RV64ID, Entry::RiscvMachine, Shape::default());
        let mut want: Vec<String> = vec![".balign 4", ".option push", ".option arch, +d"]
            .into_iter()
            .map(String::from)
            .collect();
        want.push("addi sp, sp, -304".into());
        let gpr = |i: usize| PSABI_GPRS[i];
        want.extend((0..16).map(|i| format!("sd {}, {}(sp)", gpr(i), i * 8)));
        // FS (Off = 0) in slot 16; fcsr in slot 17; FP registers from 144.
        want.extend(
            [
                "csrr t0, mstatus",
                "srli t0, t0, 13",
                "andi t0, t0, 3",
                "sd t0, 128(sp)",
                "beqz t0, 1f",
            ]
            .map(String::from),
        );
        want.extend((0..20).map(|i| format!("fsd {}, {}(sp)", PSABI_FPRS[i], 144 + i * 8)));
        want.extend(
            [
                "csrrw t0, fcsr, zero",
                "sd t0, 136(sp)",
                "1:",
                "call {body}",
                "ld t0, 128(sp)",
                "beqz t0, 2f",
                "ld t1, 136(sp)",
                "csrw fcsr, t1",
            ]
            .map(String::from),
        );
        want.extend((0..20).map(|i| format!("fld {}, {}(sp)", PSABI_FPRS[i], 144 + i * 8)));
        // Restoring the registers left FS Dirty; the state is the entry's
        // again, so FS goes back to the entry's Initial/Clean/Dirty.
        want.extend(
            [
                "xori t0, t0, 3",
                "slli t0, t0, 13",
                "csrc mstatus, t0",
                "2:",
            ]
            .map(String::from),
        );
        want.extend((0..16).map(|i| format!("ld {}, {}(sp)", gpr(i), i * 8)));
        want.extend(["addi sp, sp, 304", "mret", ".option pop"].map(String::from));
        assert_eq!(l, want);
        // Entry: 44 + the call's `auipc` + `jalr`; exit: the body's `ret` +
        // 45 (41 and 41 when FS was not looked at).
        let insns = instructions(&l);
        let call = insns.iter().position(|l| *l == "call {body}").unwrap();
        assert_eq!((call, insns.len() - call - 1), (44, 45));
    }

    #[test]
    fn nested_fp_entry_restores_fs_with_xstatus_after_the_fp_registers() {
        let l = lines(
            &RV32IF,
            Entry::RiscvSupervisor,
            Shape {
                nested: true,
                ..Shape::default()
            },
        );
        let pos = |s: &str| l.iter().position(|l| l == s).unwrap();
        // One read of sstatus serves the FS test and the nested save.
        assert_eq!(
            l.iter().filter(|l| l.contains("csrr t1, sstatus")).count(),
            1
        );
        assert!(pos("csrr t1, sstatus") < pos("srli t0, t1, 13"));
        assert!(pos("1:") < pos("csrr t0, sepc"));
        let last_flw = l.iter().rposition(|l| l.starts_with("flw ")).unwrap();
        assert!(pos("csrci sstatus, 2") < pos("beqz t0, 2f"));
        assert!(last_flw < pos("2:") && pos("2:") < pos("csrw sstatus, t1"));
        assert!(!l.iter().any(|l| l.starts_with("csrc ")));
    }

    #[test]
    fn csrs_move_through_saved_registers_only() {
        // A reduced save set (as the proposed EABI's: x5 but not x6).
        let save = SaveSet {
            gprs: vec!["ra", "t0", "a0", "a1"],
            fp: RV64ID.fp,
        };
        for nested in [false, true] {
            let shape = Shape {
                nested,
                ..Shape::default()
            };
            let l = emit(&RV64ID, Entry::RiscvMachine, &save, shape)
                .unwrap()
                .lines;
            let words = l
                .iter()
                .flat_map(|l| l.split(|c: char| !c.is_ascii_alphanumeric()));
            assert!(!words.into_iter().any(|w| w == "t1"), "{l:#?}");
            assert!(l.contains(&"csrw fcsr, a0".into()));
        }
        let save = SaveSet {
            gprs: vec!["ra", "t0"],
            fp: RV64ID.fp,
        };
        assert_eq!(
            emit(&RV64ID, Entry::RiscvMachine, &save, Shape::default()),
            Err(EmitError::ScratchNotSaved("t1"))
        );
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
