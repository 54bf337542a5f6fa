//! Hand-written interrupt entries: what a correct trampoline looks like, and
//! deliberately broken variants that the harness must reject.
//!
//! A correct entry, for a frame of `F` words (5, or 6 with an error code):
//!
//! * push the nine SysV caller-saved GPRs and spill xmm0–15 (the body may
//!   clobber them; callee-saved ones it restores itself);
//! * pad so that RSP ≡ 0 (mod 16) at the `call`. The CPU aligned RSP to 16
//!   before pushing `F` words, so the padding is `8 * (F + 9) mod 16`:
//!   none without an error code, 8 bytes with one;
//! * `cld` — the interrupted code may have had DF set;
//! * for a body that does floating point: save MXCSR and load the default
//!   0x1F80 for the body, restore the saved MXCSR after it;
//! * rdi = &frame, rsi = error code; call the `extern "sysv64"` body;
//! * restore, drop the error code, `iretq`.
//!
//! Each broken variant differs from a correct one in exactly one knob.
//!
//! The spills use `movdqu` although the area is aligned, so that the
//! deliberately misaligned variant reaches its body and gets reported
//! instead of faulting in its own prologue.

use super::harness::{Return, Shape};
use super::probe::{self, Frame};

/// `push` each register, in order, as one assembly string.
macro_rules! push {
    ($($reg:ident),*) => { concat!($("push ", stringify!($reg), "\n"),*) };
}

/// `pop` each register, in order, as one assembly string.
macro_rules! pop {
    ($($reg:ident),*) => { concat!($("pop ", stringify!($reg), "\n"),*) };
}

/// Spill the given XMM registers to `[rsp + 16 * n]`.
macro_rules! save_xmm {
    ($($n:literal),*) => {
        concat!($("movdqu [rsp + 16 * ", stringify!($n), "], xmm", stringify!($n), "\n"),*)
    };
}

/// Reload the given XMM registers from `[rsp + 16 * n]`.
macro_rules! restore_xmm {
    ($($n:literal),*) => {
        concat!($("movdqu xmm", stringify!($n), ", [rsp + 16 * ", stringify!($n), "]\n"),*)
    };
}

