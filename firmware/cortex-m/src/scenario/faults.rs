//! Synchronous exceptions raised on purpose: `svc` (SVCall) and two
//! UsageFaults, an undefined instruction (`udf`) and an unaligned load with
//! CCR.UNALIGN_TRP set.
//!
//! A `cortex-m-interrupt` handler takes no arguments; these bodies reach the
//! hardware frame through their frame pointer (`frame::hardware_frame!`).
//! The SVC handler reads its two arguments from the frame's r0 and r1,
//! writes the result into r0, and takes the immediate of the `svc` from the
//! halfword before the return address. The UsageFault handler records CFSR
//! (and clears it) and the faulting address, and skips the instruction by
//! advancing the stacked return address by 2 or 4 bytes.
//!
//! Bus faults are not exercised: QEMU's LM3S6965 model reads unmapped
//! addresses as zero instead of faulting.

use core::arch::asm;

use interrupt_abi::interrupt;

use crate::frame::{hardware_frame, is_wide};
use crate::report::Checks;
use crate::scs;
use fw_common::Shared;

/// SVC: the immediate and the return address.
static SVC_SEEN: Shared<[u32; 2]> = Shared::new([0; 2]);
/// UsageFault: CFSR and the faulting address.
static FAULT_SEEN: Shared<[u32; 2]> = Shared::new([0; 2]);

/// `svc #imm`: r0 := r0 + r1.
#[interrupt]
#[unsafe(export_name = "SVCall")]
pub extern "cortex-m-interrupt" fn SVCall() {
    let frame = hardware_frame!();
    // SAFETY: the `svc` (16 bits) precedes the return address; its low byte
    // is the immediate.
    let imm = unsafe { ((frame.pc - 2) as *const u8).read_volatile() };
    SVC_SEEN.set([u32::from(imm), frame.pc]);
    frame.r0 = frame.r0.wrapping_add(frame.r1);
}

/// UsageFault: records and clears CFSR, skips the faulting instruction.
#[interrupt]
#[unsafe(export_name = "UsageFault")]
pub extern "cortex-m-interrupt" fn UsageFault() {
    let frame = hardware_frame!();
    let cfsr = scs::fault_status(scs::CFSR);
    scs::clear_cfsr(cfsr);
    FAULT_SEEN.set([cfsr, frame.pc]);
    frame.pc += if is_wide(frame.pc) { 4 } else { 2 };
}

pub fn run() {
    scs::enable_fault(scs::SHCSR_USGFAULTENA);
    let mut checks = Checks::new();
    let mut count = 0;
    let mut expect = |ok: bool, what: core::fmt::Arguments| {
        count += 1;
        checks.expect(ok, what);
    };

    // Addresses of the raising instructions: reading `pc` in Thumb state
    // gives the address of the (16-bit) `mov` plus 4. (`adr` to a local
    // label came out 2 bytes off in some builds.)

    // svc #42 with r0 = 20, r1 = 22: r0 comes back as 42; `at` is the
    // return address, right after the `svc`.
    let (result, at): (u32, u32);
    // SAFETY: the SVC handler writes the frame's r0 only.
    unsafe {
        asm!("mov.n {at}, pc", "svc #42", at = out(reg) at,
            inlateout("r0") 20u32 => result, in("r1") 22u32, options(nostack))
    };
    let [imm, ret] = SVC_SEEN.get();
    expect(
        result == 42,
        format_args!("svc returned r0={result}, want 42"),
    );
    expect(
        imm == 42 && ret == at,
        format_args!("SVCall saw imm {imm} returning to {ret:#x}, want 42 and {at:#x}"),
    );

    // udf #7: 16 bits.
    let at: u32;
    // SAFETY: the UsageFault handler skips the instruction.
    unsafe { asm!("mov.n {at}, pc", "udf #7", at = out(reg) at, options(nostack)) };
    let at = at - 2;
    let [cfsr, pc] = FAULT_SEEN.get();
    expect(
        cfsr == scs::CFSR_UNDEFINSTR && pc == at,
        format_args!("udf: CFSR {cfsr:#x} at {pc:#x}, want UNDEFINSTR at {at:#x}"),
    );

    // An unaligned `ldr.w` (32 bits) with unaligned accesses trapping; the
    // skipped load leaves its destination alone.
    let word = [0u32; 2];
    let (at, loaded): (u32, u32);
    scs::set_ccr_bits(scs::CCR_UNALIGN_TRP);
    // SAFETY: the load faults and is skipped; it would read inside `word`.
    unsafe {
        asm!("mov {v}, #0x77", "mov.n {at}, pc", "ldr.w {v}, [{p}, #1]",
            at = out(reg) at, v = out(reg) loaded, p = in(reg) word.as_ptr(), options(nostack))
    };
    let at = at - 2;
    scs::clear_ccr_bits(scs::CCR_UNALIGN_TRP);
    let [cfsr, pc] = FAULT_SEEN.get();
    expect(
        cfsr == scs::CFSR_UNALIGNED && pc == at && loaded == 0x77,
        format_args!(
            "unaligned ldr: CFSR {cfsr:#x} at {pc:#x} (want UNALIGNED at {at:#x}), r={loaded:#x}"
        ),
    );

    checks.report(&[&[
        ("abi", &"cortex-m-interrupt"),
        ("scenario", &"faults"),
        ("handler", &"UsageFault"),
        ("interrupts", &3),
        ("checks", &count),
    ]]);
}
