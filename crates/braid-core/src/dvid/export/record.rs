//! One export row as owned Rust data, extracted from a decoded Arrow record batch.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, UInt32Type, UInt64Type};
use arrow_array::{Array, BinaryArray, Int32Array, ListArray, RecordBatch, UInt32Array};

use super::ExportError;
use super::schema::ExportColumns;

/// One row of a DVID export shard: a 64³ block and its label mapping (docs/formats/dvid.md §6.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DvidRecord {
    /// Chunk (block) coordinate `(x, y, z)` = voxel coordinate / 64 at the shard's scale.
    pub chunk: [i32; 3],
    /// Body (agglomerated) id of each entry of the block's label list, positionally.
    pub labels: Vec<u64>,
    /// The block's own label list (supervoxel ids).
    pub supervoxels: Vec<u64>,
    /// The zstd frame of the serialized DVID block, exactly as stored.
    pub block: Vec<u8>,
    /// Byte length of the block after zstd decompression.
    pub uncompressed_size: u32,
}

impl DvidRecord {
    /// Extracts row `row` of `batch`, which must carry the export columns.
    pub fn from_batch_row(batch: &RecordBatch, row: usize) -> Result<Self, ExportError> {
        ExportBatch::new(batch)?.row(row)
    }

    /// The invariants every export row satisfies, as a reason when one does not.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.chunk.iter().any(|&c| c < 0) {
            return Err(format!("negative chunk coordinate {:?}", self.chunk));
        }
        if self.labels.len() != self.supervoxels.len() {
            return Err(format!(
                "chunk {:?} has {} labels but {} supervoxels",
                self.chunk,
                self.labels.len(),
                self.supervoxels.len()
            ));
        }
        Ok(())
    }
}

/// A record batch viewed through the export columns, with their concrete array types.
#[derive(Debug, Clone, Copy)]
pub struct ExportBatch<'a> {
    chunk: [&'a Int32Array; 3],
    labels: &'a ListArray,
    supervoxels: &'a ListArray,
    block: &'a BinaryArray,
    uncompressed_size: &'a UInt32Array,
}

