//! Classic ARM (ARMv4T to ARMv7-A/R): IRQ, FIQ, SVC, abort and undefined
//! instruction entries, and an IRQ entry that runs its body in System mode.
//!
//! Exceptions enter in A32 state (unless SCTLR.TE says otherwise), so the
//! macro marks every entry `#[instruction_set(arm::a32)]`, also on Thumb
//! targets; the body keeps the target's default instruction set and is
//! reached with `mov lr, pc; bx`, which interworks on every architecture
//! version from ARMv4T on.
//!
//! The entry saves the AAPCS caller-saved registers (r0-r3, r12, lr; FIQ has
//! its own r8-r12), realigns SP to 8 bytes as AAPCS requires at a call (the
//! exception may arrive where SP is only 4-aligned, e.g. an SVC from SVC
//! mode), saves VFP state when the target has FP registers, and returns with
//! `ldm sp!, {.., pc}^`, which also copies SPSR back to CPSR. The saved words
//! form [`crate::layout::ARM_EXCEPTION`], whose `return_address` the entry
//! first adjusts to where execution resumes:
//!
//! | entry          | LR on entry                  | resumes at (default)        |
//! |----------------|------------------------------|-----------------------------|
//! | IRQ, FIQ       | interrupted + 4              | interrupted instruction     |
//! | SVC            | next instruction             | next instruction            |
//! | prefetch abort | aborted + 4                  | aborted instruction (retry) |
//! | data abort     | aborted + 8                  | aborted instruction (retry) |
//! | undefined      | undefined + 4 (A32) / +2 (T32) | undefined instruction     |

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::convention::{
    Convention, EmitError, Entry, FpState, Isa, SaveSet, Shape, Trampoline, check_save_set,
};

/// AAPCS caller-saved core registers, in `push` order.
const AAPCS_GPRS: &[&str] = &["r0", "r1", "r2", "r3", "r12", "lr"];

pub const ARM_SOFT: Convention = Convention {
    name: "ARM A/R, no FPU",
    isa: Isa::Arm,
    gprs: AAPCS_GPRS,
    fp: FpState::None,
    stack_align: 8,
};
pub const ARM_VFP_D16: Convention = Convention {
    name: "ARM A/R, VFP d0-d15",
    fp: FpState::ArmVfp { d32: false },
    ..ARM_SOFT
};
pub const ARM_VFP_D32: Convention = Convention {
    name: "ARM A/R, VFP d0-d31",
    fp: FpState::ArmVfp { d32: true },
    ..ARM_SOFT
};
/// Cortex-M: the hardware stacks r0-r3, r12, lr, pc, xPSR (and the FP
/// context lazily), so there is no trampoline.
pub const CORTEX_M: Convention = Convention {
    name: "Cortex-M (hardware-stacked)",
    isa: Isa::CortexM,
    gprs: &[],
    fp: FpState::None,
    stack_align: 8,
};

