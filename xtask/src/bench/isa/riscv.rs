//! A RISC-V decoder for the instructions prologues and epilogues are made
//! of: stack-pointer adjustments, `sp`-relative integer and FP stores and
//! loads (32-bit and compressed forms), CSR accesses, calls, jumps and
//! returns. Every other instruction is only sized (the two low bits say
//! 16 or 32 bits) and its destination register noted, so a save of a
//! register the function has already overwritten is not taken for a save
//! of the interrupted code's value.

use super::{Insn, Kind};

/// ABI names of x0-x31.
pub const XREGS: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

/// ABI names of f0-f31.
pub const FREGS: [&str; 32] = [
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2",
    "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9",
    "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
];

const SP: u32 = 2;
const RA: u32 = 1;

/// CSRs whose save and restore belong to an interrupt entry and exit.
fn trap_csr(csr: u32) -> Option<&'static str> {
    match csr {
        0x003 => Some("fcsr"),
        0x100 => Some("sstatus"),
        0x141 => Some("sepc"),
        0x300 => Some("mstatus"),
        0x341 => Some("mepc"),
        _ => None,
    }
}

fn x(n: u32) -> String {
    XREGS[n as usize].to_string()
}

fn f(n: u32) -> String {
    FREGS[n as usize].to_string()
}

/// Sign-extends the low `bits` bits of `v`.
fn sext(v: u32, bits: u32) -> i64 {
    let shift = 32 - bits;
    i64::from(((v << shift) as i32) >> shift)
}

fn bit(v: u32, n: u32) -> u32 {
    (v >> n) & 1
}

