//! A bulk load sets secondary indexes aside and builds them once at its end.
//!
//! Row by row, each new attempt inserts a key at a random place in each of the attempts' four
//! secondary indexes and the events' one; once those b-trees outgrow the page cache, every insert
//! reads a page, dirties it, and the cache spills it to the WAL, often more than once. Built at
//! the end, SQLite sorts each index's keys and writes its pages in order. It is all one
//! transaction: readers see the old indexes until the commit, and a rollback puts them back.
//!
//! Only indexes that enforce nothing are set aside (not UNIQUE ones, nor the primary keys), and
//! the import itself never reads through them.

use rusqlite::Connection;

use crate::error::{SqlContext, StoreError};

/// Helper threads SQLite's sorter may use while the indexes are built.
const SORT_THREADS: i64 = 1;

/// The indexes an import may set aside: every non-unique index on these tables.
const INDEXES: &str = "SELECT name, sql FROM sqlite_master
    WHERE type = 'index' AND tbl_name IN ('ticket_exports', 'events') AND sql IS NOT NULL
      AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY rowid";

/// Whether an import has set the indexes aside, and how to build them again.
pub(super) struct SetAside {
    /// Attempts to write before setting the indexes aside.
    threshold: u64,
    /// The statements that create the indexes set aside.
    dropped: Option<Vec<String>>,
}

impl SetAside {
    /// Indexes are set aside once an import has written more than `threshold` attempts.
    pub fn new(threshold: u64) -> SetAside {
        SetAside {
            threshold,
            dropped: None,
        }
    }

    /// Sets the indexes aside once `written` attempts have been written, if not already.
    pub fn note(&mut self, conn: &Connection, written: u64) -> Result<(), StoreError> {
        if self.dropped.is_some() || written <= self.threshold {
            return Ok(());
        }
        let indexes = conn
            .prepare(INDEXES)
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .doing("reading the indexes")?;
        for (name, _) in &indexes {
            conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))
                .doing("setting an index aside")?;
        }
        self.dropped = Some(indexes.into_iter().map(|(_, sql)| sql).collect());
        Ok(())
    }

    /// Builds again the indexes set aside, exactly as they were defined. The reader is done by
    /// now, so SQLite's sorter may use a second thread; its buffers are bounded by the cache size.
    pub fn restore(&mut self, conn: &Connection) -> Result<(), StoreError> {
        let Some(indexes) = self.dropped.take() else {
            return Ok(());
        };
        let threads: i64 = conn
            .pragma_query_value(None, "threads", |r| r.get(0))
            .doing("building an index")?;
        conn.pragma_update(None, "threads", SORT_THREADS)
            .doing("building an index")?;
        for sql in indexes {
            conn.execute_batch(&sql).doing("building an index")?;
        }
        conn.pragma_update(None, "threads", threads)
            .doing("building an index")
    }
}
