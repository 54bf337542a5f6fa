//! The timer storm: the local APIC timer interrupts a register-torture loop
//! every [`PERIOD`] instructions, [`STORM_TICKS`] times.
//!
//! The loop ([`torture`]) keeps all 15 general-purpose registers but RSP
//! loaded with distinct 64-bit patterns and compares each against memory on
//! every iteration; twice per iteration it also loads RFLAGS with a pattern
//! (once with DF and every arithmetic flag set, once with all of them clear),
//! lets interrupts hit a window of `nop`s, and compares RFLAGS afterwards.
//! The timer body clobbers every caller-saved register, so a trampoline that
//! misses one, or restores flags wrongly, is caught within a few interrupts.
//! The body also checks what the trampoline promised it (DF clear, aligned
//! stack, a frame from our code segment with IF set).

use core::arch::naked_asm;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use interrupt_abi::interrupt;
use interrupt_abi::x86_64::InterruptStackFrame;

use super::gdt::KERNEL_CODE;
use crate::abi_checks::{JUNK, clobber_caller_saved, direction_flag_clear, stack_aligned};
use crate::report::Report;
use crate::{apic, tsc};

pub const TIMER_VECTOR: u8 = 0x20;
/// Instructions between two timer interrupts (under `-icount shift=0`).
pub const PERIOD: u32 = 293;
/// Instructions of one iteration of the loop in [`torture`]: two flags
/// windows, 15 register checks, the loop's tail. A prime, so successive
/// interrupts land on every one of them.
const LOOP_INSNS: u32 = 2 * (2 + 26 + 4) + 15 * 2 + 3;
const _: () = assert!(crate::is_prime(LOOP_INSNS));
/// Interrupts per storm.
pub const STORM_TICKS: u64 = 100_000;

/// Register names in pattern order, for failure messages.
const REGISTERS: [&str; 15] = [
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
    "r15",
];

