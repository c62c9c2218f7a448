//! The real DVID sample data the tests and benches read: `$BRAID_SHARED_DATA/dvid` when set
//! (as for the JS tests and the fuzz seeds), else `shared/data/dvid` beside the repository.

/// Reads `dvid/<name>` from the shared data, panicking with the path when it is missing.
#[allow(dead_code)] // each test and bench target uses its own subset
pub fn read_dvid_data(name: &str) -> Vec<u8> {
    let root = std::env::var("BRAID_SHARED_DATA")
        .unwrap_or_else(|_| format!("{}/../../../shared/data", env!("CARGO_MANIFEST_DIR")));
    let path = format!("{root}/dvid/{name}");
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (set BRAID_SHARED_DATA to the shared data folder)"))
}
