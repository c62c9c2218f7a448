//! Large outputs in V8-allocated ArrayBuffers. napi-rs hands a `Vec` to JS as an external
//! buffer that V8 releases only at a full GC; at 2 MiB per decoded chunk that churn made
//! native decodes slower than WebAssembly. Writing straight into V8's own memory avoids the
//! churn and, where the output size is known up front, the copy as well.

use napi::bindgen_prelude::{ArrayBuffer, BigUint64ArraySlice, FromNapiValue};
use napi::{Env, check_status, sys};

/// A `BigUint64Array` of `len` values backed by V8's allocator, written by `fill`.
pub fn big_u64_array_with<'e>(
    env: &'e Env,
    len: usize,
    fill: impl FnOnce(&mut [u64]) -> napi::Result<()>,
) -> napi::Result<BigUint64ArraySlice<'e>> {
    let bytes =
        len.checked_mul(8).ok_or_else(|| napi::Error::from_reason(format!("{len} values are too many")))?;
    let mut value = std::ptr::null_mut();
    let mut data = std::ptr::null_mut();
    // SAFETY: napi_create_arraybuffer allocates `bytes` zeroed bytes owned by V8, stores
    // their address in `data` and the buffer in `value`, both valid in this handle scope.
    unsafe { check_status!(sys::napi_create_arraybuffer(env.raw(), bytes, &mut data, &mut value)) }?;
    // SAFETY: `value` is the ArrayBuffer napi just created in this environment.
    let buffer = unsafe { ArrayBuffer::from_napi_value(env.raw(), value) }?;
    let mut array = BigUint64ArraySlice::from_arraybuffer(&buffer, 0, len)?;
    if len == 0 {
        fill(&mut [])?;
    } else {
        // SAFETY: the buffer is new and no JS runs before this function returns, so nothing
        // else can read or write it while `fill` holds the slice. (napi 3.4's
        // `BigUint64ArraySlice::copy_from` gets the byte length wrong, hence this route.)
        fill(unsafe { array.as_mut() })?;
    }
    Ok(array)
}
