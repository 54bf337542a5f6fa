//! Register torture for `#[interrupt] extern "x86-interrupt"` handlers, run
//! in an ordinary Linux x86_64 process.
//!
//! The harness in `support/` enters each handler the way a long-mode CPU
//! does (aligned frame, optional error code, random GPRs, XMM registers,
//! MXCSR, arithmetic flags and DF), lets it `iretq` back (ring 3 to ring 3),
//! and fails on any register, flag, MXCSR bit or stack word that changed, on
//! a frame or error code the body saw wrongly, on DF set, a misaligned stack
//! or an FP environment other than the default inside the body, and on a
//! return that landed in the wrong place. Diverging (`-> !`) handlers are
//! entered the same way and leave through `probe::escape`; everything they
//! saw is checked.
//!
//! Every body records what it saw, does an inexact division, and then
//! clobbers all SysV caller-saved registers, so an entry that forgets to
//! save one, or to keep MXCSR, is caught. The hand-written
//! trampolines in `support/reference.rs` keep the harness honest: correct
//! ones must pass, deliberately broken ones must be reported.
//!
//! Defaults: 100 000 interrupts per shape. Override with
//! `INTERRUPT_ABI_TORTURE_ITERATIONS` and `INTERRUPT_ABI_TORTURE_SEED`; a
//! failure prints both. Run with `--nocapture` to see timings.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod support;

use interrupt_abi::abi::X86Interrupt;
use interrupt_abi::x86_64::InterruptStackFrame;
use interrupt_abi::{Handler, interrupt};
use support::harness::{self, Config, Return, Shape};
use support::{probe, reference};

const ITERATIONS: u64 = 100_000;

#[interrupt]
extern "x86-interrupt" fn plain(frame: &InterruptStackFrame) {
    probe::record(frame, None);
    probe::record_fp();
    probe::clobber_caller_saved();
}

#[interrupt]
extern "x86-interrupt" fn with_error_code(frame: &InterruptStackFrame, error_code: u64) {
    probe::record(frame, Some(error_code));
    probe::record_fp();
    probe::clobber_caller_saved();
}

/// NMI and machine-check handlers typically diverge; the frame they are
/// given must be the hardware frame all the same.
#[interrupt]
extern "x86-interrupt" fn diverging(frame: &InterruptStackFrame) -> ! {
    probe::record(frame, None);
    probe::record_fp();
    probe::clobber_caller_saved();
    probe::escape()
}

/// Double faults diverge and have an error code.
#[interrupt]
extern "x86-interrupt" fn diverging_with_error_code(
    frame: &InterruptStackFrame,
    error_code: u64,
) -> ! {
    probe::record(frame, Some(error_code));
    probe::record_fp();
    probe::clobber_caller_saved();
    probe::escape()
}

/// Writes through `&mut` must reach the frame `iretq` consumes: the harness
/// asks for either a skipped instruction or a jump to a second landing pad
/// and checks where the return landed.
#[interrupt]
unsafe extern "x86-interrupt" fn rewrites_frame(frame: &mut InterruptStackFrame) {
    probe::record(frame, None);
    probe::record_fp();
    frame.instruction_pointer = probe::redirect(frame.instruction_pointer);
    probe::clobber_caller_saved();
}

fn shape(
    name: &'static str,
    handler: Handler<X86Interrupt>,
    error_code: bool,
    returns: Return,
) -> Shape {
    Shape {
        name,
        entry: handler.addr(),
        error_code,
        returns,
        take: probe::take,
    }
}

#[test]
fn handler_without_error_code_preserves_all_registers() {
    harness::torture(
        &shape(
            "#[interrupt] fn(&InterruptStackFrame)",
            plain,
            false,
            Return::Original,
        ),
        ITERATIONS,
    );
}

#[test]
fn handler_with_error_code_preserves_all_registers() {
    harness::torture(
        &shape(
            "#[interrupt] fn(&InterruptStackFrame, u64)",
            with_error_code,
            true,
            Return::Original,
        ),
        ITERATIONS,
    );
}

