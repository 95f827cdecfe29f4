//! Property tests of the parsers that take input from users and spreadsheets: names, phone
//! numbers, citizen ids, report periods and pagination cursors. Bounded (256 cases each) so
//! they run in the ordinary test command.

use proptest::prelude::*;

use super::{cccd, names, phone};
use crate::http::PageRequest;
use crate::reports::period::{PERIOD_PATTERN, Period};
use crate::time::{MONTH_PATTERN, parse_month};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn names_normalize_once_for_all(raw in "\\PC{0,60}") {
        let once = names::normalize(&raw);
        prop_assert_eq!(names::normalize(&once), once.clone(), "normalizing twice changes nothing");
        prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
    }

    #[test]
    fn vietnamese_names_stay_plausible(
        family in "(Nguyễn|Trần|Lê|Phạm|Huỳnh|Võ|Đặng)",
        given in "(Hoà|Thuý|Lan|Mai|Huệ|Khoẻ|Ánh|Yến)( (Anh|Hồng))?",
    ) {
        let name = names::normalize(&format!("{family} {given}"));
        prop_assert!(names::is_plausible(&name), "{}", name);
    }

    #[test]
    fn phones_round_trip_through_the_national_form(raw in "[0-9+ .()-]{0,20}") {
        if let Some(stored) = phone::normalize(&raw) {
            prop_assert!(stored.starts_with("+84"));
            prop_assert_eq!(phone::normalize(&phone::national(&stored)), Some(stored.clone()));
        }
    }

    #[test]
    fn mobiles_are_accepted_in_every_usual_spelling(prefix in "(03|05|07|08|09)", rest in "[0-9]{8}") {
        let national = format!("{prefix}{rest}");
        let spaced = format!("{} {} {}", &national[..4], &national[4..7], &national[7..]);
        let international = format!("+84{}", &national[1..]);
        let expected = phone::normalize(&national);
        prop_assert!(expected.is_some());
        prop_assert_eq!(phone::normalize(&spaced), expected.clone());
        prop_assert_eq!(phone::normalize(&international), expected);
    }

    #[test]
    fn citizen_ids_never_panic_and_masks_keep_four_digits(raw in "\\PC{0,20}", digits in "[0-9]{12}") {
        let _ = cccd::parse(&raw, cccd::Sex::Female, Some(1985));
        let masked = cccd::masked(&digits);
        prop_assert!(masked.ends_with(&digits[8..]));
        prop_assert!(!masked.contains(&digits[..8]));
    }

    #[test]
    fn periods_parse_to_ordered_days(raw in "(20[0-9]{2})(-(Q[0-9]|H[0-9]|M[0-9]{1,2}|[0-9]{1,2}))?|\\PC{0,12}") {
        if let Some(period) = Period::parse(&raw) {
            prop_assert!(period.from <= period.to);
            prop_assert_eq!(Period::parse(&period.label), Some(period.clone()));
        }
    }

    #[test]
    fn period_labels_are_read_exactly_as_the_contract_states(
        raw in "(20|21|19|\\+2|2)?[0-9]{0,3}(-([0-9]{1,2}|[QHM][0-9+]{0,2}|\\PC{0,3}))?",
    ) {
        let period = regex_lite::Regex::new(PERIOD_PATTERN).expect("the period pattern compiles");
        let month = regex_lite::Regex::new(MONTH_PATTERN).expect("the month pattern compiles");
        prop_assert_eq!(Period::parse(&raw).is_some(), period.is_match(&raw), "period {:?}", raw);
        prop_assert_eq!(parse_month(&raw).is_some(), month.is_match(&raw), "month {:?}", raw);
    }

    #[test]
    fn cursors_from_anywhere_are_refused_cleanly(raw in "\\PC{0,80}") {
        match PageRequest::<(String, uuid::Uuid)>::parse(Some(50), Some(&raw)) {
            Ok(page) => prop_assert_eq!(page.limit, 50),
            Err(error) => prop_assert_eq!(error.code(), "invalid_parameter"),
        }
    }
}
