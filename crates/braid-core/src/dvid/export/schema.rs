//! The DVID export schema (docs/formats/dvid.md §6.3): building it, and checking a read schema against it.

use arrow_schema::{DataType, Field, FieldRef, Schema};

use super::ExportError;

/// Field name of each export column, in export order.
const NAMES: [&str; 7] =
    ["chunk_x", "chunk_y", "chunk_z", "labels", "supervoxels", "dvid_compressed_block", "uncompressed_size"];

/// Positions of the export columns inside a schema that may order them differently or carry
/// extra columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExportColumns {
    /// `chunk_x`, `chunk_y`, `chunk_z` (int32).
    pub chunk: [usize; 3],
    /// `labels` (`list<uint64>`).
    pub labels: usize,
    /// `supervoxels` (`list<uint64>`).
    pub supervoxels: usize,
    /// `dvid_compressed_block` (binary).
    pub block: usize,
    /// `uncompressed_size` (uint32).
    pub uncompressed_size: usize,
}

impl ExportColumns {
    /// Finds every export column in `schema` and checks its type. Nullability and metadata are
    /// not checked here: nulls are rejected per row, and DVID's field metadata is informative.
    pub fn resolve(schema: &Schema) -> Result<Self, ExportError> {
        let mut at = [0usize; 7];
        for (slot, name) in at.iter_mut().zip(NAMES) {
            *slot = find(schema, name)?;
        }
        Ok(ExportColumns {
            chunk: [at[0], at[1], at[2]],
            labels: at[3],
            supervoxels: at[4],
            block: at[5],
            uncompressed_size: at[6],
        })
    }

    /// Column indices in export order, as an arrow-ipc projection that yields batches laid out
    /// exactly like [`export_schema`].
    pub fn projection(&self) -> [usize; 7] {
        let [x, y, z] = self.chunk;
        [x, y, z, self.labels, self.supervoxels, self.block, self.uncompressed_size]
    }
}

/// The schema DVID's Go writer emits: non-nullable top-level fields, nullable list items named
/// `item`, and codec metadata on the block column.
pub fn export_schema() -> Schema {
    let list = || DataType::List(label_item());
    Schema::new(vec![
        Field::new(NAMES[0], DataType::Int32, false),
        Field::new(NAMES[1], DataType::Int32, false),
        Field::new(NAMES[2], DataType::Int32, false),
        Field::new(NAMES[3], list(), false),
        Field::new(NAMES[4], list(), false),
        Field::new(NAMES[5], DataType::Binary, false)
            .with_metadata([("compression", "true"), ("codec", "zstd")]),
        Field::new(NAMES[6], DataType::UInt32, false),
    ])
}

/// The item field of the `labels` and `supervoxels` lists, as Go's writer declares it.
pub(crate) fn label_item() -> FieldRef {
    Field::new_list_field(DataType::UInt64, true).into()
}

fn find(schema: &Schema, name: &str) -> Result<usize, ExportError> {
    let mismatch = |reason: String| ExportError::SchemaMismatch { field: name.to_owned(), reason };
    let mut hits = schema.fields().iter().enumerate().filter(|(_, f)| f.name() == name);
    let (index, field) = hits.next().ok_or_else(|| mismatch("is missing".into()))?;
    if hits.next().is_some() {
        return Err(mismatch("appears more than once".into()));
    }
    let expected = expected_type(name);
    if field.data_type() != &expected && !is_uint64_list(field.data_type(), &expected) {
        return Err(mismatch(format!("has type {}, expected {expected}", field.data_type())));
    }
    Ok(index)
}

fn expected_type(name: &str) -> DataType {
    match name {
        "chunk_x" | "chunk_y" | "chunk_z" => DataType::Int32,
        "labels" | "supervoxels" => DataType::List(label_item()),
        "dvid_compressed_block" => DataType::Binary,
        _ => DataType::UInt32,
    }
}

/// List types compare their item field too; the item's name and nullability do not matter
/// to readers (Go names it `item`, other writers `element`).
fn is_uint64_list(actual: &DataType, expected: &DataType) -> bool {
    matches!((actual, expected), (DataType::List(a), DataType::List(_)) if a.data_type() == &DataType::UInt64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_schema_resolves_in_order() {
        let cols = ExportColumns::resolve(&export_schema()).unwrap();
        assert_eq!(cols.projection(), [0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn reordered_schema_with_extra_column_resolves() {
        let base = export_schema();
        let mut fields: Vec<Field> = base.fields().iter().rev().map(|f| f.as_ref().clone()).collect();
        fields.insert(2, Field::new("extra", DataType::Utf8, true));
        let cols = ExportColumns::resolve(&Schema::new(fields)).unwrap();
        assert_eq!(cols.projection(), [7, 6, 5, 4, 3, 1, 0]);
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        let base = export_schema();
        let without: Vec<Field> =
            base.fields().iter().filter(|f| f.name() != "supervoxels").map(|f| f.as_ref().clone()).collect();
        let err = ExportColumns::resolve(&Schema::new(without)).unwrap_err();
        assert_eq!(err.code(), "ARROW_SCHEMA_MISMATCH");
        assert!(err.to_string().contains("`supervoxels` is missing"), "{err}");

        let mut mistyped: Vec<Field> = base.fields().iter().map(|f| f.as_ref().clone()).collect();
        mistyped[1] = Field::new("chunk_y", DataType::Int64, false);
        let err = ExportColumns::resolve(&Schema::new(mistyped)).unwrap_err();
        assert!(err.to_string().contains("`chunk_y` has type Int64, expected Int32"), "{err}");

        let mut list_of_i64: Vec<Field> = base.fields().iter().map(|f| f.as_ref().clone()).collect();
        list_of_i64[3] =
            Field::new("labels", DataType::List(Field::new_list_field(DataType::Int64, true).into()), false);
        let err = ExportColumns::resolve(&Schema::new(list_of_i64)).unwrap_err();
        assert!(err.to_string().contains("`labels` has type List(Int64"), "{err}");
    }

    #[test]
    fn list_item_name_and_nullability_are_ignored() {
        let mut fields: Vec<Field> = export_schema().fields().iter().map(|f| f.as_ref().clone()).collect();
        fields[4] = Field::new(
            "supervoxels",
            DataType::List(Field::new("element", DataType::UInt64, false).into()),
            true,
        );
        assert!(ExportColumns::resolve(&Schema::new(fields)).is_ok());
    }

    #[test]
    fn duplicate_field_is_rejected() {
        let mut fields: Vec<Field> = export_schema().fields().iter().map(|f| f.as_ref().clone()).collect();
        fields.push(Field::new("chunk_z", DataType::Int32, false));
        let err = ExportColumns::resolve(&Schema::new(fields)).unwrap_err();
        assert!(err.to_string().contains("`chunk_z` appears more than once"), "{err}");
    }
}
