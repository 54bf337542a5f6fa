//! x86 and x86_64: `"x86-interrupt"` conventions and the trampoline emitter.
//!
//! Entry, as the CPU does it: long mode aligns RSP to 16 and pushes SS, RSP,
//! RFLAGS, CS, RIP and, for some exceptions, an error code; so at the entry
//! RSP is 8 mod 16 without an error code and 0 mod 16 with one. Protected mode
//! pushes EFLAGS, CS, EIP (and ESP, SS only on a privilege change) with no
//! alignment, so the 32-bit trampoline realigns dynamically. Either way DF
//! may be set by the interrupted code, and the SysV ABI requires it clear.
//!
//! The FP environment is the interrupted code's too: compiled code assumes
//! the default one (MXCSR 0x1F80: round to nearest, exceptions masked; an
//! x87 control word of 0x037F), so the body gets it loaded, and MXCSR
//! comes back bit for bit, flags included. On x86_64 that is `stmxcsr` /
//! `ldmxcsr` around the body; on 32-bit x86, `fxsave`/`fxrstor` and
//! `fnsave`/`frstor` already keep the whole environment, and `fninit`
//! (implied by `fnsave`) gives the x87 default.

use alloc::format;
use alloc::string::String;
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

/// MXCSR of the psABIs' default environment, loaded for every body that
/// may use SSE: round to nearest, every exception masked, no flags.
const DEFAULT_MXCSR: &str = "0x1F80";

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
        // The arguments are taken before RSP moves, at the CPU's own RSP.
        out.push("cld".into());
        push_args_64(&mut out, shape, 0);
        let fp = vector_area(save.fp)?.0 != 0;
        let pad = align_up(frame + if fp { 8 } else { 0 }, 16) - frame;
        let mut below = pad;
        if fp {
            // The slot for `ldmxcsr` is part of the padding.
            out.push(format!("push {DEFAULT_MXCSR}"));
            out.push("ldmxcsr [rsp]".into());
            below -= 8;
        }
        if below != 0 {
            out.push(format!("sub rsp, {below}"));
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
    // Above the vectors: the interrupted MXCSR, then the body's default.
    let mxcsr_area = if vec_bytes != 0 { 8 } else { 0 };

    let pushed = 8 * save.gprs.len() as u32;
    // Pad so that RSP is 16-aligned at the call (the CPU aligned RSP before
    // pushing `frame` bytes).
    let used = frame + pushed + vec_area + mxcsr_area;
    let pad = align_up(used, 16) - used;
    let below = vec_area + mxcsr_area + pad;

    for r in &save.gprs {
        out.push(format!("push {r}"));
    }
    out.push("cld".into());
    if below != 0 {
        out.push(format!("sub rsp, {below}"));
    }
    if mxcsr_area != 0 {
        out.push(format!("stmxcsr [rsp + {vec_area}]"));
        out.push(format!(
            "mov dword ptr [rsp + {}], {DEFAULT_MXCSR}",
            vec_area + 4
        ));
        out.push(format!("ldmxcsr [rsp + {}]", vec_area + 4));
    }
    for i in 0..16 * u32::from(vec_bytes != 0) {
        out.push(format!("{mov} [rsp + {}], {prefix}{i}", i * vec_bytes));
    }
    push_args_64(&mut out, shape, below + pushed);
    out.push("call {body}".into());
    for i in 0..16 * u32::from(vec_bytes != 0) {
        out.push(format!("{mov} {prefix}{i}, [rsp + {}]", i * vec_bytes));
    }
    if mxcsr_area != 0 {
        out.push(format!("ldmxcsr [rsp + {vec_area}]"));
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
        match above {
            0 => out.push("mov rsi, [rsp]".into()),
            _ => out.push(format!("mov rsi, [rsp + {above}]")),
        }
        out.push(format!("lea rdi, [rsp + {}]", above + 8));
    } else if above == 0 {
        out.push("mov rdi, rsp".into());
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
    // The body's default FP environment: `fnsave` reinitialises the x87
    // by itself, `fxsave` does not and leaves MXCSR as it was. [esp + 12]
    // is the one free word of the argument area.
    let fp_default: Vec<String> = match save.fp {
        FpState::Fxsave => vec![
            "fninit".into(),
            format!("mov dword ptr [esp + 12], {DEFAULT_MXCSR}"),
            "ldmxcsr [esp + 12]".into(),
        ],
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::new();
    if shape.diverges {
        out.extend(["cld", "mov eax, esp", "and esp, -16", "sub esp, 16"].map(String::from));
        // Nothing is restored, so the interrupted FP state is simply dropped.
        match save.fp {
            FpState::Fnsave => out.push("fninit".into()),
            _ => out.extend(fp_default.iter().cloned()),
        }
        out.push(format!("lea ecx, [eax + {code}]"));
        out.push("mov [esp], ecx".into());
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
    out.extend(fp_default);
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

    /// A decimal or `0x` hexadecimal immediate.
    fn imm(operand: &str) -> Option<u32> {
        match operand.strip_prefix("0x") {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => operand.parse().ok(),
        }
    }

    /// Runs an x86_64 trampoline's lines on a model of the machine: the
    /// CPU's frame below a 16-aligned stack top, every register and MXCSR
    /// tagged, and at `call {body}` a body that checks what the psABI
    /// promises it (aligned stack, DF clear, MXCSR 0x1F80, the frame and
    /// error code where the CPU pushed them) and then clobbers the stack
    /// below it, every caller-saved register and MXCSR's flags. At `iretq`
    /// everything must be back. Panics, naming the line, on any difference
    /// and on any instruction it does not know, so new sequences get
    /// modelled rather than skipped.
    fn run_64(conv: &Convention, shape: Shape) {
        use std::collections::BTreeMap;

        // Round toward zero, PE and ZE unmasked, DE/UE flags set.
        const INTERRUPTED_MXCSR: u32 = 0x6D92;
        const BODY_MXCSR: u32 = 0x1F80;
        let t = emit(conv, &conv.full_save_set(), shape).unwrap();
        let (width, prefix) = match conv.fp {
            FpState::Xmm => (16, "xmm"),
            FpState::Ymm => (32, "ymm"),
            _ => (0, ""),
        };
        let tag = |name: &str| -> Vec<u8> {
            let n = if name.starts_with('r') { 8 } else { width };
            let seed = name
                .bytes()
                .fold(0u8, |h, b| h.wrapping_mul(31).wrapping_add(b));
            (0..n).map(|i| seed.wrapping_add(i as u8 * 7)).collect()
        };
        let mut regs: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for r in [
            "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12",
            "r13", "r14", "r15",
        ] {
            regs.insert(r.into(), tag(r));
        }
        for i in 0..16 * u32::from(width != 0) {
            let name = format!("{prefix}{i}");
            let value = tag(&name).iter().map(|b| b ^ i as u8).collect();
            regs.insert(name, value);
        }
        let initial = regs.clone();
        let code = if shape.error_code { 8 } else { 0 };
        // The CPU aligned RSP to 0 mod 16, then pushed the frame (and code).
        let frame_at: i64 = -40;
        let mut rsp: i64 = frame_at - code;
        let mut mem: BTreeMap<i64, u8> = BTreeMap::new();
        for a in rsp..0 {
            mem.insert(a, (a as u8).wrapping_mul(13) ^ 0x5A);
        }
        let hardware = mem.clone();
        let mut mxcsr = INTERRUPTED_MXCSR;
        let mut df = true;
        let read = |mem: &BTreeMap<i64, u8>, at: i64, n: usize, line: &str| -> Vec<u8> {
            (at..at + n as i64)
                .map(|a| {
                    *mem.get(&a)
                        .unwrap_or_else(|| panic!("`{line}` reads undefined {a}"))
                })
                .collect()
        };
        let word = |bytes: &[u8]| i64::from_le_bytes(bytes[..8].try_into().unwrap());
        let addr = |operand: &str, rsp: i64| -> i64 {
            let inner = operand
                .trim_start_matches("dword ptr ")
                .strip_prefix("[rsp")
                .and_then(|o| o.strip_suffix(']'))
                .unwrap_or_else(|| panic!("not an RSP operand: {operand}"));
            rsp + inner
                .strip_prefix(" + ")
                .map_or(0, |n| n.parse::<i64>().unwrap())
        };
        let mut called = false;
        for line in &t.lines {
            let l = line.as_str();
            let (op, args) = l.split_once(' ').unwrap_or((l, ""));
            let args: Vec<&str> = args.split(", ").filter(|a| !a.is_empty()).collect();
            match (op, args.as_slice()) {
                ("cld", _) => df = false,
                ("push", [r]) => {
                    let value = match imm(r) {
                        Some(imm) => u64::from(imm).to_le_bytes().to_vec(),
                        None => regs[*r].clone(),
                    };
                    rsp -= 8;
                    for (i, b) in value.iter().enumerate() {
                        mem.insert(rsp + i as i64, *b);
                    }
                }
                ("pop", [r]) => {
                    let value = read(&mem, rsp, 8, l);
                    regs.insert(r.to_string(), value);
                    rsp += 8;
                }
                ("sub", ["rsp", n]) => rsp -= n.parse::<i64>().unwrap(),
                ("add", ["rsp", n]) => rsp += n.parse::<i64>().unwrap(),
                ("movaps" | "vmovdqu", [dst, src]) if dst.starts_with('[') => {
                    let at = addr(dst, rsp);
                    assert!(at % 16 == 0 || op == "vmovdqu", "`{l}`: misaligned");
                    for (i, b) in regs[*src].iter().enumerate() {
                        mem.insert(at + i as i64, *b);
                    }
                }
                ("movaps" | "vmovdqu", [dst, src]) => {
                    let value = read(&mem, addr(src, rsp), width, l);
                    regs.insert(dst.to_string(), value);
                }
                ("stmxcsr", [dst]) => {
                    let at = addr(dst, rsp);
                    for (i, b) in mxcsr.to_le_bytes().iter().enumerate() {
                        mem.insert(at + i as i64, *b);
                    }
                }
                ("ldmxcsr", [src]) => {
                    let bytes = read(&mem, addr(src, rsp), 4, l);
                    mxcsr = u32::from_le_bytes(bytes.try_into().unwrap());
                }
                ("mov", [dst, value]) if dst.starts_with("dword ptr [") => {
                    let at = addr(dst, rsp);
                    let value = self::imm(value).unwrap();
                    for (i, b) in value.to_le_bytes().iter().enumerate() {
                        mem.insert(at + i as i64, *b);
                    }
                }
                ("mov", ["rdi", "rsp"]) => {
                    regs.insert("rdi".into(), rsp.to_le_bytes().to_vec());
                }
                ("lea", ["rdi", src]) => {
                    regs.insert("rdi".into(), addr(src, rsp).to_le_bytes().to_vec());
                }
                ("mov", ["rsi", src]) => {
                    let value = read(&mem, addr(src, rsp), 8, l);
                    regs.insert("rsi".into(), value);
                }
                ("call", ["{body}"]) => {
                    assert_eq!(rsp.rem_euclid(16), 0, "{conv:?} {shape:?}: misaligned call");
                    assert!(!df, "{shape:?}: DF set in the body");
                    if width != 0 {
                        assert!(
                            mxcsr == BODY_MXCSR,
                            "{conv:?} {shape:?}: body's MXCSR {mxcsr:#06x}"
                        );
                    }
                    assert_eq!(
                        word(&regs["rdi"]),
                        frame_at,
                        "{conv:?} {shape:?}: frame argument"
                    );
                    if shape.error_code {
                        assert_eq!(
                            regs["rsi"],
                            read(&hardware, frame_at - 8, 8, l),
                            "{conv:?} {shape:?}: error code argument"
                        );
                    }
                    for a in frame_at - code..0 {
                        assert_eq!(mem[&a], hardware[&a], "{conv:?} {shape:?}: frame byte {a}");
                    }
                    mem.retain(|a, _| *a >= rsp);
                    for r in conv
                        .gprs
                        .iter()
                        .map(|r| r.to_string())
                        .chain((0..16 * u32::from(width != 0)).map(|i| format!("{prefix}{i}")))
                    {
                        let n = regs[&r].len();
                        regs.insert(r, vec![0xEE; n]);
                    }
                    // Inexact arithmetic in the body.
                    mxcsr |= 0x20;
                    called = true;
                }
                ("ud2", []) if shape.diverges => {
                    assert!(called);
                    return;
                }
                ("iretq", []) => {
                    assert!(called && !shape.diverges);
                    assert_eq!(rsp, frame_at, "{conv:?} {shape:?}: RSP at iretq");
                    for (name, value) in &initial {
                        assert_eq!(
                            &regs[name], value,
                            "{conv:?} {shape:?}: {name} not restored"
                        );
                    }
                    if width != 0 {
                        assert!(
                            mxcsr == INTERRUPTED_MXCSR,
                            "{conv:?} {shape:?}: MXCSR {mxcsr:#06x} after iretq"
                        );
                    }
                    for a in frame_at..0 {
                        assert_eq!(mem[&a], hardware[&a], "{conv:?} {shape:?}: frame byte {a}");
                    }
                    return;
                }
                _ => panic!("the model does not know `{l}`"),
            }
        }
        panic!("{conv:?} {shape:?}: no iretq or ud2");
    }

    #[test]
    fn every_x86_64_entry_runs_correctly_on_the_model() {
        for conv in [&X86_64_SOFT, &X86_64_SSE, &X86_64_AVX] {
            for error_code in [false, true] {
                for diverges in [false, true] {
                    let shape = Shape {
                        error_code,
                        diverges,
                        ..Shape::default()
                    };
                    run_64(conv, shape);
                }
            }
        }
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
        // 40 frame bytes + 9 pushes (72) + 256 bytes of XMM + the two MXCSR
        // words (8) + 8 bytes of padding.
        assert!(l.contains(&"sub rsp, 272".into()), "{l:#?}");
        assert!(l.contains(&"lea rdi, [rsp + 344]".into()), "{l:#?}");
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
        // Nothing but the default MXCSR the body needs.
        assert!(
            !l.iter()
                .any(|l| l.starts_with("push r") || l.contains("xmm"))
        );
        assert_eq!(l.last().unwrap(), "ud2");
    }

    #[test]
    fn sse_entry_keeps_mxcsr_and_runs_the_body_with_the_default() {
        let l = lines(&X86_64_SSE, Shape::default());
        let mut want: Vec<String> = SYSV64_GPRS.iter().map(|r| format!("push {r}")).collect();
        want.extend(
            [
                "cld",
                "sub rsp, 272",
                "stmxcsr [rsp + 256]",
                "mov dword ptr [rsp + 260], 0x1F80",
                "ldmxcsr [rsp + 260]",
            ]
            .map(String::from),
        );
        want.extend((0..16).map(|i| format!("movaps [rsp + {}], xmm{i}", 16 * i)));
        want.extend(["lea rdi, [rsp + 344]", "call {body}"].map(String::from));
        want.extend((0..16).map(|i| format!("movaps xmm{i}, [rsp + {}]", 16 * i)));
        want.extend(["ldmxcsr [rsp + 256]", "add rsp, 272"].map(String::from));
        want.extend(SYSV64_GPRS.iter().rev().map(|r| format!("pop {r}")));
        want.push("iretq".into());
        assert_eq!(l, want);
        assert_eq!(l.len(), 60);
    }

    #[test]
    fn diverging_entries_pass_the_frame_and_set_the_default_mxcsr() {
        let shape = Shape {
            diverges: true,
            ..Shape::default()
        };
        assert_eq!(
            lines(&X86_64_SOFT, shape),
            ["cld", "mov rdi, rsp", "sub rsp, 8", "call {body}", "ud2"]
        );
        assert_eq!(
            lines(&X86_64_AVX, shape),
            [
                "cld",
                "mov rdi, rsp",
                "push 0x1F80",
                "ldmxcsr [rsp]",
                "call {body}",
                "ud2"
            ]
        );
        let shape = Shape {
            error_code: true,
            ..shape
        };
        assert_eq!(
            lines(&X86_64_SSE, shape),
            [
                "cld",
                "mov rsi, [rsp]",
                "lea rdi, [rsp + 8]",
                "push 0x1F80",
                "ldmxcsr [rsp]",
                "sub rsp, 8",
                "call {body}",
                "ud2"
            ]
        );
    }

    #[test]
    fn thirty_two_bit_diverging_entries_reset_the_fpu() {
        let shape = Shape {
            diverges: true,
            error_code: true,
            ..Shape::default()
        };
        let head = ["cld", "mov eax, esp", "and esp, -16", "sub esp, 16"];
        let tail = [
            "lea ecx, [eax + 4]",
            "mov [esp], ecx",
            "mov ecx, [eax]",
            "mov [esp + 4], ecx",
            "call {body}",
            "ud2",
        ];
        let with = |fp: &[&str]| -> Vec<String> {
            head.iter()
                .chain(fp)
                .chain(&tail)
                .map(|l| l.to_string())
                .collect()
        };
        assert_eq!(lines(&X86_SOFT, shape), with(&[]));
        assert_eq!(lines(&X86_X87, shape), with(&["fninit"]));
        assert_eq!(
            lines(&X86_FXSR, shape),
            with(&[
                "fninit",
                "mov dword ptr [esp + 12], 0x1F80",
                "ldmxcsr [esp + 12]"
            ])
        );
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
                "mov dword ptr [esp + 12], 0x1F80",
                "ldmxcsr [esp + 12]",
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