/// Emits the A32 entry for `entry`.
pub fn emit(
    conv: &Convention,
    entry: Entry,
    save: &SaveSet,
    shape: Shape,
) -> Result<Trampoline, EmitError> {
    if conv.isa != Isa::Arm {
        return Err(EmitError::EntryMismatch);
    }
    // FIQ mode banks r8-r12: the body cannot touch the interrupted r12.
    let gprs: Vec<&str> = save
        .gprs
        .iter()
        .copied()
        .filter(|r| !(entry == Entry::ArmFiq && *r == "r12"))
        .collect();
    check_save_set(conv, save, &["r0", "r1", "r2", "r3", "lr"])?;
    let list = gprs.join(", ");
    let mut out: Vec<String> = Vec::new();
    let mut push = |l: &str| out.push(l.into());

    match entry {
        Entry::ArmIrq | Entry::ArmFiq => push("sub lr, lr, #4"),
        Entry::ArmAbort if shape.data_abort => push("sub lr, lr, #8"),
        Entry::ArmAbort => push("sub lr, lr, #4"),
        Entry::ArmSvc | Entry::ArmUndef => {}
        Entry::ArmIrqSystem => {
            // LR_irq and SPSR_irq onto the System-mode stack, then run there
            // (IRQs stay masked until the body unmasks them).
            push("sub lr, lr, #4");
            push("srsdb sp!, #31");
            push("cps #31");
        }
        _ => return Err(EmitError::EntryMismatch),
    }
    out.push(format!("push {{{list}}}"));
    if entry == Entry::ArmUndef {
        // Resume at the undefined instruction itself, like the other faults:
        // LR is 4 past it in A32 state and 2 past it in T32 state (SPSR.T).
        let lr_slot = 4 * (gprs.len() - 1);
        out.push("mrs r0, spsr".into());
        out.push(format!("ldr r1, [sp, #{lr_slot}]"));
        out.push("tst r0, #32".into());
        out.push("subeq r1, r1, #4".into());
        out.push("subne r1, r1, #2".into());
        out.push(format!("str r1, [sp, #{lr_slot}]"));
    }
    let mut stack = 4 * gprs.len() as u32;
    if shape.frame {
        out.push("mov r0, sp".into());
    }
    // AAPCS: SP 8-aligned at the call. r1 keeps the padding (0 or 4) and is
    // pushed with a filler so the alignment survives.
    out.push("and r1, sp, #4".into());
    out.push("sub sp, sp, r1".into());
    out.push("push {r1, r2}".into());
    stack += 4 + 8;
    let vfp = match save.fp {
        FpState::None => None,
        FpState::ArmVfp { d32 } => Some(d32),
        _ => return Err(EmitError::FpMismatch),
    };
    if let Some(d32) = vfp {
        // Module-level assembly does not see the target's FPU.
        out.push(format!(".fpu {}", if d32 { "vfpv3" } else { "vfpv2" }));
        out.push("vpush {d0-d7}".into());
        stack += 64;
        if d32 {
            out.push("vpush {d16-d31}".into());
            stack += 128;
        }
        out.push("vmrs r2, fpscr".into());
        out.push("push {r2, r3}".into());
        stack += 8;
    }
    out.push("ldr r3, ={body}".into());
    out.push("mov lr, pc".into());
    out.push("bx r3".into());
    if shape.diverges {
        out.push("udf #0".into());
        out.push(".ltorg".into());
        return Ok(Trampoline {
            lines: out,
            stack_bytes: stack,
        });
    }
    if entry == Entry::ArmIrqSystem {
        out.push("cpsid i".into());
    }
    if let Some(d32) = vfp {
        out.push("pop {r2, r3}".into());
        out.push("vmsr fpscr, r2".into());
        if d32 {
            out.push("vpop {d16-d31}".into());
        }
        out.push("vpop {d0-d7}".into());
    }
    out.push("pop {r1, r2}".into());
    out.push("add sp, sp, r1".into());
    if entry == Entry::ArmIrqSystem {
        out.push(format!("pop {{{list}}}"));
        out.push("rfeia sp!".into());
    } else {
        out.push(format!("ldm sp!, {{{}}}^", list.replace("lr", "pc")));
    }
    out.push(".ltorg".into());
    Ok(Trampoline {
        lines: out,
        stack_bytes: stack,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(conv: &Convention, entry: Entry, shape: Shape) -> Vec<String> {
        emit(conv, entry, &conv.full_save_set(), shape)
            .unwrap()
            .lines
    }

    #[test]
    fn irq_golden() {
        assert_eq!(
            lines(&ARM_SOFT, Entry::ArmIrq, Shape::default()),
            [
                "sub lr, lr, #4",
                "push {r0, r1, r2, r3, r12, lr}",
                "and r1, sp, #4",
                "sub sp, sp, r1",
                "push {r1, r2}",
                "ldr r3, ={body}",
                "mov lr, pc",
                "bx r3",
                "pop {r1, r2}",
                "add sp, sp, r1",
                "ldm sp!, {r0, r1, r2, r3, r12, pc}^",
                ".ltorg",
            ]
        );
    }

    #[test]
    fn fiq_leaves_banked_r12_alone() {
        let l = lines(&ARM_SOFT, Entry::ArmFiq, Shape::default());
        assert_eq!(l[1], "push {r0, r1, r2, r3, lr}");
        assert_eq!(l[l.len() - 2], "ldm sp!, {r0, r1, r2, r3, pc}^");
    }

    #[test]
    fn aborts_return_to_the_faulting_instruction() {
        let data = Shape {
            data_abort: true,
            frame: true,
            ..Shape::default()
        };
        assert_eq!(lines(&ARM_SOFT, Entry::ArmAbort, data)[0], "sub lr, lr, #8");
        assert_eq!(
            lines(&ARM_SOFT, Entry::ArmAbort, Shape::default())[0],
            "sub lr, lr, #4"
        );
        let svc = lines(
            &ARM_SOFT,
            Entry::ArmSvc,
            Shape {
                frame: true,
                ..Shape::default()
            },
        );
        assert_eq!(svc[..2], ["push {r0, r1, r2, r3, r12, lr}", "mov r0, sp"]);
    }

    #[test]
    fn undef_rewinds_by_the_instruction_set_of_the_interrupted_code() {
        let l = lines(&ARM_SOFT, Entry::ArmUndef, Shape::default());
        assert!(l.contains(&"subeq r1, r1, #4".into()));
        assert!(l.contains(&"subne r1, r1, #2".into()));
        assert!(l.contains(&"str r1, [sp, #20]".into()));
    }

    #[test]
    fn vfp_state_is_saved_with_fpscr_and_keeps_alignment() {
        let t = emit(
            &ARM_VFP_D32,
            Entry::ArmIrq,
            &ARM_VFP_D32.full_save_set(),
            Shape::default(),
        )
        .unwrap();
        assert!(t.lines.contains(&"vpush {d16-d31}".into()));
        assert!(t.lines.contains(&"vmsr fpscr, r2".into()));
        // 24 + 4 padding + 8 + 64 + 128 + 8: the pushes after realignment are
        // whole multiples of 8.
        assert_eq!((t.stack_bytes - 24 - 4) % 8, 0);
    }

    #[test]
    fn system_mode_irq_uses_srs_and_rfe() {
        let l = lines(&ARM_SOFT, Entry::ArmIrqSystem, Shape::default());
        assert_eq!(l[..3], ["sub lr, lr, #4", "srsdb sp!, #31", "cps #31"]);
        let call = l.iter().position(|l| l == "bx r3").unwrap();
        assert_eq!(l[call + 1], "cpsid i");
        assert_eq!(l[l.len() - 2], "rfeia sp!");
    }
}
