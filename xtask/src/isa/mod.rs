//! Machine code, decoded just enough to find where an interrupt handler
//! saves and restores state.
//!
//! Why decode the linked ELF instead of reading `--emit asm` / `gcc -S`:
//! rustc, GCC and Clang print assembly in different dialects (pseudo-ops,
//! aliases, relocation syntax), and what runs is the linker's output
//! (relaxed calls, resolved addresses). Decoding the final image's bytes
//! treats every contender the same way and measures exactly what QEMU
//! executes. x86 lengths are hard to decode, so [`x86`] uses iced-x86,
//! and [`arm`] uses yaxpeax-arm for A32 and Thumb (decoding the VFP forms
//! it lacks by hand); the RISC-V forms that matter are few and regular, so
//! [`riscv`] decodes them itself (and sizes every other instruction from
//! its low bits). The same decoder names the registers of every
//! instruction for the RV32E check (`rv32e.rs`).

pub mod arm;
pub mod riscv;
pub mod x86;

/// What one instruction does, as far as prologues and epilogues go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Moves the stack pointer down by this many bytes (x86 `push` is a
    /// [`Kind::Save`] with `alloc`).
    StackAlloc(u64),
    /// Moves the stack pointer up by this many bytes.
    StackFree(u64),
    /// Re-aligns or re-bases the stack pointer (`and rsp, -16`,
    /// `mov rbp, rsp`): part of a prologue or epilogue.
    StackFrame,
    /// Puts the stack pointer back from the frame pointer (`mov rsp, rbp`,
    /// `lea rsp, [rbp - n]`, ARM `sub sp, r11, #n`): an epilogue's.
    StackRestore,
    /// Stores `reg` to a stack slot; `alloc` bytes pushed on the way.
    Save { reg: String, alloc: u64 },
    /// Stores several registers in one instruction (ARM `push`, `vpush`,
    /// `srsdb sp!` storing `lr` and `spsr`); `alloc` bytes pushed on the way.
    SaveList { regs: Vec<String>, alloc: u64 },
    /// Loads `reg` from a stack slot; `free` bytes popped on the way.
    Restore { reg: String, free: u64 },
    /// Loads several registers in one instruction (ARM `pop` without
    /// `pc`, `vpop`); `free` bytes popped on the way.
    RestoreList { regs: Vec<String>, free: u64 },
    /// Adjusts the exception return address before it is saved (A32
    /// `sub lr, lr, #4`): part of the entry, not a write of `lr`.
    ReturnAddress,
    /// Loads `reg` from the literal at `addr` (ARM `ldr rN, [pc, #imm]`):
    /// how a trampoline may find its body's address.
    LoadLiteral { reg: String, addr: u64 },
    /// Reads a trap-state CSR (`mepc`, `mstatus`, `fcsr`) into `reg`.
    CsrRead { csr: String, reg: String },
    /// Writes a trap-state CSR back, or masks interrupts (`csrci mstatus`).
    CsrWrite { csr: String },
    /// Clears the direction flag (x86 `cld`): the entry's duty.
    ClearDirection,
    /// Calls `target` (`None`: indirect).
    Call(Option<u64>),
    /// Returns to the caller.
    Return,
    /// Returns from the interrupt (`mret`, `sret`, `iretq`).
    InterruptReturn,
    /// A conditional or unconditional jump.
    Jump,
    /// Anything else; `writes` are the registers it overwrites.
    Other { writes: Vec<String> },
}

impl Kind {
    /// Ends a straight-line sequence.
    pub fn is_control(&self) -> bool {
        matches!(
            self,
            Kind::Call(_) | Kind::Return | Kind::InterruptReturn | Kind::Jump
        )
    }
}

/// One decoded instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insn {
    pub addr: u64,
    pub len: u8,
    pub kind: Kind,
}
