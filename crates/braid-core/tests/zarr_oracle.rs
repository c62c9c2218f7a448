//! braid's zarr shards against zarr-python's (test/oracle/zarr_shard.py), on every case of
//! `zarr_common::cases()`:
//! - zarr-python writes each volume; braid reads its shards: the same shards exist, the same
//!   inner chunks are stored (index structure and data order), and every chunk decodes to the
//!   volume's padded voxels. For the `bytes`-only chain the shard files are byte-identical;
//!   with zstd or gzip the compressed bytes may legitimately differ (other deflate/zstd builds,
//!   gzip's mtime), so chunks are compared decoded.
//! - braid writes each volume with its own `zarr.json`; zarr-python reads it voxel-exactly and
//!   its metadata equals zarr-python's own.
//!
//! Needs the repository's `.venv` (scripts/setup.sh) or `BRAID_PYTHON`; without one the test
//! passes with a note, except under `CI=true`, where it fails.

mod zarr_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use braid_core::zarr::metadata::array_metadata_json;
use braid_core::zarr::{Compression, ZarrShard};
use zarr_common::{Case, cases, check_shard, shard_of_key, volume, write_braid_array};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> Option<PathBuf> {
    let path = std::env::var_os("BRAID_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{} is missing under CI: scripts/setup.sh creates it",
        path.display()
    );
    eprintln!("zarr_oracle: {} is missing; run scripts/setup.sh to compare with zarr-python", path.display());
    None
}

fn run_oracle(python: &Path, command: &str, manifest: &Path) {
    let out = Command::new(python)
        .arg(repo_root().join("test/oracle/zarr_shard.py"))
        .arg(command)
        .arg(manifest)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "zarr_shard.py {command} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprint!("{}", String::from_utf8_lossy(&out.stdout));
}

fn zyx(v: [u32; 3]) -> String {
    format!("[{},{},{}]", v[2], v[1], v[0])
}

fn manifest_entry(case: &Case, dir: &Path) -> String {
    let spec = &case.spec;
    let (compressor, level, checksum) = match spec.compression {
        Compression::None => ("none", 0, false),
        Compression::Zstd { level, checksum } => ("zstd", level, checksum),
        Compression::Gzip { level } => ("gzip", level as i32, false),
    };
    let path = |leaf: &str| dir.join(case.name).join(leaf).display().to_string();
    let [sx, sy, sz] = case.shape;
    format!(
        concat!(
            r#"{{"name":"{}","shape":[{},{},{}],"dtype":"{}","chunk_shape":{},"shard_shape":{},"#,
            r#""compressor":"{}","level":{},"checksum":{},"index_location":"{}","index_checksum":{},"#,
            r#""raw":"{}","zarr_python":"{}","braid":"{}"}}"#
        ),
        case.name,
        sz,
        sy,
        sx,
        spec.data_type.as_str(),
        zyx(spec.chunk_shape),
        zyx(spec.shard_shape()),
        compressor,
        level,
        checksum,
        spec.index_location.as_str(),
        spec.index_checksum,
        path("volume.raw"),
        path("zarr-python.zarr"),
        path("braid.zarr"),
    )
}

/// Every file under `root/c`, as `(key, bytes)` sorted by key.
fn shard_files(root: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let key = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.push((key, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root.join("c"), root, &mut out);
    out.sort();
    out
}

/// Stored inner chunks of a shard in file order.
fn data_order(case: &Case, file: &[u8]) -> Vec<[u32; 3]> {
    let shard = ZarrShard::new(file, &case.spec).unwrap();
    let mut stored: Vec<([u32; 3], std::ops::Range<u64>)> = shard.index().stored().collect();
    stored.sort_by_key(|(_, r)| r.start);
    stored.into_iter().map(|(p, _)| p).collect()
}

fn compare_with_zarr_python(
    case: &Case,
    volume: &[u8],
    reference: &[(String, Vec<u8>)],
    braid: &[(String, Vec<u8>)],
) {
    let keys = |files: &[(String, Vec<u8>)]| files.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(keys(braid), keys(reference), "{}: shard files", case.name);
    let mut identical_chunks = 0;
    let mut stored_chunks = 0;
    for ((key, theirs), (_, ours)) in reference.iter().zip(braid) {
        let shard = shard_of_key(key);
        check_shard(case, volume, shard, theirs);
        assert_eq!(data_order(case, ours), data_order(case, theirs), "{}: {key} data order", case.name);
        if case.spec.compression == Compression::None {
            assert!(ours == theirs, "{}: {key} differs from zarr-python's bytes-only shard", case.name);
        }
        let (a, b) = (ZarrShard::new(theirs, &case.spec).unwrap(), ZarrShard::new(ours, &case.spec).unwrap());
        for (position, _) in a.index().stored() {
            stored_chunks += 1;
            identical_chunks +=
                usize::from(a.encoded_chunk(position).unwrap() == b.encoded_chunk(position).unwrap());
        }
    }
    eprintln!(
        "{}: {} shards, {identical_chunks}/{stored_chunks} stored chunks byte-identical to zarr-python's",
        case.name,
        reference.len()
    );
}

#[test]
fn shards_match_zarr_python() {
    let Some(python) = python() else { return };
    let dir = std::env::temp_dir().join(format!("braid-zarr-oracle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let cases = cases();
    let volumes: Vec<Vec<u8>> = cases.iter().map(volume).collect();
    let mut entries = Vec::new();
    for (case, volume) in cases.iter().zip(&volumes) {
        std::fs::create_dir_all(dir.join(case.name)).unwrap();
        std::fs::write(dir.join(case.name).join("volume.raw"), volume).unwrap();
        entries.push(manifest_entry(case, &dir));
    }
    let manifest = dir.join("manifest.json");
    std::fs::write(&manifest, format!("[{}]", entries.join(","))).unwrap();
    run_oracle(&python, "write", &manifest);

    for (case, volume) in cases.iter().zip(&volumes) {
        let root = dir.join(case.name).join("braid.zarr");
        let (braid, _) = write_braid_array(case, volume);
        for (key, file) in &braid {
            let path = root.join(key);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, file).unwrap();
        }
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("zarr.json"), array_metadata_json(&case.grid())).unwrap();
        let reference = shard_files(&dir.join(case.name).join("zarr-python.zarr"));
        compare_with_zarr_python(case, volume, &reference, &braid);
    }
    run_oracle(&python, "check", &manifest);
    std::fs::remove_dir_all(&dir).unwrap();
}
