//! Codec entry points: DVID blocks, compressed_segmentation, fused transcode, gzip/zstd.

use braid_core::boundary::args::{byte_limit, shape3, shape4, transcode_options};
use braid_core::compress;
use braid_core::dvid::block as dvid;
use braid_core::precomputed::compressed_segmentation as cseg;
use braid_core::transcode::{TranscodeOptions, transcode_dvid_block as transcode};
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
    dvid::with_block(block, |parsed| {
        let shape = parsed.shape();
        let n = shape.iter().product();
        Ok(DecodedVolumeV8 {
            data: big_u64_array_with(env, n, |out| dvid::decode_block_into(parsed, labels, out).or_js())?,
            shape: Uint32Array::new(shape.map(|d| d as u32).to_vec()),
        })
    })
    .or_js()?
}

#[napi(ts_return_type = "Promise<DecodedVolume>")]
pub fn decode_dvid_block_async(block: &[u8], labels: Option<&[u64]>) -> AsyncTask<VolumeTask> {
    let (block, labels) = (block.to_vec(), labels.map(<[u64]>::to_vec));
    AsyncTask::new(VolumeTask::new(move || dvid::decode_block(&block, labels.as_deref()).or_js()))
}

#[napi]
pub fn encode_dvid_block(volume: &[u64], shape: &[u32]) -> napi::Result<Uint8Array> {
    dvid::encode_block(volume, shape3(shape, "shape").or_js()?).or_js().map(Uint8Array::new)
}

#[napi]
pub fn encode_compressed_segmentation_u64(
    volume: &[u64],
    shape: &[u32],
    block_size: &[u32],
) -> napi::Result<Uint32Array> {
    let (size, channels) = shape4(shape, "shape").or_js()?;
    let block = shape3(block_size, "blockSize").or_js()?;
    cseg::encode(volume, size, channels, block).or_js().map(Uint32Array::new)
}

#[napi]
pub fn encode_compressed_segmentation_u32(
    volume: &[u32],
    shape: &[u32],
    block_size: &[u32],
) -> napi::Result<Uint32Array> {
    let (size, channels) = shape4(shape, "shape").or_js()?;
    let block = shape3(block_size, "blockSize").or_js()?;
    cseg::encode(volume, size, channels, block).or_js().map(Uint32Array::new)
}

#[napi(ts_return_type = "Promise<Uint32Array>")]
pub fn encode_compressed_segmentation_u64_async(
    volume: &[u64],
    shape: &[u32],
    block_size: &[u32],
) -> napi::Result<AsyncTask<WordsTask>> {
    let (size, channels) = shape4(shape, "shape").or_js()?;
    let block = shape3(block_size, "blockSize").or_js()?;
    let volume = volume.to_vec();
    Ok(AsyncTask::new(WordsTask::new(move || cseg::encode(&volume, size, channels, block).or_js())))
}

#[napi(ts_return_type = "BigUint64Array")]
pub fn decode_compressed_segmentation_u64<'e>(
    env: &'e Env,
    data: &[u8],
    shape: &[u32],
    block_size: &[u32],
) -> napi::Result<BigUint64ArraySlice<'e>> {
    let (size, channels) = shape4(shape, "shape").or_js()?;
    let block = shape3(block_size, "blockSize").or_js()?;
    big_u64_array_with(env, cseg::decoded_len(data, size, channels, block).or_js()?, |out| {
        cseg::decode_into(data, size, channels, block, out).or_js()
    })
}

#[napi(ts_return_type = "Uint32Array")]
pub fn decode_compressed_segmentation_u32<'e>(
    env: &'e Env,
    data: &[u8],
    shape: &[u32],
    block_size: &[u32],
) -> napi::Result<Uint32ArraySlice<'e>> {
    let (size, channels) = shape4(shape, "shape").or_js()?;
    let block = shape3(block_size, "blockSize").or_js()?;
    u32_array_with(env, cseg::decoded_len(data, size, channels, block).or_js()?, |out| {
        cseg::decode_into(data, size, channels, block, out).or_js()
    })
}

#[napi(ts_return_type = "Promise<BigUint64Array>")]
pub fn decode_compressed_segmentation_u64_async(
    data: &[u8],
    shape: &[u32],
    block_size: &[u32],
) -> napi::Result<AsyncTask<LabelsTask>> {
    let (size, channels) = shape4(shape, "shape").or_js()?;
    let block = shape3(block_size, "blockSize").or_js()?;
    let data = data.to_vec();
    Ok(AsyncTask::new(LabelsTask::new(move || cseg::decode::<u64>(&data, size, channels, block).or_js())))
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
    let opts = transcode_options(labels, extent, block_size, gzip_level, uncompressed_size).or_js()?;
    Ok(transcode(block, &opts).or_js()?.map(Uint8Array::new))
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
    let base = transcode_options(None, extent, block_size, gzip_level, uncompressed_size).or_js()?;
    let (block, labels) = (block.to_vec(), labels.map(<[u64]>::to_vec));
    Ok(AsyncTask::new(BytesTask::new(move || {
        transcode(&block, &TranscodeOptions { mapping: labels.as_deref(), ..base }).or_js()
    })))
}

#[napi]
pub fn gzip(data: &[u8], level: Option<u32>) -> napi::Result<Uint8Array> {
    compress::gzip(data, level.unwrap_or(compress::DEFAULT_GZIP_LEVEL)).or_js().map(Uint8Array::new)
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn gzip_async(data: &[u8], level: Option<u32>) -> AsyncTask<BytesTask> {
    let data = data.to_vec();
    let level = level.unwrap_or(compress::DEFAULT_GZIP_LEVEL);
    AsyncTask::new(BytesTask::new(move || compress::gzip(&data, level).map(Some).or_js()))
}

#[napi]
pub fn gunzip(data: &[u8], max_bytes: Option<f64>) -> napi::Result<Uint8Array> {
    compress::gunzip_limited(data, byte_limit(max_bytes)).or_js().map(Uint8Array::new)
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn gunzip_async(data: &[u8], max_bytes: Option<f64>) -> AsyncTask<BytesTask> {
    let data = data.to_vec();
    let max = byte_limit(max_bytes);
    AsyncTask::new(BytesTask::new(move || compress::gunzip_limited(&data, max).map(Some).or_js()))
}

#[napi]
pub fn zstd_decompress(
    data: &[u8],
    expected_size: Option<f64>,
    max_bytes: Option<f64>,
) -> napi::Result<Uint8Array> {
    let expected = expected_size.map(|s| byte_limit(Some(s)));
    compress::zstd_decompress(data, expected, byte_limit(max_bytes)).or_js().map(Uint8Array::new)
}

#[napi]
pub fn zstd_compress(data: &[u8], level: Option<i32>) -> napi::Result<Uint8Array> {
    compress::zstd_compress(data, level.unwrap_or(3)).or_js().map(Uint8Array::new)
}