impl<'a> ExportBatch<'a> {
    /// Resolves and type-checks the export columns of `batch`.
    pub fn new(batch: &'a RecordBatch) -> Result<Self, ExportError> {
        let cols = ExportColumns::resolve(&batch.schema())?;
        // `resolve` checked the schema's types; a batch whose arrays disagree with its own
        // schema cannot be built by arrow-rs, so these only fail on a hand-made inconsistency.
        let column = |i: usize| batch.column(i).as_ref();
        let mistyped = |i: usize| ExportError::SchemaMismatch {
            field: batch.schema().field(i).name().clone(),
            reason: format!("holds an array of type {}", batch.column(i).data_type()),
        };
        let int32 = |i| column(i).as_primitive_opt::<Int32Type>().ok_or_else(|| mistyped(i));
        let list = |i| column(i).as_list_opt::<i32>().ok_or_else(|| mistyped(i));
        let [x, y, z] = cols.chunk;
        Ok(ExportBatch {
            chunk: [int32(x)?, int32(y)?, int32(z)?],
            labels: list(cols.labels)?,
            supervoxels: list(cols.supervoxels)?,
            block: column(cols.block).as_binary_opt::<i32>().ok_or_else(|| mistyped(cols.block))?,
            uncompressed_size: column(cols.uncompressed_size)
                .as_primitive_opt::<UInt32Type>()
                .ok_or_else(|| mistyped(cols.uncompressed_size))?,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.block.len()
    }

    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Extracts and checks one row.
    pub fn row(&self, row: usize) -> Result<DvidRecord, ExportError> {
        if row >= self.len() {
            return Err(ExportError::InvalidArgument(format!(
                "row {row} requested from a batch of {} rows",
                self.len()
            )));
        }
        let invalid = |reason: String| ExportError::InvalidRecord { row, reason };
        let null = |field: &str| invalid(format!("`{field}` is null"));
        let coord = |i: usize, name: &str| {
            let a = self.chunk[i];
            if a.is_null(row) { Err(null(name)) } else { Ok(a.value(row)) }
        };
        let chunk = [coord(0, "chunk_x")?, coord(1, "chunk_y")?, coord(2, "chunk_z")?];
        if self.block.is_null(row) {
            return Err(null("dvid_compressed_block"));
        }
        if self.uncompressed_size.is_null(row) {
            return Err(null("uncompressed_size"));
        }
        let record = DvidRecord {
            chunk,
            labels: list_row(self.labels, row).ok_or_else(|| null("labels"))?,
            supervoxels: list_row(self.supervoxels, row).ok_or_else(|| null("supervoxels"))?,
            block: self.block.value(row).to_vec(),
            uncompressed_size: self.uncompressed_size.value(row),
        };
        record.check().map_err(invalid)?;
        Ok(record)
    }

    /// Extracts every row, in order.
    pub fn records(&self) -> Result<Vec<DvidRecord>, ExportError> {
        (0..self.len()).map(|row| self.row(row)).collect()
    }
}

/// The uint64 items of list row `row`, or `None` when the row or one of its items is null.
fn list_row(list: &ListArray, row: usize) -> Option<Vec<u64>> {
    if list.is_null(row) {
        return None;
    }
    let offsets = list.value_offsets();
    // arrow-rs validated the offsets (non-negative, monotone, within the child) on decode.
    let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
    let items = list.values().as_primitive_opt::<UInt64Type>()?;
    if items.nulls().is_some_and(|n| (start..end).any(|j| n.is_null(j))) {
        return None;
    }
    Some(items.values()[start..end].to_vec())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::builder::{ListBuilder, UInt64Builder};
    use arrow_array::{ArrayRef, UInt32Array};
    use arrow_schema::{DataType, Field, Schema};

    use super::*;

    fn batch(
        xs: Vec<Option<i32>>,
        labels: Vec<Option<Vec<Option<u64>>>>,
        svs: Vec<Option<Vec<Option<u64>>>>,
    ) -> RecordBatch {
        let n = xs.len();
        let list = |rows: Vec<Option<Vec<Option<u64>>>>| {
            let mut b = ListBuilder::new(UInt64Builder::new());
            for r in rows {
                match r {
                    Some(items) => {
                        b.values().extend(items);
                        b.append(true);
                    }
                    None => b.append(false),
                }
            }
            Arc::new(b.finish()) as ArrayRef
        };
        let list_type = DataType::List(Field::new_list_field(DataType::UInt64, true).into());
        let schema = Schema::new(vec![
            Field::new("chunk_x", DataType::Int32, true),
            Field::new("chunk_y", DataType::Int32, true),
            Field::new("chunk_z", DataType::Int32, true),
            Field::new("labels", list_type.clone(), true),
            Field::new("supervoxels", list_type, true),
            Field::new("dvid_compressed_block", DataType::Binary, true),
            Field::new("uncompressed_size", DataType::UInt32, true),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from(xs)),
            Arc::new(Int32Array::from(vec![2; n])),
            Arc::new(Int32Array::from(vec![3; n])),
            list(labels),
            list(svs),
            Arc::new(BinaryArray::from_iter_values((0..n).map(|i| vec![i as u8; i + 1]))),
            Arc::new(UInt32Array::from(vec![100; n])),
        ];
        RecordBatch::try_new(Arc::new(schema), columns).unwrap()
    }

    #[test]
    fn extracts_rows() {
        let b = batch(
            vec![Some(1), Some(5)],
            vec![Some(vec![Some(0), Some(9)]), Some(vec![Some(4)])],
            vec![Some(vec![Some(0), Some(7)]), Some(vec![Some(4)])],
        );
        let records = ExportBatch::new(&b).unwrap().records().unwrap();
        assert_eq!(
            records[0],
            DvidRecord {
                chunk: [1, 2, 3],
                labels: vec![0, 9],
                supervoxels: vec![0, 7],
                block: vec![0],
                uncompressed_size: 100
            }
        );
        assert_eq!(records[1].labels, vec![4]);
        assert_eq!(records[1].block, vec![1, 1]);
        assert_eq!(DvidRecord::from_batch_row(&b, 1).unwrap(), records[1]);
    }

    #[test]
    fn rejects_nulls_negative_coordinates_and_length_mismatch() {
        let cases = [
            (batch(vec![None], vec![Some(vec![Some(1)])], vec![Some(vec![Some(1)])]), "`chunk_x` is null"),
            (batch(vec![Some(1)], vec![None], vec![Some(vec![Some(1)])]), "`labels` is null"),
            (
                batch(vec![Some(1)], vec![Some(vec![Some(1)])], vec![Some(vec![None])]),
                "`supervoxels` is null",
            ),
            (
                batch(vec![Some(-1)], vec![Some(vec![Some(1)])], vec![Some(vec![Some(1)])]),
                "negative chunk coordinate",
            ),
            (batch(vec![Some(1)], vec![Some(vec![Some(1), Some(2)])], vec![Some(vec![Some(1)])]), "2 labels"),
        ];
        for (b, expected) in cases {
            let err = ExportBatch::new(&b).unwrap().row(0).unwrap_err();
            assert_eq!(err.code(), "ARROW_INVALID_RECORD");
            assert!(err.to_string().contains(expected), "{err} lacks {expected}");
        }
    }

    #[test]
    fn out_of_range_row_is_an_error() {
        let b = batch(vec![Some(1)], vec![Some(vec![Some(1)])], vec![Some(vec![Some(1)])]);
        assert_eq!(ExportBatch::new(&b).unwrap().row(1).unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
