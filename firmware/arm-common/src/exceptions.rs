//! SVC, undefined instruction, data abort and prefetch abort, each taken on
//! purpose from A32 and from Thumb code (see [`crate::probe`]).
//!
//! Each handler records what its frame and the CPU said (return address,
//! SPSR, fault registers), does its job through the frame (an SVC computes
//! results into r0-r3; the others skip the faulting instruction by advancing
//! `return_address` by its length, 4 in A32 and 2 in Thumb, from SPSR.T),
//! then clobbers every caller-saved register. The scenario checks the
//! handler saw the right instruction, the interrupted code resumed right
//! after it, and every register (and, in A32, the CPSR) came back as
//! expected.
//!
//! - SVC: `svc #1` (QEMU keeps `svc 0x123456`/`svc 0xab` for semihosting).
//! - Undefined: `udf #0`.
//! - Data abort: an unaligned `ldr` with SCTLR.A set (an alignment fault:
//!   versatilepb and virt have no MMU set up here, and QEMU checks alignment
//!   without one).
//! - Prefetch abort: `bkpt` (ARMv5 and later; on ARMv4T `bkpt` is an
//!   undefined instruction, so the scenario is skipped there).
//!
//! Nested (`svc-nested`, `undefined-nested`, `data-abort-nested`): the
//! same handlers, but in the middle of its work each raises an exception of
//! its own mode from its body: `svc #2`, `udf`, another unaligned load. The
//! CPU then overwrites SPSR_<mode> and LR_<mode>, which the outer return
//! needs; the handler recognises the inner exception by SPSR's mode, counts
//! it and resumes its body after the instruction. The interrupted code must
//! still resume right after its own instruction, in its own mode and
//! instruction set, with its flags.
//!
//! With VFP, every handler body first checks the FP environment the entry
//! gave it ([`crate::fpenv`]), while the A32 probes run in round-toward-zero
//! with flush-to-zero or default NaN varying per round and their flags
//! clear, and compare FPSCR after the exception bit for bit.

use core::arch::asm;

use interrupt_abi::arm::ExceptionFrame;
use interrupt_abi::interrupt;

use crate::cpu::{self, CPSR_T, SCTLR_A, mode};
use crate::fpenv::{self, Bodies};
use crate::probe::{self, CPSR, FPSCR, Kind, Regs};
use crate::report::Checks;
use crate::rt::{self, Vector};
use crate::shared::Shared;
use crate::{clobber, cost};

/// What the last handler saw.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    count: u32,
    return_address: u32,
    spsr: u32,
    /// SVC: the immediate. Data abort: DFSR. Undefined: the instruction.
    a: u32,
    /// Data abort: DFAR.
    b: u32,
}

static SEEN: Shared<Seen> = Shared::new(Seen {
    count: 0,
    return_address: 0,
    spsr: 0,
    a: 0,
    b: 0,
});

/// Whether the handlers raise an exception of their own mode from their
/// body (the nested scenarios).
static NEST: Shared<bool> = Shared::new(false);
/// What the inner exceptions of the nested scenarios saw.
static INNER: Shared<Seen> = Shared::new(Seen {
    count: 0,
    return_address: 0,
    spsr: 0,
    a: 0,
    b: 0,
});
/// The FP environment of every handler body.
static FP: Bodies = Bodies::new();

/// Records the outer exception; `spsr` is the handler's, read before
/// anything could raise another exception of its mode.
fn record(return_address: u32, spsr: u32, a: u32, b: u32) {
    let mut seen = SEEN.get();
    seen.count += 1;
    seen.return_address = return_address;
    seen.spsr = spsr;
    seen.a = a;
    seen.b = b;
    SEEN.set(seen);
}

/// Set while a handler's body raises an exception of its own mode.
static RAISING: Shared<bool> = Shared::new(false);

/// An exception the handler of mode `own` raised from its own body (SPSR
/// says so): records it and returns true. Fails the run if no body was
/// raising one: then an outer return resumed the interrupted code in the
/// handler's mode.
fn inner(own: u32, return_address: u32, spsr: u32) -> bool {
    if spsr & mode::MASK != own {
        return false;
    }
    if !RAISING.get() {
        rt::unexpected("exception from the handler's own mode", return_address);
    }
    let mut seen = INNER.get();
    seen.count += 1;
    seen.return_address = return_address;
    seen.spsr = spsr;
    INNER.set(seen);
    true
}

