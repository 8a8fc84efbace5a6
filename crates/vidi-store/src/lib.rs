//! The embedded store: SQLite (WAL, migrations) and the content-addressed blob folder. The only crate that knows SQL.
