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
//! mode), saves VFP state and FPSCR when the target has FP registers and
//! runs the body with the default FPSCR, and returns with `ldm sp!, {..,
//! pc}^`, which also copies SPSR back to CPSR. With FPEXC.EN clear (VFP
//! disabled: never enabled, or enabled lazily per task) the VFP entries
//! execute no VFP instruction but the FPEXC read: the body runs with VFP
//! disabled, and the exit restores VFP state only if the entry found EN set
//! and saved it, whatever the body did to FPEXC. SVC, abort and undefined
//! instruction entries keep SPSR on their stack too, so that their body may
//! raise an exception of its own mode. The saved words form
//! [`crate::layout::ARM_EXCEPTION`], whose `return_address` the entry first
//! adjusts to where execution resumes:
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

/// A VFP instruction of the entries, written as its A32 encoding (cond AL).
///
/// The template becomes module-level assembly, which LLVM does not always
/// assemble with the target's FPU: building the symbol table of an rlib or
/// a ThinLTO summary parses it with the triple's defaults, where
/// `armv6-none-eabihf` has no VFP. A `.fpu` directive would make the
/// mnemonics assemble there, but it stays in force for every later
/// `global_asm!` and naked function of the module (`.pushsection` does not
/// scope it, and nothing restores it): a soft-float build would then accept
/// VFP instructions, a VFPv3 one reject its own. `.inst` needs no FPU and
/// changes no assembler state.
#[derive(Debug, Clone, Copy)]
struct Vfp(u32, &'static str);

const VPUSH_D0_D7: Vfp = Vfp(0xed2d_0b10, "vpush {d0-d7}");
const VPUSH_D16_D31: Vfp = Vfp(0xed6d_0b20, "vpush {d16-d31}");
const VPOP_D0_D7: Vfp = Vfp(0xecbd_0b10, "vpop {d0-d7}");
const VPOP_D16_D31: Vfp = Vfp(0xecfd_0b20, "vpop {d16-d31}");
const VMRS_R2_FPSCR: Vfp = Vfp(0xeef1_2a10, "vmrs r2, fpscr");
const VMSR_FPSCR_R1: Vfp = Vfp(0xeee1_1a10, "vmsr fpscr, r1");
const VMSR_FPSCR_R2: Vfp = Vfp(0xeee1_2a10, "vmsr fpscr, r2");
const VMRS_R3_FPEXC: Vfp = Vfp(0xeef8_3a10, "vmrs r3, fpexc");
/// The test of FPEXC.EN (bit 30).
const TST_FPEXC_EN: &str = "tst r3, #0x40000000";

impl Vfp {
    /// The template line: the word, and the instruction as a comment.
    fn line(self) -> String {
        format!(".inst {:#010x} @ {}", self.0, self.1)
    }
}

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
    // A body may raise an exception of its own mode (an SVC from an SVC
    // body, a fault in an abort body, an undefined instruction in an undef
    // body), which overwrites SPSR_<mode>. LR_<mode> is in the frame
    // already; SPSR goes into the word the realignment pushes anyway. IRQ
    // and FIQ bodies cannot re-enter their mode (it stays masked), and the
    // System-mode entry keeps SPSR_irq with `srsdb`.
    let keep_spsr = matches!(entry, Entry::ArmSvc | Entry::ArmAbort | Entry::ArmUndef);
    if entry == Entry::ArmUndef {
        // Resume at the undefined instruction itself, like the other faults:
        // LR is 4 past it in A32 state and 2 past it in T32 state (SPSR.T).
        let lr_slot = 4 * (gprs.len() - 1);
        out.push("mrs r2, spsr".into());
        out.push(format!("ldr r1, [sp, #{lr_slot}]"));
        out.push("tst r2, #32".into());
        out.push("subeq r1, r1, #4".into());
        out.push("subne r1, r1, #2".into());
        out.push(format!("str r1, [sp, #{lr_slot}]"));
    } else if keep_spsr && !shape.diverges {
        out.push("mrs r2, spsr".into());
    }
    let mut stack = 4 * gprs.len() as u32;
    if shape.frame {
        out.push("mov r0, sp".into());
    }
    // AAPCS: SP 8-aligned at the call. r1 keeps the padding (0 or 4) and is
    // pushed with r2 (SPSR, or a filler) so the alignment survives.
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
        // With VFP disabled (FPEXC.EN clear: a kernel that enables it
        // lazily, firmware that never does) the first VFP instruction would
        // be undefined, and there is no VFP state of the interrupted code
        // to save. FPEXC itself is readable at PL1 while EN is clear. Its
        // value rides in the word the FPSCR save pairs with, which both
        // paths push, so the exit goes by what the entry found: the body
        // may have enabled VFP (lazy enabling does exactly that), and then
        // there is nothing on the stack to restore. Branches, not
        // conditional VFP instructions: whether one that fails its
        // condition still traps while VFP is disabled is IMPLEMENTATION
        // DEFINED.
        out.push(VMRS_R3_FPEXC.line());
        out.push(TST_FPEXC_EN.into());
        out.push("beq 1f".into());
        out.push(VPUSH_D0_D7.line());
        stack += 64;
        if d32 {
            out.push(VPUSH_D16_D31.line());
            stack += 128;
        }
        // The body gets the environment LLVM compiled it for (round to
        // nearest, no flush-to-zero, no default NaN, no traps, Len = Stride
        // = 0, flags clear): FPSCR 0, whatever the interrupted code set.
        // Every other bit is RES0 or UNK/SBZP, so writing 0 is allowed.
        out.push(VMRS_R2_FPSCR.line());
        // r3 carries FPEXC; r1 (the padding, pushed already) is free.
        out.push("mov r1, #0".into());
        out.push(VMSR_FPSCR_R1.line());
        out.push("1:".into());
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
        out.push(TST_FPEXC_EN.into());
        out.push("beq 2f".into());
        out.push(VMSR_FPSCR_R2.line());
        if d32 {
            out.push(VPOP_D16_D31.line());
        }
        out.push(VPOP_D0_D7.line());
        out.push("2:".into());
    }
    out.push("pop {r1, r2}".into());
    if keep_spsr {
        out.push("msr spsr_fsxc, r2".into());
    }
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

    /// The instructions of a trampoline, `.inst` words by their mnemonic.
    fn insns(t: &Trampoline) -> Vec<&str> {
        t.lines
            .iter()
            .map(|l| l.split_once(" @ ").map_or(l.as_str(), |(_, insn)| insn))
            .collect()
    }

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
        assert_eq!(
            svc[..3],
            [
                "push {r0, r1, r2, r3, r12, lr}",
                "mrs r2, spsr",
                "mov r0, sp"
            ]
        );
    }

    #[test]
    fn undef_rewinds_by_the_instruction_set_of_the_interrupted_code() {
        let l = lines(&ARM_SOFT, Entry::ArmUndef, Shape::default());
        assert!(l.contains(&"tst r2, #32".into()));
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
        assert!(insns(&t).contains(&"vpush {d16-d31}"));
        assert!(insns(&t).contains(&"vmsr fpscr, r2"));
        // 24 + 4 padding + 8 + 64 + 128 + 8: the pushes after realignment are
        // whole multiples of 8.
        assert_eq!((t.stack_bytes - 24 - 4) % 8, 0);
    }

    /// Every entry of every variant and shape.
    fn all_entries() -> Vec<(&'static str, Entry, Shape, Trampoline)> {
        let shapes = [
            Shape::default(),
            Shape {
                frame: true,
                ..Shape::default()
            },
            Shape {
                data_abort: true,
                ..Shape::default()
            },
            Shape {
                diverges: true,
                ..Shape::default()
            },
        ];
        let entries = [
            Entry::ArmIrq,
            Entry::ArmFiq,
            Entry::ArmSvc,
            Entry::ArmAbort,
            Entry::ArmUndef,
            Entry::ArmIrqSystem,
        ];
        let mut all = Vec::new();
        for conv in [&ARM_SOFT, &ARM_VFP_D16, &ARM_VFP_D32] {
            for entry in entries {
                for shape in shapes {
                    let t = emit(conv, entry, &conv.full_save_set(), shape).unwrap();
                    all.push((conv.name, entry, shape, t));
                }
            }
        }
        all
    }

    #[test]
    fn vfp_irq_golden() {
        assert_eq!(
            lines(&ARM_VFP_D16, Entry::ArmIrq, Shape::default()),
            [
                "sub lr, lr, #4",
                "push {r0, r1, r2, r3, r12, lr}",
                "and r1, sp, #4",
                "sub sp, sp, r1",
                "push {r1, r2}",
                ".inst 0xeef83a10 @ vmrs r3, fpexc",
                "tst r3, #0x40000000",
                "beq 1f",
                ".inst 0xed2d0b10 @ vpush {d0-d7}",
                ".inst 0xeef12a10 @ vmrs r2, fpscr",
                "mov r1, #0",
                ".inst 0xeee11a10 @ vmsr fpscr, r1",
                "1:",
                "push {r2, r3}",
                "ldr r3, ={body}",
                "mov lr, pc",
                "bx r3",
                "pop {r2, r3}",
                "tst r3, #0x40000000",
                "beq 2f",
                ".inst 0xeee12a10 @ vmsr fpscr, r2",
                ".inst 0xecbd0b10 @ vpop {d0-d7}",
                "2:",
                "pop {r1, r2}",
                "add sp, sp, r1",
                "ldm sp!, {r0, r1, r2, r3, r12, pc}^",
                ".ltorg",
            ]
        );
    }

    #[test]
    fn vfp_d32_undef_golden() {
        let frame = Shape {
            frame: true,
            ..Shape::default()
        };
        assert_eq!(
            lines(&ARM_VFP_D32, Entry::ArmUndef, frame),
            [
                "push {r0, r1, r2, r3, r12, lr}",
                "mrs r2, spsr",
                "ldr r1, [sp, #20]",
                "tst r2, #32",
                "subeq r1, r1, #4",
                "subne r1, r1, #2",
                "str r1, [sp, #20]",
                "mov r0, sp",
                "and r1, sp, #4",
                "sub sp, sp, r1",
                "push {r1, r2}",
                ".inst 0xeef83a10 @ vmrs r3, fpexc",
                "tst r3, #0x40000000",
                "beq 1f",
                ".inst 0xed2d0b10 @ vpush {d0-d7}",
                ".inst 0xed6d0b20 @ vpush {d16-d31}",
                ".inst 0xeef12a10 @ vmrs r2, fpscr",
                "mov r1, #0",
                ".inst 0xeee11a10 @ vmsr fpscr, r1",
                "1:",
                "push {r2, r3}",
                "ldr r3, ={body}",
                "mov lr, pc",
                "bx r3",
                "pop {r2, r3}",
                "tst r3, #0x40000000",
                "beq 2f",
                ".inst 0xeee12a10 @ vmsr fpscr, r2",
                ".inst 0xecfd0b20 @ vpop {d16-d31}",
                ".inst 0xecbd0b10 @ vpop {d0-d7}",
                "2:",
                "pop {r1, r2}",
                "msr spsr_fsxc, r2",
                "add sp, sp, r1",
                "ldm sp!, {r0, r1, r2, r3, r12, pc}^",
                ".ltorg",
            ]
        );
    }

    #[test]
    fn vfp_diverging_golden() {
        let diverges = Shape {
            diverges: true,
            ..Shape::default()
        };
        assert_eq!(
            lines(&ARM_VFP_D16, Entry::ArmAbort, diverges),
            [
                "sub lr, lr, #4",
                "push {r0, r1, r2, r3, r12, lr}",
                "and r1, sp, #4",
                "sub sp, sp, r1",
                "push {r1, r2}",
                ".inst 0xeef83a10 @ vmrs r3, fpexc",
                "tst r3, #0x40000000",
                "beq 1f",
                ".inst 0xed2d0b10 @ vpush {d0-d7}",
                ".inst 0xeef12a10 @ vmrs r2, fpscr",
                "mov r1, #0",
                ".inst 0xeee11a10 @ vmsr fpscr, r1",
                "1:",
                "push {r2, r3}",
                "ldr r3, ={body}",
                "mov lr, pc",
                "bx r3",
                "udf #0",
                ".ltorg",
            ]
        );
    }

    /// The instructions one run of `t` executes, following `beq` to its
    /// label when `taken` (FPEXC.EN clear) and falling through otherwise.
    fn path(t: &Trampoline, taken: bool) -> Vec<&str> {
        let l = insns(t);
        let mut run = Vec::new();
        let mut i = 0;
        while i < l.len() {
            match l[i].strip_prefix("beq ").and_then(|b| b.strip_suffix('f')) {
                Some(label) if taken => {
                    run.push(l[i]);
                    i += l[i..]
                        .iter()
                        .position(|x| *x == format!("{label}:"))
                        .unwrap();
                }
                _ => {
                    if !l[i].ends_with(':') && !l[i].starts_with('.') {
                        run.push(l[i]);
                    }
                    i += 1;
                }
            }
        }
        run
    }

    /// Instructions that need FPEXC.EN set: every VFP instruction but the
    /// FPEXC read, which PL1 may make with VFP disabled.
    fn needs_vfp_enabled(insn: &str) -> bool {
        (insn.starts_with("vpush")
            || insn.starts_with("vpop")
            || insn.starts_with("vmrs")
            || insn.starts_with("vmsr"))
            && !insn.ends_with("fpexc")
    }

    #[test]
    fn vfp_disabled_path_touches_no_vfp_state() {
        for (name, entry, shape, t) in all_entries() {
            let all = insns(&t);
            let vfp = all.iter().any(|l| needs_vfp_enabled(l));
            if !vfp {
                assert!(!all.iter().any(|l| l.contains("fpexc")), "{name} {entry:?}");
                continue;
            }
            let off = path(&t, true);
            assert!(
                !off.iter().any(|l| needs_vfp_enabled(l)),
                "{name} {entry:?} {shape:?}: {off:#?}"
            );
            // FPEXC is read once, on entry, and never written: the exit
            // branches on the copy kept on the stack, as the body may have
            // enabled or disabled VFP in the meantime.
            assert_eq!(
                all.iter().filter(|l| l.contains("fpexc")).count(),
                1,
                "{name} {entry:?}"
            );
            let read = off.iter().position(|l| *l == "vmrs r3, fpexc").unwrap();
            assert_eq!(off[read + 1..read + 3], ["tst r3, #0x40000000", "beq 1f"]);
            // r3 goes to the stack as it was read, in both paths.
            let on = path(&t, false);
            for p in [&off, &on] {
                let push = p.iter().position(|l| *l == "push {r2, r3}").unwrap();
                assert!(
                    p[read + 1..push]
                        .iter()
                        .all(|l| !l.contains(" r3,") || l.starts_with("tst")),
                    "{name} {entry:?}: {p:#?}"
                );
            }
            if !shape.diverges {
                let call = off.iter().position(|l| *l == "bx r3").unwrap();
                let pop = call
                    + off[call..]
                        .iter()
                        .position(|l| *l == "pop {r2, r3}")
                        .unwrap();
                assert_eq!(
                    off[pop..pop + 3],
                    ["pop {r2, r3}", "tst r3, #0x40000000", "beq 2f"],
                    "{name} {entry:?}"
                );
            }
            // With VFP enabled, nothing is skipped.
            assert_eq!(
                on.len(),
                all.iter()
                    .filter(|l| !l.ends_with(':') && !l.starts_with('.'))
                    .count(),
                "{name} {entry:?}"
            );
        }
    }

    #[test]
    fn vfp_disabled_cost() {
        let cost = |t: &Trampoline, taken: bool| {
            let p = path(t, taken);
            let call = p.iter().position(|l| *l == "bx r3").unwrap();
            let ret = p
                .iter()
                .position(|l| l.starts_with("ldm sp!") || l.starts_with("rfeia"))
                .unwrap();
            // The vector's `ldr pc` and the body's return, as the firmware
            // counts them.
            (1 + call + 1, ret - call + 1)
        };
        let t = emit(
            &ARM_VFP_D32,
            Entry::ArmIrq,
            &ARM_VFP_D32.full_save_set(),
            Shape::default(),
        )
        .unwrap();
        assert_eq!(cost(&t, false), (18, 10));
        assert_eq!(cost(&t, true), (13, 7));
    }

    #[test]
    fn svc_golden() {
        let frame = Shape {
            frame: true,
            ..Shape::default()
        };
        assert_eq!(
            lines(&ARM_SOFT, Entry::ArmSvc, frame),
            [
                "push {r0, r1, r2, r3, r12, lr}",
                "mrs r2, spsr",
                "mov r0, sp",
                "and r1, sp, #4",
                "sub sp, sp, r1",
                "push {r1, r2}",
                "ldr r3, ={body}",
                "mov lr, pc",
                "bx r3",
                "pop {r1, r2}",
                "msr spsr_fsxc, r2",
                "add sp, sp, r1",
                "ldm sp!, {r0, r1, r2, r3, r12, pc}^",
                ".ltorg",
            ]
        );
    }

    #[test]
    fn bodies_run_with_the_default_fpscr() {
        // LLVM compiles the body for round-to-nearest, no flush-to-zero, no
        // default NaN, no traps and scalar VFP (Len = Stride = 0, which the
        // AAPCS requires at every call): FPSCR 0. Every other bit is RES0
        // or UNK/SBZP, so 0 is a valid value to write on every VFP version.
        for (name, entry, shape, t) in all_entries() {
            let l = &insns(&t);
            let call = l.iter().position(|l| *l == "bx r3").unwrap();
            let has_vfp = l.iter().any(|l| l.starts_with("vpush"));
            let default = l[..call]
                .windows(2)
                .any(|w| w == ["mov r1, #0", "vmsr fpscr, r1"]);
            assert_eq!(default, has_vfp, "{name} {entry:?} {shape:?}: {l:#?}");
            if has_vfp && !shape.diverges {
                // The interrupted code's FPSCR, flags included, comes back
                // from the stack.
                let save = l.iter().position(|l| *l == "vmrs r2, fpscr").unwrap();
                assert!(save < call && l[save + 1..call].contains(&"push {r2, r3}"));
                assert_eq!(
                    l[call + 1..].iter().filter(|l| l.contains("fpscr")).count(),
                    1
                );
                let restore = l.iter().position(|l| *l == "vmsr fpscr, r2").unwrap();
                assert_eq!(l[restore - 3], "pop {r2, r3}", "{name} {entry:?}");
            }
        }
    }

    #[test]
    fn svc_undef_and_abort_keep_their_spsr_on_the_stack() {
        // A body may raise an exception of its own mode (an SVC from an SVC
        // body, ...), which overwrites SPSR_<mode>; LR_<mode> is in the
        // frame already. IRQ and FIQ bodies cannot, and irq-system keeps
        // SPSR_irq with `srsdb`.
        for (name, entry, shape, t) in all_entries() {
            let l = &t.lines;
            let own_mode = matches!(entry, Entry::ArmSvc | Entry::ArmAbort | Entry::ArmUndef);
            let realign = l.iter().position(|l| l == "push {r1, r2}").unwrap();
            let saved = l[..realign].contains(&"mrs r2, spsr".into());
            if shape.diverges {
                continue;
            }
            assert_eq!(saved, own_mode, "{name} {entry:?} {shape:?}: {l:#?}");
            let back = l.iter().position(|l| l == "pop {r1, r2}").unwrap();
            assert_eq!(
                l[back + 1] == "msr spsr_fsxc, r2",
                own_mode,
                "{name} {entry:?}"
            );
        }
    }

    #[test]
    fn entries_leave_the_assembler_state_as_they_found_it() {
        // The template becomes module-level assembly: a directive such as
        // `.fpu` would stay in force for whatever assembly follows it in the
        // module. `.ltorg` only places the literal pool, `.inst` one word.
        for (name, entry, shape, t) in all_entries() {
            for l in t.lines.iter().filter(|l| l.starts_with('.')) {
                assert!(
                    l == ".ltorg" || l.starts_with(".inst "),
                    "{name} {entry:?} {shape:?}: {l}"
                );
            }
        }
    }

    /// Assembles `pieces` (one `global_asm!` each, in order) for `target`
    /// with rustc, in a `#![no_core]` crate, so no standard library for the
    /// target is needed; `Err` holds rustc's diagnostics.
    fn assemble(target: &str, pieces: &[&str]) -> Result<(), String> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static RUN: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "interrupt-abi-arm-asm-{}-{}",
            std::process::id(),
            RUN.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut src = String::from(
            "#![feature(no_core, rustc_attrs, decl_macro)]\n#![no_core]\n\
             #![allow(internal_features)]\n#[rustc_builtin_macro]\n\
             macro global_asm(\"assembly template\", $(operands,)* \
             $(options($(option),*))?) { /* compiler built-in */ }\n",
        );
        for p in pieces {
            src.push_str(&format!("global_asm!(r##\"{p}\"##);\n"));
        }
        std::fs::write(dir.join("lib.rs"), src).unwrap();
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let out = std::process::Command::new(rustc)
            .env("RUSTC_BOOTSTRAP", "1")
            .args([
                "--edition=2021",
                "--crate-type=lib",
                "--emit=obj",
                "--target",
            ])
            .arg(target)
            .arg("-o")
            .arg(dir.join("lib.o"))
            .arg(dir.join("lib.rs"))
            .output()
            .expect("rustc runs");
        let _ = std::fs::remove_dir_all(&dir);
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// A VFP entry as module-level assembly, with a body to call.
    fn vfp_module(conv: &Convention) -> String {
        let t = emit(conv, Entry::ArmIrq, &conv.full_save_set(), Shape::default()).unwrap();
        format!(
            ".arm\nentry:\n{}\nbody:\nbx lr\n",
            t.template().replace("{body}", "body")
        )
    }

    #[test]
    fn vfp_entries_assemble_in_any_module_and_leave_its_fpu_alone() {
        // ARMv5TE has no VFP: the entry must assemble all the same (LLVM
        // parses module-level assembly with the triple's defaults when it
        // builds symbol tables), and a later VFP instruction must still be
        // rejected.
        let later_vfp = ".arm\nvadd.f64 d0, d1, d2";
        assert!(assemble("armv5te-none-eabi", &[later_vfp]).is_err());
        for conv in [&ARM_VFP_D16, &ARM_VFP_D32] {
            let entry = vfp_module(conv);
            assert_eq!(assemble("armv5te-none-eabi", &[&entry]), Ok(()));
            let err = assemble("armv5te-none-eabi", &[&entry, later_vfp])
                .expect_err("a VFP instruction after the entry assembled without VFP");
            assert!(err.contains("vadd.f64"), "{err}");
        }
        // VFPv3-D16 (Cortex-R): a later VFPv3 instruction must still assemble.
        let later_vfpv3 = ".arm\nvmov.f64 d0, #1.0";
        assert_eq!(assemble("armv7r-none-eabihf", &[later_vfpv3]), Ok(()));
        let entry = vfp_module(&ARM_VFP_D16);
        assert_eq!(
            assemble("armv7r-none-eabihf", &[&entry, later_vfpv3]),
            Ok(())
        );
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
