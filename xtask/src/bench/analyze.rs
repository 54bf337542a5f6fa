//! Static metrics of a handler, read from the linked image.
//!
//! - Entry: the straight-line start of the code the hardware enters,
//!   up to and including its last save (of a register the code has not
//!   overwritten yet, or of a trap CSR); a trampoline that calls the body
//!   counts in full up to the call, plus the body's own prologue.
//! - Exit: symmetrically, from the first restore after the last call or
//!   branch to the return, plus a trampoline's instructions after the call.
//! - A body instruction the compiler scheduled between two saves (or two
//!   restores) therefore counts as entry (exit), and a restore-side
//!   instruction it scheduled before the last body instruction does not.
//!   The dynamic counts, taken at the probes, have the same limit only for
//!   register-only body instructions the compiler moves across a probe.
//! - Code bytes: ELF symbol sizes of every function from the vector to the
//!   body, inclusive (not of functions the body calls).
//!
//! riscv-rt's path branches on `mcause` in Rust: its instruction and stack
//! counts are left to the dynamic measurement.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::image::{Function, Image};
use crate::isa::{Insn, Kind};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Static {
    /// `None` where the path branches (riscv-rt).
    pub entry_insns: Option<usize>,
    pub exit_insns: Option<usize>,
    pub code_bytes: u64,
    pub stack_bytes: Option<u64>,
    /// Registers (and trap CSRs) saved on the way to the body.
    pub saved: Vec<String>,
    /// The functions counted in `code_bytes`, demangled without the crate
    /// hash (which depends on where the crate was built).
    pub functions: Vec<String>,
}

fn readable(symbol: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(symbol))
}

/// The save side of a function's straight-line start.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Prologue {
    pub len: usize,
    pub saved: Vec<String>,
    pub stack: u64,
}

pub fn prologue(insns: &[Insn]) -> Prologue {
    let mut written = BTreeSet::new();
    // Registers holding a trap CSR's value: storing them saves the CSR.
    let mut holding: BTreeMap<String, String> = BTreeMap::new();
    let mut p = Prologue::default();
    // Once a leaf body restores something, stack-pointer moves belong to
    // its epilogue (GCC's Cortex-M handlers put the stack back with a
    // `mov sp, rN` after their last `pop`).
    let mut restored = false;
    for (i, insn) in insns.iter().enumerate() {
        let save_like = match &insn.kind {
            k if k.is_control() => break,
            Kind::StackAlloc(n) if !restored => {
                p.stack += n;
                true
            }
            Kind::StackFrame if !restored => true,
            Kind::ClearDirection | Kind::ReturnAddress => true,
            Kind::Save { reg, alloc } => {
                p.stack += alloc;
                save(&mut p.saved, reg, &written, &holding)
            }
            Kind::SaveList { regs, alloc } => {
                p.stack += alloc;
                let mut any = false;
                for reg in regs {
                    any |= save(&mut p.saved, reg, &written, &holding);
                }
                any
            }
            Kind::CsrRead { csr, reg } => {
                holding.insert(reg.clone(), csr.clone());
                written.insert(reg.clone());
                push_unique(&mut p.saved, csr);
                true
            }
            Kind::Restore { reg, .. } => {
                restored = true;
                overwrite(reg, &mut written, &mut holding);
                false
            }
            Kind::LoadLiteral { reg, .. } => {
                overwrite(reg, &mut written, &mut holding);
                false
            }
            Kind::RestoreList { regs, .. } => {
                restored = true;
                for reg in regs {
                    overwrite(reg, &mut written, &mut holding);
                }
                false
            }
            Kind::StackRestore => {
                restored = true;
                false
            }
            Kind::Other { writes } => {
                for w in writes {
                    overwrite(w, &mut written, &mut holding);
                }
                false
            }
            _ => false,
        };
        if save_like {
            p.len = i + 1;
        }
    }
    p
}

/// `reg` gets a new value: storing it is no longer a save of what it held.
fn overwrite(reg: &str, written: &mut BTreeSet<String>, holding: &mut BTreeMap<String, String>) {
    written.insert(reg.to_string());
    holding.remove(reg);
}

/// Records the store of `reg` as a save, unless the code overwrote it
/// before (a spill); a register holding a trap CSR saves the CSR.
fn save(
    saved: &mut Vec<String>,
    reg: &str,
    written: &BTreeSet<String>,
    holding: &BTreeMap<String, String>,
) -> bool {
    if let Some(csr) = holding.get(reg) {
        push_unique(saved, csr);
        true
    } else if !written.contains(reg) {
        push_unique(saved, reg);
        true
    } else {
        false
    }
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|s| s == item) {
        list.push(item.to_string());
    }
}

