//! Prefix terms (`refun*`) expanded to the index's own terms before a query reaches FTS5.
//!
//! FTS5 answers a prefix query by merging the doclists of every term that starts with the
//! prefix into one list in memory before its first row comes out, whatever the LIMIT: at 1 M
//! chats `refund*` (200,000 chats) took 9–17 ms and `deliv*` (every chat) 70–100 ms on an
//! idle core, where an OR of the same terms is walked lazily, newest first, and stops at the
//! page's end (0.1 ms; BENCHMARKS.md, "Archive search and reports"). So the store first asks
//! the index which terms start with the prefix (an `fts5vocab` table over `search`, a temp
//! table of each reader connection, created at open) and searches for those terms instead.
//!
//! The prefix is first tokenized exactly as FTS5 tokenizes a query's prefix: by the same
//! tokenizer, on a private in-memory FTS5 table of the reader's thread. So stemming behaves as
//! it did with FTS5's own prefix query: `shipping*` looks for the terms starting with `ship`.
//! A prefix that is not exactly one token, that no term starts with, or that more than
//! [`MAX_EXPANDED`] terms start with, keeps FTS5's own prefix query (the same answer, slower).
//!
//! Asking the vocabulary costs a pass over the matching terms' doclists (fts5vocab counts
//! them), so the expansion saves most where a prefix has few terms — the common case with a
//! stemming tokenizer (`refund*`: one term, `refund`).

use crate::map::Db;
use frontdesk_core::store::StoreResult;
use rusqlite::{Connection, OptionalExtension};
use std::cell::RefCell;

/// The tokenizer of the `search` table (migrations/0005_search.sql); the two must agree.
pub(crate) const TOKENIZER: &str = "porter unicode61 remove_diacritics 2";
/// Most terms a prefix is expanded to; above this FTS5's own prefix query is used.
pub(crate) const MAX_EXPANDED: usize = 64;

/// Creates the vocabulary table on a reader connection (before `query_only` is set).
pub(crate) const CREATE_VOCABULARY: &str =
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_terms USING fts5vocab(main, search, row)";

thread_local! {
    /// An in-memory FTS5 table with the index's tokenizer, one per reader thread.
    static TOKENIZE: RefCell<Option<Connection>> = const { RefCell::new(None) };
}

fn tokenizer() -> rusqlite::Result<Connection> {
    let c = Connection::open_in_memory()?;
    c.execute_batch(&format!(
        "CREATE VIRTUAL TABLE t USING fts5(x, tokenize = '{TOKENIZER}');
         CREATE VIRTUAL TABLE tv USING fts5vocab(t, instance);"
    ))?;
    Ok(c)
}

/// The tokens FTS5 makes of `text`, in order.
pub(crate) fn tokens(text: &str) -> StoreResult<Vec<String>> {
    TOKENIZE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let c = match slot.as_mut() {
            Some(c) => c,
            None => slot.insert(tokenizer().db()?),
        };
        let tx = c.transaction().db()?;
        tx.execute("INSERT INTO t (rowid, x) VALUES (1, ?1)", [text])
            .db()?;
        let out = tx
            .prepare_cached("SELECT term FROM tv ORDER BY \"offset\"")
            .db()?
            .query_map([], |r| r.get::<_, String>(0))
            .db()?
            .collect::<Result<Vec<_>, _>>()
            .db()?;
        // Rolled back: the table stays empty for the next call.
        drop(tx);
        Ok(out)
    })
}

/// The index's terms that start with the (already lower-cased) prefix, when it is one token
/// and at most [`MAX_EXPANDED`] terms start with it; `None` for FTS5's own prefix query.
pub(crate) fn expand(c: &Connection, prefix: &str) -> StoreResult<Option<Vec<String>>> {
    let mut toks = tokens(prefix)?;
    if toks.len() != 1 {
        return Ok(None);
    }
    let stem = toks.remove(0);
    let has_vocabulary: Option<i64> = c
        .query_row(
            "SELECT 1 FROM temp.sqlite_schema WHERE name = 'search_terms'",
            [],
            |r| r.get(0),
        )
        .optional()
        .db()?;
    if has_vocabulary.is_none() {
        return Ok(None);
    }
    let mut stmt = c
        .prepare_cached(
            "SELECT term FROM temp.search_terms WHERE term >= ?1 ORDER BY term LIMIT ?2",
        )
        .db()?;
    let limit = i64::try_from(MAX_EXPANDED + 1).unwrap_or(i64::MAX);
    let mut rows = stmt.query(rusqlite::params![stem, limit]).db()?;
    let mut terms = Vec::new();
    while let Some(row) = rows.next().db()? {
        let term: String = row.get(0).db()?;
        if !term.starts_with(&stem) {
            break;
        }
        terms.push(term);
    }
    Ok((!terms.is_empty() && terms.len() <= MAX_EXPANDED).then_some(terms))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_as_the_index_does() {
        assert_eq!(tokens("shipping").unwrap(), ["ship"]);
        assert_eq!(tokens("Café").unwrap(), ["cafe"]);
        assert_eq!(tokens("refunds").unwrap(), ["refund"]);
        assert_eq!(tokens("order-number").unwrap(), ["order", "number"]);
        assert!(tokens("").unwrap().is_empty());
        // The table is empty again after each call.
        assert_eq!(tokens("delivery").unwrap(), ["deliveri"]);
    }

    fn indexed(texts: &[&str]) -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(&format!(
            "CREATE VIRTUAL TABLE search USING fts5(body, tokenize = '{TOKENIZER}');"
        ))
        .unwrap();
        for (i, t) in texts.iter().enumerate() {
            c.execute(
                "INSERT INTO search (rowid, body) VALUES (?1, ?2)",
                rusqlite::params![i64::try_from(i).unwrap() + 1, t],
            )
            .unwrap();
        }
        c.execute_batch(CREATE_VOCABULARY).unwrap();
        c
    }

    #[test]
    fn expands_to_the_terms_that_start_with_the_stemmed_prefix() {
        let c = indexed(&["shipping shipped ship", "shop refunds", "shipment"]);
        assert_eq!(expand(&c, "ship").unwrap().unwrap(), ["ship", "shipment"]);
        // Stemmed first, as FTS5 does: "shipping*" looks for "ship…".
        assert_eq!(
            expand(&c, "shipping").unwrap().unwrap(),
            ["ship", "shipment"]
        );
        assert_eq!(expand(&c, "refund").unwrap().unwrap(), ["refund"]);
        // No term: FTS5's own query (which finds nothing either).
        assert_eq!(expand(&c, "zebra").unwrap(), None);
    }

    #[test]
    fn too_many_terms_or_no_vocabulary_keep_the_engines_prefix_query() {
        let words: Vec<String> = (0..=MAX_EXPANDED).map(|i| format!("ab{i:03}x")).collect();
        let text = words.join(" ");
        let c = indexed(&[&text]);
        assert_eq!(expand(&c, "ab").unwrap(), None);
        assert_eq!(expand(&c, "ab00").unwrap().unwrap().len(), 10);
        let bare = Connection::open_in_memory().unwrap();
        assert_eq!(expand(&bare, "ab").unwrap(), None);
    }
}
