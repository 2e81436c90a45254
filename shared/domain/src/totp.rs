//! Time-based one-time passwords (RFC 6238 on top of RFC 4226's HOTP), the second factor of
//! `POST /api/v1/auth/login/mfa` and of the `/api/v1/me/mfa` routes.
//!
//! What authenticator apps interoperate on is fixed here: HMAC-SHA1, 6 digits, a 30-second
//! step, a 160-bit secret written in RFC 4648 base32 without padding, and the `otpauth://`
//! key URI that the setup QR code carries. Storing the secret and the last step used is the
//! caller's business; this module is pure apart from drawing random secrets.
use std::fmt::Write as _;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::time::Timestamp;

/// Seconds per TOTP step (RFC 6238's default `X`, and the only value apps reliably support).
pub const STEP_SECONDS: i64 = 30;

/// Digits in a code we issue and accept.
pub const DIGITS: u32 = 6;

/// Bytes in a generated secret: 160 bits, RFC 4226's recommended length (the HMAC-SHA1
/// block output size).
pub const SECRET_BYTES: usize = 20;

/// The shortest secret we accept when reading one back: RFC 4226 requires 128 bits.
const MIN_SECRET_BYTES: usize = 16;

/// A TOTP shared secret. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    /// A fresh 160-bit secret from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        TotpSecret(bytes)
    }

    /// Reads a secret written by `to_base32` (or typed by a person: case, spaces and `=`
    /// padding are forgiven). `None` for anything that is not base32 or is shorter than
    /// 128 bits.
    pub fn from_base32(text: &str) -> Option<Self> {
        let cleaned: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let bytes = base32_decode(cleaned.trim_end_matches('='))?;
        (bytes.len() >= MIN_SECRET_BYTES).then_some(TotpSecret(bytes))
    }

    /// RFC 4648 base32, upper case, without padding: what authenticator apps expect.
    pub fn to_base32(&self) -> String {
        base32_encode(&self.0)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

/// The TOTP code for `unix_time`: HOTP (RFC 4226 §5.3, dynamic truncation) of the step
/// counter `floor(unix_time / step)`, zero-padded to `digits`.
///
/// `step` below 1 counts as 1 and `digits` is clamped to 1..=10 (a truncated HOTP value has
/// 31 bits, so at most 10 decimal digits), so no input panics.
pub fn code_at(secret: &[u8], unix_time: i64, step: i64, digits: u32) -> String {
    let digits = digits.clamp(1, 10);
    // `div_euclid` floors, so times before 1970 still map to the step that contains them.
    let counter = unix_time.div_euclid(step.max(1));
    hotp(secret, counter as u64, digits)
}

fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    // HMAC takes keys of any length, so this never fails; an empty answer never verifies.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    // Dynamic truncation: the low nibble of the last byte picks 4 bytes; the top bit is
    // dropped so the value reads the same as a signed or unsigned 32-bit number.
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let value = u32::from_be_bytes([hash[offset], hash[offset + 1], hash[offset + 2], hash[offset + 3]])
        & 0x7fff_ffff;
    let modulus = 10u64.pow(digits);
    format!("{:0width$}", u64::from(value) % modulus, width = digits as usize)
}

/// Checks a 6-digit code typed by the user at `now`.
///
/// Accepts the code of the current 30-second step or of the one before it (a phone clock
/// that lags, or a code typed as it rolled over), never a later one, and never a step at or
/// before `last_used_step`, so a code that was accepted once cannot be replayed, nor can an
/// older one. Returns the step that matched: the caller stores it as the new
/// `last_used_step`, atomically with accepting the login.
pub fn verify(secret: &TotpSecret, code: &str, now: Timestamp, last_used_step: Option<i64>) -> Option<i64> {
    // Apps show "123 456"; people paste it that way.
    let code: String = code.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = now.unix().div_euclid(STEP_SECONDS);
    let mut matched = None;
    // Both candidates are always computed and compared, so the time taken does not tell
    // which step (if any) matched. The current step is checked last and wins a tie.
    for step in [current - 1, current] {
        let expected = hotp(secret.as_bytes(), step as u64, DIGITS);
        let equal: bool = expected.as_bytes().ct_eq(code.as_bytes()).into();
        if equal && last_used_step.is_none_or(|last| step > last) {
            matched = Some(step);
        }
    }
    matched
}

