//! The instructions of an `#[interrupt]` entry and exit, counted from its
//! code.
//!
//! Every classic-ARM trampoline is A32 code whose only branches skip the VFP
//! part when FPEXC.EN is clear: the instructions up to and including the
//! `bx` that calls the body (entry), and those after it up to and including
//! the return (`ldm sp!, {.., pc}^` or `rfeia sp!`). With VFP enabled, as
//! the probes run, each of them executes exactly once per exception
//! (conditional ones, such as the undefined-instruction entry's
//! `subeq`/`subne`, execute whether or not their condition passes, and QEMU's
//! `-icount` counts them so), so reading the code gives the dynamic count.
//! The boards then confirm it by measuring: `armv7-gic` with the PMU's
//! instruction counter, `arm-versatile` with a timer under `-icount`.
//!
//! `entry_insns` counts from the vector (its `ldr pc`, see `rt`: one
//! instruction, which any handler reached through a vector table pays) to
//! the first instruction of the body; `exit_insns` from the body's return
//! (one instruction, counted here) back to the interrupted code. A QEMU
//! trace (`-singlestep -d exec,nochain,int`) of one IRQ on the ARM926 shows
//! exactly this: 0x18 (the vector), the trampoline, the body, the
//! trampoline's restores, back.

/// `bx r3`, the trampoline's call of the body.
const BX_R3: u32 = 0xe12f_ff13;
/// `ldm sp!, {.., pc}^` with any register list (cond AL).
const LDM_PC_RETURN_MASK: u32 = 0xffff_8000;
const LDM_PC_RETURN: u32 = 0xe8fd_8000;
/// `rfeia sp!`.
const RFEIA_SP: u32 = 0xf8bd_0a00;

/// Instructions of one entry and one exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Static {
    pub entry_insns: u32,
    pub exit_insns: u32,
}

/// Reads the trampoline at `entry` (a handler's `addr()`); `None` if it
/// does not have the expected shape (or never returns).
pub fn scan(entry: usize) -> Option<Static> {
    let word = |i: usize| {
        // SAFETY: reads code inside the trampoline (the scan stops at its
        // return, within a bounded number of words).
        unsafe { ((entry + 4 * i) as *const u32).read_volatile() }
    };
    let call = (0..64).find(|&i| word(i) == BX_R3)?;
    let ret = (call + 1..call + 64).find(|&i| {
        let w = word(i);
        w & LDM_PC_RETURN_MASK == LDM_PC_RETURN || w == RFEIA_SP
    })?;
    Some(Static {
        // The vector's `ldr pc`, then the trampoline up to its `bx`.
        entry_insns: 1 + (call + 1) as u32,
        // The body's return, then the trampoline's restores and return.
        exit_insns: (ret - call + 1) as u32,
    })
}

/// `ldr r3, [pc, #imm]`: the trampoline loads the body's address.
const LDR_R3_PC: u32 = 0xe59f_3000;

/// Instructions of the body the trampoline at `entry` calls, its return
/// included, if it is straight-line code (as the cost probes' bodies are):
/// counted up to the first `bx` or `pop {.., pc}`.
pub fn body_insns(entry: usize) -> Option<u32> {
    let word = |addr: usize| {
        // SAFETY: reads code and literals of the trampoline and its body.
        unsafe { (addr as *const u32).read_volatile() }
    };
    let ldr = (0..64)
        .map(|i| entry + 4 * i)
        .find(|&a| word(a) & 0xffff_f000 == LDR_R3_PC)?;
    let body = word(ldr + 8 + (word(ldr) & 0xfff) as usize) as usize;
    if body & 1 == 0 {
        // A32: `bx rN`, `pop {.., pc}` (ldm sp!) or `ldr pc, [sp], #4`.
        (0..256).find_map(|i| {
            let w = word(body + 4 * i);
            let ret = w & 0xffff_fff0 == 0xe12f_ff10
                || w & 0xffff_8000 == 0xe8bd_8000
                || w == 0xe49d_f004;
            ret.then_some(i as u32 + 1)
        })
    } else {
        // Thumb: `bx rN` or `pop {.., pc}`; 32-bit Thumb-2 encodings start
        // with 0b11101, 0b11110 or 0b11111.
        let half = |a: usize| {
            // SAFETY: as above.
            unsafe { (a as *const u16).read_volatile() }
        };
        let mut at = body & !1;
        for n in 1..256 {
            let h = half(at);
            if h & 0xff87 == 0x4700 || h & 0xff00 == 0xbd00 {
                return Some(n);
            }
            at += if h >> 11 >= 0b11101 { 4 } else { 2 };
        }
        None
    }
}
