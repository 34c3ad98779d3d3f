//! Go-style durations (`10m`, `1h30m`, `90s`, `1.5h`), as Terraform users write them in
//! `timeouts` blocks across providers.

use std::time::Duration;

/// The longest duration accepted: a NIC attach or detach that needs more than a week is stuck,
/// and the bound keeps deadline arithmetic far from overflow.
pub(crate) const MAX: Duration = Duration::from_secs(7 * 24 * 3600);

/// Why a duration string was refused; the text completes "… is not a valid duration: ".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DurationError {
    #[error("it is empty")]
    Empty,
    #[error("it is negative")]
    Negative,
    #[error("`{n}` has no unit (write it as `{n}s` or `{n}m`)", n = short(.0))]
    MissingUnit(String),
    #[error("`{}` is not a unit (use h, m, s, ms, us or ns)", short(.0))]
    UnknownUnit(String),
    #[error("`{}` is not a number followed by a unit", short(.0))]
    Malformed(String),
    #[error("it must be longer than zero")]
    Zero,
    #[error("it is longer than the maximum of 168h (one week)")]
    TooLong,
}

/// A piece of the user's text as an error repeats it: escaped and cut by the one rule for
/// outside text ([`crate::untrusted`]).
fn short(text: &str) -> String {
    crate::untrusted::inline(text)
}

/// Parses a positive Go-style duration: one or more `<number><unit>` parts, where the number
/// may have a fraction and the unit is one of `h`, `m`, `s`, `ms`, `us`/`µs`, `ns`.
pub(crate) fn parse(text: &str) -> Result<Duration, DurationError> {
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    if text.starts_with('-') {
        return Err(DurationError::Negative);
    }
    let body = text.strip_prefix('+').unwrap_or(text);
    if body.is_empty() {
        return Err(DurationError::Malformed(text.to_owned()));
    }
    let mut rest = body;
    let mut total_nanos: u128 = 0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(DurationError::Malformed(text.to_owned()));
        }
        if unit.is_empty() {
            return Err(DurationError::MissingUnit(number.to_owned()));
        }
        let scale = unit_nanos(unit).ok_or_else(|| DurationError::UnknownUnit(unit.to_owned()))?;
        total_nanos = total_nanos
            .checked_add(scaled(number, scale).ok_or(DurationError::TooLong)?)
            .ok_or(DurationError::TooLong)?;
        if total_nanos > MAX.as_nanos() {
            return Err(DurationError::TooLong);
        }
        rest = next;
    }
    if total_nanos == 0 {
        return Err(DurationError::Zero);
    }
    let secs = u64::try_from(total_nanos / 1_000_000_000).map_err(|_| DurationError::TooLong)?;
    let nanos = u32::try_from(total_nanos % 1_000_000_000).map_err(|_| DurationError::TooLong)?;
    Ok(Duration::new(secs, nanos))
}

/// Renders a duration the way users write them (`10m`, `1h30m`, `1.5s`), for messages.
pub(crate) fn display(d: Duration) -> String {
    let total_ms = d.as_millis();
    if total_ms == 0 {
        return format!("{}ns", d.as_nanos());
    }
    let (h, rem) = (total_ms / 3_600_000, total_ms % 3_600_000);
    let (m, rem) = (rem / 60_000, rem % 60_000);
    let (s, ms) = (rem / 1000, rem % 1000);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    match (s, ms) {
        (0, 0) => {}
        (s, 0) => out.push_str(&format!("{s}s")),
        (s, ms) => {
            let frac = format!("{ms:03}");
            out.push_str(&format!("{s}.{}s", frac.trim_end_matches('0')));
        }
    }
    out
}

fn unit_nanos(unit: &str) -> Option<u128> {
    Some(match unit {
        "ns" => 1,
        "us" | "µs" | "μs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// `number` (digits with at most one `.`) times `scale` nanoseconds, truncated like Go.
fn scaled(number: &str, scale: u128) -> Option<u128> {
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut value = whole.checked_mul(scale)?;
    // Digits beyond nanosecond precision cannot change the result; cap them to stay exact.
    let frac = &frac[..frac.len().min(20)];
    if !frac.is_empty() {
        let digits: u128 = frac.parse().ok()?;
        let denom = 10u128.checked_pow(u32::try_from(frac.len()).ok()?)?;
        value = value.checked_add(digits.checked_mul(scale)? / denom)?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_style_durations_parse_to_their_length() {
        let cases = [
            ("10m", Duration::from_secs(600)),
            ("1h30m", Duration::from_secs(5400)),
            ("90s", Duration::from_secs(90)),
            ("1.5h", Duration::from_secs(5400)),
            ("2h45m30s", Duration::from_secs(2 * 3600 + 45 * 60 + 30)),
            ("500ms", Duration::from_millis(500)),
            ("1.5s", Duration::from_millis(1500)),
            (".5m", Duration::from_secs(30)),
            ("3us", Duration::from_micros(3)),
            ("3µs", Duration::from_micros(3)),
            ("7ns", Duration::from_nanos(7)),
            ("+5m", Duration::from_secs(300)),
            ("168h", MAX),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn malformed_durations_are_refused_with_the_reason() {
        let cases = [
            ("", DurationError::Empty),
            ("10", DurationError::MissingUnit("10".into())),
            ("1h30", DurationError::MissingUnit("30".into())),
            ("-1m", DurationError::Negative),
            ("abc", DurationError::Malformed("abc".into())),
            ("m", DurationError::Malformed("m".into())),
            ("1.2.3s", DurationError::Malformed("1.2.3s".into())),
            (".s", DurationError::Malformed(".s".into())),
            ("+", DurationError::Malformed("+".into())),
            ("10 m", DurationError::UnknownUnit(" m".into())),
            ("5d", DurationError::UnknownUnit("d".into())),
            ("10M", DurationError::UnknownUnit("M".into())),
            ("0s", DurationError::Zero),
            ("0", DurationError::MissingUnit("0".into())),
            ("169h", DurationError::TooLong),
            ("99999999999999999999999999999h", DurationError::TooLong),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), Err(want), "{text:?}");
        }
    }

    #[test]
    fn error_messages_say_how_to_fix_a_missing_unit() {
        let msg = parse("10").unwrap_err().to_string();
        assert!(msg.contains("`10s`") && msg.contains("`10m`"), "{msg}");
    }

    #[test]
    fn durations_display_as_users_write_them() {
        let cases = [
            (Duration::from_secs(600), "10m"),
            (Duration::from_secs(5400), "1h30m"),
            (Duration::from_secs(90), "1m30s"),
            (Duration::from_millis(1500), "1.5s"),
            (Duration::from_millis(250), "0.25s"),
            (Duration::from_nanos(7), "7ns"),
        ];
        for (d, want) in cases {
            assert_eq!(display(d), want);
            if d >= Duration::from_millis(1) {
                assert_eq!(parse(want), Ok(d), "display output parses back");
            }
        }
    }
}
