//! Synchronous exceptions at EL1, each raised on purpose and handled by one
//! `unsafe extern "aarch64-interrupt" fn(&mut ExceptionFrame)`:
//!
//! - `svc #1`: a system call. The handler reads the number from ESR and the
//!   arguments from x0–x7 in the frame and writes the results into x0 and x1
//!   of the frame, which `eret` hands back. ELR already points past `svc`.
//! - `brk #7` and `udf #0x1234`: ELR points at the instruction itself; the
//!   handler skips it with `elr += 4`.
//! - Data aborts: a load from and a store to 0x0904_0000, where `virt` has no
//!   device (without `secure=on`): QEMU answers the bus error with a
//!   synchronous external abort, EC 0x25, DFSC 0x10, FAR the address, WnR
//!   telling load from store. The handler checks and skips the access.
//! - `svc #0x30` from EL1 running on SP_EL0 (EL1t), through the
//!   `CurrentSp0Sync` slot: its handler must run on SP_EL1 and leave SP_EL0
//!   as it was.

use core::arch::asm;

use interrupt_abi::aarch64::{ExceptionFrame, Vector};
use interrupt_abi::interrupt;

use crate::platform::{self, exit};
use crate::report::Checks;
use crate::sysreg::{ec, exception_class, iss};
use crate::{clobber, cost, vectors};
use fw_common::Shared;

/// An address in a hole of the `virt` memory map.
pub const UNMAPPED: u64 = 0x0904_0000;

/// What the handler saw of the last exception: ESR, ELR, FAR.
static SEEN: Shared<[u64; 3]> = Shared::new([0; 3]);
static TAKEN: Shared<u64> = Shared::new(0);

/// The system call number that adds its arguments.
const SYS_SUM: u64 = 1;

#[interrupt]
unsafe extern "aarch64-interrupt" fn sync(f: &mut ExceptionFrame) {
    // Each raise! clears SEEN: the same exception again means the skip
    // (`elr += 4`) did not take effect and the instruction ran again.
    if SEEN.get() == [f.esr, f.elr, f.far] {
        platform::fail!(
            exit::CHECK,
            "exception at {:#x} (ESR {:#x}) taken again: `elr += 4` did not take effect",
            f.elr,
            f.esr
        );
    }
    SEEN.set([f.esr, f.elr, f.far]);
    TAKEN.increment();
    match exception_class(f.esr) {
        ec::SVC64 if iss(f.esr) & 0xffff == SYS_SUM => {
            // Results: x0 = sum of x0-x7, x1 = their xor.
            let args = &f.x[..8];
            let sum = args.iter().fold(0u64, |a, &b| a.wrapping_add(b));
            let xor = args.iter().fold(0, |a, &b| a ^ b);
            f.x[0] = sum;
            f.x[1] = xor;
        }
        ec::BRK64 | ec::UNKNOWN | ec::DATA_ABORT_SAME => f.elr += 4,
        _ => platform::fail!(
            exit::UNEXPECTED_EXCEPTION,
            "sync: unexpected ESR={:#x} ELR={:#x} FAR={:#x}",
            f.esr,
            f.elr,
            f.far
        ),
    }
    clobber::caller_saved(TAKEN.get());
}

/// A stack for code running at EL1 on SP_EL0 (EL1t).
static SP0_STACK: Shared<[u128; 64]> = Shared::new([0; 64]);
/// What `sp0_sync` saw: its own `sp`, SPSR, ESR; `None` until it runs.
static SP0_SEEN: Shared<Option<[u64; 3]>> = Shared::new(None);
const SVC_FROM_SP0: u64 = 0x30;

