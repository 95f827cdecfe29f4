//! Importing member lists from the spreadsheets commune offices keep (CSV or XLSX).

pub mod access;
pub mod columns;
pub mod handlers;
pub mod limits;
pub mod read;
pub mod rows;
pub mod run;
pub mod spellings;
pub mod template;

#[cfg(test)]
mod properties;
