//! AArch64: `"aarch64-interrupt"` entries, reached from a vector table slot
//! with a `b`, returning with `eret`.
//!
//! The entry always saves ELR and SPSR, so a body may take another exception
//! at the same level (or unmask IRQs) without losing its way back. A body that
//! takes the frame gets [`crate::layout::AARCH64_EXCEPTION`]: all of x0-x30
//! (so it can read and, as an `unsafe fn`, rewrite the interrupted registers,
//! e.g. a system call's results or ELR to skip an instruction) plus ESR and
//! FAR; without a frame only the AAPCS64 caller-saved registers are saved.
//! With FP/SIMD, q0-q31 are saved whole (AAPCS64 preserves only the low
//! halves of v8-v15) together with FPCR and FPSR, and the body runs with
//! both at 0, the environment compiled code assumes. The exit masks every
//! exception before it writes ELR/SPSR back, since the body may have
//! unmasked them.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::convention::{
    Convention, EmitError, FpState, Isa, SaveSet, Shape, Trampoline, align_up, check_save_set,
};
use crate::layout::AARCH64_EXCEPTION;

/// AAPCS64 caller-saved registers (x18 included: the platform may use it,
/// the body may not preserve it).
const AAPCS64_GPRS: &[&str] = &[
    "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
    "x15", "x16", "x17", "x18", "x30",
];

pub const AARCH64_SOFT: Convention = Convention {
    name: "AArch64, no FP/SIMD",
    isa: Isa::Aarch64,
    gprs: AAPCS64_GPRS,
    fp: FpState::None,
    stack_align: 16,
};
pub const AARCH64_SIMD: Convention = Convention {
    name: "AArch64, FP/SIMD",
    fp: FpState::Aarch64Simd,
    ..AARCH64_SOFT
};

/// Emits the entry for `conv`.
pub fn emit(conv: &Convention, save: &SaveSet, shape: Shape) -> Result<Trampoline, EmitError> {
    if conv.isa != Isa::Aarch64 {
        return Err(EmitError::EntryMismatch);
    }
    check_save_set(conv, save, &["x0", "x1", "x30"])?;
    let el = if shape.el2 { 2 } else { 1 };
    // With a frame every register has its fixed slot; without one the saved
    // registers are packed, followed by ELR and SPSR.
    let slots: Vec<(&str, u32)> = if shape.frame {
        (0..31)
            .map(|i| (AARCH64_EXCEPTION.fields[i], 8 * i as u32))
            .collect()
    } else {
        save.gprs
            .iter()
            .enumerate()
            .map(|(i, r)| (*r, 8 * i as u32))
            .collect()
    };
    let elr_slot = if shape.frame {
        AARCH64_EXCEPTION.offset("elr") as u32
    } else {
        8 * slots.len() as u32
    };
    let core = align_up(
        if shape.frame {
            AARCH64_EXCEPTION.size() as u32
        } else {
            elr_slot + 16
        },
        16,
    );
    let simd = match save.fp {
        FpState::None => 0,
        FpState::Aarch64Simd => 32 * 16 + 16,
        _ => return Err(EmitError::FpMismatch),
    };

    let mut out: Vec<String> = vec![format!("sub sp, sp, #{core}")];
    store_pairs(&mut out, "stp", "str", &slots);
    out.push(format!("mrs x0, elr_el{el}"));
    out.push(format!("mrs x1, spsr_el{el}"));
    out.push(format!("stp x0, x1, [sp, #{elr_slot}]"));
    if shape.frame {
        out.push(format!("mrs x0, esr_el{el}"));
        out.push(format!("mrs x1, far_el{el}"));
        out.push(format!(
            "stp x0, x1, [sp, #{}]",
            AARCH64_EXCEPTION.offset("esr")
        ));
    }
    if simd != 0 {
        // FPCR/FPSR first: `stp` of X registers reaches only 504 bytes.
        out.push(format!("sub sp, sp, #{simd}"));
        out.push("mrs x0, fpcr".into());
        out.push("mrs x1, fpsr".into());
        out.push("stp x0, x1, [sp]".into());
        // Compiled code assumes FPCR = 0 (round to nearest, no FZ/DN/AHP,
        // traps off), not whatever mode the interrupted code chose; and the
        // body's cumulative flags must not end up in the interrupted code's.
        out.push("msr fpcr, xzr".into());
        out.push("msr fpsr, xzr".into());
        for i in (0..32).step_by(2) {
            out.push(format!("stp q{i}, q{}, [sp, #{}]", i + 1, 16 + i * 16));
        }
    }
    if shape.frame {
        out.push(format!("add x0, sp, #{simd}"));
    }
    out.push("bl {body}".into());
    if shape.diverges {
        out.push("udf #0".into());
        return Ok(Trampoline {
            lines: out,
            stack_bytes: core + simd,
        });
    }
    // The body may have unmasked interrupts. One taken after the
    // `msr elr_elN` below would overwrite ELR/SPSR with an address inside
    // this exit, where the `eret` would then go; SError and debug exceptions
    // alike, so the exit runs with everything masked, as the CPU entered it.
    // `eret` restores the interrupted code's masks from SPSR.
    out.push("msr daifset, #0xf".into());
    if simd != 0 {
        for i in (0..32).step_by(2) {
            out.push(format!("ldp q{i}, q{}, [sp, #{}]", i + 1, 16 + i * 16));
        }
        out.push("ldp x0, x1, [sp]".into());
        out.push("msr fpcr, x0".into());
        out.push("msr fpsr, x1".into());
        out.push(format!("add sp, sp, #{simd}"));
    }
    // The body may have rewritten ELR/SPSR through the frame.
    out.push(format!("ldp x0, x1, [sp, #{elr_slot}]"));
    out.push(format!("msr elr_el{el}, x0"));
    out.push(format!("msr spsr_el{el}, x1"));
    store_pairs(&mut out, "ldp", "ldr", &slots);
    out.push(format!("add sp, sp, #{core}"));
    out.push("eret".into());
    Ok(Trampoline {
        lines: out,
        stack_bytes: core + simd,
    })
}

