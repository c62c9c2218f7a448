//! Large outputs in V8-allocated ArrayBuffers. napi-rs hands a `Vec` to JS as an external
//! buffer that V8 releases only at a full GC; at 2 MiB per decoded chunk that churn made
//! native decodes slower than WebAssembly. One copy into V8's own memory is far cheaper.
//! (napi 3.4's `BigUint64ArraySlice::copy_from` gets the byte length wrong, hence the raw call.)

use napi::bindgen_prelude::{ArrayBuffer, BigUint64ArraySlice, FromNapiValue};
use napi::{Env, check_status, sys};

/// `data` as a `BigUint64Array` backed by V8's allocator.
pub fn big_u64_array<'e>(env: &'e Env, data: &[u64]) -> napi::Result<BigUint64ArraySlice<'e>> {
    let bytes: &[u8] = bytemuck::cast_slice(data);
    let mut value = std::ptr::null_mut();
    let mut target = std::ptr::null_mut();
    // SAFETY: napi_create_arraybuffer allocates `bytes.len()` bytes owned by V8 and stores
    // their address in `target`; no JS code can see the buffer before this function returns,
    // and the copy writes exactly that many bytes from a distinct Rust allocation.
    unsafe {
        check_status!(sys::napi_create_arraybuffer(env.raw(), bytes.len(), &mut target, &mut value))?;
        if !bytes.is_empty() {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), target.cast::<u8>(), bytes.len());
        }
    }
    // SAFETY: `value` is the ArrayBuffer napi just created in this environment.
    let buffer = unsafe { ArrayBuffer::from_napi_value(env.raw(), value) }?;
    BigUint64ArraySlice::from_arraybuffer(&buffer, 0, data.len())
}
