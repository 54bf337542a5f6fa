//! x86 and x86_64: `"x86-interrupt"` conventions and the trampoline emitter.
//!
//! Entry, as the CPU does it: long mode aligns RSP to 16 and pushes SS, RSP,
//! RFLAGS, CS, RIP and, for some exceptions, an error code; so at the entry
//! RSP is 8 mod 16 without an error code and 0 mod 16 with one. Protected mode
//! pushes EFLAGS, CS, EIP (and ESP, SS only on a privilege change) with no
//! alignment, so the 32-bit trampoline realigns dynamically. Either way DF
//! may be set by the interrupted code, and the SysV ABI requires it clear.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::convention::{
    Convention, EmitError, FpState, Isa, SaveSet, Shape, Trampoline, align_up, check_save_set,
};
use crate::layout;

/// SysV x86_64 caller-saved integer registers.
const SYSV64_GPRS: &[&str] = &["rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"];
/// i386 SysV (cdecl) caller-saved integer registers.
const SYSV32_GPRS: &[&str] = &["eax", "ecx", "edx"];

pub const X86_64_SOFT: Convention = Convention {
    name: "x86_64, no SSE",
    isa: Isa::X86_64,
    gprs: SYSV64_GPRS,
    fp: FpState::None,
    stack_align: 16,
};
pub const X86_64_SSE: Convention = Convention {
    name: "x86_64, SSE",
    fp: FpState::Xmm,
    ..X86_64_SOFT
};
pub const X86_64_AVX: Convention = Convention {
    name: "x86_64, AVX",
    fp: FpState::Ymm,
    ..X86_64_SOFT
};
pub const X86_FXSR: Convention = Convention {
    name: "x86, x87 + SSE (fxsave)",
    isa: Isa::X86,
    gprs: SYSV32_GPRS,
    fp: FpState::Fxsave,
    stack_align: 16,
};
pub const X86_X87: Convention = Convention {
    name: "x86, x87 (fnsave)",
    fp: FpState::Fnsave,
    ..X86_FXSR
};
pub const X86_SOFT: Convention = Convention {
    name: "x86, soft-float",
    fp: FpState::None,
    ..X86_FXSR
};

/// Emits the `"x86-interrupt"` trampoline for `conv`.
pub fn emit(conv: &Convention, save: &SaveSet, shape: Shape) -> Result<Trampoline, EmitError> {
    match conv.isa {
        Isa::X86_64 => emit_64(conv, save, shape),
        Isa::X86 => emit_32(conv, save, shape),
        _ => Err(EmitError::EntryMismatch),
    }
}

/// Bytes of the vector save area and the (aligned) move used for each register.
fn vector_area(fp: FpState) -> Result<(u32, &'static str, &'static str), EmitError> {
    match fp {
        FpState::None => Ok((0, "", "")),
        FpState::Xmm => Ok((16, "movaps", "xmm")),
        // RSP is only 16-aligned, so YMM stores must be unaligned ones.
        FpState::Ymm => Ok((32, "vmovdqu", "ymm")),
        _ => Err(EmitError::FpMismatch),
    }
}

fn emit_64(conv: &Convention, save: &SaveSet, shape: Shape) -> Result<Trampoline, EmitError> {
    let frame = layout::X86_64.size() as u32 + if shape.error_code { 8 } else { 0 };
    let mut out = Vec::new();

    if shape.diverges {
        // Nothing is restored, so nothing is saved; only the ABI entry state.
        let pad = align_up(frame, 16) - frame;
        out.push("cld".into());
        push_args_64(&mut out, shape, pad);
        if pad != 0 {
            out.push(format!("sub rsp, {pad}"));
        }
        out.push("call {body}".into());
        out.push("ud2".into());
        return Ok(Trampoline {
            lines: out,
            stack_bytes: pad,
        });
    }

    let mut scratch = vec!["rdi"];
    if shape.error_code {
        scratch.push("rsi");
    }
    check_save_set(conv, save, &scratch)?;
    let (vec_bytes, mov, prefix) = vector_area(save.fp)?;
    let vec_area = vec_bytes * 16;

    let pushed = 8 * save.gprs.len() as u32;
    // Pad so that RSP is 16-aligned at the call (the CPU aligned RSP before
    // pushing `frame` bytes).
    let pad = align_up(frame + pushed + vec_area, 16) - (frame + pushed + vec_area);
    let below = vec_area + pad;

    for r in &save.gprs {
        out.push(format!("push {r}"));
    }
    out.push("cld".into());
    if below != 0 {
        out.push(format!("sub rsp, {below}"));
    }
    for i in 0..16 * u32::from(vec_bytes != 0) {
        out.push(format!("{mov} [rsp + {}], {prefix}{i}", i * vec_bytes));
    }
    push_args_64(&mut out, shape, below + pushed);
    out.push("call {body}".into());
    for i in 0..16 * u32::from(vec_bytes != 0) {
        out.push(format!("{mov} {prefix}{i}, [rsp + {}]", i * vec_bytes));
    }
    if below != 0 {
        out.push(format!("add rsp, {below}"));
    }
    for r in save.gprs.iter().rev() {
        out.push(format!("pop {r}"));
    }
    if shape.error_code {
        out.push("add rsp, 8".into());
    }
    out.push("iretq".into());
    Ok(Trampoline {
        lines: out,
        stack_bytes: pushed + below,
    })
}