/// Stores or loads registers at their slots, pairing neighbours.
fn store_pairs(out: &mut Vec<String>, pair: &str, single: &str, slots: &[(&str, u32)]) {
    for chunk in slots.chunks(2) {
        match chunk {
            [(a, off), (b, next)] if *next == off + 8 => {
                out.push(format!("{pair} {a}, {b}, [sp, #{off}]"))
            }
            _ => {
                for (r, off) in chunk {
                    out.push(format!("{single} {r}, [sp, #{off}]"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(conv: &Convention, shape: Shape) -> Vec<String> {
        emit(conv, &conv.full_save_set(), shape).unwrap().lines
    }

    #[test]
    fn frame_entry_stores_every_register_at_its_slot() {
        let l = lines(
            &AARCH64_SOFT,
            Shape {
                frame: true,
                ..Shape::default()
            },
        );
        assert_eq!(l[0], "sub sp, sp, #288");
        assert!(l.contains(&"stp x28, x29, [sp, #224]".into()));
        assert!(l.contains(&"str x30, [sp, #240]".into()));
        assert!(l.contains(&"stp x0, x1, [sp, #248]".into()));
        assert!(l.contains(&"mrs x0, esr_el1".into()));
        assert_eq!(l[l.len() - 2..], ["add sp, sp, #288", "eret"]);
    }

    #[test]
    fn plain_entry_saves_caller_saved_and_exception_state() {
        let l = lines(&AARCH64_SOFT, Shape::default());
        // 20 registers + ELR/SPSR = 176 bytes.
        assert_eq!(l[0], "sub sp, sp, #176");
        assert!(l.contains(&"stp x18, x30, [sp, #144]".into()));
        assert!(!l.iter().any(|l| l.contains("x19")));
        let body = position(&l, "bl {body}");
        assert_eq!(
            l[body - 3..body + 5],
            [
                "mrs x0, elr_el1",
                "mrs x1, spsr_el1",
                "stp x0, x1, [sp, #160]",
                "bl {body}",
                "msr daifset, #0xf",
                "ldp x0, x1, [sp, #160]",
                "msr elr_el1, x0",
                "msr spsr_el1, x1",
            ]
        );
        assert_eq!(
            l[l.len() - 3..],
            ["ldp x18, x30, [sp, #144]", "add sp, sp, #176", "eret"]
        );
        // Instructions up to and including the `bl`, and after it (the
        // firmware measures one more each: the slot's `b`, the body's `ret`).
        assert_eq!((body + 1, l.len() - body - 1), (15, 16));
    }

    #[test]
    fn simd_entry_sets_the_default_fp_environment() {
        let l = lines(&AARCH64_SIMD, Shape::default());
        let at = position(&l, "sub sp, sp, #528");
        assert_eq!(
            l[at..at + 7],
            [
                "sub sp, sp, #528",
                "mrs x0, fpcr",
                "mrs x1, fpsr",
                "stp x0, x1, [sp]",
                "msr fpcr, xzr",
                "msr fpsr, xzr",
                "stp q0, q1, [sp, #16]",
            ]
        );
        let body = position(&l, "bl {body}");
        assert_eq!(
            l[body + 1..body + 3],
            ["msr daifset, #0xf", "ldp q0, q1, [sp, #16]"]
        );
        let at = position(&l, "ldp q30, q31, [sp, #496]");
        assert_eq!(
            l[at + 1..at + 8],
            [
                "ldp x0, x1, [sp]",
                "msr fpcr, x0",
                "msr fpsr, x1",
                "add sp, sp, #528",
                "ldp x0, x1, [sp, #160]",
                "msr elr_el1, x0",
                "msr spsr_el1, x1",
            ]
        );
        // As above: 38 and 37 measured.
        assert_eq!((body + 1, l.len() - body - 1), (37, 36));
    }

    fn shapes() -> impl Iterator<Item = Shape> {
        (0..4).map(|i| Shape {
            frame: i & 1 != 0,
            el2: i & 2 != 0,
            ..Shape::default()
        })
    }

    fn position(l: &[String], line: &str) -> usize {
        l.iter()
            .position(|l| l == line)
            .unwrap_or_else(|| panic!("no `{line}` in {l:#?}"))
    }

    #[test]
    fn body_runs_with_the_default_fp_environment() {
        for shape in shapes() {
            let l = lines(&AARCH64_SIMD, shape);
            let body = position(&l, "bl {body}");
            // Zeroed after the interrupted values are on the stack, before the body.
            let saved = position(&l, "stp x0, x1, [sp]");
            let fpcr = position(&l, "msr fpcr, xzr");
            let fpsr = position(&l, "msr fpsr, xzr");
            assert!(saved < fpcr && saved < fpsr && fpcr < body && fpsr < body);
            // And the interrupted values written back after it.
            assert!(position(&l, "msr fpcr, x0") > body);
            assert!(position(&l, "msr fpsr, x1") > body);
            // Without FP/SIMD nothing touches them (they would trap).
            let soft = lines(&AARCH64_SOFT, shape);
            assert!(
                !soft
                    .iter()
                    .any(|l| l.contains("fpcr") || l.contains("fpsr"))
            );
        }
    }

    #[test]
    fn exit_masks_interrupts_before_writing_elr_and_spsr() {
        for conv in [&AARCH64_SOFT, &AARCH64_SIMD] {
            for shape in shapes() {
                let l = lines(conv, shape);
                let el = if shape.el2 { 2 } else { 1 };
                let mask = position(&l, "msr daifset, #0xf");
                assert!(position(&l, "bl {body}") < mask);
                assert!(mask < position(&l, &format!("msr elr_el{el}, x0")));
                assert!(mask < position(&l, &format!("msr spsr_el{el}, x1")));
                // Nothing in between lets an exception in again.
                assert!(!l[mask..].iter().any(|l| l.contains("daifclr")));
            }
        }
        // A diverging entry has no exit to protect.
        let l = lines(
            &AARCH64_SOFT,
            Shape {
                diverges: true,
                ..Shape::default()
            },
        );
        assert!(!l.iter().any(|l| l.contains("daif")));
    }

    #[test]
    fn simd_state_and_el2() {
        let l = lines(
            &AARCH64_SIMD,
            Shape {
                el2: true,
                ..Shape::default()
            },
        );
        assert_eq!(l.iter().filter(|l| l.starts_with("stp q")).count(), 16);
        assert!(l.contains(&"mrs x0, fpcr".into()));
        assert!(l.contains(&"mrs x0, elr_el2".into()));
        assert!(!l.iter().any(|l| l.contains("el1")));
    }
}