/// The key URI authenticator apps read from the setup QR code (Google Authenticator's
/// "Key Uri Format"): `otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
/// Issuer and account are percent-encoded, so a `:` or `&` in either cannot change the
/// URI's structure.
pub fn otpauth_uri(secret: &TotpSecret, issuer: &str, account: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        account = percent_encode(account),
        secret = secret.to_base32(),
    )
}

/// An inline SVG QR code of `uri`, ready to drop into a page: no XML prolog, a `viewBox` so
/// CSS can scale it, a white background and the 4-module white quiet zone scanners need.
///
/// Answers an empty string for data longer than a QR code holds (about 2.3 kB at this error
/// correction level); the URIs `otpauth_uri` makes are far shorter.
pub fn qr_svg(uri: &str) -> String {
    use qrcode::render::svg;
    let Ok(code) = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M) else {
        return String::new();
    };
    let rendered = code
        .render::<svg::Color>()
        .quiet_zone(true)
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // The renderer starts with `<?xml …?>`, which is invalid inside HTML; keep from `<svg`.
    let start = rendered.find("<svg").unwrap_or(0);
    rendered[start..].replacen("<svg ", r#"<svg role="img" aria-label="QR code for your authenticator app" "#, 1)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 §6 base32, without the `=` padding (authenticator apps neither need nor want it).
fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32_ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32_ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decodes unpadded base32, case-insensitively. Refuses lengths no byte string encodes to
/// and non-zero leftover bits, so each secret has exactly one accepted spelling.
fn base32_decode(text: &str) -> Option<Vec<u8>> {
    if matches!(text.len() % 8, 1 | 3 | 6) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let value = match c.to_ascii_uppercase() {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | u32::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
        buffer &= (1 << bits) - 1;
    }
    (buffer == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    fn secret() -> TotpSecret {
        TotpSecret(RFC_SECRET.to_vec())
    }

    /// The code the app shows at `t`.
    fn code(t: i64) -> String {
        code_at(RFC_SECRET, t, STEP_SECONDS, DIGITS)
    }

    #[test]
    fn codes_match_the_rfc_6238_appendix_b_sha1_vectors() {
        for (t, expected) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at(RFC_SECRET, t, 30, 8), expected, "t = {t}");
        }
    }

    #[test]
    fn six_digit_codes_are_the_last_six_digits_and_keep_leading_zeros() {
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109, 30, 6), "081804");
        assert_eq!(code_at(RFC_SECRET, 59, 30, 6), "287082");
    }

    #[test]
    fn the_current_steps_code_is_accepted_and_its_step_returned() {
        let now = 1_234_567_890;
        assert_eq!(verify(&secret(), &code(now), Timestamp::from_unix(now), None), Some(now / 30));
    }

    #[test]
    fn the_previous_steps_code_is_accepted_for_clock_drift() {
        let now = 1_234_567_890;
        let step = now / 30;
        assert_eq!(verify(&secret(), &code(now - 30), Timestamp::from_unix(now), None), Some(step - 1));
    }

    #[test]
    fn codes_two_steps_old_are_refused() {
        let now = 1_234_567_890;
        assert_eq!(verify(&secret(), &code(now - 60), Timestamp::from_unix(now), None), None);
    }

    #[test]
    fn the_next_steps_code_is_refused() {
        let now = 1_234_567_890;
        assert_eq!(verify(&secret(), &code(now + 30), Timestamp::from_unix(now), None), None);
    }

    #[test]
    fn a_code_accepted_once_is_refused_when_replayed() {
        let now = Timestamp::from_unix(1_234_567_890);
        let c = code(now.unix());
        let step = verify(&secret(), &c, now, None);
        assert!(step.is_some());
        assert_eq!(verify(&secret(), &c, now, step), None);
        // Nor does it come back in the next step, when it would still be within the drift window.
        assert_eq!(verify(&secret(), &c, now.plus_seconds(30), step), None);
    }

    #[test]
    fn an_older_code_is_refused_once_a_newer_step_was_used() {
        let now = 1_234_567_890;
        let current = now / 30;
        assert_eq!(verify(&secret(), &code(now - 30), Timestamp::from_unix(now), Some(current)), None);
        assert_eq!(
            verify(&secret(), &code(now), Timestamp::from_unix(now), Some(current - 1)),
            Some(current)
        );
    }

    #[test]
    fn codes_of_the_wrong_length_or_with_non_digits_are_refused() {
        let now = 1_234_567_890;
        let good = code(now);
        let at = Timestamp::from_unix(now);
        for bad in [
            String::new(),
            good[..5].to_string(),
            format!("{good}0"),
            code_at(RFC_SECRET, now, 30, 8),
            format!("{}a", &good[..5]),
            format!("-{}", &good[..5]),
            format!("{}\u{0661}", &good[..5]),
        ] {
            assert_eq!(verify(&secret(), &bad, at, None), None, "{bad:?}");
        }
    }

    #[test]
    fn a_code_typed_with_spaces_is_accepted() {
        let now = 1_234_567_890;
        let c = code(now);
        let spaced = format!(" {} {} ", &c[..3], &c[3..]);
        assert!(verify(&secret(), &spaced, Timestamp::from_unix(now), None).is_some());
    }

    #[test]
    fn a_wrong_code_is_refused() {
        let now = 1_234_567_890;
        let c = code(now);
        let wrong: String =
            c.bytes().map(|b| char::from(b'0' + (b - b'0' + 1) % 10)).collect();
        assert_eq!(verify(&secret(), &wrong, Timestamp::from_unix(now), None), None);
    }

    #[test]
    fn base32_matches_the_rfc_4648_test_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).as_deref(), Some(plain.as_bytes()));
            assert_eq!(base32_decode(&encoded.to_lowercase()).as_deref(), Some(plain.as_bytes()));
        }
    }

    #[test]
    fn base32_refuses_foreign_characters_and_impossible_lengths() {
        assert_eq!(base32_decode("MZXW6YT1"), None);
        assert_eq!(base32_decode("MZXW6YT"), None);
        assert_eq!(base32_decode("M"), None);
        // "MZ" has non-zero leftover bits: not the canonical spelling of "f".
        assert_eq!(base32_decode("MZ"), None);
    }

    #[test]
    fn the_rfc_secret_has_its_well_known_base32_spelling() {
        assert_eq!(secret().to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(TotpSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"), Some(secret()));
    }

    #[test]
    fn generated_secrets_are_160_bits_and_survive_a_base32_round_trip() {
        let a = TotpSecret::generate();
        assert_eq!(a.as_bytes().len(), 20);
        assert_eq!(a.to_base32().len(), 32);
        assert_eq!(TotpSecret::from_base32(&a.to_base32()), Some(a.clone()));
        assert_ne!(a, TotpSecret::generate());
    }

    #[test]
    fn secrets_shorter_than_128_bits_are_refused() {
        assert_eq!(TotpSecret::from_base32("MZXW6YTBOI"), None);
        assert_eq!(TotpSecret::from_base32(""), None);
    }

    #[test]
    fn debug_output_does_not_reveal_the_secret() {
        assert_eq!(format!("{:?}", secret()), "TotpSecret(..)");
    }

    #[test]
    fn the_otpauth_uri_names_issuer_account_and_parameters() {
        let uri = otpauth_uri(&secret(), "DotMac Platform", "ada+2fa@example.com");
        assert_eq!(
            uri,
            "otpauth://totp/DotMac%20Platform:ada%2B2fa%40example.com\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=DotMac%20Platform\
             &algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn separators_in_issuer_or_account_cannot_change_the_uri() {
        let uri = otpauth_uri(&secret(), "A:B", "x&secret=AAAA");
        assert!(uri.starts_with("otpauth://totp/A%3AB:x%26secret%3DAAAA?secret=GEZD"), "{uri}");
    }

    #[test]
    fn the_qr_code_is_an_inline_svg_with_a_viewbox_and_white_quiet_zone() {
        let svg = qr_svg(&otpauth_uri(&secret(), "DotMac", "ada@example.com"));
        assert!(svg.starts_with("<svg"), "{}", &svg[..40.min(svg.len())]);
        assert!(svg.contains("viewBox=\"0 0 "));
        assert!(svg.contains("fill=\"#ffffff\""));
        assert!(svg.ends_with("</svg>"));
        // The first dark module is drawn inside the 4-module quiet zone, not at the edge.
        assert!(!svg.contains("M0 0"));
    }

    #[test]
    fn data_too_long_for_a_qr_code_gives_an_empty_answer() {
        assert_eq!(qr_svg(&"x".repeat(10_000)), "");
    }
}
