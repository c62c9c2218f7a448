//! Writes starting corpora for every fuzz target from the real DVID data, in each target's
//! input layout: `seed_corpus <shared/data/dvid> <corpus root>`. Random bytes almost never
//! form a valid DVID block, Arrow stream or shard, so without these the fuzzer would spend
//! its time on header checks. Called by `scripts/fuzz.sh`.

use std::fs;
use std::path::{Path, PathBuf};

#[path = "../shared/zarr_spec.rs"]
mod zarr_spec;

use braid_core::compress::{gunzip, zstd_decompress};
use braid_core::dvid::block::encode_block;
use braid_core::dvid::export::{DvidRecord, read_stream};
use braid_core::precomputed::compressed_segmentation as cseg;
use braid_core::precomputed::sharded::{Encoding, HashFunction, ShardLayout, ShardWriter, ShardingSpec};
use braid_core::volume::{Shape, crop};
use braid_core::zarr::ZarrShardWriter;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Corpus {
    root: PathBuf,
    written: usize,
}

impl Corpus {
    fn put(&mut self, target: &str, name: &str, parts: &[&[u8]]) -> Result {
        let dir = self.root.join(target);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join(format!("seed-{name}")), parts.concat())?;
        self.written += 1;
        Ok(())
    }
}

fn words_le<T: Copy>(words: &[T], to: fn(T) -> Vec<u8>) -> Vec<u8> {
    words.iter().flat_map(|&w| to(w)).collect()
}

fn u64s(v: &[u64]) -> Vec<u8> {
    words_le(v, |w| w.to_le_bytes().to_vec())
}

fn u32s(v: &[u32]) -> Vec<u8> {
    words_le(v, |w| w.to_le_bytes().to_vec())
}

fn read_gz(data: &Path, name: &str) -> Result<Vec<u8>> {
    Ok(gunzip(&fs::read(data.join(name))?)?)
}

fn volume(data: &Path, name: &str) -> Result<Vec<u64>> {
    Ok(read_gz(data, name)?
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect())
}

fn main() -> Result {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [data, root] = &args[..] else {
        return Err("usage: seed_corpus <shared/data/dvid> <corpus root>".into());
    };
    let mut c = Corpus { root: root.clone(), written: 0 };
    let arrow = fs::read(data.join("30720_24576_28672.arrow"))?;
    let records: Vec<DvidRecord> = read_stream(&arrow)?;
    let fib_block = read_gz(data, "fib19-64x64x64-sample1-block.dat.gz")?;
    let volumes =
        [volume(data, "fib19-64x64x64-sample1.dat.gz")?, volume(data, "fib19-64x64x64-sample2.dat.gz")?];
    let full: Shape = [64, 64, 64];
    // Every 16th record: label counts from 2 to ~100 without 258 near-duplicates.
    let sample: Vec<&DvidRecord> = records.iter().step_by(16).collect();

    dvid_blocks(&mut c, &fib_block, &sample, &volumes, full)?;
    cseg_inputs(&mut c, &volumes, full)?;
    compressed(&mut c, data, &sample)?;
    arrow_and_csv(&mut c, data, &arrow, &records)?;
    shards(&mut c, &records[..8])?;
    zarr_shards(&mut c, &volumes[0], full)?;
    let low_bytes: Vec<u8> = crop(&volumes[0], full, [9, 9, 9])?.iter().map(|&v| v as u8).collect();
    c.put("downsample", "fib19-9cube-f2", &[&[0x04, 9, 9, 9, 2, 2, 2, 0, 0, 0, 0, 0], &low_bytes])?;
    c.put(
        "downsample",
        "fib19-9cube-f3x1x2-nonzero",
        &[&[0x01, 9, 9, 9, 3, 1, 2, 1, 2, 3, 0, 0], &low_bytes],
    )?;

    eprintln!("seed_corpus: {} seeds under {}", c.written, root.display());
    Ok(())
}

/// dvid_decode (whole input = block), transcode (8 option bytes + block), dvid_roundtrip.
fn dvid_blocks(
    c: &mut Corpus,
    fib: &[u8],
    sample: &[&DvidRecord],
    volumes: &[Vec<u64>; 2],
    full: Shape,
) -> Result {
    let mut blocks: Vec<(String, Vec<u8>, Option<usize>)> = vec![("fib19".into(), fib.to_vec(), None)];
    for (i, r) in sample.iter().enumerate() {
        blocks.push((format!("record{i}-zstd"), r.block.clone(), Some(r.uncompressed_size as usize)));
        if i % 4 == 0 {
            blocks.push((format!("record{i}-raw"), zstd_decompress(&r.block, None, 1 << 26)?, None));
        }
    }
    // Small blocks run thousands of times faster than 64³ ones: one per grid shape.
    for (i, shape) in [[8, 8, 8], [16, 8, 8], [8, 16, 24], [24, 24, 24]].into_iter().enumerate() {
        blocks.push((
            format!("fib19-crop{i}"),
            encode_block(&crop(&volumes[i % 2], full, shape)?, shape)?,
            None,
        ));
    }
    for (name, block, stored) in &blocks {
        c.put("dvid_decode", name, &[block])?;
        c.put("transcode", name, &[&[0; 8], block])?;
        // Relabel, clip to 40×64×20, gzip level 6, and the zstd size when there is one.
        let flags = 0x01 | 0x04 | if stored.is_some() { 0x08 } else { 0 };
        c.put("transcode", &format!("{name}-clip-gzip"), &[&[flags, 40, 64, 20, 0, 0, 0, 7], block])?;
        c.put("transcode", &format!("{name}-block435"), &[&[0x20, 0, 0, 0, 4, 3, 5, 0], block])?;
    }
    for (i, v) in volumes.iter().enumerate() {
        let cube = u64s(&crop(v, full, [16, 16, 16])?);
        c.put("dvid_roundtrip", &format!("fib19-sample{}-16cube", i + 1), &[&[0x04, 1, 1, 1, 0], &cube])?;
    }
    Ok(())
}

