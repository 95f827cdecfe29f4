//! Raw SQL that the connection prepares once and reuses. Diesel treats every `sql_query` as
//! possibly built at run time and never caches it: PostgreSQL parses and plans it again on each
//! call. For the report queries that was most of a small unit's request (a branch's KPIs:
//! ~60 ms, of which the database spent 3 ms executing and 20 ms parsing and planning a dozen
//! statements; docs/BENCHMARKS.md). A `prepared` query's text is a `&'static str`, so the
//! per-connection cache, keyed by text and bind types, holds a bounded set of statements; after
//! five runs PostgreSQL may keep a generic plan when it costs no more than the custom ones.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, BoxedSqlQuery, Query, QueryFragment, QueryId, SqlQuery};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};
use diesel::{QueryResult, sql_query};

/// A raw SQL query whose text never changes, with its bound values.
#[must_use = "a query does nothing until run"]
pub struct Prepared<'f>(BoxedSqlQuery<'f, Pg, SqlQuery>);

/// The fixed query `sql`, to be bound and run like `diesel::sql_query`.
pub fn prepared<'f>(sql: &'static str) -> Prepared<'f> {
    Prepared(sql_query(sql).into_boxed())
}

impl<'f> Prepared<'f> {
    /// Binds the next `$n` parameter, as `SqlQuery::bind` does.
    pub fn bind<ST, V>(self, value: V) -> Self
    where
        V: ToSql<ST, Pg> + Send + 'f,
        ST: Send + 'f,
        Pg: HasSqlType<ST>,
    {
        Prepared(self.0.bind::<ST, V>(value))
    }
}

impl QueryFragment<Pg> for Prepared<'_> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(out)
    }

    /// The text is fixed (`prepared` takes only a `&'static str`): safe to cache by text.
    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl QueryId for Prepared<'_> {
    type QueryId = ();
    // Keyed by its text in the statement cache, like any query without a static type.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Prepared<'_> {
    type SqlType = Untyped;
}

/// A `&'static str` built once by `format!` from constants (`{G}` joins and the like): the
/// closure of a `static` cannot capture a local, so nothing from a request can get in.
macro_rules! fixed_sql {
    ($($format:tt)*) => {{
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| format!($($format)*));
        SQL.as_str()
    }};
}
pub(crate) use fixed_sql;