/// Instructions from the first restore after the last control transfer
/// through the final return.
/// A function that ends in a tail call (`j callee`) has none: the callee
/// returns for it.
pub fn epilogue(insns: &[Insn]) -> Result<usize> {
    let Some(ret) = insns
        .iter()
        .rposition(|i| matches!(i.kind, Kind::Return | Kind::InterruptReturn))
    else {
        return match insns.last() {
            Some(Insn {
                kind: Kind::Jump, ..
            }) => Ok(0),
            _ => bail!("no return instruction"),
        };
    };
    // The prologue's own frame setup (`mov r7, sp`) is not epilogue.
    let floor = prologue(insns).len.min(ret);
    let mut first = ret;
    for i in (floor..ret).rev() {
        match &insns[i].kind {
            k if k.is_control() => break,
            Kind::Restore { .. }
            | Kind::RestoreList { .. }
            | Kind::StackRestore
            | Kind::StackFree(_)
            | Kind::StackFrame
            | Kind::CsrWrite { .. } => first = i,
            _ => {}
        }
    }
    Ok(ret - first + 1)
}

/// A compiler's handler: the vector is the body.
pub fn single(image: &Image, vector: &str) -> Result<Static> {
    let f = image.function(vector)?;
    let p = prologue(&f.insns);
    Ok(Static {
        entry_insns: Some(p.len),
        exit_insns: Some(epilogue(&f.insns)?),
        code_bytes: f.size,
        stack_bytes: Some(p.stack),
        saved: p.saved,
        functions: vec![readable(&f.name)],
    })
}

/// A trampoline that calls its body once: interrupt-abi.
pub fn trampoline(image: &Image, vector: &str) -> Result<Static> {
    let t = image.function(vector)?;
    let call = t
        .insns
        .iter()
        .position(|i| matches!(i.kind, Kind::Call(_)))
        .with_context(|| format!("{vector} calls nothing"))?;
    let target = match t.insns[call].kind {
        Kind::Call(Some(target)) => target,
        // An indirect call through a literal: `ldr rN, =body` before it.
        Kind::Call(None) => {
            let literal = t.insns[..call].iter().rev().find_map(|i| match &i.kind {
                Kind::LoadLiteral { addr, .. } => Some(*addr),
                _ => None,
            });
            let literal = literal.with_context(|| format!("{vector}: indirect call"))?;
            u64::from(image.read_u32(literal)?)
        }
        _ => unreachable!("`call` is the position of a call"),
    };
    let body_name = image
        .name_at(target)
        .with_context(|| format!("{vector} calls {target:#x}, which has no symbol"))?
        .to_string();
    let body = image.function(&body_name)?;
    // A trampoline's branches before the call only skip work (RISC-V
    // skips the FP state while FS is Off): read the path that does it all.
    let straight: Vec<Insn> = t.insns[..call]
        .iter()
        .filter(|i| i.kind != Kind::Jump)
        .cloned()
        .collect();
    let tp = prologue(&straight);
    let bp = prologue(&body.insns);
    let mut saved = tp.saved;
    for r in bp.saved {
        push_unique(&mut saved, &r);
    }
    Ok(Static {
        entry_insns: Some(call + 1 + bp.len),
        exit_insns: Some(t.insns.len() - call - 1 + epilogue(&body.insns)?),
        code_bytes: t.size + body.size,
        stack_bytes: Some(tp.stack + bp.stack),
        saved,
        functions: vec![readable(&t.name), readable(&body.name)],
    })
}