macro_rules! all_gprs_push {
    () => {
        push!(rax, rcx, rdx, rsi, rdi, r8, r9, r10, r11)
    };
}
macro_rules! all_gprs_pop {
    () => {
        pop!(r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax)
    };
}
macro_rules! all_xmm_save {
    () => {
        save_xmm!(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    };
}
macro_rules! all_xmm_restore {
    () => {
        restore_xmm!(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    };
}

/// One naked entry. `frame_words` is 5 or 6; `args` sets rdi (and rsi) from
/// `{frame}`, the offset of the frame's RIP slot from RSP at the call;
/// `drop` discards the error code before `iretq`. `misalign` is 0 for a
/// correct entry.
macro_rules! reference_entry {
    (
        $(#[$attr:meta])*
        $name:ident => $body:path,
        frame_words: $words:literal,
        args: $args:expr,
        drop: $drop:expr,
        save: $save:expr, saved_gprs: $saved:literal, restore: $restore:expr,
        save_xmm: $save_xmm:expr, restore_xmm: $restore_xmm:expr,
        cld: $cld:literal,
        misalign: $misalign:literal $(,)?
    ) => {
        $(#[$attr])*
        #[unsafe(naked)]
        pub unsafe extern "sysv64" fn $name() {
            core::arch::naked_asm!(
                $save,
                "sub rsp, {area}",
                $save_xmm,
                $cld,
                $args,
                "call {body}",
                $restore_xmm,
                "add rsp, {area}",
                $restore,
                $drop,
                "iretq",
                area = const 16 * 16 + (8 * ($words + $saved)) % 16 + $misalign,
                frame = const 16 * 16 + (8 * ($words + $saved)) % 16 + $misalign
                    + 8 * $saved + 8 * ($words - 5),
                body = sym $body,
            )
        }
    };
}

/// Sets rdi for a 5-word frame.
macro_rules! plain_args {
    () => {
        "lea rdi, [rsp + {frame}]"
    };
}
/// Sets rdi and rsi for a 6-word frame: the error code sits below RIP.
macro_rules! error_code_args {
    () => {
        "lea rdi, [rsp + {frame}]\nmov rsi, [rsp + {frame} - 8]"
    };
}

extern "sysv64" fn plain_body(frame: &Frame) {
    probe::record(frame, None);
    probe::clobber_caller_saved();
}

extern "sysv64" fn error_code_body(frame: &Frame, error_code: u64) {
    probe::record(frame, Some(error_code));
    probe::clobber_caller_saved();
}

extern "sysv64" fn fp_body(frame: &Frame) {
    probe::record(frame, None);
    probe::record_fp();
    probe::clobber_caller_saved();
}

extern "sysv64" fn rewriting_body(frame: &mut Frame) {
    probe::record(frame, None);
    frame.instruction_pointer = probe::redirect(frame.instruction_pointer);
    probe::clobber_caller_saved();
}

reference_entry! {
    /// Correct entry without an error code.
    plain_entry => plain_body,
    frame_words: 5, args: plain_args!(), drop: "",
    save: all_gprs_push!(), saved_gprs: 9, restore: all_gprs_pop!(),
    save_xmm: all_xmm_save!(), restore_xmm: all_xmm_restore!(),
    cld: "cld", misalign: 0,
}

reference_entry! {
    /// Correct entry with an error code.
    error_code_entry => error_code_body,
    frame_words: 6, args: error_code_args!(), drop: "add rsp, 8",
    save: all_gprs_push!(), saved_gprs: 9, restore: all_gprs_pop!(),
    save_xmm: all_xmm_save!(), restore_xmm: all_xmm_restore!(),
    cld: "cld", misalign: 0,
}

reference_entry! {
    /// Correct entry whose body rewrites the return address.
    rewriting_entry => rewriting_body,
    frame_words: 5, args: plain_args!(), drop: "",
    save: all_gprs_push!(), saved_gprs: 9, restore: all_gprs_pop!(),
    save_xmm: all_xmm_save!(), restore_xmm: all_xmm_restore!(),
    cld: "cld", misalign: 0,
}

/// An entry without error code for [`fp_body`]: as the others, plus MXCSR
/// kept in the word above the XMM area and the default loaded from the one
/// after it. `$restore` is the `ldmxcsr` of the saved word after the call.
macro_rules! fp_reference_entry {
    ($(#[$attr:meta])* $name:ident, restore: $restore:literal $(,)?) => {
        $(#[$attr])*
        #[unsafe(naked)]
        pub unsafe extern "sysv64" fn $name() {
            core::arch::naked_asm!(
                all_gprs_push!(),
                // 5 frame words + 9 pushes + this: a multiple of 16.
                "sub rsp, 16 * 16 + 16",
                all_xmm_save!(),
                "stmxcsr [rsp + 16 * 16]",
                "mov dword ptr [rsp + 16 * 16 + 4], {default}",
                "ldmxcsr [rsp + 16 * 16 + 4]",
                "cld",
                "lea rdi, [rsp + 16 * 16 + 16 + 9 * 8]",
                "call {body}",
                all_xmm_restore!(),
                $restore,
                "add rsp, 16 * 16 + 16",
                all_gprs_pop!(),
                "iretq",
                default = const probe::DEFAULT_MXCSR,
                body = sym fp_body,
            )
        }
    };
}

fp_reference_entry! {
    /// Correct entry for a body that does floating point.
    fp_entry,
    restore: "ldmxcsr [rsp + 16 * 16]",
}

fp_reference_entry! {
    /// BROKEN: gives the body the default MXCSR but never puts back the
    /// interrupted one, so the body's flags and the default control bits
    /// leak into the interrupted code.
    no_mxcsr_restore_entry,
    restore: "",
}

reference_entry! {
    /// BROKEN: does not save r11.
    no_r11_entry => plain_body,
    frame_words: 5, args: plain_args!(), drop: "",
    save: push!(rax, rcx, rdx, rsi, rdi, r8, r9, r10), saved_gprs: 8,
    restore: pop!(r10, r9, r8, rdi, rsi, rdx, rcx, rax),
    save_xmm: all_xmm_save!(), restore_xmm: all_xmm_restore!(),
    cld: "cld", misalign: 0,
}

reference_entry! {
    /// BROKEN: does not save xmm15.
    no_xmm15_entry => plain_body,
    frame_words: 5, args: plain_args!(), drop: "",
    save: all_gprs_push!(), saved_gprs: 9, restore: all_gprs_pop!(),
    save_xmm: save_xmm!(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14),
    restore_xmm: restore_xmm!(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14),
    cld: "cld", misalign: 0,
}

reference_entry! {
    /// BROKEN: no `cld`, so the body runs with the interrupted code's DF.
    no_cld_entry => plain_body,
    frame_words: 5, args: plain_args!(), drop: "",
    save: all_gprs_push!(), saved_gprs: 9, restore: all_gprs_pop!(),
    save_xmm: all_xmm_save!(), restore_xmm: all_xmm_restore!(),
    cld: "", misalign: 0,
}

reference_entry! {
    /// BROKEN: error-code frame padded as if it had 5 words, so RSP ≡ 8
    /// (mod 16) at the `call`.
    misaligned_entry => error_code_body,
    frame_words: 6, args: error_code_args!(), drop: "add rsp, 8",
    save: all_gprs_push!(), saved_gprs: 9, restore: all_gprs_pop!(),
    save_xmm: all_xmm_save!(), restore_xmm: all_xmm_restore!(),
    cld: "cld", misalign: 8,
}

reference_entry! {
    /// BROKEN: passes the error-code slot as the frame, as a handler declared
    /// without an error code would see a CPU frame that has one.
    wrong_frame_entry => error_code_body,
    frame_words: 6, args: "lea rdi, [rsp + {frame} - 8]\nmov rsi, [rsp + {frame} - 8]",
    drop: "add rsp, 8",
    save: all_gprs_push!(), saved_gprs: 9, restore: all_gprs_pop!(),
    save_xmm: all_xmm_save!(), restore_xmm: all_xmm_restore!(),
    cld: "cld", misalign: 0,
}

reference_entry! {
    /// BROKEN, and fatal: leaves the error code on the stack, so `iretq` pops
    /// it as RIP and the process takes a SIGSEGV (or SIGBUS/SIGILL) that only
    /// the [`crash`](super::crash) reporter can explain.
    no_drop_entry => error_code_body,
    frame_words: 6, args: error_code_args!(), drop: "",
    save: all_gprs_push!(), saved_gprs: 9, restore: all_gprs_pop!(),
    save_xmm: all_xmm_save!(), restore_xmm: all_xmm_restore!(),
    cld: "cld", misalign: 0,
}

fn shape(
    name: &'static str,
    entry: unsafe extern "sysv64" fn(),
    error_code: bool,
    returns: Return,
) -> Shape {
    Shape {
        name,
        entry: entry as *const () as usize,
        error_code,
        returns,
        take: probe::take,
    }
}

/// The correct reference entries.
pub fn correct() -> [Shape; 4] {
    [
        shape(
            "reference: no error code",
            plain_entry,
            false,
            Return::Original,
        ),
        shape(
            "reference: error code",
            error_code_entry,
            true,
            Return::Original,
        ),
        shape(
            "reference: &mut frame",
            rewriting_entry,
            false,
            Return::Rewritten,
        ),
        shape(
            "reference: floating point",
            fp_entry,
            false,
            Return::Original,
        ),
    ]
}

/// Broken entries, each with a fragment the harness's report must contain.
pub fn broken() -> [(Shape, &'static str); 6] {
    [
        (
            shape(
                "broken: r11 not saved",
                no_r11_entry,
                false,
                Return::Original,
            ),
            "r11: expected",
        ),
        (
            shape(
                "broken: xmm15 not saved",
                no_xmm15_entry,
                false,
                Return::Original,
            ),
            "xmm15: expected",
        ),
        (
            shape("broken: no cld", no_cld_entry, false, Return::Original),
            "RFLAGS.DF was set inside the body",
        ),
        (
            shape(
                "broken: misaligned call",
                misaligned_entry,
                true,
                Return::Original,
            ),
            "misaligned stack",
        ),
        (
            shape(
                "broken: frame off by the error code",
                wrong_frame_entry,
                true,
                Return::Original,
            ),
            "body saw frame.instruction_pointer",
        ),
        (
            shape(
                "broken: MXCSR not restored",
                no_mxcsr_restore_entry,
                false,
                Return::Original,
            ),
            "mxcsr: expected",
        ),
    ]
}

/// An entry that crashes the process (see `no_drop_entry`).
pub fn crashing() -> Shape {
    shape(
        "broken: error code not dropped",
        no_drop_entry,
        true,
        Return::Original,
    )
}
