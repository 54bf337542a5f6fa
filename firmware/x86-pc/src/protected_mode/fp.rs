//! The floating-point half of the 32-bit torture loop, in the variant that
//! matches the target's trampoline:
//!
//! - with SSE (`i686`, `fxsave` trampolines): the x87 stack, its control
//!   word, XMM0-7 and MXCSR, checked through an `fxsave` image;
//! - x87 only (`i586`, `fnsave` trampolines): the x87 stack and control
//!   word, checked through an `fnsave` image.
//!
//! The loop loads the registers from the statics below and compares the
//! image with immediates the assembler computes from the same formulas
//! (`fp_load!`, `fp_check!`), so a mismatch of the two fails at once. The
//! control words are non-default (rounding toward zero): a trampoline that
//! hands the body a reset FPU and forgets to restore it is caught too.

/// x87 control word: round toward zero, 64-bit precision, all exceptions
/// masked (the default after `fninit` is 0x037F).
pub const FCW: u16 = 0x0F7F;
pub static FCW_WORD: u16 = FCW;

/// x87 value k (the k-th loaded, ST(7 - k) once all eight are loaded) has
/// mantissa `0x80000000_00000000 | (X87_BASE + STEP k) << 32 | (X87_BASE +
/// STEP k + 1)`, exponent `0x3FFF + k`, sign 0: normal numbers, stored
/// unchanged in both image formats.
pub const X87_BASE: u32 = 0x2468_ACE0;
pub const STEP: u32 = 0x0101_0101;

/// The x87 patterns as the loop loads them: 80-bit values in 16-byte
/// slots, as mantissa low, mantissa high, exponent.
#[repr(C, align(16))]
pub struct Slots(pub [[u32; 4]; 8]);

pub static X87: Slots = {
    let mut s = [[0; 4]; 8];
    let mut k = 0;
    while k < 8 {
        let v = X87_BASE + STEP * k as u32;
        s[k] = [v + 1, 0x8000_0000 | v, 0x3FFF + k as u32, 0];
        k += 1;
    }
    Slots(s)
};

/// Where the loop stores the image (512 bytes: `fxsave` needs that many,
/// 16-aligned; `fnsave` 108).
#[repr(C, align(16))]
pub struct Image(pub [u32; 128]);
pub static mut IMAGE: Image = Image([0; 128]);

/// A field of the image that differs from the patterns.
pub struct Mismatch {
    pub field: &'static str,
    pub index: usize,
    pub found: u32,
    pub expected: u32,
}

/// Little-endian word at `byte` of the image.
fn image_word(byte: usize) -> u32 {
    // SAFETY: the loop stored the image and no longer runs.
    let image = unsafe { &(*(&raw const IMAGE)).0 };
    let (word, shift) = (byte / 4, 8 * (byte % 4));
    if shift == 0 {
        image[word]
    } else {
        image[word] >> shift | image[word + 1] << (32 - shift)
    }
}

/// Compares the x87 registers stored at `st0`, `stride` bytes apart.
fn x87_mismatch(st0: usize, stride: usize) -> Option<Mismatch> {
    (0..8).find_map(|m| {
        let want = X87.0[7 - m];
        let got = [
            image_word(st0 + stride * m),
            image_word(st0 + stride * m + 4),
            image_word(st0 + stride * m + 8) & 0xFFFF,
        ];
        (0..3).find(|&w| got[w] != want[w]).map(|w| Mismatch {
            field: "st",
            index: m,
            found: got[w],
            expected: want[w],
        })
    })
}