/// The `CurrentSp0Sync` slot: taken from EL1 while it ran on SP_EL0.
#[interrupt]
extern "aarch64-interrupt" fn sp0_sync(f: &ExceptionFrame) {
    let sp: u64;
    // SAFETY: reads the stack pointer.
    unsafe { asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    SP0_SEEN.set(Some([sp, f.spsr, f.esr]));
}

/// Same ABI and shape as `sync`, body replaced by the cost probe.
#[interrupt]
unsafe extern "aarch64-interrupt" fn svc_probe(_f: &mut ExceptionFrame) {
    cost::call_probe_body();
}

/// Takes the exception `asm` raises, which must be at label `1:` (so that
/// `adr` gives its address); returns ESR, ELR and FAR as the handler saw them
/// and the address of the raising instruction.
macro_rules! raise {
    ($($asm:literal),+ $(; $($operands:tt)*)?) => {{
        let at: u64;
        SEEN.set([0; 3]);
        // SAFETY: the handler skips or completes the instruction; the
        // operands name every register the sequence writes.
        unsafe {
            asm!("adr {at}, 1f", $($asm),+, at = out(reg) at $(, $($operands)*)?, options(nostack))
        };
        let [esr, elr, far] = SEEN.get();
        (esr, elr, far, at)
    }};
}

pub fn run() {
    let cost = cost::svc(svc_probe);
    vectors::install_el1(&[
        (Vector::CurrentSpxSync, sync),
        (Vector::CurrentSp0Sync, sp0_sync),
    ]);
    TAKEN.set(0);
    let mut checks = Checks::new();
    let mut count = 0;
    let mut expect = |ok: bool, what: core::fmt::Arguments| {
        count += 1;
        checks.expect(ok, what);
    };

    // svc #1 with arguments 1, 2, 4, ... 128 and a canary in x9.
    let (sum, xor, canary): (u64, u64, u64);
    let (esr, elr, _, at) = raise!(
        "mov x9, #0x5a5a", "1:", "svc #1";
        inlateout("x0") 1u64 => sum, inlateout("x1") 2u64 => xor,
        in("x2") 4u64, in("x3") 8u64, in("x4") 16u64, in("x5") 32u64, in("x6") 64u64,
        in("x7") 128u64, out("x9") canary
    );
    expect(
        exception_class(esr) == ec::SVC64 && iss(esr) & 0xffff == SYS_SUM,
        format_args!("svc #1: ESR {esr:#x}"),
    );
    expect(
        elr == at + 4,
        format_args!("svc: ELR {elr:#x}, svc at {at:#x}"),
    );
    expect(
        sum == 255 && xor == 255,
        format_args!("svc #1 returned x0={sum} x1={xor}, want 255 255"),
    );
    expect(
        canary == 0x5a5a,
        format_args!("svc clobbered x9: {canary:#x}"),
    );

    let (esr, elr, _, at) = raise!("1:", "brk #7");
    expect(
        exception_class(esr) == ec::BRK64 && iss(esr) & 0xffff == 7 && elr == at,
        format_args!("brk #7: ESR {esr:#x} ELR {elr:#x}, brk at {at:#x}"),
    );

    let (esr, elr, _, at) = raise!("1:", "udf #0x1234");
    expect(
        exception_class(esr) == ec::UNKNOWN && elr == at,
        format_args!("udf: ESR {esr:#x} ELR {elr:#x}, udf at {at:#x}"),
    );

    // A load and a store to nowhere; the destination of the skipped load
    // keeps its value.
    let loaded: u64;
    let (esr, elr, far, at) = raise!(
        "mov {v}, #0x77", "1:", "ldr {v}, [{a}]";
        a = in(reg) UNMAPPED, v = out(reg) loaded
    );
    check_abort(&mut expect, "load", (esr, elr, far, at), false);
    expect(
        loaded == 0x77,
        format_args!("skipped load wrote {loaded:#x}"),
    );
    let (esr, elr, far, at) = raise!(
        "1:", "str {v}, [{a}, #8]";
        a = in(reg) UNMAPPED, v = in(reg) 0u64
    );
    check_abort(
        &mut expect,
        "store",
        (esr, elr, far.wrapping_sub(8), at),
        true,
    );

    check_sp0(&mut expect);

    let taken = TAKEN.get();
    expect(taken == 5, format_args!("{taken} exceptions taken, want 5"));
    checks.report(&[
        &[
            ("abi", &"aarch64-interrupt"),
            ("scenario", &"sync"),
            ("handler", &"sync"),
            ("interrupts", &taken),
            ("checks", &count),
        ],
        &cost::Cost::fields(&cost),
    ]);
}

/// A data abort on [`UNMAPPED`] (a store: `wnr`), skipped by the handler.
fn check_abort(
    expect: &mut impl FnMut(bool, core::fmt::Arguments),
    what: &str,
    (esr, elr, far, at): (u64, u64, u64, u64),
    wnr: bool,
) {
    const DFSC_EXTERNAL: u64 = 0x10;
    const WNR: u64 = 1 << 6;
    expect(
        exception_class(esr) == ec::DATA_ABORT_SAME
            && iss(esr) & 0x3f == DFSC_EXTERNAL
            && (iss(esr) & WNR != 0) == wnr,
        format_args!("{what} abort: ESR {esr:#x}"),
    );
    expect(
        far == UNMAPPED && elr == at,
        format_args!("{what} abort: FAR {far:#x} ELR {elr:#x}, access at {at:#x}"),
    );
}

/// `svc` from EL1t: the exception goes through the `CurrentSp0Sync` slot,
/// yet the CPU selects SP_EL1 on taking it, so the entry and the body run
/// on SP_EL1 and leave SP_EL0 alone; `eret` returns to EL1t.
fn check_sp0(expect: &mut impl FnMut(bool, core::fmt::Arguments)) {
    const SPSR_EL1T: u64 = 0x4;
    let bottom = SP0_STACK.as_ptr() as u64;
    let top = bottom + size_of::<[u128; 64]>() as u64;
    SP0_SEEN.set(None);
    let sp_el0_after: u64;
    // SAFETY: between the two `msr spsel` nothing but the `svc` runs, on a
    // stack of our own; SP_EL0 is restored.
    unsafe {
        asm!(
            "mrs {saved}, sp_el0",
            "msr sp_el0, {top}",
            "msr spsel, #0",
            "svc #{imm}",
            "msr spsel, #1",
            "mrs {after}, sp_el0",
            "msr sp_el0, {saved}",
            top = in(reg) top,
            imm = const SVC_FROM_SP0,
            saved = out(reg) _,
            after = out(reg) sp_el0_after,
            options(nostack),
        )
    };
    let Some([sp, spsr, esr]) = SP0_SEEN.get() else {
        expect(
            false,
            format_args!("svc from EL1t did not reach the CurrentSp0Sync slot"),
        );
        return;
    };
    expect(
        spsr & 0xf == SPSR_EL1T
            && exception_class(esr) == ec::SVC64
            && iss(esr) & 0xffff == SVC_FROM_SP0,
        format_args!("svc from EL1t: SPSR {spsr:#x} ESR {esr:#x}"),
    );
    expect(
        !(bottom..=top).contains(&sp) && sp_el0_after == top,
        format_args!(
            "CurrentSp0Sync handler ran with sp {sp:#x}, SP_EL0 {top:#x} before and \
             {sp_el0_after:#x} after: the handler must run on SP_EL1"
        ),
    );
}