/// cseg_decode (`[flags, shape, block]` + encoded bytes) and cseg_roundtrip (raw label words).
fn cseg_inputs(c: &mut Corpus, volumes: &[Vec<u64>; 2], full: Shape) -> Result {
    let cases: [(Shape, Shape); 4] = [
        ([16, 16, 16], [8, 8, 8]),
        ([16, 16, 16], [4, 4, 4]),
        ([7, 9, 16], [3, 5, 2]),
        ([16, 16, 1], [8, 8, 1]),
    ];
    for (v, volume) in volumes.iter().enumerate() {
        for (i, (shape, block)) in cases.into_iter().enumerate() {
            let labels = crop(volume, full, shape)?;
            let header = |flags: u8| {
                [
                    flags,
                    shape[0] as u8,
                    shape[1] as u8,
                    shape[2] as u8,
                    block[0] as u8,
                    block[1] as u8,
                    block[2] as u8,
                ]
            };
            let wide = u32s(&cseg::encode(&labels, shape, 1, block)?);
            c.put("cseg_decode", &format!("s{v}-case{i}-u64"), &[&header(0), &wide])?;
            let narrow: Vec<u32> = labels.iter().map(|&l| l as u32).collect();
            c.put(
                "cseg_decode",
                &format!("s{v}-case{i}-u32"),
                &[&header(0), &u32s(&cseg::encode(&narrow, shape, 1, block)?)],
            )?;
            let two: Vec<u64> = labels.iter().chain(labels.iter().rev()).copied().collect();
            c.put(
                "cseg_decode",
                &format!("s{v}-case{i}-2ch"),
                &[&header(1), &u32s(&cseg::encode(&two, shape, 2, block)?)],
            )?;
            let rt = [
                0x04,
                shape[0] as u8,
                shape[1] as u8,
                shape[2] as u8,
                block[0] as u8 - 1,
                block[1] as u8 - 1,
                block[2] as u8 - 1,
                0,
            ];
            c.put("cseg_roundtrip", &format!("s{v}-case{i}"), &[&rt, &u64s(&labels)])?;
        }
    }
    // downres_compressed: two real 16³ chunks, then one with the other absent, mode-nonzero.
    let mut chunks = Vec::new();
    for volume in volumes {
        chunks.push(u32s(&cseg::encode(&crop(volume, full, [16, 16, 16])?, [16, 16, 16], 1, [8, 8, 8])?));
    }
    let (a, b) = (&chunks[0], &chunks[1]);
    let cut = (a.len() as u16).to_le_bytes();
    c.put("downres_compressed", "fib19-two-chunks", &[&[0x00, cut[0], cut[1]], a, b])?;
    c.put("downres_compressed", "fib19-one-chunk-nonzero", &[&[0x03, cut[0], cut[1]], a])?;
    Ok(())
}

/// gzip_zstd: `[flags, limit, expected]` + the real zstd blocks and gzip fixtures.
fn compressed(c: &mut Corpus, data: &Path, sample: &[&DvidRecord]) -> Result {
    for (i, r) in sample.iter().enumerate() {
        let size = u16::try_from(r.uncompressed_size).unwrap_or(u16::MAX).to_le_bytes();
        c.put("gzip_zstd", &format!("record{i}-zstd"), &[&[0x01, 0xff, 0xff, size[0], size[1]], &r.block])?;
        c.put("gzip_zstd", &format!("record{i}-zstd-small-limit"), &[&[0x00, 0x00, 0x10, 0, 0], &r.block])?;
    }
    for name in ["fib19-64x64x64-sample1-block.dat.gz", "fib19-64x64x64-sample2.dat.gz"] {
        c.put("gzip_zstd", name, &[&[0x00, 0xff, 0xff, 0, 0], &fs::read(data.join(name))?])?;
    }
    Ok(())
}