/// `svc #2` from an SVC handler's body. The CPU writes LR_svc, the body's
/// own lr, hence the clobber.
#[instruction_set(arm::a32)]
#[inline(never)]
fn nested_svc() {
    // SAFETY: the handler serving it resumes after it.
    unsafe { asm!("svc #2", out("lr") _) };
}

/// An undefined instruction from an undefined-instruction handler's body.
#[instruction_set(arm::a32)]
#[inline(never)]
fn nested_udf() {
    // SAFETY: the handler serving it skips it.
    unsafe { asm!(".inst 0xe7f000f0", out("lr") _) };
}

/// An unaligned load (SCTLR.A is set) from a data-abort handler's body.
#[instruction_set(arm::a32)]
#[inline(never)]
fn nested_unaligned_load() {
    let address = ALIGNED.as_ptr() as u32 + 1;
    // SAFETY: the handler serving the abort skips the load.
    unsafe { asm!("ldr {0}, [{0}]", inout(reg) address => _, out("lr") _) };
}

/// Length of the instruction at the return address's side of the
/// interrupted code: 2 in Thumb state, 4 in A32 (all instructions the probes
/// raise exceptions with are 16-bit in Thumb).
fn insn_len(spsr: u32) -> u32 {
    if spsr & CPSR_T != 0 { 2 } else { 4 }
}

/// SVC #1: `r0 = a + b, r1 = c ^ d, r2 = 3a, r3 = !d`.
#[interrupt]
unsafe extern "arm-interrupt-svc" fn svc_call(frame: &mut ExceptionFrame) {
    FP.check();
    let ret = frame.return_address;
    let spsr = cpu::spsr();
    if inner(mode::SVC, ret, spsr) {
        return;
    }
    // The immediate is in the SVC instruction, just before the return
    // address.
    let thumb = spsr & CPSR_T != 0;
    // SAFETY: the SVC instruction the CPU just executed.
    let imm = unsafe {
        if thumb {
            u32::from(((ret - 2) as *const u16).read_volatile() & 0xff)
        } else {
            ((ret - 4) as *const u32).read_volatile() & 0x00ff_ffff
        }
    };
    record(ret, spsr, imm, 0);
    if NEST.get() {
        RAISING.set(true);
        nested_svc();
        RAISING.set(false);
    }
    if imm == 1 {
        let (a, b, c, d) = (frame.r0, frame.r1, frame.r2, frame.r3);
        frame.r0 = a.wrapping_add(b);
        frame.r1 = c ^ d;
        frame.r2 = a.wrapping_mul(3);
        frame.r3 = !d;
    }
    clobber::caller_saved(ret);
}

#[interrupt]
unsafe extern "arm-interrupt-undef" fn undefined_skip(frame: &mut ExceptionFrame) {
    FP.check();
    let ret = frame.return_address;
    let spsr = cpu::spsr();
    if inner(mode::UND, ret, spsr) {
        frame.return_address = ret + insn_len(spsr);
        return;
    }
    let thumb = spsr & CPSR_T != 0;
    // SAFETY: the instruction the CPU found undefined.
    let insn = unsafe {
        if thumb {
            u32::from((ret as *const u16).read_volatile())
        } else {
            (ret as *const u32).read_volatile()
        }
    };
    record(ret, spsr, insn, 0);
    if NEST.get() {
        RAISING.set(true);
        nested_udf();
        RAISING.set(false);
    }
    frame.return_address = ret + insn_len(spsr);
    clobber::caller_saved(ret);
}

#[interrupt(data_abort)]
unsafe extern "arm-interrupt-abort" fn data_abort_skip(frame: &mut ExceptionFrame) {
    FP.check();
    let ret = frame.return_address;
    let spsr = cpu::spsr();
    if inner(mode::ABT, ret, spsr) {
        frame.return_address = ret + insn_len(spsr);
        return;
    }
    let (dfsr, dfar) = cpu::data_fault();
    record(ret, spsr, dfsr, dfar);
    if NEST.get() {
        RAISING.set(true);
        nested_unaligned_load();
        RAISING.set(false);
    }
    frame.return_address = ret + insn_len(spsr);
    clobber::caller_saved(ret);
}

#[interrupt(prefetch_abort)]
unsafe extern "arm-interrupt-abort" fn prefetch_abort_skip(frame: &mut ExceptionFrame) {
    FP.check();
    let ret = frame.return_address;
    let spsr = cpu::spsr();
    record(ret, spsr, 0, 0);
    frame.return_address = ret + insn_len(spsr);
    clobber::caller_saved(ret);
}

