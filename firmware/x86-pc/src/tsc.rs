//! The time-stamp counter: under `-icount shift=0` QEMU derives it from the
//! instruction count, so deltas of `rdtsc` count instructions.

/// Reads the TSC.
pub fn read() -> u64 {
    let (low, high): (u32, u32);
    // SAFETY: rdtsc only reads the counter.
    unsafe {
        core::arch::asm!("rdtsc", out("eax") low, out("edx") high, options(nomem, nostack, preserves_flags))
    };
    (u64::from(high) << 32) | u64::from(low)
}
