//! Arbitrary bytes through every Arrow entry point of `braid_core::dvid::export`: none may
//! panic, and the push decoder must agree with the whole-buffer reader however it is fed.
//! Seed the corpus with `shared/data/dvid/30720_24576_28672.arrow` (and cuts of it).
#![no_main]

use std::sync::OnceLock;

use braid_core::dvid::export::{
    BatchDecoder, DvidRecord, ExportStreamDecoder, ExportWriter, FileFooter, read_file_format, read_stream,
    scan_batch_ranges,
};
use libfuzzer_sys::fuzz_target;

/// A valid schema message followed by one record batch, so that inputs flagged by their
/// first byte explore record batch decoding instead of dying at the schema.
fn valid_prefix() -> &'static [u8] {
    static PREFIX: OnceLock<Vec<u8>> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let record = DvidRecord {
            chunk: [1, 2, 3],
            labels: vec![0, 7],
            supervoxels: vec![0, 5],
            block: vec![0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0],
            uncompressed_size: 64,
        };
        let mut writer = ExportWriter::new(1).expect("batch size 1 is valid");
        writer.append(record).expect("the record is valid")
    })
}

fn push_all(bytes: &[u8], step: usize) -> Option<Vec<DvidRecord>> {
    let mut decoder = ExportStreamDecoder::new();
    let mut records = Vec::new();
    for piece in bytes.chunks(step) {
        records.extend(decoder.push(piece).ok()?.into_iter().flat_map(|b| b.records));
    }
    decoder.finish().ok()?;
    Some(records)
}

fn exercise(bytes: &[u8], step: usize) {
    let whole = read_stream(bytes).ok();
    assert_eq!(whole, push_all(bytes, step), "push decoder disagrees with read_stream");
    let _ = read_file_format(bytes);
    let _ = FileFooter::parse(bytes, bytes.len() as u64);
    let scan = scan_batch_ranges(bytes);
    if let Ok(decoder) = BatchDecoder::new(bytes) {
        let _ = decoder.decode(bytes);
        let _ = decoder.decode_row(bytes, u32::from(bytes.last().copied().unwrap_or(0)));
        for batch in scan.map(|s| s.batches).unwrap_or_default() {
            if let Some(message) = bytes.get(batch.range.start as usize..batch.range.end as usize) {
                let _ = decoder.decode(message);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        exercise(data, 1);
        return;
    };
    let step = usize::from(flags >> 1) + 1;
    if flags & 1 == 1 {
        let mut bytes = valid_prefix().to_vec();
        bytes.extend_from_slice(rest);
        exercise(&bytes, step);
    } else {
        exercise(rest, step);
    }
});