/// A word to load from with a misaligned address.
static ALIGNED: Shared<[u32; 2]> = Shared::new([0x1122_3344, 0x5566_7788]);

/// The probe's register values for round `n`: distinct per register and
/// per round; r2 holds a misaligned address for the load probe.
fn pattern(n: u32) -> Regs {
    let mut regs = [0; 16];
    for (i, r) in regs.iter_mut().enumerate() {
        *r = 0x0101_0101u32.wrapping_mul(i as u32 + 1) ^ n.rotate_left(i as u32);
    }
    regs[2] = ALIGNED.as_ptr() as u32 + 1;
    // NZCV differ per round.
    regs[CPSR] = (n & 0xf) << 28;
    // Round toward zero, flags clear; FPSCR's NZCV, FZ and DN vary.
    regs[FPSCR] = fpenv::RZ | (n & 0xf) << 28 | [0, fpenv::FZ, fpenv::DN][n as usize % 3];
    regs
}

/// What the probe must leave in its registers.
fn expected(kind: Kind, before: &Regs) -> Regs {
    let mut after = *before;
    after[7] = after[7].wrapping_add(1);
    if kind == Kind::Svc {
        let (a, b, c, d) = (before[0], before[1], before[2], before[3]);
        after[0] = a.wrapping_add(b);
        after[1] = c ^ d;
        after[2] = a.wrapping_mul(3);
        after[3] = !d;
    }
    after
}

/// Runs one probe and checks it; returns the number of register checks and
/// of exceptions raised from the handler's body.
fn probe_once(checks: &mut Checks, kind: Kind, thumb: bool, nest: bool, n: u32) -> (u32, u32) {
    let before = pattern(n);
    let mut regs = before;
    SEEN.set(Seen::default());
    INNER.set(Seen::default());
    NEST.set(nest);
    let sctlr = cpu::sctlr();
    if kind == Kind::Load {
        cpu::set_sctlr(sctlr | SCTLR_A);
    }
    // SAFETY: the handler for `kind` is installed by `run`.
    let insn = unsafe { probe::run(kind, thumb, &mut regs) };
    if kind == Kind::Load {
        cpu::set_sctlr(sctlr);
    }
    NEST.set(false);
    let seen = SEEN.get();
    let state = if thumb { "Thumb" } else { "A32" };
    let len = if thumb { 2 } else { 4 };
    checks.expect(
        seen.count == 1,
        format_args!("{kind:?} ({state}): handler ran {} times", seen.count),
    );
    let inner = INNER.get();
    let own = match kind {
        Kind::Svc => mode::SVC,
        Kind::Undefined => mode::UND,
        _ => mode::ABT,
    };
    checks.expect(
        inner.count == u32::from(nest) && (!nest || inner.spsr & (mode::MASK | CPSR_T) == own),
        format_args!(
            "{kind:?} ({state}): {} exceptions from the handler's body (SPSR {:#x}), want {}",
            inner.count,
            inner.spsr,
            u32::from(nest)
        ),
    );
    // SVC returns after the instruction; the others to it (the handler
    // then skips it).
    let want_ret = if kind == Kind::Svc { insn + len } else { insn };
    checks.expect(
        seen.return_address == want_ret,
        format_args!(
            "{kind:?} ({state}): frame.return_address {:#x}, want {want_ret:#x}",
            seen.return_address
        ),
    );
    checks.expect(
        (seen.spsr & CPSR_T != 0) == thumb && seen.spsr & mode::MASK == mode::SYS,
        format_args!("{kind:?} ({state}): SPSR {:#x}", seen.spsr),
    );
    match kind {
        Kind::Svc => checks.expect(
            seen.a == 1,
            format_args!("SVC ({state}): immediate {}", seen.a),
        ),
        Kind::Load => {
            // Short-descriptor fault status: alignment fault, 0b00001 (or
            // 0b00011 on older cores).
            let fs = seen.a & 0xf;
            checks.expect(
                (fs == 1 || fs == 3) && seen.b == before[2],
                format_args!(
                    "data abort ({state}): DFSR {:#x} DFAR {:#x}, want an alignment fault at {:#x}",
                    seen.a, seen.b, before[2]
                ),
            );
        }
        Kind::Undefined => {
            let want = if thumb { 0xde00 } else { 0xe7f0_00f0 };
            checks.expect(
                seen.a == want,
                format_args!("undefined ({state}): instruction {:#x}", seen.a),
            );
        }
        Kind::Breakpoint => {}
    }
    let want = expected(kind, &before);
    let mut compared = 0;
    for i in (0..16).filter(|&i| i != CPSR && i != 15) {
        compared += 1;
        checks.expect(
            regs[i] == want[i],
            format_args!(
                "{kind:?} ({state}): r{i} {:#010x}, want {:#010x}",
                regs[i], want[i]
            ),
        );
    }
    if !thumb {
        // The whole CPSR: flags as loaded, System mode, A32, masks as set.
        let want_cpsr = (cpu::cpsr() & 0x0fff_ffff) | before[CPSR];
        compared += 1;
        checks.expect(
            regs[CPSR] & 0xf800_00ff == want_cpsr & 0xf800_00ff,
            format_args!(
                "{kind:?} ({state}): CPSR {:#010x}, want {want_cpsr:#010x}",
                regs[CPSR]
            ),
        );
        if rt::FPU {
            compared += 1;
            checks.expect(
                regs[FPSCR] == before[FPSCR],
                format_args!(
                    "{kind:?} ({state}): FPSCR {:#010x}, want {:#010x}",
                    regs[FPSCR], before[FPSCR]
                ),
            );
        }
    }
    (compared, inner.count)
}

