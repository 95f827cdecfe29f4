//! Figures a commune can sign (issue 18): each defect a province officer found, as a test named
//! after it, checked against the rule of DOMAIN.md worked out by hand.

mod coverage;
mod differential;
mod export;
mod generate;
mod history;
mod honorary;
mod order;
mod play;
mod reference;
mod smaller;
