//! Codec entry points: DVID blocks, compressed_segmentation, fused transcode, gzip/zstd.

use braid_core::boundary::codec as b;
use napi::Env;
use napi::bindgen_prelude::{
    AsyncTask, BigUint64Array, BigUint64ArraySlice, Uint8Array, Uint32Array, Uint32ArraySlice,
};
use napi_derive::napi;

use crate::error::OrJs;
use crate::tasks::{BytesTask, LabelsTask, VolumeTask, WordsTask};
use crate::v8_array::{big_u64_array_with, u32_array_with};

/// A decoded label volume, x-fastest.
#[napi(object)]
pub struct DecodedVolume {
    /// Voxel labels, `x + sx*(y + sy*z)`.
    pub data: BigUint64Array,
    /// `[x, y, z]`.
    pub shape: Uint32Array,
}

impl From<(Vec<u64>, [usize; 3])> for DecodedVolume {
    fn from((data, shape): (Vec<u64>, [usize; 3])) -> Self {
        DecodedVolume {
            data: BigUint64Array::new(data),
            shape: Uint32Array::new(shape.map(|d| d as u32).to_vec()),
        }
    }
}

/// [`DecodedVolume`] with its voxels in V8's memory (see `v8_array`).
#[napi(object, object_from_js = false)]
pub struct DecodedVolumeV8<'e> {
    #[napi(ts_type = "BigUint64Array")]
    pub data: BigUint64ArraySlice<'e>,
    pub shape: Uint32Array,
}

#[napi(ts_return_type = "DecodedVolume")]
pub fn decode_dvid_block<'e>(
    env: &'e Env,
    block: &[u8],
    labels: Option<&[u64]>,
) -> napi::Result<DecodedVolumeV8<'e>> {
    b::with_dvid_block(block, labels, |d| {
        Ok(DecodedVolumeV8 {
            data: big_u64_array_with(env, d.voxel_count(), |out| d.decode_into(out).or_js())?,
            shape: Uint32Array::new(d.shape().to_vec()),
        })
    })
    .or_js()?
}

#[napi(ts_return_type = "Promise<DecodedVolume>")]
pub fn decode_dvid_block_async(block: &[u8], labels: Option<&[u64]>) -> AsyncTask<VolumeTask> {
    let (block, labels) = (block.to_vec(), labels.map(<[u64]>::to_vec));
    AsyncTask::new(VolumeTask::new(move || b::decode_dvid_block(&block, labels.as_deref()).or_js()))
}

#[napi]
pub fn encode_dvid_block(volume: &[u64], shape: &[u32]) -> napi::Result<Uint8Array> {
    b::encode_dvid_block(volume, shape).or_js().map(Uint8Array::new)
}

#[napi]
pub fn encode_compressed_segmentation_u64(
    volume: &[u64],
    shape: &[u32],
    block_size: &[u32],
) -> napi::Result<Uint32Array> {
    b::encode_compressed_segmentation(volume, shape, block_size).or_js().map(Uint32Array::new)
}

#[napi]
pub fn encode_compressed_segmentation_u32(
    volume: &[u32],
    shape: &[u32],
    block_size: &[u32],
) -> napi::Result<Uint32Array> {
    b::encode_compressed_segmentation(volume, shape, block_size).or_js().map(Uint32Array::new)
}

#[napi(ts_return_type = "Promise<Uint32Array>")]
pub fn encode_compressed_segmentation_u64_async(
    volume: &[u64],
    shape: &[u32],
    block_size: &[u32],
) -> napi::Result<AsyncTask<WordsTask>> {
    let (layout, volume) = (b::CsegLayout::new(shape, block_size).or_js()?, volume.to_vec());
    Ok(AsyncTask::new(WordsTask::new(move || layout.encode(&volume).or_js())))
}

