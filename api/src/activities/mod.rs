//! Activities (hoạt động, sinh hoạt) and attendance: "có sinh hoạt hằng tháng". A branch head
//! records a meeting and its whole roster in one request on a weak network; a retry changes
//! nothing. Absentee lists and member histories come from the same rows.

pub mod absentees;
pub mod access;
pub mod attendance;
pub mod handlers;
pub mod history;
pub mod kinds;
pub mod models;
pub mod pledges;
mod roster;
pub mod sheet;
pub mod three_haves;
pub mod wire;
