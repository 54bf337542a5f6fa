//! x86_64 through iced-x86: its decoder sizes every instruction and its
//! instruction info says which registers one writes; this module only
//! classifies what prologues and epilogues are made of.

use iced_x86::{
    Decoder, DecoderOptions, FlowControl, Instruction, InstructionInfoFactory, Mnemonic, OpAccess,
    OpKind, Register,
};

use super::{Insn, Kind};

fn name(reg: Register) -> String {
    format!("{reg:?}").to_lowercase()
}

/// A memory operand addressed from the stack or frame pointer.
fn stack_slot(insn: &Instruction, operand: u32) -> bool {
    insn.op_kind(operand) == OpKind::Memory
        && matches!(insn.memory_base(), Register::RSP | Register::RBP)
}

fn is_register(insn: &Instruction, operand: u32) -> bool {
    insn.op_kind(operand) == OpKind::Register
}

/// Moves between registers and stack slots, for registers of every width
/// (GPRs with `mov`, XMM/YMM with the aligned and unaligned moves).
fn is_move(m: Mnemonic) -> bool {
    matches!(
        m,
        Mnemonic::Mov
            | Mnemonic::Movaps
            | Mnemonic::Movups
            | Mnemonic::Movdqa
            | Mnemonic::Movdqu
            | Mnemonic::Vmovaps
            | Mnemonic::Vmovups
            | Mnemonic::Vmovdqa
            | Mnemonic::Vmovdqu
    )
}

/// Decodes `code` loaded at `addr` as 64-bit code.
pub fn decode(code: &[u8], addr: u64) -> Vec<Insn> {
    let mut decoder = Decoder::with_ip(64, code, addr, DecoderOptions::NONE);
    let mut info = InstructionInfoFactory::new();
    let mut out = Vec::new();
    for insn in &mut decoder {
        if insn.is_invalid() {
            break;
        }
        let kind = classify(&insn, &mut info);
        out.push(Insn {
            addr: insn.ip(),
            len: insn.len() as u8,
            kind,
        });
    }
    out
}

fn classify(insn: &Instruction, info: &mut InstructionInfoFactory) -> Kind {
    let m = insn.mnemonic();
    let rsp_dest = is_register(insn, 0) && insn.op0_register() == Register::RSP;
    match m {
        Mnemonic::Push if is_register(insn, 0) => {
            return Kind::Save {
                reg: name(insn.op0_register()),
                alloc: 8,
            };
        }
        Mnemonic::Pop if is_register(insn, 0) => {
            return Kind::Restore {
                reg: name(insn.op0_register()),
                free: 8,
            };
        }
        Mnemonic::Sub if rsp_dest && insn.op1_kind() != OpKind::Register => {
            return Kind::StackAlloc(insn.immediate(1));
        }
        Mnemonic::Add if rsp_dest && insn.op1_kind() != OpKind::Register => {
            return Kind::StackFree(insn.immediate(1));
        }
        Mnemonic::Lea if rsp_dest && insn.memory_base() == Register::RBP => {
            return Kind::StackRestore;
        }
        // `and rsp, -16`
        Mnemonic::And | Mnemonic::Lea if rsp_dest => return Kind::StackFrame,
        Mnemonic::Mov if is_register(insn, 0) && is_register(insn, 1) => {
            match (insn.op0_register(), insn.op1_register()) {
                (Register::RBP, Register::RSP) => return Kind::StackFrame,
                (Register::RSP, Register::RBP) => return Kind::StackRestore,
                _ => {}
            }
        }
        Mnemonic::Cld => return Kind::ClearDirection,
        Mnemonic::Iretq | Mnemonic::Iretd => return Kind::InterruptReturn,
        _ => {}
    }
    if is_move(m) && stack_slot(insn, 0) && is_register(insn, 1) {
        return Kind::Save {
            reg: name(insn.op1_register()),
            alloc: 0,
        };
    }
    if is_move(m) && is_register(insn, 0) && stack_slot(insn, 1) {
        return Kind::Restore {
            reg: name(insn.op0_register()),
            free: 0,
        };
    }
    match insn.flow_control() {
        FlowControl::Call => {
            return Kind::Call(
                (insn.op0_kind() == OpKind::NearBranch64).then(|| insn.near_branch_target()),
            );
        }
        FlowControl::IndirectCall => return Kind::Call(None),
        FlowControl::Return => return Kind::Return,
        FlowControl::UnconditionalBranch
        | FlowControl::ConditionalBranch
        | FlowControl::IndirectBranch => return Kind::Jump,
        _ => {}
    }
    let writes = info
        .info(insn)
        .used_registers()
        .iter()
        .filter(|u| {
            matches!(
                u.access(),
                OpAccess::Write
                    | OpAccess::CondWrite
                    | OpAccess::ReadWrite
                    | OpAccess::ReadCondWrite
            )
        })
        .map(|u| name(u.register().full_register()))
        .collect();
    Kind::Other { writes }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(code: &[u8]) -> Vec<Kind> {
        decode(code, 0x1000).into_iter().map(|i| i.kind).collect()
    }

    #[test]
    fn prologue_and_epilogue_forms() {
        let code = [
            0x55, // push rbp
            0x48, 0x89, 0xe5, // mov rbp, rsp
            0x50, // push rax
            0x48, 0x83, 0xe4, 0xf0, // and rsp, -16
            0x48, 0x83, 0xec, 0x20, // sub rsp, 32
            0x0f, 0x29, 0x04, 0x24, // movaps [rsp], xmm0
            0xfc, // cld
            0xe8, 0x00, 0x00, 0x00, 0x00, // call next
            0x0f, 0x28, 0x04, 0x24, // movaps xmm0, [rsp]
            0x48, 0x83, 0xc4, 0x20, // add rsp, 32
            0x58, // pop rax
            0x5d, // pop rbp
            0x48, 0xcf, // iretq
        ];
        assert_eq!(
            kinds(&code),
            [
                Kind::Save {
                    reg: "rbp".into(),
                    alloc: 8
                },
                Kind::StackFrame,
                Kind::Save {
                    reg: "rax".into(),
                    alloc: 8
                },
                Kind::StackFrame,
                Kind::StackAlloc(32),
                Kind::Save {
                    reg: "xmm0".into(),
                    alloc: 0
                },
                Kind::ClearDirection,
                Kind::Call(Some(0x1000 + 23)),
                Kind::Restore {
                    reg: "xmm0".into(),
                    free: 0
                },
                Kind::StackFree(32),
                Kind::Restore {
                    reg: "rax".into(),
                    free: 8
                },
                Kind::Restore {
                    reg: "rbp".into(),
                    free: 8
                },
                Kind::InterruptReturn,
            ]
        );
    }

    #[test]
    fn frame_teardown_is_told_from_setup() {
        let k = kinds(&[
            0x48, 0x89, 0xec, // mov rsp, rbp
            0x48, 0x8d, 0x65, 0xf8, // lea rsp, [rbp - 8]
            0x48, 0x8d, 0x64, 0x24, 0x08, // lea rsp, [rsp + 8]
        ]);
        assert_eq!(
            k,
            [Kind::StackRestore, Kind::StackRestore, Kind::StackFrame]
        );
    }

    #[test]
    fn other_instructions_note_what_they_write() {
        // inc qword ptr [rip]; mov eax, 1
        let k = kinds(&[0x48, 0xff, 0x05, 0, 0, 0, 0, 0xb8, 1, 0, 0, 0]);
        assert_eq!(k[0], Kind::Other { writes: vec![] });
        assert_eq!(
            k[1],
            Kind::Other {
                writes: vec!["rax".into()]
            }
        );
    }
}
