//! Citizen identity numbers: the 12-digit CCCD (3 digits province of birth, 1 digit century and
//! sex, 2 digits year of birth, 6 digits) and the legacy 9-digit CMND, accepted and flagged.

/// Sex, as the CCCD encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CitizenId {
    Cccd(String),
    /// A 9-digit CMND: no cross-check possible.
    LegacyCmnd(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CccdProblem {
    /// Not 12 (or 9) digits.
    Format,
    /// Province-of-birth code outside 001–096.
    Province,
    /// The century/sex digit contradicts the sex.
    Sex,
    /// The encoded year contradicts the birth year.
    BirthYear,
}

impl CitizenId {
    pub fn number(&self) -> &str {
        match self {
            CitizenId::Cccd(n) | CitizenId::LegacyCmnd(n) => n,
        }
    }

    pub fn is_legacy(&self) -> bool {
        matches!(self, CitizenId::LegacyCmnd(_))
    }
}

/// Parses and cross-checks a number against the person's sex and birth year. Spaces are
/// ignored. The province code is never compared with the residence: people move.
pub fn parse(raw: &str, sex: Sex, birth_year: Option<i32>) -> Result<CitizenId, CccdProblem> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(CccdProblem::Format);
    }
    match digits.len() {
        9 => Ok(CitizenId::LegacyCmnd(digits)),
        12 => {
            let province: u32 = digits[0..3].parse().map_err(|_| CccdProblem::Format)?;
            if !(1..=96).contains(&province) {
                return Err(CccdProblem::Province);
            }
            let code: u32 = digits[3..4].parse().map_err(|_| CccdProblem::Format)?;
            let encoded_sex = if code.is_multiple_of(2) { Sex::Male } else { Sex::Female };
            if encoded_sex != sex {
                return Err(CccdProblem::Sex);
            }
            let century = 1900 + i32::try_from(code / 2).unwrap_or(0) * 100;
            let year = century + digits[4..6].parse::<i32>().map_err(|_| CccdProblem::Format)?;
            if birth_year.is_some_and(|y| y != year) {
                return Err(CccdProblem::BirthYear);
            }
            Ok(CitizenId::Cccd(digits))
        }
        _ => Err(CccdProblem::Format),
    }
}

/// `********1234`: what people without the sensitive-data permission see.
pub fn masked(number: &str) -> String {
    let shown = number.len().saturating_sub(4);
    format!("{}{}", "*".repeat(shown), &number[shown..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_checks_sex_and_year() {
        // 083 (Bến Tre), 1 = woman born in the 1900s, 85 = 1985.
        assert_eq!(parse("083 1 85 000123", Sex::Female, Some(1985)), Ok(CitizenId::Cccd("083185000123".into())));
        assert_eq!(parse("083185000123", Sex::Male, Some(1985)), Err(CccdProblem::Sex));
        assert_eq!(parse("083185000123", Sex::Female, Some(1986)), Err(CccdProblem::BirthYear));
        // 3 = woman born in the 2000s.
        assert!(parse("086305000001", Sex::Female, Some(2005)).is_ok());
        assert_eq!(parse("099185000123", Sex::Female, None), Err(CccdProblem::Province));
        assert_eq!(parse("08318500012", Sex::Female, None), Err(CccdProblem::Format));
        assert_eq!(parse("08318500012x", Sex::Female, None), Err(CccdProblem::Format));
    }

    #[test]
    fn legacy_numbers_are_flagged_and_everything_is_masked() {
        let id = parse("321456789", Sex::Female, Some(1970)).unwrap();
        assert!(id.is_legacy());
        assert_eq!(masked("083185000123"), "********0123");
    }
}