#[test]
fn handler_writes_through_mut_frame_reach_iretq() {
    harness::torture(
        &shape(
            "#[interrupt] unsafe fn(&mut InterruptStackFrame)",
            rewrites_frame,
            false,
            Return::Rewritten,
        ),
        ITERATIONS,
    );
}

#[test]
fn diverging_handler_without_error_code_sees_the_hardware_frame() {
    harness::torture(
        &shape(
            "#[interrupt] fn(&InterruptStackFrame) -> !",
            diverging,
            false,
            Return::Escapes,
        ),
        ITERATIONS,
    );
}

#[test]
fn diverging_handler_with_error_code_sees_the_hardware_frame() {
    harness::torture(
        &shape(
            "#[interrupt] fn(&InterruptStackFrame, u64) -> !",
            diverging_with_error_code,
            true,
            Return::Escapes,
        ),
        ITERATIONS,
    );
}

/// The case, in isolation: the interrupted code rounds toward zero
/// with every exception masked and no flag set; the body's division must
/// round to nearest in the default environment, and the interrupted code
/// must get 0x7F80 back, without the precision flag the body raised.
#[test]
fn body_runs_in_the_default_fp_environment_and_mxcsr_comes_back() {
    let config = Config {
        mxcsr: Some(0x7F80),
        ..Config::from_env(ITERATIONS / 10)
    };
    let failures = [
        (
            "plain, MXCSR round toward zero",
            plain,
            false,
            Return::Original,
        ),
        (
            "error code, MXCSR round toward zero",
            with_error_code,
            true,
            Return::Original,
        ),
        (
            "diverging, MXCSR round toward zero",
            diverging,
            false,
            Return::Escapes,
        ),
    ]
    .into_iter()
    .filter_map(|(name, handler, error_code, returns)| {
        let shape = shape(name, handler, error_code, returns);
        match harness::run(&shape, &config) {
            Ok(stats) => {
                eprintln!("{name}: {stats}");
                None
            }
            Err(failure) => Some(failure.to_string()),
        }
    })
    .collect::<Vec<_>>();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The harness itself: correct hand-written trampolines pass.
#[test]
fn harness_accepts_correct_reference_trampolines() {
    for shape in reference::correct() {
        harness::torture(&shape, ITERATIONS / 10);
    }
}

/// The harness itself: each deliberately broken trampoline is reported, with
/// the register or property it broke named in the report.
#[test]
fn harness_rejects_broken_reference_trampolines() {
    let config = Config::from_env(ITERATIONS / 10);
    for (shape, expected) in reference::broken() {
        match harness::run(&shape, &config) {
            Ok(stats) => panic!("harness missed `{}`: {stats}", shape.name),
            Err(failure) => {
                let report = failure.to_string();
                eprintln!("{report}\n");
                assert!(
                    report.contains(expected),
                    "report for `{}` does not mention {expected:?}:\n{report}",
                    shape.name
                );
            }
        }
    }
}

const CRASH_CHILD: &str = "INTERRUPT_ABI_TORTURE_CRASH_CHILD";

/// The harness itself: an entry that kills the process is still explained.
/// The test re-runs itself in a child process (marked by an environment
/// variable) where the crashing entry runs, and reads the child's stderr.
#[test]
fn harness_reports_crashing_trampoline() {
    use std::os::unix::process::ExitStatusExt;
    if std::env::var_os(CRASH_CHILD).is_some() {
        support::crash::disable_core_dumps();
        let _ = harness::run(&reference::crashing(), &Config::from_env(10));
        unreachable!("the crashing entry returned");
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "harness_reports_crashing_trampoline",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CRASH_CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stderr}");
    assert!(
        matches!(output.status.signal(), Some(4 | 7 | 11)),
        "child should die of SIGILL, SIGBUS or SIGSEGV: {:?}",
        output.status
    );
    assert!(
        stderr.contains("interrupt entry `broken: error code not dropped` crashed the harness"),
        "no crash report in the child's stderr"
    );
}