/// Loads RDI with the frame address and RSI with the error code, given how
/// many bytes lie between RSP and the first word the CPU pushed.
fn push_args_64(out: &mut Vec<String>, shape: Shape, above: u32) {
    if shape.error_code {
        out.push(format!("mov rsi, [rsp + {above}]"));
        out.push(format!("lea rdi, [rsp + {}]", above + 8));
    } else {
        out.push(format!("lea rdi, [rsp + {above}]"));
    }
}

fn emit_32(conv: &Convention, save: &SaveSet, shape: Shape) -> Result<Trampoline, EmitError> {
    let code: u32 = if shape.error_code { 4 } else { 0 };
    // cdecl: the body's arguments in the lowest slots, then our own slot
    // holding the address of the saved registers (ESP before realignment).
    let (fp_bytes, fp_save, fp_restore) = match save.fp {
        FpState::None => (0, None, None),
        FpState::Fxsave => (512, Some("fxsave [esp + 16]"), Some("fxrstor [esp + 16]")),
        FpState::Fnsave => (112, Some("fnsave [esp + 16]"), Some("frstor [esp + 16]")),
        _ => return Err(EmitError::FpMismatch),
    };
    let mut out: Vec<String> = Vec::new();
    if shape.diverges {
        out.extend(
            [
                "cld",
                "mov eax, esp",
                "and esp, -16",
                "sub esp, 16",
                "lea ecx, [eax + CODE]",
                "mov [esp], ecx",
            ]
            .map(|l| l.replace("CODE", &code.to_string())),
        );
        if shape.error_code {
            out.push("mov ecx, [eax]".into());
            out.push("mov [esp + 4], ecx".into());
        }
        out.push("call {body}".into());
        out.push("ud2".into());
        return Ok(Trampoline {
            lines: out,
            stack_bytes: 16 + 12,
        });
    }

    check_save_set(conv, save, &["eax", "ecx"])?;
    let pushed = 4 * save.gprs.len() as u32;
    for r in &save.gprs {
        out.push(format!("push {r}"));
    }
    out.push("cld".into());
    out.push("mov eax, esp".into());
    out.push("and esp, -16".into());
    out.push(format!("sub esp, {}", 16 + fp_bytes));
    if let Some(s) = fp_save {
        out.push(s.into());
    }
    if save.fp == FpState::Fxsave {
        // The body expects an empty x87 stack in the default control state;
        // `fnsave` reinitialises the FPU by itself, `fxsave` does not.
        out.push("fninit".into());
    }
    out.push("mov [esp + 8], eax".into());
    out.push(format!("lea ecx, [eax + {}]", pushed + code));
    out.push("mov [esp], ecx".into());
    if shape.error_code {
        out.push(format!("mov ecx, [eax + {pushed}]"));
        out.push("mov [esp + 4], ecx".into());
    }
    out.push("call {body}".into());
    if let Some(r) = fp_restore {
        out.push(r.into());
    }
    out.push("mov esp, [esp + 8]".into());
    for r in save.gprs.iter().rev() {
        out.push(format!("pop {r}"));
    }
    if shape.error_code {
        out.push("add esp, 4".into());
    }
    out.push("iretd".into());
    Ok(Trampoline {
        lines: out,
        // Worst case: 12 bytes of realignment.
        stack_bytes: pushed + 12 + 16 + fp_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(conv: &Convention, shape: Shape) -> Vec<String> {
        emit(conv, &conv.full_save_set(), shape).unwrap().lines
    }

    /// Simulates RSP modulo 16 from entry to the call.
    fn rsp_at_call(lines: &[String], entry: i64) -> i64 {
        let mut rsp = entry;
        for l in lines {
            if l.starts_with("push ") {
                rsp -= 8;
            } else if let Some(n) = l.strip_prefix("sub rsp, ") {
                rsp -= n.parse::<i64>().unwrap();
            } else if l == "call {body}" {
                return rsp.rem_euclid(16);
            }
        }
        panic!("no call")
    }

    #[test]
    fn sse_saves_nine_gprs_and_sixteen_xmm_with_cld() {
        let l = lines(&X86_64_SSE, Shape::default());
        assert_eq!(l.iter().filter(|l| l.starts_with("push ")).count(), 9);
        assert_eq!(l.iter().filter(|l| l.starts_with("pop ")).count(), 9);
        assert_eq!(l.iter().filter(|l| l.contains(", xmm")).count(), 16);
        assert_eq!(l.iter().filter(|l| l.starts_with("movaps xmm")).count(), 16);
        assert!(l.contains(&"cld".into()));
        assert_eq!(l.last().unwrap(), "iretq");
    }

    #[test]
    fn call_is_aligned_for_both_frame_sizes() {
        for conv in [&X86_64_SOFT, &X86_64_SSE, &X86_64_AVX] {
            for error_code in [false, true] {
                for diverges in [false, true] {
                    let shape = Shape {
                        error_code,
                        diverges,
                        ..Shape::default()
                    };
                    // Long mode aligned RSP, then pushed 5 or 6 words.
                    let entry = -(40 + 8 * i64::from(error_code));
                    assert_eq!(
                        rsp_at_call(&lines(conv, shape), entry),
                        0,
                        "{conv:?} {shape:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn error_code_is_passed_and_dropped() {
        let l = lines(
            &X86_64_SOFT,
            Shape {
                error_code: true,
                ..Shape::default()
            },
        );
        // 9 pushes and no padding needed: the code sits just above them.
        assert!(l.contains(&"mov rsi, [rsp + 80]".into()), "{l:#?}");
        assert!(l.contains(&"lea rdi, [rsp + 88]".into()), "{l:#?}");
        assert_eq!(&l[l.len() - 2..], ["add rsp, 8", "iretq"]);
    }

    #[test]
    fn frame_address_without_error_code() {
        let l = lines(&X86_64_SSE, Shape::default());
        // 40 frame bytes + 9 pushes (72) + 256 bytes of XMM: aligned, no padding.
        assert!(l.contains(&"sub rsp, 256".into()), "{l:#?}");
        assert!(l.contains(&"lea rdi, [rsp + 328]".into()), "{l:#?}");
    }

    #[test]
    fn diverging_handler_saves_nothing() {
        let l = lines(
            &X86_64_SSE,
            Shape {
                error_code: true,
                diverges: true,
                ..Shape::default()
            },
        );
        assert!(!l.iter().any(|l| l.starts_with("push") || l.contains("xmm")));
        assert_eq!(l.last().unwrap(), "ud2");
    }

    #[test]
    fn save_set_must_cover_argument_registers() {
        let mut save = X86_64_SOFT.full_save_set();
        save.gprs.retain(|r| *r != "rsi");
        let shape = Shape {
            error_code: true,
            ..Shape::default()
        };
        assert_eq!(
            emit(&X86_64_SOFT, &save, shape),
            Err(EmitError::ScratchNotSaved("rsi"))
        );
        save.gprs.push("rbx");
        assert_eq!(
            emit(&X86_64_SOFT, &save, Shape::default()),
            Err(EmitError::UnknownRegister("rbx"))
        );
    }

    #[test]
    fn thirty_two_bit_realigns_and_returns_with_iretd() {
        let l = lines(
            &X86_FXSR,
            Shape {
                error_code: true,
                ..Shape::default()
            },
        );
        assert_eq!(
            l,
            [
                "push eax",
                "push ecx",
                "push edx",
                "cld",
                "mov eax, esp",
                "and esp, -16",
                "sub esp, 528",
                "fxsave [esp + 16]",
                "fninit",
                "mov [esp + 8], eax",
                "lea ecx, [eax + 16]",
                "mov [esp], ecx",
                "mov ecx, [eax + 12]",
                "mov [esp + 4], ecx",
                "call {body}",
                "fxrstor [esp + 16]",
                "mov esp, [esp + 8]",
                "pop edx",
                "pop ecx",
                "pop eax",
                "add esp, 4",
                "iretd",
            ]
        );
    }
}
