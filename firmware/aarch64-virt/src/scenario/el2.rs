//! `#[interrupt(el2)]`: handlers on the EL2 vector table, using ELR_EL2,
//! SPSR_EL2, ESR_EL2 and FAR_EL2. Needs a run that starts at EL2
//! (`-M virt,virtualization=on`); otherwise it reports nothing.
//!
//! At EL2, before the rest of the run drops to EL1 ([`prepare`]), the cost of
//! the EL2 entry is measured with `hvc` made at EL2 itself, and the EL2
//! table gets `hvc` as the handler of calls from EL1 (lower EL, AArch64).
//! From EL1, [`run`] makes a hypercall that reads arguments from and writes
//! results to the frame, and the frame storm (`traps`) calls EL2 in every
//! torture pass with all registers at their pattern values: the handler
//! checks the frame against the pattern and inverts x2 and x3 through it.

use interrupt_abi::aarch64::{ExceptionFrame, Vector};
use interrupt_abi::interrupt;

use crate::cost::{self, Cost};
use crate::platform::{self, exit};
use crate::report::Checks;
use crate::scenario::fp_env;
use crate::sysreg::{ec, exception_class, iss};
use crate::torture::{self, TRAP_IMM};
use crate::{clobber, vectors};
use fw_common::Shared;

static HVCS: Shared<u64> = Shared::new(0);
/// Hypercalls from the torture loop whose frame matched the pattern.
static FROM_TORTURE: Shared<u64> = Shared::new(0);

/// The hypercall that multiplies x0 by x1 (result in x0, high half in x1).
const HVC_MUL: u64 = 1;
const HVC: u32 = 0xd400_0002;
/// SPSR_EL2.M\[3:0\] of a call from EL1h.
const SPSR_EL1H: u64 = 0x5;

#[interrupt(el2)]
unsafe extern "aarch64-interrupt" fn hvc(f: &mut ExceptionFrame) {
    let (class, imm) = (exception_class(f.esr), iss(f.esr) & 0xffff);
    // The FP environment before anything in the body can touch it.
    if imm == fp_env::HVC_FP_ENV {
        fp_env::record_body();
    } else {
        fp_env::expect_default();
    }
    if class != ec::HVC64 || f.spsr & 0xf != SPSR_EL1H {
        platform::fail!(
            exit::UNEXPECTED_EXCEPTION,
            "EL2: unexpected ESR_EL2={:#x} ELR_EL2={:#x} SPSR_EL2={:#x}",
            f.esr,
            f.elr,
            f.spsr
        );
    }
    HVCS.increment();
    match imm {
        HVC_MUL => {
            let product = u128::from(f.x[0]) * u128::from(f.x[1]);
            f.x[0] = product as u64;
            f.x[1] = (product >> 64) as u64;
        }
        fp_env::HVC_FP_ENV => {}
        TRAP_IMM if torture::contains(f.elr) => {
            // SAFETY: ELR lies in the torture routine.
            let insn = unsafe { ((f.elr - 4) as *const u32).read_volatile() };
            let pattern = torture::current_x();
            if insn != HVC | (TRAP_IMM as u32) << 5 || f.x != pattern {
                platform::fail!(
                    exit::CHECK,
                    "EL2 frame does not hold the torture pattern (instruction {insn:#x})"
                );
            }
            f.x[2] = !f.x[2];
            f.x[3] = !f.x[3];
            FROM_TORTURE.increment();
        }
        _ => platform::fail!(exit::CHECK, "EL2: hvc #{imm:#x} unknown"),
    }
    clobber::caller_saved(HVCS.get());
}

/// Same ABI and shape as `hvc`, body replaced by the cost probe.
#[interrupt(el2)]
extern "aarch64-interrupt" fn hvc_probe(_f: &ExceptionFrame) {
    cost::call_probe_body();
}

/// At EL2: measures the EL2 entry and leaves `hvc` installed for calls from
/// EL1.
pub fn prepare() -> Option<Cost> {
    let cost = cost::hvc_at_el2(hvc_probe);
    vectors::install_el2(&[(Vector::Lower64Sync, hvc)]);
    cost
}

/// At EL1, after the frame storm (whose `torture_passes` each called EL2):
/// one hypercall with results, then the report.
pub fn run(cost: Option<Cost>, torture_passes: u64) {
    let mut checks = Checks::new();
    let (lo, hi): (u64, u64);
    // SAFETY: the EL2 handler writes x0 and x1 only.
    unsafe {
        core::arch::asm!("hvc #1", inlateout("x0") u64::MAX => lo,
            inlateout("x1") 3u64 => hi, options(nostack))
    };
    checks.expect(
        lo == u64::MAX - 2 && hi == 2,
        format_args!("hvc #1 (u64::MAX * 3) returned {hi:#x}:{lo:#x}"),
    );
    let from_torture = FROM_TORTURE.get();
    checks.expect(
        from_torture == torture_passes && from_torture > 0,
        format_args!("{from_torture} hypercalls from {torture_passes} trapping torture passes"),
    );
    checks.report(&[
        &[
            ("abi", &"aarch64-interrupt"),
            ("scenario", &"el2-hvc"),
            ("handler", &"hvc"),
            ("interrupts", &HVCS.get()),
            ("frame_checks", &(from_torture * 31)),
        ],
        &Cost::fields(&cost),
    ]);
}