/// One scenario: an exception, its vector and handler, its report names,
/// and whether the handler raises another one from its body.
struct Case {
    kind: Kind,
    vector: Vector,
    entry: usize,
    abi: &'static str,
    scenario: &'static str,
    handler: &'static str,
    nest: bool,
}

/// Takes each exception `rounds` times from A32 and from Thumb code, alone
/// and with another one raised from the handler's body, and prints one
/// report per scenario.
pub fn run(rounds: u32) {
    let has_bkpt_abort = cfg!(arm_v5te);
    let svc = (
        Kind::Svc,
        Vector::Svc,
        svc_call.addr(),
        "arm-interrupt-svc",
        "svc_call",
    );
    let udf = (
        Kind::Undefined,
        Vector::Undefined,
        undefined_skip.addr(),
        "arm-interrupt-undef",
        "undefined_skip",
    );
    let load = (
        Kind::Load,
        Vector::DataAbort,
        data_abort_skip.addr(),
        "arm-interrupt-abort",
        "data_abort_skip",
    );
    let bkpt = (
        Kind::Breakpoint,
        Vector::PrefetchAbort,
        prefetch_abort_skip.addr(),
        "arm-interrupt-abort",
        "prefetch_abort_skip",
    );
    let cases = [
        (svc, "svc", false),
        (udf, "undefined", false),
        (load, "data-abort", false),
        (bkpt, "prefetch-abort", false),
        (svc, "svc-nested", true),
        (udf, "undefined-nested", true),
        (load, "data-abort-nested", true),
    ]
    .map(
        |((kind, vector, entry, abi, handler), scenario, nest)| Case {
            kind,
            vector,
            entry,
            abi,
            scenario,
            handler,
            nest,
        },
    );
    for case in cases {
        if case.kind == Kind::Breakpoint && !has_bkpt_abort {
            println!("prefetch abort: skipped (ARMv4T has no BKPT; it is undefined)");
            continue;
        }
        rt::install(case.vector, case.entry);
        FP.reset();
        let mut checks = Checks::new();
        let mut taken = 0u32;
        let mut compared = 0u32;
        let mut nested = 0u32;
        for n in 0..rounds {
            for thumb in [false, true] {
                let (c, i) = probe_once(&mut checks, case.kind, thumb, case.nest, n);
                compared += c;
                nested += i;
                taken += 1;
            }
        }
        rt::install_defaults();
        FP.expect(&mut checks, case.handler);
        let cost = cost::scan(case.entry);
        checks.expect(
            cost.is_some(),
            format_args!("{}: unexpected trampoline shape", case.handler),
        );
        let cost = cost.unwrap_or(cost::Static {
            entry_insns: 0,
            exit_insns: 0,
        });
        checks.report(&[&[
            ("abi", &case.abi),
            ("scenario", &case.scenario),
            ("handler", &case.handler),
            ("interrupts", &taken),
            ("nested", &nested),
            ("states", &"a32+thumb"),
            ("checks", &compared),
            ("fp_bodies", &FP.checked()),
            ("entry_insns", &cost.entry_insns),
            ("exit_insns", &cost.exit_insns),
        ]]);
    }
}
