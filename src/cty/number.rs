//! cty numbers: arbitrary-precision decimals that usually fit an `i64` or an `f64`.

use std::fmt;

/// A cty number in the narrowest representation that keeps it exact.
///
/// Equality is by exact numeric value, whatever the representation:
///
/// ```
/// use tpz::cty::Number;
/// assert_eq!(Number::Int(3), Number::Float(3.0));
/// assert_eq!(Number::Decimal("0.5".into()), Number::Float(0.5));
/// assert_ne!(Number::Decimal("0.1".into()), Number::Float(0.1));
/// ```
#[derive(Clone, Debug)]
pub enum Number {
    /// An integer; what Terraform sends for every whole number that fits.
    Int(i64),
    /// Exactly this binary float (never NaN; ±Inf are cty numbers).
    Float(f64),
    /// Too big or too precise for i64/f64: kept as its decimal text.
    Decimal(String),
}

/// Exponents beyond this are refused: Terraform's own big floats cannot hold them either.
const MAX_EXPONENT: i64 = 1_000_000_000;

/// The most significant digits an `f64`'s exact decimal expansion can have.
const F64_MAX_DIGITS: usize = 767;

/// A finite decimal in normal form: `digits × 10^exponent`, no leading or trailing zeros.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Decimal {
    negative: bool,
    /// ASCII digits; empty for zero.
    digits: Vec<u8>,
    exponent: i64,
}

/// What a number is, exactly; the basis of equality and of both encodings.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Exact {
    Int(i64),
    /// Exactly this float; never an integer within `i64` range.
    Float(f64),
    /// Neither an `i64` nor exactly an `f64`.
    Decimal(Decimal),
    /// A `Number::Decimal` whose text is not a number.
    Invalid,
}

impl Number {
    /// The same number in the narrowest exact representation: `Int` for integers that fit,
    /// `Float` for values an `f64` holds exactly, `Decimal` (normalized text) otherwise.
    /// Decoders return numbers in this form.
    ///
    /// ```
    /// use tpz::cty::Number;
    /// assert!(matches!(Number::Float(2.0).canonical(), Number::Int(2)));
    /// assert!(matches!(Number::Decimal("0.250".into()).canonical(), Number::Float(f) if f == 0.25));
    /// ```
    pub fn canonical(&self) -> Number {
        match self.exact() {
            Exact::Invalid => self.clone(),
            exact => exact.into_number(),
        }
    }

    /// The value as i64 when it is an exact integer in range.
    ///
    /// ```
    /// use tpz::cty::Number;
    /// assert_eq!(Number::Decimal("42".into()).as_i64(), Some(42));
    /// assert_eq!(Number::Float(1.5).as_i64(), None);
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        match self.exact() {
            Exact::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The exact classification of this number.
    pub(crate) fn exact(&self) -> Exact {
        match self {
            Number::Int(i) => Exact::Int(*i),
            Number::Float(f) => exact_float(*f),
            Number::Decimal(s) => parse_exact(s).unwrap_or(Exact::Invalid),
        }
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number::Int(i)
    }
}

impl From<f64> for Number {
    fn from(f: f64) -> Number {
        Number::Float(f)
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a == b,
            _ => match (self.exact(), other.exact()) {
                (Exact::Invalid, Exact::Invalid) => {
                    matches!((self, other), (Number::Decimal(a), Number::Decimal(b)) if a == b)
                }
                (a, b) => a == b,
            },
        }
    }
}

/// Writes the exact value as decimal text (JSON number syntax for finite values).
///
/// ```
/// use tpz::cty::Number;
/// assert_eq!(Number::Float(1.5).to_string(), "1.5");
/// assert_eq!(Number::Decimal("+001.50".into()).to_string(), "1.5");
/// ```
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.exact() {
            Exact::Int(i) => write!(f, "{i}"),
            Exact::Float(x) if !x.is_finite() => write!(f, "{x}"),
            Exact::Float(x) => f.write_str(&Decimal::from_f64(x).to_text()),
            Exact::Decimal(d) => f.write_str(&d.to_text()),
            Exact::Invalid => match self {
                Number::Decimal(s) => f.write_str(s),
                _ => Ok(()),
            },
        }
    }
}

impl Exact {
    /// Back to the public representation.
    pub(crate) fn into_number(self) -> Number {
        match self {
            Exact::Int(i) => Number::Int(i),
            Exact::Float(f) => Number::Float(f),
            Exact::Decimal(d) => Number::Decimal(d.to_text()),
            Exact::Invalid => Number::Float(f64::NAN),
        }
    }

    /// Bytes that are equal exactly when the numbers are, for hashing set elements.
    pub(crate) fn key(&self, out: &mut Vec<u8>) {
        match self {
            Exact::Int(i) => {
                out.push(b'i');
                out.extend_from_slice(&i.to_be_bytes());
            }
            Exact::Float(f) => {
                out.push(b'f');
                out.extend_from_slice(&f.to_bits().to_be_bytes());
            }
            Exact::Decimal(d) => {
                let text = d.to_text();
                out.push(b'd');
                out.extend_from_slice(&(text.len() as u64).to_be_bytes());
                out.extend_from_slice(text.as_bytes());
            }
            Exact::Invalid => out.push(b'x'),
        }
    }
}