/// Compares `(name, found, expected)` triples.
fn first_mismatch(fields: &[(&'static str, u32, u32)]) -> Option<Mismatch> {
    fields.iter().find(|f| f.1 != f.2).map(|f| Mismatch {
        field: f.0,
        index: 0,
        found: f.1,
        expected: f.2,
    })
}

#[cfg(target_feature = "sse")]
mod imp {
    use super::*;

    /// MXCSR: round toward zero, all exceptions masked, no flags (default 0x1F80).
    pub const MXCSR: u32 = 0x7F80;
    pub static MXCSR_WORD: u32 = MXCSR;
    /// XMM i, dword j = `XMM_BASE + STEP * (4 i + j)`.
    pub const XMM_BASE: u32 = 0x1357_9BDF;
    pub static XMM: Slots = {
        let mut s = [[0; 4]; 8];
        let mut i = 0;
        while i < 8 {
            let mut j = 0;
            while j < 4 {
                s[i][j] = XMM_BASE + STEP * (4 * i as u32 + j as u32);
                j += 1;
            }
            i += 1;
        }
        Slots(s)
    };

    /// Checks `fp_check!` makes: control, status, tags, MXCSR, 8 x87, 8 XMM.
    pub const CHECKS: u32 = 4 + 8 + 8;
    /// Instructions `fp_check!` executes when everything matches.
    pub const CHECK_INSNS: u32 = 1 + 4 * 2 + 8 * 3 * 2 + 8 * 4 * 2 + 1;

    /// Loads the FP registers; operands `fcw`, `mxcsr`, `x87`, `xmm`.
    macro_rules! fp_load {
        () => {
            concat!(
                "fninit\n",
                "fldcw word ptr [{fcw}]\n",
                "ldmxcsr dword ptr [{mxcsr}]\n",
                ".irp k, 0,1,2,3,4,5,6,7\n",
                "fld tbyte ptr [{x87} + 16 * \\k]\n",
                "movdqa xmm\\k, xmmword ptr [{xmm} + 16 * \\k]\n",
                ".endr",
            )
        };
    }

    /// Stores the image and compares it; jumps to `36f` on a mismatch.
    /// Operands `image`, `fcw_value`, `mxcsr_value`, `x87_base`,
    /// `xmm_base`, `step`.
    macro_rules! fp_check {
        () => {
            concat!(
                "fxsave [{image}]\n",
                "cmp word ptr [{image}], {fcw_value}\n",
                "jne 36f\n",
                // Status word: TOP = 0 (eight values pushed), no exception flags.
                "test word ptr [{image} + 2], 0x38FF\n",
                "jnz 36f\n",
                // Abridged tag word: all eight registers valid.
                "cmp byte ptr [{image} + 4], 0xFF\n",
                "jne 36f\n",
                "cmp dword ptr [{image} + 24], {mxcsr_value}\n",
                "jne 36f\n",
                // ST(m) holds value k = 7 - m.
                ".irp m, 0,1,2,3,4,5,6,7\n",
                "cmp dword ptr [{image} + 32 + 16 * \\m], {x87_base} + {step} * (7 - \\m) + 1\n",
                "jne 36f\n",
                "cmp dword ptr [{image} + 36 + 16 * \\m], 0x80000000 + {x87_base} + {step} * (7 - \\m)\n",
                "jne 36f\n",
                "cmp word ptr [{image} + 40 + 16 * \\m], 0x3FFF + 7 - \\m\n",
                "jne 36f\n",
                ".endr\n",
                ".irp i, 0,1,2,3,4,5,6,7\n",
                ".irp j, 0,1,2,3\n",
                "cmp dword ptr [{image} + 160 + 16 * \\i + 4 * \\j], {xmm_base} + {step} * (4 * \\i + \\j)\n",
                "jne 36f\n",
                ".endr\n",
                ".endr\n",
                // Pads the loop to a prime length.
                "nop",
            )
        };
    }

    /// Leaves the FPU as the ABI expects: empty stack, default controls.
    macro_rules! fp_reset {
        () => {
            concat!(
                "fninit\n",
                "push 0x1F80\n",
                "ldmxcsr dword ptr [esp]\n",
                "add esp, 4",
            )
        };
    }

    pub(crate) use {fp_check, fp_load, fp_reset};

    /// The first field of the `fxsave` image that differs from the patterns.
    pub fn mismatch() -> Option<Mismatch> {
        first_mismatch(&[
            ("fcw", image_word(0) & 0xFFFF, u32::from(FCW)),
            ("fsw_top_and_flags", image_word(2) & 0x38FF, 0),
            ("ftw", image_word(4) & 0xFF, 0xFF),
            ("mxcsr", image_word(24), MXCSR),
        ])
        .or_else(|| x87_mismatch(32, 16))
        .or_else(|| {
            (0..32).find_map(|n| {
                let (found, expected) = (image_word(160 + 4 * n), XMM.0[n / 4][n % 4]);
                (found != expected).then_some(Mismatch {
                    field: "xmm",
                    index: n / 4,
                    found,
                    expected,
                })
            })
        })
    }
}

#[cfg(not(target_feature = "sse"))]
mod imp {
    use super::*;

    /// Checks `fp_check!` makes: control, status, tags, 8 x87.
    pub const CHECKS: u32 = 3 + 8;
    /// Instructions `fp_check!` executes when everything matches.
    pub const CHECK_INSNS: u32 = 2 + 3 * 2 + 8 * 3 * 2 + 4;

    /// Loads the x87 registers; operands `fcw`, `x87`.
    macro_rules! fp_load {
        () => {
            concat!(
                "fninit\n",
                "fldcw word ptr [{fcw}]\n",
                ".irp k, 0,1,2,3,4,5,6,7\n",
                "fld tbyte ptr [{x87} + 16 * \\k]\n",
                ".endr",
            )
        };
    }

    /// Stores the image (`fnsave` then resets the FPU: `frstor` reloads
    /// it) and compares it; jumps to `36f` on a mismatch. Operands
    /// `image`, `fcw_value`, `x87_base`, `step`.
    macro_rules! fp_check {
        () => {
            concat!(
                "fnsave [{image}]\n",
                "frstor [{image}]\n",
                "cmp word ptr [{image}], {fcw_value}\n",
                "jne 36f\n",
                "test word ptr [{image} + 4], 0x38FF\n",
                "jnz 36f\n",
                // Full tag word: 00 (valid) for all eight registers.
                "cmp word ptr [{image} + 8], 0\n",
                "jne 36f\n",
                ".irp m, 0,1,2,3,4,5,6,7\n",
                "cmp dword ptr [{image} + 28 + 10 * \\m], {x87_base} + {step} * (7 - \\m) + 1\n",
                "jne 36f\n",
                "cmp dword ptr [{image} + 32 + 10 * \\m], 0x80000000 + {x87_base} + {step} * (7 - \\m)\n",
                "jne 36f\n",
                "cmp word ptr [{image} + 36 + 10 * \\m], 0x3FFF + 7 - \\m\n",
                "jne 36f\n",
                ".endr\n",
                // Pads the loop to a prime length.
                ".rept 4\n",
                "nop\n",
                ".endr",
            )
        };
    }

    /// Leaves the FPU as the ABI expects: empty stack, default control word.
    macro_rules! fp_reset {
        () => {
            "fninit"
        };
    }

    pub(crate) use {fp_check, fp_load, fp_reset};

    /// The first field of the `fnsave` image that differs from the patterns.
    pub fn mismatch() -> Option<Mismatch> {
        first_mismatch(&[
            ("fcw", image_word(0) & 0xFFFF, u32::from(FCW)),
            ("fsw_top_and_flags", image_word(4) & 0x38FF, 0),
            ("ftw", image_word(8) & 0xFFFF, 0),
        ])
        .or_else(|| x87_mismatch(28, 10))
    }
}

pub use imp::*;
