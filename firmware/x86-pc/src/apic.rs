//! The local APIC timer: the interrupt source of the storms.
//!
//! QEMU's local APIC counts its timer at 1 GHz of virtual time (divide
//! configuration 1). Under `-icount shift=0` virtual time advances 1 ns per
//! instruction, so an initial count of N fires every N instructions, exactly
//! and deterministically.

use core::arch::asm;

/// Default xAPIC base; identity-mapped by the x86_64 boot stub, reached
/// directly with paging off on 32-bit.
const BASE: usize = 0xFEE0_0000;
const IA32_APIC_BASE: u32 = 0x1B;
const APIC_GLOBAL_ENABLE: u64 = 1 << 11;

const EOI: usize = 0xB0;
const SPURIOUS: usize = 0xF0;
const LVT_TIMER: usize = 0x320;
const INITIAL_COUNT: usize = 0x380;
const DIVIDE_CONFIG: usize = 0x3E0;

const SOFTWARE_ENABLE: u32 = 1 << 8;
const LVT_MASKED: u32 = 1 << 16;
const LVT_PERIODIC: u32 = 1 << 17;
/// Divide configuration value for "divide by 1".
const DIVIDE_BY_1: u32 = 0b1011;

fn write(register: usize, value: u32) {
    // SAFETY: a register of the local APIC's 4 KiB MMIO page.
    unsafe { ((BASE + register) as *mut u32).write_volatile(value) }
}

fn read_msr(msr: u32) -> u64 {
    let (low, high): (u32, u32);
    // SAFETY: reading an architectural MSR has no side effect.
    unsafe {
        asm!("rdmsr", in("ecx") msr, out("eax") low, out("edx") high, options(nomem, nostack, preserves_flags))
    };
    (u64::from(high) << 32) | u64::from(low)
}

/// Enables the local APIC at its default base with `spurious_vector`.
pub fn enable(spurious_vector: u8) {
    let base = read_msr(IA32_APIC_BASE);
    assert!(
        base & APIC_GLOBAL_ENABLE != 0 && base & 0xFFFF_F000 == BASE as u64,
        "local APIC disabled or moved: IA32_APIC_BASE = {base:#x}"
    );
    write(SPURIOUS, SOFTWARE_ENABLE | u32::from(spurious_vector));
}

/// Starts the timer: `vector` every `period` ticks (instructions under
/// `-icount shift=0`).
pub fn start_periodic(vector: u8, period: u32) {
    assert!(period >= 2);
    write(DIVIDE_CONFIG, DIVIDE_BY_1);
    write(LVT_TIMER, LVT_PERIODIC | u32::from(vector));
    // The counter runs from the initial count down to 0 inclusive, so
    // QEMU's period is the initial count + 1 (measured: 294 for 293).
    write(INITIAL_COUNT, period - 1);
}

/// Stops and masks the timer.
pub fn stop() {
    write(INITIAL_COUNT, 0);
    write(LVT_TIMER, LVT_MASKED);
}

/// Signals the end of the interrupt being handled.
pub fn eoi() {
    write(EOI, 0);
}