/// arrow_stream (`flags` + bytes; flags 0x0e pushes 8-byte slices) and csv_index.
fn arrow_and_csv(c: &mut Corpus, data: &Path, arrow: &[u8], records: &[DvidRecord]) -> Result {
    const END_OF_STREAM: [u8; 8] = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];
    // Cuts of the real stream at record-batch boundaries (offsets from its CSV index), kept
    // under 64 KiB: the largest seed sets libFuzzer's max_len, and the whole 1.1 MB shard
    // would slow every run to a few executions per second.
    let csv = fs::read_to_string(data.join("30720_24576_28672-newformat.csv"))?;
    let ends: Vec<usize> = csv
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some(f.get(3)?.parse::<usize>().ok()? + f.get(4)?.parse::<usize>().ok()?)
        })
        .collect();
    let most = ends.iter().filter(|&&end| end < 60_000).count();
    for batches in [1, 2, 3, most] {
        let cut = &arrow[..ends[batches - 1]];
        c.put("arrow_stream", &format!("real-first{batches}"), &[&[0x0e], cut, &END_OF_STREAM])?;
    }
    c.put("arrow_stream", "real-truncated", &[&[0x00], &arrow[..ends[1] - 5]])?;
    // A rewritten stream with two records per batch exercises multi-row batches.
    let mut writer = braid_core::dvid::export::ExportWriter::new(2)?;
    let mut stream = Vec::new();
    for r in &records[..4] {
        stream.extend(writer.append(r.clone())?);
    }
    let (tail, index) = writer.finish()?;
    stream.extend(tail);
    c.put("arrow_stream", "rewritten-2-per-batch", &[&[0x1e], &stream])?;
    c.put("csv_index", "rewritten", &[index.as_bytes()])?;
    for name in ["30720_24576_28672.csv", "30720_24576_28672-offsets.csv", "30720_24576_28672-newformat.csv"]
    {
        c.put("csv_index", name, &[&fs::read(data.join(name))?])?;
    }
    Ok(())
}

/// sharded_read: `selector` + a shard written for the spec that selector encodes. The reader
/// never looks inside payloads, so short cuts of real blocks keep the inputs small.
fn shards(c: &mut Corpus, records: &[DvidRecord]) -> Result {
    let payloads: Vec<&[u8]> = records.iter().map(|r| &r.block[..r.block.len().min(96)]).collect();
    for selector in [0x00u8, 0x01, 0x0a, 0x33, 0x3b, 0x42] {
        let encoding = |bit: u8| if selector & bit != 0 { Encoding::Gzip } else { Encoding::Raw };
        let spec = ShardingSpec {
            preshift_bits: u32::from(selector >> 6),
            hash: if selector & 0x08 != 0 {
                HashFunction::MurmurHash3X86_128
            } else {
                HashFunction::Identity
            },
            minishard_bits: u32::from(selector & 0x07),
            shard_bits: 2,
            minishard_index_encoding: encoding(0x10),
            data_encoding: encoding(0x20),
        };
        let ids: Vec<u64> =
            (0..64u64).filter(|&id| spec.locate(id).shard == 1).take(payloads.len()).collect();
        let mut writer = ShardWriter::new(spec, 1, ShardLayout::IndexesAtEnd)?;
        for (&id, payload) in ids.iter().zip(&payloads) {
            writer.add_chunk(id, payload)?;
        }
        let mut body = writer.take_pending();
        let finished = writer.finish()?;
        body.extend(finished.tail);
        c.put("sharded_read", &format!("selector{selector:02x}"), &[&[selector], &finished.index, &body])?;
    }
    Ok(())
}

/// zarr_shard: `[selector, shape]` + a shard braid wrote from real labels, for each data type,
/// chain and index variant.
fn zarr_shards(c: &mut Corpus, volume: &[u64], full: Shape) -> Result {
    for (selector, shape) in
        [(0x03u8, 0x55u8), (0x07, 0x95), (0x0a, 0xd5), (0x1d, 0x56), (0x20, 0x00), (0x39, 0xff)]
    {
        let spec = zarr_spec::from_selector(selector, shape);
        let [x, y, z] = spec.shard_shape().map(|d| d as usize);
        let labels = crop(volume, full, [x, y, z])?;
        let size = spec.data_type.size();
        let mut writer = ZarrShardWriter::new(spec, spec.shard_shape())?;
        for i in 0..spec.chunk_count() {
            let position = spec.chunk_position(i);
            let [cx, cy, cz] = spec.chunk_shape.map(|d| d as usize);
            let mut chunk = Vec::with_capacity(spec.chunk_bytes());
            for dz in 0..cz {
                for dy in 0..cy {
                    for dx in 0..cx {
                        let at = [dx, dy, dz];
                        let [gx, gy, gz] =
                            [0, 1, 2].map(|a| position[a] as usize * spec.chunk_shape[a] as usize + at[a]);
                        chunk.extend_from_slice(&labels[gx + x * (gy + y * gz)].to_le_bytes()[..size]);
                    }
                }
            }
            writer.add_chunk(position, &chunk)?;
        }
        let body = writer.take_pending();
        let done = writer.finish();
        c.put(
            "zarr_shard",
            &format!("selector{selector:02x}-{shape:02x}"),
            &[&[selector, shape], &done.head, &body, &done.tail],
        )?;
    }
    Ok(())
}
