//! Membership fees (hội phí): a schedule per unit (usually the province) and year, payments per
//! member and period, and the list of who has not paid. Rules differ by province and year, so
//! the schedule is data: the nearest unit above a member with a schedule for the year applies.

mod access;
pub mod models;
pub mod payments;
pub mod period;
pub mod queries;
pub mod schedules;
