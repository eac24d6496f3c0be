//! The first encrypted databases a process opens, opened by many threads at the same moment, all unlock.
//! (SQLite marks itself initialised before SQLCipher's own start-up has finished, so a thread that keys a
//! database in that window is refused unless the store waits for SQLCipher to be ready.)
//! This file holds one test on purpose: it must be the process's first use of SQLite.

use std::sync::{Arc, Barrier};

use clinic_core::keys::DatabaseKey;
use clinic_core::store::{DataDir, create_database};

#[test]
fn many_threads_creating_the_first_databases_at_once_all_succeed() {
    const THREADS: usize = 16;
    let dir = tempfile::tempdir().expect("temp dir");
    let start = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|i| {
            let data = DataDir::new(dir.path().join(format!("desk-{i}")));
            let start = start.clone();
            std::thread::spawn(move || {
                let key = DatabaseKey::generate().expect("key");
                start.wait();
                let conn = create_database(&data, &key).map_err(|e| format!("desk {i}: {e}"))?;
                conn.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
                    .map_err(|e| format!("desk {i}: {e}"))
            })
        })
        .collect();
    let failures: Vec<String> = workers.into_iter().filter_map(|w| w.join().expect("thread").err()).collect();
    assert!(failures.is_empty(), "{failures:#?}");
}
