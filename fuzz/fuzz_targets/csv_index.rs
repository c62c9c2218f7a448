//! Arbitrary bytes through the CSV index parser and its reconciliation with a stream layout:
//! nothing may panic, and a parsed index must survive a round trip through `to_csv`.
//! Seed the corpus with the three `shared/data/dvid/30720_24576_28672*.csv` files.
#![no_main]

use braid_core::dvid::export::{BatchScan, CsvIndex, ScannedBatch};
use libfuzzer_sys::fuzz_target;

/// The real sample's layout shape: a 688-byte schema, then one-row batches.
fn scan(batches: u64) -> BatchScan {
    let batches: Vec<ScannedBatch> =
        (0..batches).map(|i| ScannedBatch { range: 688 + 800 * i..688 + 800 * (i + 1), rows: 1 }).collect();
    let end = batches.last().map_or(688, |b| b.range.end);
    BatchScan { schema: 0..688, batches, next_offset: end + 8, finished: true }
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut index) = CsvIndex::parse(data) else { return };
    if let Some(first) = index.rows.first() {
        let chunk = first.chunk;
        assert_eq!(index.lookup(chunk).map(|r| r.chunk).ok(), Some(chunk));
    }
    assert_eq!(index.by_chunk().len(), index.rows.len());
    let _ = index.resolve_ranges(&scan(index.rows.len() as u64));
    if let Ok(text) = index.to_csv() {
        let again = CsvIndex::parse(text.as_bytes()).expect("to_csv output parses");
        let key =
            |i: &CsvIndex| i.rows.iter().map(|r| (r.chunk, r.range.clone(), r.batch_row)).collect::<Vec<_>>();
        assert_eq!(key(&again), key(&index));
        assert_eq!(again.schema_size, Some(index.schema_size.unwrap_or(0)));
    }
});
