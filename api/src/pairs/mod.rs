//! "1+1" pairs (cặp "1+1"): a mentor helps a mentee towards a goal, through stages, to an
//! outcome. Kinds are data (`pair_kinds`): who may be mentor and mentee (member, prospect, org
//! unit), the rules each side must meet, and the ordered stages.

pub mod access;
pub mod checkins;
pub mod kinds;
pub mod models;
pub mod progress;
pub mod read;
pub mod rules;
pub mod wire;
pub mod write;