/// riscv-rt: `_start_trap` saves and calls `_start_trap_rust`, which
/// dispatches on `mcause` to the handler function `body`.
pub fn riscv_rt(image: &Image, body: &str) -> Result<Static> {
    let trap = image.function("_default_start_trap")?;
    let call = trap
        .insns
        .iter()
        .position(|i| matches!(i.kind, Kind::Call(_)))
        .context("_default_start_trap calls nothing")?;
    let mut saved = prologue(&trap.insns[..call]).saved;
    let handler = image.function(body)?;
    for r in prologue(&handler.insns).saved {
        push_unique(&mut saved, &r);
    }
    let mut functions = vec![trap];
    for name in ["_start_trap_rust", "_dispatch_core_interrupt"] {
        if image.has(name) {
            functions.push(image.function(name)?);
        }
    }
    functions.push(handler);
    Ok(Static {
        entry_insns: None,
        exit_insns: None,
        code_bytes: functions.iter().map(|f: &Function| f.size).sum(),
        stack_bytes: None,
        saved,
        functions: functions.iter().map(|f| readable(&f.name)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::riscv;

    fn insns(hs: &[u16]) -> Vec<Insn> {
        let bytes: Vec<u8> = hs.iter().flat_map(|h| h.to_le_bytes()).collect();
        riscv::decode(&bytes, 0x8000_0000, 32)
    }

    /// GCC 12's `leaf` (RV32IMAC): the load of the counter's address sits
    /// between the two saves and counts as entry.
    #[test]
    fn interleaved_prologue_ends_at_the_last_save() {
        let code: Vec<u8> = [
            &0x1141u16.to_le_bytes()[..],  // addi sp, sp, -16
            &0xc63au16.to_le_bytes(),      // sw a4, 12(sp)
            &0x0000_0737u32.to_le_bytes(), // lui a4, 0
            &0xc43eu16.to_le_bytes(),      // sw a5, 8(sp)
            &0x0007_2783u32.to_le_bytes(), // lw a5, 0(a4)
            &0x0785u16.to_le_bytes(),      // addi a5, a5, 1
            &0x00f7_2023u32.to_le_bytes(), // sw a5, 0(a4)
            &0x4732u16.to_le_bytes(),      // lw a4, 12(sp)
            &0x47a2u16.to_le_bytes(),      // lw a5, 8(sp)
            &0x0141u16.to_le_bytes(),      // addi sp, sp, 16
            &0x3020_0073u32.to_le_bytes(), // mret
        ]
        .concat();
        let insns = riscv::decode(&code, 0, 32);
        let p = prologue(&insns);
        assert_eq!(p.len, 4);
        assert_eq!(p.saved, ["a4", "a5"]);
        assert_eq!(p.stack, 16);
        assert_eq!(epilogue(&insns).unwrap(), 4);
    }

    fn thumb(halves: &[u16]) -> Vec<Insn> {
        let bytes: Vec<u8> = halves.iter().flat_map(|h| h.to_le_bytes()).collect();
        crate::isa::arm::decode(&bytes, 0x2_0000, true)
    }

    /// rustc's Cortex-M `leaf`: the frame-pointer setup ends the prologue
    /// and is not part of the epilogue.
    #[test]
    fn frame_setup_is_not_epilogue() {
        let insns = thumb(&[
            0xb580, // push {r7, lr}
            0x466f, // mov r7, sp
            0xf240, 0x5048, // movw r0, #1352
            0xf2c0, 0x0003, // movt r0, #3
            0x6801, // ldr r1, [r0]
            0x3101, // adds r1, #1
            0x6001, // str r1, [r0]
            0xbd80, // pop {r7, pc}
        ]);
        let p = prologue(&insns);
        assert_eq!((p.len, p.stack), (2, 8));
        assert_eq!(p.saved, ["r7", "lr"]);
        assert_eq!(epilogue(&insns).unwrap(), 1);
    }

    /// GCC's Cortex-M `leaf`: the stack is realigned, the old stack pointer
    /// pushed and popped, and put back after the pop.
    #[test]
    fn stack_moves_after_a_restore_are_epilogue() {
        let insns = thumb(&[
            0x4668, // mov r0, sp
            0xf020, 0x0107, // bic.w r1, r0, #7
            0x468d, // mov sp, r1
            0x4a03, // ldr r2, [pc, #12]
            0xb401, // push {r0}
            0x6a13, // ldr r3, [r2, #32]
            0xbc01, // pop {r0}
            0x3301, // adds r3, #1
            0x4685, // mov sp, r0
            0x6213, // str r3, [r2, #32]
            0x4770, // bx lr
        ]);
        let p = prologue(&insns);
        assert_eq!((p.len, p.saved.len()), (3, 0));
        assert_eq!(epilogue(&insns).unwrap(), 5);
    }

    /// A register overwritten before it is stored is a spill, not a save.
    #[test]
    fn stores_of_overwritten_registers_are_not_saves() {
        // c.addi sp,-16 ; c.li a0, 1 ; c.swsp a0, 0(sp) ; c.swsp a1, 4(sp) ; c.jr ra
        let p = prologue(&insns(&[0x1141, 0x4505, 0xc02a, 0xc22e, 0x8082]));
        assert_eq!(p.saved, ["a1"]);
        assert_eq!(p.len, 4);
    }
}
