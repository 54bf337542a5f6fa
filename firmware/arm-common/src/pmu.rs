//! The ARMv7 PMU, as QEMU models it: under `-icount` event 0x08
//! (INST_RETIRED) counts exactly the instructions executed, and PMCCNTR
//! counts cycles of the virtual clock at 1 GHz, which under `-icount
//! shift=0` is one per instruction as well.
//!
//! Event counter 0 counts instructions; it stays selected in PMSELR, so a
//! single `mrc p15, 0, rX, c9, c13, 2` (PMXEVCNTR) reads it.

use core::arch::asm;

/// INST_RETIRED.
const EVENT_INSTRUCTIONS: u32 = 0x08;

/// Enables the cycle counter and counter 0 (instructions), from zero.
#[instruction_set(arm::a32)]
pub fn start() {
    // SAFETY: PMU configuration only.
    unsafe {
        asm!(
            // PMSELR = 0; PMXEVTYPER = INST_RETIRED.
            "mcr p15, 0, {zero}, c9, c12, 5",
            "mcr p15, 0, {event}, c9, c13, 1",
            // PMCNTENSET: cycle counter (bit 31) and counter 0.
            "mcr p15, 0, {enable}, c9, c12, 1",
            // PMCR: E, reset both counters (P, C).
            "mcr p15, 0, {pmcr}, c9, c12, 0",
            "isb",
            zero = in(reg) 0,
            event = in(reg) EVENT_INSTRUCTIONS,
            enable = in(reg) 1u32 << 31 | 1,
            pmcr = in(reg) 0b111,
            options(nostack, preserves_flags),
        )
    }
}