/// Distinct for every register (an odd multiplier is a bijection), with
/// unlike halves and bytes, and never the timer body's junk.
const fn pattern(i: u64) -> u64 {
    (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

static PATTERNS: [u64; 15] = {
    let mut p = [0; 15];
    let mut i = 0;
    while i < 15 {
        p[i] = pattern(i as u64);
        assert!(p[i] != JUNK);
        i += 1;
    }
    p
};

/// RFLAGS patterns (IF stays set): CF PF AF ZF SF DF OF and the reserved
/// bit 1; then only IF and bit 1.
const FLAGS_SET: u64 = 0xED7;
const FLAGS_CLEAR: u64 = 0x202;

static TICKS: AtomicU64 = AtomicU64::new(0);
static ITERATIONS: AtomicU64 = AtomicU64::new(0);
/// Timer bodies that found DF set, the stack misaligned or a bad frame.
static DF_SET: AtomicU64 = AtomicU64::new(0);
static MISALIGNED: AtomicU64 = AtomicU64::new(0);
static BAD_FRAMES: AtomicU64 = AtomicU64::new(0);
/// Which instructions of the loop the interrupts hit: one bit per byte
/// offset from the start of [`torture`], which is shorter than this.
const SITE_BYTES: u64 = 1024;
static SITES: [AtomicU64; (SITE_BYTES / 64) as usize] =
    [const { AtomicU64::new(0) }; (SITE_BYTES / 64) as usize];
/// Scratch of the loop: RFLAGS as read back, a register's wrong value.
static FLAGS_SEEN: AtomicU64 = AtomicU64::new(0);
static BAD_VALUE: AtomicU64 = AtomicU64::new(0);

#[interrupt]
pub extern "x86-interrupt" fn timer(frame: &InterruptStackFrame) {
    TICKS.store(TICKS.load(Relaxed) + 1, Relaxed);
    if !direction_flag_clear() {
        DF_SET.store(DF_SET.load(Relaxed) + 1, Relaxed);
    }
    if !stack_aligned() {
        MISALIGNED.store(MISALIGNED.load(Relaxed) + 1, Relaxed);
    }
    const IF: u64 = 1 << 9;
    // Interrupts are enabled only inside the torture loop, so the frame
    // must point into it.
    let offset = frame
        .instruction_pointer
        .wrapping_sub(torture as extern "sysv64" fn() as usize as u64);
    if frame.code_segment & 0xFFFF != u64::from(KERNEL_CODE)
        || frame.cpu_flags & IF == 0
        || offset >= SITE_BYTES
    {
        BAD_FRAMES.store(BAD_FRAMES.load(Relaxed) + 1, Relaxed);
    } else {
        let word = &SITES[offset as usize / 64];
        word.store(word.load(Relaxed) | 1 << (offset % 64), Relaxed);
    }
    clobber_caller_saved();
    apic::eoi();
}

/// The interrupted code: [`LOOP_INSNS`] instructions per iteration,
/// looping until [`STORM_TICKS`] timer interrupts have
/// been taken. Interrupts are enabled by its first `popfq` and disabled when
/// it returns. A mismatch calls [`torture_failed`] with the register's index
/// (15 for RFLAGS).
#[unsafe(naked)]
extern "sysv64" fn torture() {
    naked_asm!(
        "push rbx",
        "push rbp",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        "mov rax, [rip + {p} + 0 * 8]",
        "mov rbx, [rip + {p} + 1 * 8]",
        "mov rcx, [rip + {p} + 2 * 8]",
        "mov rdx, [rip + {p} + 3 * 8]",
        "mov rsi, [rip + {p} + 4 * 8]",
        "mov rdi, [rip + {p} + 5 * 8]",
        "mov rbp, [rip + {p} + 6 * 8]",
        "mov r8, [rip + {p} + 7 * 8]",
        "mov r9, [rip + {p} + 8 * 8]",
        "mov r10, [rip + {p} + 9 * 8]",
        "mov r11, [rip + {p} + 10 * 8]",
        "mov r12, [rip + {p} + 11 * 8]",
        "mov r13, [rip + {p} + 12 * 8]",
        "mov r14, [rip + {p} + 13 * 8]",
        "mov r15, [rip + {p} + 14 * 8]",
        "2:",
        // Flags window 1: everything set, DF included.
        "push {flags_set}",
        "popfq",
        ".rept 26",
        "nop",
        ".endr",
        "pushfq",
        "pop qword ptr [rip + {flags_seen}]",
        "cmp qword ptr [rip + {flags_seen}], {flags_set}",
        "jne 39f",
        // Flags window 2: all clear but IF.
        "push {flags_clear}",
        "popfq",
        ".rept 26",
        "nop",
        ".endr",
        "pushfq",
        "pop qword ptr [rip + {flags_seen}]",
        "cmp qword ptr [rip + {flags_seen}], {flags_clear}",
        "jne 39f",
        // Every register against its pattern.
        "cmp rax, [rip + {p} + 0 * 8]",
        "jne 40f",
        "cmp rbx, [rip + {p} + 1 * 8]",
        "jne 41f",
        "cmp rcx, [rip + {p} + 2 * 8]",
        "jne 42f",
        "cmp rdx, [rip + {p} + 3 * 8]",
        "jne 43f",
        "cmp rsi, [rip + {p} + 4 * 8]",
        "jne 44f",
        "cmp rdi, [rip + {p} + 5 * 8]",
        "jne 45f",
        "cmp rbp, [rip + {p} + 6 * 8]",
        "jne 46f",
        "cmp r8, [rip + {p} + 7 * 8]",
        "jne 47f",
        "cmp r9, [rip + {p} + 8 * 8]",
        "jne 48f",
        "cmp r10, [rip + {p} + 9 * 8]",
        "jne 49f",
        "cmp r11, [rip + {p} + 10 * 8]",
        "jne 50f",
        "cmp r12, [rip + {p} + 11 * 8]",
        "jne 51f",
        "cmp r13, [rip + {p} + 12 * 8]",
        "jne 52f",
        "cmp r14, [rip + {p} + 13 * 8]",
        "jne 53f",
        "cmp r15, [rip + {p} + 14 * 8]",
        "jne 54f",
        "inc qword ptr [rip + {iterations}]",
        "cmp qword ptr [rip + {ticks}], {target}",
        "jb 2b",
        "cli",
        "cld",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbp",
        "pop rbx",
        "ret",
        // Failure paths: keep the wrong value, name the register.
        "39:",
        "mov edi, 15",
        "jmp 38f",
        "40: mov [rip + {bad}], rax",
        "mov edi, 0",
        "jmp 38f",
        "41: mov [rip + {bad}], rbx",
        "mov edi, 1",
        "jmp 38f",
        "42: mov [rip + {bad}], rcx",
        "mov edi, 2",
        "jmp 38f",
        "43: mov [rip + {bad}], rdx",
        "mov edi, 3",
        "jmp 38f",
        "44: mov [rip + {bad}], rsi",
        "mov edi, 4",
        "jmp 38f",
        "45: mov [rip + {bad}], rdi",
        "mov edi, 5",
        "jmp 38f",
        "46: mov [rip + {bad}], rbp",
        "mov edi, 6",
        "jmp 38f",
        "47: mov [rip + {bad}], r8",
        "mov edi, 7",
        "jmp 38f",
        "48: mov [rip + {bad}], r9",
        "mov edi, 8",
        "jmp 38f",
        "49: mov [rip + {bad}], r10",
        "mov edi, 9",
        "jmp 38f",
        "50: mov [rip + {bad}], r11",
        "mov edi, 10",
        "jmp 38f",
        "51: mov [rip + {bad}], r12",
        "mov edi, 11",
        "jmp 38f",
        "52: mov [rip + {bad}], r13",
        "mov edi, 12",
        "jmp 38f",
        "53: mov [rip + {bad}], r14",
        "mov edi, 13",
        "jmp 38f",
        "54: mov [rip + {bad}], r15",
        "mov edi, 14",
        "38:",
        "cli",
        "cld",
        "and rsp, -16",
        "call {failed}",
        "ud2",
        p = sym PATTERNS,
        flags_set = const FLAGS_SET,
        flags_clear = const FLAGS_CLEAR,
        flags_seen = sym FLAGS_SEEN,
        iterations = sym ITERATIONS,
        ticks = sym TICKS,
        target = const STORM_TICKS,
        bad = sym BAD_VALUE,
        failed = sym torture_failed,
    )
}

/// Checks made per loop iteration: 15 registers and 2 RFLAGS patterns.
const CHECKS_PER_ITERATION: u64 = 17;

extern "sysv64" fn torture_failed(index: u64) -> ! {
    apic::stop();
    let report = Report::new("timer-storm", "timer")
        .field("interrupts", TICKS.load(Relaxed))
        .field("checks", ITERATIONS.load(Relaxed) * CHECKS_PER_ITERATION);
    let report = match REGISTERS.get(index as usize) {
        Some(name) => report
            .field("register", name)
            .field(
                "expected",
                format_args!("{:#018x}", PATTERNS[index as usize]),
            )
            .field("found", format_args!("{:#018x}", BAD_VALUE.load(Relaxed))),
        None => report
            .field("register", "rflags")
            .field("found", format_args!("{:#x}", FLAGS_SEEN.load(Relaxed))),
    };
    report.check(false, "torture").finish();
    crate::machine::exit_failure(4)
}

/// Runs the storm and reports it, with the entry and exit cost measured by
/// `cost` for the same handler shape.
pub fn storm_scenario(cost: &super::cost::Cost) -> bool {
    apic::start_periodic(TIMER_VECTOR, PERIOD);
    let start = tsc::read();
    torture();
    let elapsed = tsc::read() - start;
    apic::stop();
    let ticks = TICKS.load(Relaxed);
    // Every PERIOD instructions one interrupt: none may be lost (a slow or
    // re-entered handler would coalesce them). One of slack for the
    // partial periods at both ends.
    let expected = elapsed / u64::from(PERIOD);
    // Distinct instructions interrupted: the storm reaches all of the loop.
    let sites: u32 = SITES.iter().map(|w| w.load(Relaxed).count_ones()).sum();
    Report::new("timer-storm", "timer")
        .field("interrupts", ticks)
        .field("checks", ITERATIONS.load(Relaxed) * CHECKS_PER_ITERATION)
        .field("period_insns", PERIOD)
        .field("interrupted_sites", sites)
        .field("entry_insns", cost.entry_insns)
        .field("exit_insns", cost.exit_insns)
        .check(ticks >= STORM_TICKS, "interrupts")
        .check(sites == LOOP_INSNS, "interrupted_sites")
        .check(ticks.abs_diff(expected) <= 1, "missed_interrupts")
        .check(DF_SET.load(Relaxed) == 0, "df_set_in_body")
        .check(MISALIGNED.load(Relaxed) == 0, "stack_misaligned")
        .check(BAD_FRAMES.load(Relaxed) == 0, "bad_frame")
        .check(cost.ok, "cost_calibration")
        .finish()
}
