//! VFP disabled (FPEXC.EN = 0), as under a kernel that enables it lazily
//! per task or firmware that never enables it; VFP targets only.
//!
//! 1. `lazy-vfp-enable`: code running with VFP disabled executes a VFP
//!    instruction. The undefined-instruction handler, an ordinary
//!    `arm-interrupt-undef` entry, finds VFP still disabled in its body,
//!    sets FPEXC.EN and returns to the instruction, which then completes.
//!    An entry that saved VFP state unconditionally would itself trap on
//!    its first VFP instruction, and its own undefined-instruction entry
//!    again, without end. The exit must also go by what the entry found:
//!    VFP is enabled by then, but nothing was saved to restore.
//! 2. `storm-vfp-disabled`: the IRQ and FIQ storm of [`crate::storm`], the
//!    interrupted code running with FPEXC = 0 and the integer register
//!    torture checking FPEXC in every pass, the bodies checking it too and
//!    leaving VFP alone.

use core::arch::asm;
use core::fmt::Display;

use interrupt_abi::arm::ExceptionFrame;
use interrupt_abi::interrupt;

use crate::cpu::{self, FPEXC_EN};
use crate::report::Checks;
use crate::rt::{self, Vector};
use crate::shared::Shared;
use crate::storm::{self, Board, C};
use crate::torture::Torture;

/// Undefined instructions taken, FPEXC as the first body found it, and
/// the instruction.
static TRAPS: Shared<u32> = Shared::new(0);
static TRAP_FPEXC: Shared<u32> = Shared::new(0);
static TRAP_INSN: Shared<u32> = Shared::new(0);

/// A lazy-VFP kernel's trap handler, reduced to enabling VFP: no task has
/// VFP state to switch here.
#[interrupt]
unsafe extern "arm-interrupt-undef" fn vfp_enable(frame: &mut ExceptionFrame) {
    let fpexc = cpu::fpexc();
    let ret = frame.return_address;
    // SAFETY: the A32 instruction the CPU found undefined.
    let insn = unsafe { (ret as *const u32).read_volatile() };
    if TRAPS.increment() == 1 {
        TRAP_FPEXC.set(fpexc);
        TRAP_INSN.set(insn);
    }
    // A coprocessor 10/11 instruction with VFP disabled: enable it and let
    // the instruction run again. Anything else is skipped, so that a wrong
    // entry fails the checks instead of trapping forever.
    if fpexc & FPEXC_EN == 0 && (insn >> 9) & 7 == 0b101 {
        cpu::set_fpexc(fpexc | FPEXC_EN);
    } else {
        frame.return_address = ret + 4;
    }
}

/// 2 * `x` as VFP computes it: `vmov` to d0 is the first VFP instruction.
#[instruction_set(arm::a32)]
#[inline(never)]
fn double(x: u64) -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: d0 is declared clobbered; VFP may be disabled when this runs,
    // which the undefined-instruction handler installed by `lazy_enable`
    // deals with.
    unsafe {
        asm!(
            "vmov d0, {lo}, {hi}",
            "vadd.f64 d0, d0, d0",
            "vmov {lo}, {hi}, d0",
            lo = inout(reg) x as u32 => lo,
            hi = inout(reg) (x >> 32) as u32 => hi,
            out("d0") _,
            options(nomem, nostack),
        )
    };
    u64::from(hi) << 32 | u64::from(lo)
}

fn lazy_enable() {
    TRAPS.set(0);
    TRAP_FPEXC.set(u32::MAX);
    rt::install(Vector::Undefined, vfp_enable.addr());
    cpu::set_fpexc(0);
    println!("lazy-vfp-enable: a VFP instruction with FPEXC.EN clear");
    let doubled = double(1.5f64.to_bits());
    let fpexc = cpu::fpexc();
    cpu::set_fpexc(FPEXC_EN);
    rt::install_defaults();

    let mut checks = Checks::new();
    checks.expect(
        TRAPS.get() == 1,
        format_args!("{} undefined instructions, want 1", TRAPS.get()),
    );
    checks.expect(
        TRAP_FPEXC.get() == 0,
        format_args!("the body found FPEXC {:#010x}, want 0", TRAP_FPEXC.get()),
    );
    checks.expect(
        (TRAP_INSN.get() >> 9) & 7 == 0b101,
        format_args!(
            "trapped on {:#010x}, not a VFP instruction",
            TRAP_INSN.get()
        ),
    );
    checks.expect(
        doubled == 3.0f64.to_bits(),
        format_args!("2 * 1.5 = {doubled:#018x}, want 3.0"),
    );
    checks.expect(
        fpexc == FPEXC_EN,
        format_args!("FPEXC {fpexc:#010x} after the retry, want EN alone"),
    );
    let fields: [(&str, &dyn Display); 4] = [
        ("abi", &"arm-interrupt-undef"),
        ("scenario", &"lazy-vfp-enable"),
        ("handler", &"vfp_enable"),
        ("traps", &TRAPS.get()),
    ];
    checks.report(&[&fields]);
}

/// Runs both scenarios, the storm on board `B`.
pub fn run<B: Board>() {
    lazy_enable();

    println!("storm-vfp-disabled: IRQ and FIQ storm with FPEXC = 0");
    C.vfp_disabled.set(true);
    let torture = storm::storm::<B>(Torture::vfp_disabled());
    C.vfp_disabled.set(false);
    let irq = C.irq_timer.get() + C.irq_soft.get();
    let fiq = C.fiq_timer.get();
    let mut checks = Checks::new();
    storm::storm_checks::<B>(&mut checks);
    checks.expect(
        C.fpexc_wrong.get() == 0,
        format_args!(
            "{} bodies found FPEXC not 0; first {:#010x}",
            C.fpexc_wrong.get(),
            C.first_fpexc.get()
        ),
    );
    let fields: [(&str, &dyn Display); 7] = [
        ("abi", &"arm-interrupt-irq"),
        ("scenario", &"storm-vfp-disabled"),
        ("handler", &"irq_storm"),
        ("interrupts", &(irq + fiq)),
        ("irq", &irq),
        ("fiq", &fiq),
        ("checks", &torture.checks),
    ];
    checks.report(&[&fields]);
}
