//! The timer storm: the local APIC timer interrupts a register-torture loop
//! every `PERIOD` instructions, `STORM_TICKS` times (`common/storm.rs`,
//! which holds the counters, the timer body's checks and the report).
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

use interrupt_abi::interrupt;
use interrupt_abi::x86_64::InterruptStackFrame;

use super::gdt::KERNEL_CODE;
use crate::abi_checks::{set_default_fp_environment, set_interrupted_fp_environment};
pub use crate::common::storm::TIMER_VECTOR;
use crate::common::storm::{
    self, BAD_VALUE, FLAGS_CLEAR, FLAGS_SEEN, FLAGS_SET, ITERATIONS, STORM_TICKS, TICKS,
};

/// Instructions of one iteration of the loop in [`torture`]: two flags
/// windows, 15 register checks, the loop's tail. A prime, so successive
/// interrupts land on every one of them.
const LOOP_INSNS: u32 = 2 * (2 + 26 + 4) + 15 * 2 + 3;
const _: () = assert!(crate::is_prime(LOOP_INSNS));

/// Register names in pattern order, for failure messages.
const REGISTERS: [&str; 15] = [
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
    "r15",
];

/// The odd multiplier gives unlike halves and bytes too.
static PATTERNS: [usize; 15] = storm::patterns(0x9E37_79B9_7F4A_7C15);

#[interrupt]
pub extern "x86-interrupt" fn timer(frame: &InterruptStackFrame) {
    storm::tick(frame, torture as extern "sysv64" fn() as usize, KERNEL_CODE);
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
const CHECKS_PER_ITERATION: u32 = 17;

extern "sysv64" fn torture_failed(index: u64) -> ! {
    storm::torture_failed(CHECKS_PER_ITERATION, |report| {
        match REGISTERS.get(index as usize) {
            Some(name) => storm::register_mismatch(report, name, PATTERNS[index as usize]),
            None => storm::flags_mismatch(report, "rflags"),
        }
    })
}

/// Runs the storm and reports it, with the entry and exit cost measured by
/// `cost` for the same handler shape. Built with SSE, the loop runs with a
/// non-default MXCSR, which the timer body must not see.
pub fn storm_scenario(cost: &super::cost::Cost) -> bool {
    storm::storm_scenario(
        || {
            set_interrupted_fp_environment();
            torture();
            set_default_fp_environment();
        },
        LOOP_INSNS,
        CHECKS_PER_ITERATION,
        cost,
    )
}
