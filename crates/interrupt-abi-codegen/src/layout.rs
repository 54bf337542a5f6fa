//! Hardware interrupt frames: the words the CPU pushes, lowest address first.
//!
//! The runtime crate's frame structs assert their field offsets against these
//! tables at compile time, and the emitters take frame sizes from them, so the
//! two cannot drift apart.

/// A frame the CPU pushes on interrupt entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLayout {
    /// Size of one pushed word in bytes.
    pub word: usize,
    /// Field names in address order.
    pub fields: &'static [&'static str],
}

impl FrameLayout {
    /// Size of the frame in bytes (without an error code).
    pub const fn size(&self) -> usize {
        self.word * self.fields.len()
    }

    /// Byte offset of the field called `name`; fails const evaluation when the
    /// name is not in the table, which is what the runtime's assertions want.
    pub const fn offset(&self, name: &str) -> usize {
        let mut i = 0;
        while i < self.fields.len() {
            if str_eq(self.fields[i], name) {
                return i * self.word;
            }
            i += 1;
        }
        panic!("field is not part of the hardware frame")
    }
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Long mode always pushes all five words (and aligns RSP to 16 first).
pub const X86_64: FrameLayout = FrameLayout {
    word: 8,
    fields: &[
        "instruction_pointer",
        "code_segment",
        "cpu_flags",
        "stack_pointer",
        "stack_segment",
    ],
};

/// Protected mode without a privilege change pushes three words; ESP and SS
/// follow only when the interrupt came from a less privileged ring.
pub const X86: FrameLayout = FrameLayout {
    word: 4,
    fields: &["instruction_pointer", "code_segment", "cpu_flags"],
};

/// What the ARM exception entries push: the caller-saved registers and the
/// (adjusted) return address, in `ldm` order.
pub const ARM_EXCEPTION: FrameLayout = FrameLayout {
    word: 4,
    fields: &["r0", "r1", "r2", "r3", "r12", "return_address"],
};

/// What the AArch64 entry stores: x0-x30, then the exception registers.
pub const AARCH64_EXCEPTION: FrameLayout = FrameLayout {
    word: 8,
    fields: &[
        "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
        "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26",
        "x27", "x28", "x29", "x30", "elr", "spsr", "esr", "far",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_push_order() {
        assert_eq!(X86_64.size(), 40);
        assert_eq!(X86_64.offset("instruction_pointer"), 0);
        assert_eq!(X86_64.offset("stack_segment"), 32);
        assert_eq!(X86.size(), 12);
        assert_eq!(X86.offset("cpu_flags"), 8);
        assert_eq!(ARM_EXCEPTION.offset("return_address"), 20);
        assert_eq!(AARCH64_EXCEPTION.offset("elr"), 248);
        assert_eq!(AARCH64_EXCEPTION.size(), 280);
    }

    #[test]
    #[should_panic(expected = "not part of the hardware frame")]
    fn unknown_field_is_refused() {
        X86_64.offset("error_code");
    }
}
