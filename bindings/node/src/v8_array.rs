//! Large outputs in V8-allocated ArrayBuffers. napi-rs hands a `Vec` to JS as an external
//! buffer that V8 releases only at a full GC; at 2 MiB per decoded chunk that churn made
//! native decodes slower than WebAssembly. Writing straight into V8's own memory avoids the
//! churn and, where the output size is known up front, the copy as well.

use napi::bindgen_prelude::{ArrayBuffer, BigUint64ArraySlice, FromNapiValue, Uint32ArraySlice};
use napi::{Env, check_status, sys};

/// A zeroed ArrayBuffer of `len` elements of `width` bytes, owned by V8.
fn array_buffer<'e>(env: &'e Env, len: usize, width: usize) -> napi::Result<ArrayBuffer<'e>> {
    let bytes = len
        .checked_mul(width)
        .ok_or_else(|| napi::Error::from_reason(format!("{len} values are too many")))?;
    let mut value = std::ptr::null_mut();
    let mut data = std::ptr::null_mut();
    // SAFETY: napi_create_arraybuffer allocates `bytes` zeroed bytes owned by V8, stores
    // their address in `data` and the buffer in `value`, both valid in this handle scope.
    unsafe { check_status!(sys::napi_create_arraybuffer(env.raw(), bytes, &mut data, &mut value)) }?;
    // SAFETY: `value` is the ArrayBuffer napi just created in this environment.
    unsafe { ArrayBuffer::from_napi_value(env.raw(), value) }
}

macro_rules! filled_array {
    ($(#[$doc:meta])* $name:ident, $slice:ident, $t:ty) => {
        $(#[$doc])*
        pub fn $name<'e>(
            env: &'e Env,
            len: usize,
            fill: impl FnOnce(&mut [$t]) -> napi::Result<()>,
        ) -> napi::Result<$slice<'e>> {
            let buffer = array_buffer(env, len, size_of::<$t>())?;
            let mut array = $slice::from_arraybuffer(&buffer, 0, len)?;
            if len == 0 {
                fill(&mut [])?;
            } else {
                // SAFETY: the buffer is new and no JS runs before this function returns, so
                // nothing else can read or write it while `fill` holds the slice. (napi 3.4's
                // `copy_from` on these slices gets the byte length wrong, hence this route.)
                fill(unsafe { array.as_mut() })?;
            }
            Ok(array)
        }
    };
}

filled_array!(
    /// A `BigUint64Array` of `len` values backed by V8's allocator, written by `fill`.
    big_u64_array_with,
    BigUint64ArraySlice,
    u64
);
filled_array!(
    /// A `Uint32Array` of `len` values backed by V8's allocator, written by `fill`.
    u32_array_with,
    Uint32ArraySlice,
    u32
);