#[napi(ts_return_type = "BigUint64Array")]
pub fn decode_compressed_segmentation_u64<'e>(
    env: &'e Env,
    data: &[u8],
    shape: &[u32],
    block_size: &[u32],
) -> napi::Result<BigUint64ArraySlice<'e>> {
    let layout = b::CsegLayout::new(shape, block_size).or_js()?;
    big_u64_array_with(env, layout.decoded_len(data).or_js()?, |out| layout.decode_into(data, out).or_js())
}

#[napi(ts_return_type = "Uint32Array")]
pub fn decode_compressed_segmentation_u32<'e>(
    env: &'e Env,
    data: &[u8],
    shape: &[u32],
    block_size: &[u32],
) -> napi::Result<Uint32ArraySlice<'e>> {
    let layout = b::CsegLayout::new(shape, block_size).or_js()?;
    u32_array_with(env, layout.decoded_len(data).or_js()?, |out| layout.decode_into(data, out).or_js())
}

#[napi(ts_return_type = "Promise<BigUint64Array>")]
pub fn decode_compressed_segmentation_u64_async(
    data: &[u8],
    shape: &[u32],
    block_size: &[u32],
) -> napi::Result<AsyncTask<LabelsTask>> {
    let (layout, data) = (b::CsegLayout::new(shape, block_size).or_js()?, data.to_vec());
    Ok(AsyncTask::new(LabelsTask::new(move || layout.decode::<u64>(&data).or_js())))
}

#[napi]
pub fn transcode_dvid_block(
    block: &[u8],
    labels: Option<&[u64]>,
    extent: Option<&[u32]>,
    block_size: Option<&[u32]>,
    gzip_level: Option<i32>,
    uncompressed_size: Option<u32>,
) -> napi::Result<Option<Uint8Array>> {
    let payload = b::transcode_dvid_block(block, labels, extent, block_size, gzip_level, uncompressed_size);
    Ok(payload.or_js()?.map(Uint8Array::new))
}

#[napi(ts_return_type = "Promise<Uint8Array | null>")]
pub fn transcode_dvid_block_async(
    block: &[u8],
    labels: Option<&[u64]>,
    extent: Option<&[u32]>,
    block_size: Option<&[u32]>,
    gzip_level: Option<i32>,
    uncompressed_size: Option<u32>,
) -> napi::Result<AsyncTask<BytesTask>> {
    let settings = b::TranscodeSettings::new(extent, block_size, gzip_level, uncompressed_size).or_js()?;
    let (block, labels) = (block.to_vec(), labels.map(<[u64]>::to_vec));
    Ok(AsyncTask::new(BytesTask::new(move || settings.run(&block, labels.as_deref()).or_js())))
}

#[napi]
pub fn gzip(data: &[u8], level: Option<u32>) -> napi::Result<Uint8Array> {
    b::gzip(data, level).or_js().map(Uint8Array::new)
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn gzip_async(data: &[u8], level: Option<u32>) -> AsyncTask<BytesTask> {
    let data = data.to_vec();
    AsyncTask::new(BytesTask::new(move || b::gzip(&data, level).map(Some).or_js()))
}

#[napi]
pub fn gunzip(data: &[u8], max_bytes: Option<f64>) -> napi::Result<Uint8Array> {
    b::gunzip(data, max_bytes).or_js().map(Uint8Array::new)
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn gunzip_async(data: &[u8], max_bytes: Option<f64>) -> AsyncTask<BytesTask> {
    let data = data.to_vec();
    AsyncTask::new(BytesTask::new(move || b::gunzip(&data, max_bytes).map(Some).or_js()))
}

#[napi]
pub fn zstd_decompress(
    data: &[u8],
    expected_size: Option<f64>,
    max_bytes: Option<f64>,
) -> napi::Result<Uint8Array> {
    b::zstd_decompress(data, expected_size, max_bytes).or_js().map(Uint8Array::new)
}

#[napi]
pub fn zstd_compress(data: &[u8], level: Option<i32>) -> napi::Result<Uint8Array> {
    b::zstd_compress(data, level).or_js().map(Uint8Array::new)
}
