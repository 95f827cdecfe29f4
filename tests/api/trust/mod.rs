//! The hostile tester's findings (issue "Trust"): each test performs one attack as it was
//! written and asserts the refusal and that nothing changed.

mod accounts;
mod aggregates;
mod batch;
mod consent;
mod credentials;
mod csv_injection;
mod history;
mod idempotency;
mod imports;
mod logins;
mod slow_body;
mod token_scopes;
mod webhooks;
