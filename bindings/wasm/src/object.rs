//! Plain JS objects shaped like the Node addon's `#[napi(object)]` results.

use wasm_bindgen::{JsError, JsValue};

/// Builds `{ key: value, ... }`.
pub(crate) fn object(fields: &[(&str, JsValue)]) -> Result<JsValue, JsError> {
    let obj = js_sys::Object::new();
    for (k, v) in fields {
        js_sys::Reflect::set(&obj, &JsValue::from_str(k), v)
            .map_err(|_| JsError::new("Reflect.set failed"))?;
    }
    Ok(obj.into())
}

/// `{ data: BigUint64Array, shape: Uint32Array }`, the same object the Node addon returns.
pub(crate) fn volume_object(data: Vec<u64>, shape: [usize; 3]) -> Result<JsValue, JsError> {
    object(&[("data", u64s(&data)), ("shape", u32s(&shape.map(|d| d as u32)))])
}

pub(crate) fn u8s(v: &[u8]) -> JsValue {
    js_sys::Uint8Array::from(v).into()
}
pub(crate) fn u32s(v: &[u32]) -> JsValue {
    js_sys::Uint32Array::from(v).into()
}
pub(crate) fn i32s(v: &[i32]) -> JsValue {
    js_sys::Int32Array::from(v).into()
}
pub(crate) fn u64s(v: &[u64]) -> JsValue {
    js_sys::BigUint64Array::from(v).into()
}
pub(crate) fn f64s(v: &[f64]) -> JsValue {
    js_sys::Float64Array::from(v).into()
}