fn bits(v: u32, hi: u32, lo: u32) -> u32 {
    (v >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// Decodes `code` loaded at `addr`, for XLEN `xlen` (32 or 64; it decides
/// what some compressed encodings mean).
pub fn decode(code: &[u8], addr: u64, xlen: u32) -> Vec<Insn> {
    let mut out = Vec::new();
    let mut at = 0usize;
    // `auipc ra, hi` of an `auipc`+`jalr` call pair: (address, value).
    let mut auipc_ra: Option<(u64, u64)> = None;
    while at + 2 <= code.len() {
        let pc = addr + at as u64;
        let half = u32::from(u16::from_le_bytes([code[at], code[at + 1]]));
        let (len, kind) = if half & 3 != 3 {
            (2u8, compressed(half, pc, xlen))
        } else if at + 4 <= code.len() {
            let word = u32::from_le_bytes(code[at..at + 4].try_into().unwrap());
            let kind = match full(word, pc) {
                // `jalr ra, lo(ra)` right after `auipc ra, hi`: a direct call.
                Kind::Call(None)
                    if bits(word, 19, 15) == RA && auipc_ra.is_some_and(|(a, _)| a + 4 == pc) =>
                {
                    let (_, base) = auipc_ra.unwrap();
                    Kind::Call(Some(base.wrapping_add(sext(word >> 20, 12) as u64)))
                }
                kind => kind,
            };
            auipc_ra = (word & 0x7f == 0x17 && bits(word, 11, 7) == RA).then(|| {
                (
                    pc,
                    pc.wrapping_add((word & 0xffff_f000) as i32 as i64 as u64),
                )
            });
            (4u8, kind)
        } else {
            break;
        };
        if len == 2 {
            auipc_ra = None;
        }
        out.push(Insn {
            addr: pc,
            len,
            kind,
        });
        at += usize::from(len);
    }
    out
}

/// A 32-bit instruction.
fn full(w: u32, pc: u64) -> Kind {
    let (rd, rs1, rs2, funct3) = (
        bits(w, 11, 7),
        bits(w, 19, 15),
        bits(w, 24, 20),
        bits(w, 14, 12),
    );
    let i_imm = sext(w >> 20, 12);
    let writes_x = |rd: u32| Kind::Other {
        writes: if rd == 0 { vec![] } else { vec![x(rd)] },
    };
    match w & 0x7f {
        // STORE: sw, sd
        0x23 if rs1 == SP && (funct3 == 2 || funct3 == 3) => Kind::Save {
            reg: x(rs2),
            alloc: 0,
        },
        // STORE-FP: fsw, fsd
        0x27 if rs1 == SP && (funct3 == 2 || funct3 == 3) => Kind::Save {
            reg: f(rs2),
            alloc: 0,
        },
        0x23 | 0x27 => Kind::Other { writes: vec![] },
        // LOAD: lw, ld from the stack; other loads only write rd.
        0x03 if rs1 == SP && (funct3 == 2 || funct3 == 3) => Kind::Restore {
            reg: x(rd),
            free: 0,
        },
        0x03 => writes_x(rd),
        0x07 if rs1 == SP => Kind::Restore {
            reg: f(rd),
            free: 0,
        },
        0x07 => Kind::Other {
            writes: vec![f(rd)],
        },
        // OP-IMM: addi sp, sp, imm
        0x13 if funct3 == 0 && rd == SP && rs1 == SP => stack_adjust(i_imm),
        0x13 | 0x1b | 0x33 | 0x3b | 0x37 | 0x17 | 0x2f => writes_x(rd),
        // JAL
        0x6f => {
            let imm = (bit(w, 31) << 20)
                | (bits(w, 19, 12) << 12)
                | (bit(w, 20) << 11)
                | (bits(w, 30, 21) << 1);
            let target = pc.wrapping_add(sext(imm, 21) as u64);
            match rd {
                RA => Kind::Call(Some(target)),
                _ => Kind::Jump,
            }
        }
        // JALR
        0x67 => match (rd, rs1, i_imm) {
            (0, RA, 0) => Kind::Return,
            (RA, _, _) => Kind::Call(None),
            _ => Kind::Jump,
        },
        // BRANCH
        0x63 => Kind::Jump,
        // SYSTEM
        0x73 => system(w, rd, rs1, funct3),
        // Floating point: results go to an f register, except moves,
        // conversions and comparisons into x registers.
        0x53 => match bits(w, 31, 27) {
            0b11100 | 0b11000 | 0b10100 => writes_x(rd),
            _ => Kind::Other {
                writes: vec![f(rd)],
            },
        },
        0x43 | 0x47 | 0x4b | 0x4f => Kind::Other {
            writes: vec![f(rd)],
        },
        _ => Kind::Other { writes: vec![] },
    }
}

fn stack_adjust(imm: i64) -> Kind {
    if imm < 0 {
        Kind::StackAlloc(imm.unsigned_abs())
    } else {
        Kind::StackFree(imm as u64)
    }
}

fn system(w: u32, rd: u32, rs1: u32, funct3: u32) -> Kind {
    match w {
        0x3020_0073 | 0x1020_0073 => return Kind::InterruptReturn,
        _ => {}
    }
    let csr = w >> 20;
    let Some(name) = trap_csr(csr) else {
        return Kind::Other {
            writes: if rd == 0 { vec![] } else { vec![x(rd)] },
        };
    };
    match funct3 {
        // csrr rd, csr (csrrs rd, csr, x0)
        2 if rs1 == 0 && rd != 0 => Kind::CsrRead {
            csr: name.into(),
            reg: x(rd),
        },
        // csrw, and masking with csrc/csrci: the exit's side of it.
        1 | 3 | 5 | 7 if rd == 0 => Kind::CsrWrite { csr: name.into() },
        _ => Kind::Other {
            writes: if rd == 0 { vec![] } else { vec![x(rd)] },
        },
    }
}

/// A 16-bit (RVC) instruction.
fn compressed(h: u32, pc: u64, xlen: u32) -> Kind {
    let funct3 = bits(h, 15, 13);
    let rd = bits(h, 11, 7);
    let rs2 = bits(h, 6, 2);
    let rd_prime = 8 + bits(h, 4, 2);
    let rs1_prime = 8 + bits(h, 9, 7);
    let writes_x = |rd: u32| Kind::Other {
        writes: if rd == 0 { vec![] } else { vec![x(rd)] },
    };
    match (h & 3, funct3) {
        // Quadrant 0: c.addi4spn, loads and stores relative to x8-x15.
        (0, 0) | (0, 2) => writes_x(rd_prime),
        (0, 1) => Kind::Other {
            writes: vec![f(rd_prime)],
        },
        (0, 3) if xlen == 32 => Kind::Other {
            writes: vec![f(rd_prime)],
        },
        (0, 3) => writes_x(rd_prime),
        (0, _) => Kind::Other { writes: vec![] },
        // Quadrant 1
        (1, 0) if rd == SP => stack_adjust(sext((bit(h, 12) << 5) | rs2, 6)),
        (1, 0) | (1, 2) => writes_x(rd),
        (1, 1) if xlen == 32 => {
            // c.jal
            let imm = (bit(h, 12) << 11)
                | (bit(h, 11) << 4)
                | (bits(h, 10, 9) << 8)
                | (bit(h, 8) << 10)
                | (bit(h, 7) << 6)
                | (bit(h, 6) << 7)
                | (bits(h, 5, 3) << 1)
                | (bit(h, 2) << 5);
            Kind::Call(Some(pc.wrapping_add(sext(imm, 12) as u64)))
        }
        (1, 1) => writes_x(rd), // c.addiw
        (1, 3) if rd == SP => {
            // c.addi16sp
            let imm = (bit(h, 12) << 9)
                | (bit(h, 6) << 4)
                | (bit(h, 5) << 6)
                | (bits(h, 4, 3) << 7)
                | (bit(h, 2) << 5);
            stack_adjust(sext(imm, 10))
        }
        (1, 3) => writes_x(rd), // c.lui
        (1, 4) => writes_x(rs1_prime),
        (1, _) => Kind::Jump, // c.j, c.beqz, c.bnez
        // Quadrant 2
        (2, 0) => writes_x(rd), // c.slli
        (2, 1) => Kind::Restore {
            reg: f(rd),
            free: 0,
        }, // c.fldsp
        (2, 2) => Kind::Restore {
            reg: x(rd),
            free: 0,
        }, // c.lwsp
        (2, 3) if xlen == 32 => Kind::Restore {
            reg: f(rd),
            free: 0,
        }, // c.flwsp
        (2, 3) => Kind::Restore {
            reg: x(rd),
            free: 0,
        }, // c.ldsp
        (2, 4) => match (bit(h, 12), rd, rs2) {
            (0, RA, 0) => Kind::Return,
            (0, _, 0) => Kind::Jump,                     // c.jr
            (0, _, _) => writes_x(rd),                   // c.mv
            (1, 0, 0) => Kind::Other { writes: vec![] }, // c.ebreak
            (1, _, 0) => Kind::Call(None),               // c.jalr
            _ => writes_x(rd),                           // c.add
        },
        (2, 5) => Kind::Save {
            reg: f(rs2),
            alloc: 0,
        }, // c.fsdsp
        (2, 6) => Kind::Save {
            reg: x(rs2),
            alloc: 0,
        }, // c.swsp
        (2, 7) if xlen == 32 => Kind::Save {
            reg: f(rs2),
            alloc: 0,
        }, // c.fswsp
        (2, 7) => Kind::Save {
            reg: x(rs2),
            alloc: 0,
        }, // c.sdsp
        _ => Kind::Other { writes: vec![] },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(words: &[u32], xlen: u32) -> Vec<Kind> {
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        decode(&bytes, 0x8000_0000, xlen)
            .into_iter()
            .map(|i| i.kind)
            .collect()
    }

    fn halves(hs: &[u16], xlen: u32) -> Vec<Kind> {
        let bytes: Vec<u8> = hs.iter().flat_map(|h| h.to_le_bytes()).collect();
        decode(&bytes, 0x8000_0000, xlen)
            .into_iter()
            .map(|i| i.kind)
            .collect()
    }

    fn save(r: &str) -> Kind {
        Kind::Save {
            reg: r.into(),
            alloc: 0,
        }
    }

    fn restore(r: &str) -> Kind {
        Kind::Restore {
            reg: r.into(),
            free: 0,
        }
    }

    /// Encodings checked against GNU objdump (binutils 2.40).
    #[test]
    fn full_size_prologue_forms() {
        assert_eq!(
            kinds(
                &[
                    0xfc01_0113, // addi sp, sp, -64
                    0x0011_2023, // sw ra, 0(sp)
                    0x03f1_3c23, // sd t6, 56(sp)
                    0x0281_3427, // fsd fs0, 40(sp)
                    0x0001_2083, // lw ra, 0(sp)
                    0x0401_0113, // addi sp, sp, 64
                    0x3410_22f3, // csrr t0, mepc
                    0x3002_9073, // csrw mstatus, t0
                    0x3004_7073, // csrci mstatus, 8
                    0x3020_0073, // mret
                    0x0000_8067, // ret
                ],
                64
            ),
            [
                Kind::StackAlloc(64),
                save("ra"),
                save("t6"),
                save("fs0"),
                restore("ra"),
                Kind::StackFree(64),
                Kind::CsrRead {
                    csr: "mepc".into(),
                    reg: "t0".into()
                },
                Kind::CsrWrite {
                    csr: "mstatus".into()
                },
                Kind::CsrWrite {
                    csr: "mstatus".into()
                },
                Kind::InterruptReturn,
                Kind::Return,
            ]
        );
    }

    #[test]
    fn compressed_prologue_forms() {
        assert_eq!(
            halves(
                &[
                    0x7139, // c.addi16sp sp, -64
                    0x1141, // c.addi sp, -16
                    0xc006, // c.swsp ra, 0(sp)
                    0xde7e, // c.swsp t6, 60(sp)
                    0x4082, // c.lwsp ra, 0(sp)
                    0x6121, // c.addi16sp sp, 64
                    0x8082, // c.ret
                    0xe822, // c.sdsp s0, 16(sp)  (RV32: c.fswsp fs0)
                    0xa022, // c.fsdsp fs0, 0(sp)
                ],
                32
            ),
            [
                Kind::StackAlloc(64),
                Kind::StackAlloc(16),
                save("ra"),
                save("t6"),
                restore("ra"),
                Kind::StackFree(64),
                Kind::Return,
                save("fs0"),
                save("fs0"),
            ]
        );
        assert_eq!(halves(&[0xe822], 64), [save("s0")]);
    }

    #[test]
    fn calls_are_resolved() {
        // auipc ra, 0 ; jalr 762(ra)  (as linked in the bench firmware)
        let k = kinds(&[0x0000_0097, 0x2fa0_80e7], 32);
        assert_eq!(k[1], Kind::Call(Some(0x8000_0000 + 762)));
        // jal ra, +0x100
        assert_eq!(kinds(&[0x1000_00ef], 32), [Kind::Call(Some(0x8000_0100))]);
        // c.jal +8 (RV32 only; on RV64 the encoding is c.addiw)
        assert_eq!(halves(&[0x2021], 32), [Kind::Call(Some(0x8000_0008))]);
        assert_ne!(halves(&[0x2021], 64), [Kind::Call(Some(0x8000_0008))]);
    }

    #[test]
    fn other_instructions_are_sized_and_their_destination_noted() {
        let bytes = [0x37, 0x07, 0x00, 0x00, 0x85, 0x07]; // lui a4, 0 ; c.addi a5, 1
        let insns = decode(&bytes, 0, 32);
        assert_eq!(insns.len(), 2);
        assert_eq!((insns[0].len, insns[1].len), (4, 2));
        assert_eq!(
            insns[0].kind,
            Kind::Other {
                writes: vec!["a4".into()]
            }
        );
        assert_eq!(
            insns[1].kind,
            Kind::Other {
                writes: vec!["a5".into()]
            }
        );
    }
}