fn exact_float(f: f64) -> Exact {
    // -2^63 is exact in both types; 2^63 is the first float above i64::MAX.
    if f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f)
    {
        Exact::Int(f as i64)
    } else {
        Exact::Float(f)
    }
}

/// Parses and classifies decimal text; `None` if it is not a number.
pub(crate) fn parse_exact(text: &str) -> Option<Exact> {
    let unsigned = text.trim_start_matches(['+', '-']);
    if text.len() - unsigned.len() > 1 {
        return None;
    }
    if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
        let inf = if text.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
        return Some(Exact::Float(inf));
    }
    Decimal::parse(text).map(Decimal::classify)
}

impl Decimal {
    /// Reads `[+-]digits[.digits][(e|E)[+-]digits]`, with at least one mantissa digit.
    fn parse(text: &str) -> Option<Decimal> {
        let bytes = text.as_bytes();
        let mut i = 0;
        let negative = sign(bytes, &mut i);
        let mut digits = Vec::new();
        let mut fraction_len: i64 = 0;
        let mut seen_digit = false;
        let mut seen_point = false;
        while let Some(&c) = bytes.get(i) {
            match c {
                b'0'..=b'9' => {
                    seen_digit = true;
                    if seen_point {
                        fraction_len += 1;
                    }
                    // Leading zeros carry no value.
                    if !(digits.is_empty() && c == b'0') {
                        digits.push(c);
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => break,
            }
            i += 1;
        }
        if !seen_digit {
            return None;
        }
        let mut exponent: i64 = 0;
        if let Some(b'e' | b'E') = bytes.get(i) {
            i += 1;
            let exp_negative = sign(bytes, &mut i);
            let start = i;
            while let Some(&c @ b'0'..=b'9') = bytes.get(i) {
                exponent = exponent
                    .saturating_mul(10)
                    .saturating_add(i64::from(c - b'0'));
                i += 1;
            }
            if i == start {
                return None;
            }
            if exp_negative {
                exponent = -exponent;
            }
        }
        if i != bytes.len() {
            return None;
        }
        // Digits dropped as leading zeros were all before the first significant digit, so
        // the fraction length still counts from the end of `digits`.
        let mut exponent = exponent.checked_sub(fraction_len)?;
        while digits.last() == Some(&b'0') {
            digits.pop();
            exponent = exponent.checked_add(1)?;
        }
        if digits.is_empty() {
            return Some(Decimal {
                negative: false,
                digits,
                exponent: 0,
            });
        }
        let magnitude = exponent.checked_add(digits.len() as i64)?;
        if magnitude.unsigned_abs() > MAX_EXPONENT.unsigned_abs() {
            return None;
        }
        Some(Decimal {
            negative,
            digits,
            exponent,
        })
    }

    /// The exact value of a finite float.
    fn from_f64(f: f64) -> Decimal {
        // Fixed-precision formatting is exact, and every f64 has at most 767 significant
        // digits, so this prints the full expansion (then trailing zeros are dropped).
        let text = format!("{:.*e}", F64_MAX_DIGITS + 1, f);
        Decimal::parse(&text).unwrap_or(Decimal {
            negative: false,
            digits: Vec::new(),
            exponent: 0,
        })
    }

    fn classify(self) -> Exact {
        if let Some(i) = self.to_i64() {
            return Exact::Int(i);
        }
        if self.may_be_f64() {
            let f = self.to_f64();
            if f.is_finite() && Decimal::from_f64(f) == self {
                return Exact::Float(f);
            }
        }
        Exact::Decimal(self)
    }

    fn to_i64(&self) -> Option<i64> {
        if self.digits.is_empty() {
            return Some(0);
        }
        if self.exponent < 0 || self.digits.len() as i64 + self.exponent > 19 {
            return None;
        }
        let mut n: i128 = 0;
        for &d in &self.digits {
            n = n * 10 + i128::from(d - b'0');
        }
        for _ in 0..self.exponent {
            n *= 10;
        }
        if self.negative {
            n = -n;
        }
        i64::try_from(n).ok()
    }

    /// A cheap test that rules out most decimals no float holds exactly.
    fn may_be_f64(&self) -> bool {
        if self.digits.len() > F64_MAX_DIGITS {
            return false;
        }
        // A binary fraction's decimal expansion always ends in 5.
        self.exponent >= 0 || self.digits.last() == Some(&b'5')
    }

    /// The nearest float (correctly rounded by the standard library).
    fn to_f64(&self) -> f64 {
        let text = format!(
            "{}{}e{}",
            if self.negative { "-" } else { "" },
            String::from_utf8_lossy(&self.digits),
            self.exponent
        );
        text.parse().unwrap_or(f64::NAN)
    }

    /// Positional text when it stays short, scientific otherwise; always valid JSON.
    fn to_text(&self) -> String {
        /// Longest run of zeros written out before switching to an exponent.
        const MAX_PADDING: i64 = 64;
        if self.digits.is_empty() {
            return "0".into();
        }
        let digits = String::from_utf8_lossy(&self.digits);
        let sign = if self.negative { "-" } else { "" };
        let n = self.digits.len() as i64;
        // The position of the decimal point, counted from the first digit.
        let point = n + self.exponent;
        if (0..=MAX_PADDING).contains(&self.exponent) {
            let zeros = "0".repeat(self.exponent as usize);
            format!("{sign}{digits}{zeros}")
        } else if self.exponent < 0 && point > 0 {
            let (int, frac) = digits.split_at(point as usize);
            format!("{sign}{int}.{frac}")
        } else if self.exponent < 0 && -point <= MAX_PADDING {
            let zeros = "0".repeat((-point) as usize);
            format!("{sign}0.{zeros}{digits}")
        } else {
            let (first, rest) = digits.split_at(1);
            let dot = if rest.is_empty() { "" } else { "." };
            format!("{sign}{first}{dot}{rest}e{}", point - 1)
        }
    }
}

/// Reads an optional `+` or `-` at `bytes[*i]`, moving past it; true for `-`.
fn sign(bytes: &[u8], i: &mut usize) -> bool {
    match bytes.get(*i) {
        Some(b'-') => {
            *i += 1;
            true
        }
        Some(b'+') => {
            *i += 1;
            false
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` read as the decoders read a number.
    fn parse(text: &str) -> Option<Number> {
        parse_exact(text).map(Exact::into_number)
    }

    fn text(s: &str) -> String {
        Number::Decimal(s.into()).to_string()
    }

    #[test]
    fn decimal_text_is_normalized() {
        assert_eq!(text("000123.4500"), "123.45");
        assert_eq!(text("-0.0"), "0");
        assert_eq!(text("1e3"), "1000");
        assert_eq!(text(".5"), "0.5");
        assert_eq!(text("5."), "5");
        assert_eq!(text("1e-3"), "0.001");
        assert_eq!(text("1e400"), "1e400");
        assert_eq!(text("-1.25e-400"), "-1.25e-400");
        assert_eq!(
            text("123456789012345678901234567890"),
            "123456789012345678901234567890"
        );
    }

    #[test]
    fn malformed_decimals_are_not_numbers() {
        for bad in [
            "",
            "-",
            "+-1",
            "1e",
            "1e+",
            ".",
            "1..2",
            "1.2.3",
            "0x10",
            "1_000",
            " 1",
            "1 ",
            "nan",
            "NaN",
            "1e99999999999",
        ] {
            assert!(parse(bad).is_none(), "{bad:?} parsed");
        }
    }

    #[test]
    fn canonical_form_is_the_narrowest_exact_one() {
        assert!(matches!(
            parse("1e18"),
            Some(Number::Int(1_000_000_000_000_000_000))
        ));
        assert!(matches!(parse("-0"), Some(Number::Int(0))));
        assert!(matches!(parse("0.125"), Some(Number::Float(f)) if f == 0.125));
        assert!(matches!(parse("0.1"), Some(Number::Decimal(s)) if s == "0.1"));
        // 2^63 is one past i64::MAX but exactly a float.
        assert!(
            matches!(parse("9223372036854775808"), Some(Number::Float(f)) if f == 2f64.powi(63))
        );
        assert!(matches!(
            parse("9223372036854775809"),
            Some(Number::Decimal(_))
        ));
        assert!(matches!(Number::Float(-0.0).canonical(), Number::Int(0)));
    }

    #[test]
    fn equality_is_exact_across_representations() {
        assert_eq!(Number::Int(3), Number::Float(3.0));
        assert_eq!(Number::Decimal("3.000".into()), Number::Int(3));
        assert_eq!(Number::Decimal("1e20".into()), Number::Float(1e20));
        assert_ne!(
            Number::Decimal("0.1000000000000000000001".into()),
            Number::Float(0.1)
        );
        assert_ne!(Number::Int(i64::MAX), Number::Float(2f64.powi(63)));
        assert_eq!(Number::Float(f64::INFINITY), Number::Decimal("inf".into()));
    }

    #[test]
    fn float_text_is_its_exact_value() {
        assert_eq!(Number::Float(0.5).to_string(), "0.5");
        assert_eq!(Number::Float(1e20).to_string(), "100000000000000000000");
        assert_eq!(
            Number::Float(0.1).to_string(),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
        let tiny = Number::Float(f64::from_bits(1)).to_string();
        assert_eq!(parse(&tiny), Some(Number::Float(f64::from_bits(1))));
    }

    #[test]
    fn as_i64_reads_every_representation() {
        assert_eq!(Number::Float(7.0).as_i64(), Some(7));
        assert_eq!(Number::Decimal("1e30".into()).as_i64(), None);
    }
}
