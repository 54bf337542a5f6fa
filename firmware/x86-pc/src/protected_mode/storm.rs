//! The 32-bit timer storm: the local APIC timer interrupts a torture loop
//! every `PERIOD` instructions, `STORM_TICKS` times (`common/storm.rs`,
//! which holds the counters, the timer body's checks and the report).
//!
//! The loop ([`torture`]) keeps the 7 general-purpose registers but ESP
//! and the FP registers the target has (see `fp`) loaded with patterns.
//! Each iteration runs two RFLAGS windows as on x86_64 (DF and the
//! arithmetic flags set, then clear), compares the registers with memory,
//! and checks the FP state through a saved image. The timer body clobbers
//! EAX/ECX/EDX, the x87 stack and status word and, with SSE, XMM0-7 and
//! MXCSR's flags.

use core::arch::naked_asm;

use interrupt_abi::interrupt;
use interrupt_abi::x86::InterruptStackFrame;

use super::fp;
use super::idt::KERNEL_CODE;
pub use crate::common::storm::TIMER_VECTOR;
use crate::common::storm::{
    self, BAD_VALUE, FLAGS_CLEAR, FLAGS_SEEN, FLAGS_SET, ITERATIONS, STORM_TICKS, TICKS,
};

/// Instructions of one iteration of the loop in [`torture`]: two flags
/// windows, 7 register checks, the FP checks, the loop's tail. A prime, so
/// successive interrupts land on every one of them.
const LOOP_INSNS: u32 = 2 * 30 + 7 * 2 + fp::CHECK_INSNS + 3;
const _: () = assert!(crate::is_prime(LOOP_INSNS));

const REGISTERS: [&str; 7] = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp"];

static PATTERNS: [usize; 7] = storm::patterns(0x9E37_79B9);

#[interrupt]
pub extern "x86-interrupt" fn timer(frame: &InterruptStackFrame) {
    storm::tick(frame, torture as extern "C" fn() as usize, KERNEL_CODE);
}

/// The torture loop around the FP part of `fp`, whose operands (they
/// differ between the variants) are the arguments.
macro_rules! torture_loop {
    ($($fp_operands:tt)*) => {
        naked_asm!(
        "push ebx",
        "push esi",
        "push edi",
        "push ebp",
        fp::fp_load!(),
        "mov eax, [{p} + 0 * 4]",
        "mov ebx, [{p} + 1 * 4]",
        "mov ecx, [{p} + 2 * 4]",
        "mov edx, [{p} + 3 * 4]",
        "mov esi, [{p} + 4 * 4]",
        "mov edi, [{p} + 5 * 4]",
        "mov ebp, [{p} + 6 * 4]",
        "2:",
        "push {flags_set}",
        "popfd",
        ".rept 24",
        "nop",
        ".endr",
        "pushfd",
        "pop dword ptr [{flags_seen}]",
        "cmp dword ptr [{flags_seen}], {flags_set}",
        "jne 37f",
        "push {flags_clear}",
        "popfd",
        ".rept 24",
        "nop",
        ".endr",
        "pushfd",
        "pop dword ptr [{flags_seen}]",
        "cmp dword ptr [{flags_seen}], {flags_clear}",
        "jne 37f",
        "cmp eax, [{p} + 0 * 4]",
        "jne 40f",
        "cmp ebx, [{p} + 1 * 4]",
        "jne 41f",
        "cmp ecx, [{p} + 2 * 4]",
        "jne 42f",
        "cmp edx, [{p} + 3 * 4]",
        "jne 43f",
        "cmp esi, [{p} + 4 * 4]",
        "jne 44f",
        "cmp edi, [{p} + 5 * 4]",
        "jne 45f",
        "cmp ebp, [{p} + 6 * 4]",
        "jne 46f",
        fp::fp_check!(),
        "inc dword ptr [{iterations}]",
        "cmp dword ptr [{ticks}], {target}",
        "jb 2b",
        "cli",
        "cld",
        fp::fp_reset!(),
        "pop ebp",
        "pop edi",
        "pop esi",
        "pop ebx",
        "ret",
        "36:",
        "mov eax, 8",
        "jmp 38f",
        "37:",
        "mov eax, 7",
        "jmp 38f",
        "40: mov [{bad}], eax",
        "mov eax, 0",
        "jmp 38f",
        "41: mov [{bad}], ebx",
        "mov eax, 1",
        "jmp 38f",
        "42: mov [{bad}], ecx",
        "mov eax, 2",
        "jmp 38f",
        "43: mov [{bad}], edx",
        "mov eax, 3",
        "jmp 38f",
        "44: mov [{bad}], esi",
        "mov eax, 4",
        "jmp 38f",
        "45: mov [{bad}], edi",
        "mov eax, 5",
        "jmp 38f",
        "46: mov [{bad}], ebp",
        "mov eax, 6",
        "38:",
        "cli",
        "cld",
        "and esp, -16",
        "sub esp, 12",
        "push eax",
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
        fcw = sym fp::FCW_WORD,
        x87 = sym fp::X87,
        image = sym fp::IMAGE,
        fcw_value = const fp::FCW,
        x87_base = const fp::X87_BASE,
        step = const fp::STEP,
        $($fp_operands)*
    )
    };
}

/// The interrupted code; see the module documentation. A mismatch calls
/// [`torture_failed`] with the register's index (7 for EFLAGS, 8 for the
/// FP state).
#[cfg(target_feature = "sse")]
#[unsafe(naked)]
extern "C" fn torture() {
    torture_loop!(
        mxcsr = sym fp::MXCSR_WORD,
        xmm = sym fp::XMM,
        mxcsr_value = const fp::MXCSR,
        xmm_base = const fp::XMM_BASE,
    )
}

/// The interrupted code, x87 only; see [`torture`] with SSE.
#[cfg(not(target_feature = "sse"))]
#[unsafe(naked)]
extern "C" fn torture() {
    torture_loop!()
}

/// Checks per iteration: 7 registers, 2 EFLAGS patterns, the FP checks.
const CHECKS_PER_ITERATION: u32 = 7 + 2 + fp::CHECKS;

extern "C" fn torture_failed(index: u32) -> ! {
    storm::torture_failed(CHECKS_PER_ITERATION, |report| match index {
        0..7 => {
            storm::register_mismatch(report, REGISTERS[index as usize], PATTERNS[index as usize])
        }
        7 => storm::flags_mismatch(report, "eflags"),
        _ => match fp::mismatch() {
            Some(m) => report
                .field("register", format_args!("{}{}", m.field, m.index))
                .field("expected", format_args!("{:#x}", m.expected))
                .field("found", format_args!("{:#x}", m.found)),
            None => report.field("register", "fp"),
        },
    })
}

/// Runs the storm and reports it with the cost measured for its shape.
pub fn storm_scenario(cost: &super::cost::Cost) -> bool {
    storm::storm_scenario(|| torture(), LOOP_INSNS, CHECKS_PER_ITERATION, cost)
}
