//! The rules of each ABI, checked on the parsed item; every violation is an
//! error on the user's own tokens, and all of them are reported together.
//!
//! Types the macro cannot judge by syntax (is this the hardware frame of the
//! target being compiled for?) are left to rustc through trait bounds that
//! `expand` emits on the user's type spans.

use interrupt_abi_codegen::Abi;
use interrupt_abi_codegen::convention::Shape;
use syn::spanned::Spanned;
use syn::{FnArg, ReturnType, Type};

use crate::parse::{ATTRS_HELP, AttrKind, Errors, Parsed, attr_kind};

/// A handler that passed every check.
pub struct Checked {
    pub abi: Abi,
    pub shape: Shape,
    /// x86: the frame's pointee type, and whether it is `&mut`.
    pub frame: Option<(Type, bool)>,
    /// x86: the error-code type.
    pub error_code: Option<Type>,
}

pub fn known_abis() -> String {
    Abi::ALL
        .iter()
        .map(|a| format!("\"{}\"", a.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ABI named by `extern "..."`, if it is one we know.
pub fn abi_of(parsed: &Parsed) -> Option<Abi> {
    let name = parsed.item.sig.abi.as_ref()?.name.as_ref()?;
    Abi::from_name(&name.value())
}

pub fn check(parsed: &Parsed) -> syn::Result<Checked> {
    let mut errors = parsed.option_errors.clone();
    let sig = &parsed.item.sig;

    for attr in &parsed.item.attrs {
        if let AttrKind::Unsupported = attr_kind(attr) {
            errors.push(attr, format!("unsupported attribute: {ATTRS_HELP}"));
        }
    }
    let names: Vec<_> = parsed
        .item
        .attrs
        .iter()
        .filter(|a| matches!(attr_kind(a), AttrKind::NoMangle | AttrKind::ExportName))
        .collect();
    for attr in names.iter().skip(1) {
        errors.push(
            attr,
            "the entry symbol has one name: use `no_mangle` or one `export_name`",
        );
    }

    if let Some(c) = &sig.constness {
        errors.push(
            c,
            "an interrupt handler cannot be `const`: only the hardware calls it",
        );
    }
    if let Some(a) = &sig.asyncness {
        errors.push(
            a,
            "an interrupt handler cannot be `async`: the hardware cannot poll a future",
        );
    }
    if !sig.generics.params.is_empty() {
        errors.push(
            &sig.generics,
            "an interrupt handler cannot be generic: the hardware jumps to one fixed entry",
        );
    }
    if let Some(w) = &sig.generics.where_clause {
        errors.push(w, "an interrupt handler cannot have a `where` clause");
    }
    if let Some(v) = &sig.variadic {
        errors.push(v, "an interrupt handler cannot be variadic");
    }

    let abi = match &sig.abi {
        None => {
            errors.push(sig.fn_token, format!(
                "an interrupt handler names its ABI: `extern \"<abi>\" fn`, where <abi> is one of {}",
                known_abis()
            ));
            None
        }
        Some(syn::Abi {
            name: None,
            extern_token,
        }) => {
            errors.push(
                extern_token,
                format!("name the interrupt ABI: one of {}", known_abis()),
            );
            None
        }
        Some(syn::Abi {
            name: Some(name), ..
        }) => {
            let abi = Abi::from_name(&name.value());
            if abi.is_none() {
                errors.push(
                    name,
                    format!(
                        "`{}` is not an interrupt ABI `#[interrupt]` knows; use one of {}",
                        name.value(),
                        known_abis()
                    ),
                );
            }
            abi
        }
    };

    let diverges = match &sig.output {
        ReturnType::Default => false,
        ReturnType::Type(_, ty) => match &**ty {
            Type::Never(_) => true,
            Type::Tuple(t) if t.elems.is_empty() => false,
            other => {
                errors.push(other, "an interrupt handler returns `()` or `!`: there is no caller to receive a value");
                false
            }
        },
    };

    let mut frame = None;
    let mut error_code = None;
    if let Some(abi) = abi {
        let args: Vec<&FnArg> = sig.inputs.iter().collect();
        for arg in &args {
            if let FnArg::Receiver(r) = arg {
                errors.push(r, "an interrupt handler cannot take `self`: it is a free function the hardware calls");
            }
        }
        if args.len() > abi.max_args() {
            for extra in &args[abi.max_args()..] {
                errors.push(
                    extra,
                    format!(
                        "too many arguments for `extern \"{}\"`: it takes {}",
                        abi.name(),
                        abi.signature_help()
                    ),
                );
            }
        }
        if abi == Abi::X86Interrupt {
            match args.first() {
                None => errors.push_at(
                    sig.paren_token.span.join(),
                    format!(
                        "an `extern \"x86-interrupt\"` handler receives the interrupt frame: {}",
                        abi.signature_help()
                    ),
                ),
                Some(FnArg::Typed(arg)) => {
                    frame = check_frame(&arg.ty, sig.unsafety.is_some(), &mut errors)
                }
                Some(FnArg::Receiver(_)) => {}
            }
            if let Some(FnArg::Typed(arg)) = args.get(1) {
                error_code = Some((*arg.ty).clone());
            }
        }
        if let Some(span) = parsed.options.nested {
            if abi.nests_natively() {
                errors.push_at(span, format!(
                    "`nested` makes no sense for `extern \"{}\"`: the CPU saves the return state in the \
                     frame, so the body may re-enable interrupts (`sti`) as it is",
                    abi.name()
                ));
            } else if diverges {
                errors.push_at(
                    span,
                    "`nested` makes no sense for a handler that never returns",
                );
            }
        }
    }

    let shape = Shape {
        error_code: error_code.is_some(),
        diverges,
        nested: parsed.options.nested.is_some(),
    };
    match abi {
        Some(abi) => errors.finish(Checked {
            abi,
            shape,
            frame,
            error_code,
        }),
        // Every way of reaching here has recorded an error already.
        None => Err(errors.fail(sig.span(), "no interrupt ABI named")),
    }
}

/// The frame is passed by reference, without a named lifetime; `&mut` lets
/// the body redirect the CPU, so it requires an `unsafe fn`.
fn check_frame(ty: &Type, is_unsafe: bool, errors: &mut Errors) -> Option<(Type, bool)> {
    let Type::Reference(r) = ty else {
        errors.push(ty, "the interrupt frame is passed by reference: `&InterruptStackFrame` or `&mut InterruptStackFrame`");
        return None;
    };
    if let Some(l) = &r.lifetime {
        errors.push(
            l,
            "the frame reference lives only as long as the interrupt: leave its lifetime elided",
        );
    }
    let mutable = r.mutability.is_some();
    if mutable && !is_unsafe {
        errors.push(
            ty,
            "writing the frame decides where the CPU resumes: a handler taking \
             `&mut InterruptStackFrame` must be declared `unsafe extern \"x86-interrupt\" fn`",
        );
    }
    Some(((*r.elem).clone(), mutable))
}
